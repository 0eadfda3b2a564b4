import { type FormEvent, useState } from 'react';
import { ApiError, api, type Me } from '../api';

export default function SignIn({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await api<Omit<Me, 'via'>>('POST', '/api/v1/session', { email, password });
      onSignedIn({ ...me, via: 'session' });
    } catch (err) {
      setError(err instanceof ApiError ? err.detail || err.title : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title">
        <div className="brand big" aria-hidden="true">
          <span className="logo" /> Canopy
        </div>
        <h1 id="signin-title">Sign in</h1>
        <label>
          <span>Email</span>
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            name="email"
          />
        </label>
        <label>
          <span>Password</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            name="password"
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">
          First start? <code>npm start</code> prints the demo sign-in.
        </p>
      </form>
    </main>
  );
}

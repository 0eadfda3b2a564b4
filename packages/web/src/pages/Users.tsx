import { type FormEvent, useState } from 'react';
import { ApiError, api, clearApiCache, type Department, fieldErrors, type Me, useApi } from '../api';
import { Card, Chip, Empty, ErrorBox, focusFirstError, Loading, PageHead } from '../components/ui';
import { fieldsBanner } from '../display';
import { dateTime } from '../format';
import { Field } from '../loop/common';

interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  department: string | null;
  created_at: string;
  last_seen_at: string | null;
}
interface AuditEntry {
  id: string;
  at: string;
  actor: { kind: 'user' | 'api_key'; label: string };
  method: string;
  route: string;
  path: string;
  status: number;
  /** What changed, in words (entries written before it have only method and path). */
  summary?: string | null;
  /** Why a refused or failed attempt did not happen. */
  reason?: string | null;
}

const ROLES = ['owner', 'admin', 'analyst', 'department_owner', 'agent', 'viewer'] as const;
type Role = (typeof ROLES)[number];

/** What each role may do, in the words of core's permission matrix. */
const ROLE_INFO: Record<Role, [string, string]> = {
  owner: ['Owner', 'everything, including other owners'],
  admin: ['Admin', 'everything except making or changing owners'],
  analyst: ['Analyst', 'reads everything incl. personal data; configures rules, surveys, taxonomy'],
  department_owner: ['Department owner', 'reads (personal data hidden), works cases; their department'],
  agent: ['Agent', 'reads (personal data hidden), works cases'],
  viewer: ['Viewer', 'reads dashboards only (personal data hidden)'],
};

/** The roles that manage users: the org always keeps one of them (the server refuses otherwise). */
const MANAGERS: readonly Role[] = ['owner', 'admin'];

/**
 * Why a row's role may not change or the user may not be removed here, if so: the server
 * refuses these anyway (with the same reasons), so the page does not offer them.
 */
function locks(u: User, users: User[], me: Me): { role?: string; remove?: string } {
  const owners = users.filter((x) => x.role === 'owner').length;
  const managers = users.filter((x) => MANAGERS.includes(x.role)).length;
  const iAmOwner = !me.user || me.user.role === 'owner';
  const out: { role?: string; remove?: string } = {};
  if (u.role === 'owner' && !iAmOwner) out.role = out.remove = 'Only an owner may change or remove an owner';
  else if (u.role === 'owner' && owners <= 1) out.role = out.remove = 'The last owner: make someone else owner first';
  else if (MANAGERS.includes(u.role) && managers <= 1)
    out.role = out.remove = 'The last owner or admin: make someone else admin first';
  if (u.id === me.user?.id) out.remove = 'You cannot remove yourself: another owner or admin can';
  return out;
}

const ACTION: Record<string, string> = { POST: 'created', PUT: 'replaced', PATCH: 'changed', DELETE: 'deleted' };

function errorText(x: unknown): string {
  return x instanceof ApiError ? x.detail || x.title : (x as Error).message;
}

/** The server's reason as a sentence ("a user with this email already exists" → "A user … exists."). */
function sentence(t: string): string {
  const s = t.trim();
  return s ? `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}` : s;
}

/**
 * Under a form the server refused: the fields to fix by their labels (each says why beside it),
 * else the server's reason as a sentence.
 */
function formRefusal(x: unknown, labels: Record<string, string>): string {
  const banner = fieldsBanner(fieldErrors(x), labels);
  // The banner sits under the form's button: the fields it names are above it.
  return banner ? banner.replace(/ below\)\.$/, ' above).') : sentence(errorText(x));
}

const NEW_USER_LABELS = {
  email: 'Email',
  name: 'Name',
  role: 'Role',
  department: 'Department',
  password: 'First password',
};
const PASSWORD_LABELS = { current_password: 'Current password', new_password: 'New password' };

/** A refusal in the server's words: its detail and each field's reason. */
function refusal(x: unknown): string {
  const reasons = Object.values(fieldErrors(x));
  return reasons.length ? `${errorText(x)} (${reasons.join('; ')})` : errorText(x);
}

function NewUser({ departments, onAdded }: { departments: Department[]; onAdded: () => void }) {
  const [form, setForm] = useState({ email: '', name: '', role: 'analyst' as Role, department: '', password: '' });
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    setBusy(true);
    setErrs({});
    setError('');
    try {
      await api('POST', '/api/v1/users', {
        email: form.email.trim(),
        name: form.name.trim(),
        role: form.role,
        password: form.password,
        ...(form.department ? { department: form.department } : {}),
      });
      setForm({ email: '', name: '', role: 'analyst', department: '', password: '' });
      onAdded();
    } catch (x) {
      setErrs(fieldErrors(x));
      setError(formRefusal(x, NEW_USER_LABELS));
      focusFirstError(formEl);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="form-grid wide-form" data-testid="user-form">
      <Field label="Email (they sign in with it)" error={errs.email}>
        <input
          type="email"
          value={form.email}
          onChange={set('email')}
          autoComplete="off"
          data-testid="new-user-email"
        />
      </Field>
      <Field label="Name" error={errs.name}>
        <input value={form.name} onChange={set('name')} autoComplete="off" data-testid="new-user-name" />
      </Field>
      <Field label="Role" error={errs.role} hint={ROLE_INFO[form.role][1]}>
        <select value={form.role} onChange={set('role')} data-testid="new-user-role">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {ROLE_INFO[r][0]}
            </option>
          ))}
        </select>
      </Field>
      <Field label={form.role === 'department_owner' ? 'Department' : 'Department (optional)'} error={errs.department}>
        <select value={form.department} onChange={set('department')} data-testid="new-user-department">
          <option value="">—</option>
          {departments.map((d) => (
            <option key={d.key} value={d.key}>
              {d.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="First password (at least 10 characters; tell them to change it)" error={errs.password} wide>
        <input
          type="password"
          value={form.password}
          onChange={set('password')}
          autoComplete="new-password"
          data-testid="new-user-password"
        />
      </Field>
      <div className="form-foot">
        <button type="submit" className="primary" disabled={busy} data-testid="new-user-submit">
          {busy ? 'Adding…' : 'Add user'}
        </button>
        {error && (
          <span className="error inline" role="alert" data-testid="new-user-error">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}

function OwnPassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const [refused, setRefused] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    setBusy(true);
    setErrs({});
    setNote('');
    setRefused('');
    try {
      await api('PUT', '/api/v1/me/password', { current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setNote('Password changed. Your other sessions were signed out.');
    } catch (x) {
      setErrs(fieldErrors(x));
      setRefused(formRefusal(x, PASSWORD_LABELS).replace('Nothing was saved', 'Your password was not changed'));
      focusFirstError(formEl);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate className="form-grid" data-testid="password-form">
      <Field label="Current password" error={errs.current_password}>
        <input
          type="password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          autoComplete="current-password"
          data-testid="password-current"
        />
      </Field>
      <Field label="New password (at least 10 characters)" error={errs.new_password}>
        <input
          type="password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          autoComplete="new-password"
          data-testid="password-new"
        />
      </Field>
      <div className="form-foot">
        <button type="submit" className="primary" disabled={busy || !current || !next} data-testid="password-submit">
          {busy ? 'Saving…' : 'Change password'}
        </button>
        {note && (
          <span className="note inline" role="status" data-testid="password-note">
            {note}
          </span>
        )}
        {refused && (
          <span className="error inline" role="alert" data-testid="password-error">
            {refused}
          </span>
        )}
      </div>
    </form>
  );
}

/** A refused or failed request in words ("invalid input", not "failed (422)"); the code is its title. */
function outcome(status: number): string {
  if (status === 401 || status === 403) return 'refused';
  if (status === 400 || status === 422) return 'invalid input';
  if (status === 404) return 'not found';
  if (status === 409 || status === 412) return 'conflict';
  if (status === 429) return 'too many attempts';
  return status >= 500 ? 'server error' : `failed (${status})`;
}

function AuditLog() {
  const log = useApi<{ items: AuditEntry[] }>('/api/v1/audit', { limit: 50 });
  if (log.error) return <ErrorBox error={log.error} />;
  if (!log.data) return <Loading what="Loading the audit log" />;
  if (log.data.items.length === 0)
    return <Empty title="No changes yet">Changes to rules, surveys, webhooks, settings and users appear here.</Empty>;
  return (
    <div className="table-wrap">
      <table data-testid="audit-table" className="stack-phone">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>What</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {log.data.items.map((e) => (
            <tr key={e.id} data-testid="audit-entry">
              <td className="nowrap">{dateTime(e.at)}</td>
              <td className="break">{e.actor.label}</td>
              <td className="break" data-testid="audit-what">
                {e.summary ? (
                  e.status < 400 ? (
                    e.summary
                  ) : (
                    <>tried: {e.summary}</>
                  )
                ) : (
                  <>
                    {ACTION[e.method] ?? e.method} <code>{e.path.replace(/^\/api\/v1\//, '')}</code>
                  </>
                )}
              </td>
              <td>
                {e.status < 400 ? (
                  <Chip tone="positive">done</Chip>
                ) : (
                  <>
                    <Chip tone="negative" title={`HTTP ${e.status}`}>
                      {outcome(e.status)}
                    </Chip>
                    {e.reason && (
                      <div className="muted small" data-testid="audit-reason">
                        {e.reason}
                      </div>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function Users({ me }: { me: Me }) {
  // What the server says this person may do (API key sessions may do everything).
  const withPerms = me as Me & { permissions?: string[]; user: (Me['user'] & { permissions?: string[] }) | null };
  const perms = withPerms.user?.permissions ?? withPerms.permissions ?? [];
  const manages = perms.includes('manage_users');
  const [version, setVersion] = useState(0);
  const users = useApi<{ items: User[] }>(manages ? '/api/v1/users' : null, undefined, version);
  const departments = useApi<{ items: Department[] }>(manages ? '/api/v1/departments' : null);
  const [error, setError] = useState('');
  const reload = () => {
    clearApiCache('/api/v1/users');
    clearApiCache('/api/v1/audit');
    setVersion((v) => v + 1);
  };
  const change = async (u: User, body: Record<string, unknown>) => {
    const losesUsers = u.id === me.user?.id && typeof body.role === 'string' && !MANAGERS.includes(body.role as Role);
    if (losesUsers && !confirm('You will no longer manage users, and this page closes for you. Continue?')) {
      reload();
      return;
    }
    setError('');
    try {
      await api('PATCH', `/api/v1/users/${u.id}`, body);
    } catch (x) {
      setError(`${u.email}: ${refusal(x)}`);
    }
    // Either way the rows show what the server holds (a refused change snaps back).
    reload();
  };
  const remove = async (u: User) => {
    if (!confirm(`Remove ${u.email}? They are signed out at once.`)) return;
    setError('');
    try {
      await api('DELETE', `/api/v1/users/${u.id}`);
    } catch (x) {
      setError(`${u.email}: ${refusal(x)}`);
    }
    reload();
  };
  return (
    <>
      <PageHead title="Users">
        Who can sign in, and what each may do. Roles without access to personal data see customers’ emails, phone
        numbers and card numbers replaced (e.g. <code>[email]•••</code>) everywhere in Canopy.
      </PageHead>
      {!manages ? (
        <Card title="People">
          <Empty title="Only owners and admins manage users">
            You are signed in as {me.user?.email ?? 'an API key'}
            {me.user ? ` (${ROLE_INFO[me.user.role as Role]?.[0] ?? me.user.role})` : ''}. Ask an owner or admin to add
            colleagues or change roles.
          </Empty>
        </Card>
      ) : (
        <>
          <Card title="People" testId="users">
            {error && (
              <p className="error" role="alert" data-testid="users-error">
                {error}
              </p>
            )}
            {users.error ? (
              <ErrorBox error={users.error} />
            ) : !users.data ? (
              <Loading what="Loading users" />
            ) : (
              <div className="table-wrap">
                <table data-testid="users-table">
                  <thead>
                    <tr>
                      <th>User</th>
                      <th>Role</th>
                      <th className="hide-phone">Department</th>
                      <th className="hide-phone">Last signed in</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {users.data.items.map((u) => {
                      const locked = locks(u, users.data?.items ?? [], me);
                      return (
                        <tr key={u.id} data-user={u.email}>
                          <td className="break">
                            <strong className="block">{u.name}</strong>
                            {u.email}
                            {u.id === me.user?.id && <span className="muted"> (you)</span>}
                          </td>
                          <td>
                            <select
                              aria-label={`Role of ${u.email}`}
                              value={u.role}
                              onChange={(e) => change(u, { role: e.target.value })}
                              disabled={!!locked.role}
                              title={locked.role}
                              data-testid="user-row-role"
                            >
                              {ROLES.map((r) => (
                                <option key={r} value={r}>
                                  {ROLE_INFO[r][0]}
                                </option>
                              ))}
                            </select>
                          </td>
                          <td className="hide-phone">
                            <select
                              aria-label={`Department of ${u.email}`}
                              value={u.department ?? ''}
                              onChange={(e) => change(u, { department: e.target.value || null })}
                            >
                              <option value="">—</option>
                              {(departments.data?.items ?? []).map((d) => (
                                <option key={d.key} value={d.key}>
                                  {d.name}
                                </option>
                              ))}
                            </select>
                          </td>
                          <td className="hide-phone nowrap">{u.last_seen_at ? dateTime(u.last_seen_at) : 'never'}</td>
                          <td>
                            {/* A flex box inside the cell: a flex cell leaves the table and its row's border. */}
                            <div className="row-actions">
                              {locked.remove ? (
                                <span className="muted small" data-testid="user-row-locked">
                                  {locked.remove}
                                </span>
                              ) : (
                                <button
                                  type="button"
                                  className="secondary"
                                  onClick={() => remove(u)}
                                  data-testid="user-row-remove"
                                >
                                  Remove
                                </button>
                              )}
                            </div>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
          <Card title="Add a user">
            <NewUser departments={departments.data?.items ?? []} onAdded={reload} />
          </Card>
          <Card title="Audit log" testId="audit">
            <p className="muted">Who changed rules, surveys, webhooks, settings and users — refused attempts too.</p>
            <AuditLog key={version} />
          </Card>
        </>
      )}
      {me.user && (
        <Card title="Your password">
          <OwnPassword />
        </Card>
      )}
    </>
  );
}

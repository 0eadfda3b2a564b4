import { type ComponentType, lazy, Suspense, useEffect, useState } from 'react';
import { ApiError, api, clearApiCache, type Me, setUnauthorizedHandler } from './api';
import { FilterBar } from './components/FilterBar';
import { Loading } from './components/ui';
import { setFilters } from './filters';
import SignIn from './pages/SignIn';
import { Link, navigate, useLocation } from './router';

// One chunk per page: the first paint loads only the shell and the page asked for.
const pages = {
  overview: lazy(() => import('./pages/Overview')),
  trends: lazy(() => import('./pages/Trends')),
  journey: lazy(() => import('./pages/Journey')),
  topics: lazy(() => import('./pages/Topics')),
  drivers: lazy(() => import('./pages/Drivers')),
  loyalty: lazy(() => import('./pages/Loyalty')),
  customers: lazy(() => import('./pages/Customers')),
  customer: lazy(() => import('./pages/Customer')),
  agents: lazy(() => import('./pages/Agents')),
  feedback: lazy(() => import('./pages/Feedback')),
};

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/trends', 'Trends'],
  ['/journey', 'Journey'],
  ['/topics', 'Topics'],
  ['/drivers', 'Drivers'],
  ['/loyalty', 'Loyalty'],
  ['/customers', 'Customers'],
  ['/agents', 'Agents & departments'],
  ['/feedback', 'Feedback'],
];

function route(path: string): { page: ComponentType<{ id?: string; me: Me }>; id?: string; filters: boolean } | null {
  const m = /^\/customers\/([0-9a-f-]{36})$/.exec(path);
  if (m) return { page: pages.customer, id: m[1], filters: false };
  const key = path === '/' ? 'overview' : path.slice(1);
  const page = (pages as Record<string, ComponentType<{ id?: string; me: Me }>>)[key];
  if (!page || key === 'customer') return null;
  return { page, filters: key !== 'customers' };
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    api<Me>('GET', '/api/v1/me').then(setMe, (e) => setMe(e instanceof ApiError && e.status === 401 ? null : null));
  }, []);

  // Department owners land on their own department.
  useEffect(() => {
    if (me?.user?.role === 'department_owner' && me.user.department && !location.search.includes('department=')) {
      setFilters({ department: me.user.department });
    }
  }, [me]);

  if (me === undefined) return <Loading what="Starting" />;
  if (me === null) {
    return (
      <SignIn
        onSignedIn={(m) => {
          clearApiCache();
          setMe(m);
          if (path === '/signin') navigate('/', { replace: true });
        }}
      />
    );
  }

  const r = route(path === '/signin' ? '/' : path);
  const signOut = async () => {
    await api('DELETE', '/api/v1/session').catch(() => undefined);
    clearApiCache();
    setMe(null);
    navigate('/', { replace: true });
  };
  const active = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));

  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <span className="logo" aria-hidden="true" /> Canopy
          <span className="org" data-testid="org-name">
            {me.org.name}
          </span>
        </div>
        <div className="user">
          <span data-testid="user-name">{me.user?.name ?? 'API key'}</span>
          {me.user && <span className="role">{me.user.role.replace('_', ' ')}</span>}
          {me.user && (
            <button type="button" className="link" onClick={signOut} data-testid="sign-out">
              Sign out
            </button>
          )}
        </div>
      </header>
      <nav className="nav" aria-label="Pages">
        {NAV.map(([to, label]) => (
          <Link key={to} to={to} aria-current={active(to) ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      {r?.filters && <FilterBar />}
      <main id="main" className="main">
        <Suspense fallback={<Loading />}>
          {r ? (
            <r.page id={r.id} me={me} />
          ) : (
            <div className="empty">
              <strong>No page at {path}</strong>
              <p>
                <Link to="/">Go to the overview</Link>
              </p>
            </div>
          )}
        </Suspense>
      </main>
    </div>
  );
}

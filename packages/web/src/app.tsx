import { type ComponentType, lazy, Suspense, useEffect, useState } from 'react';
import { ApiError, api, clearApiCache, type Me, prefetch, setUnauthorizedHandler } from './api';
import { FilterBar } from './components/FilterBar';
import { Loading } from './components/ui';
import { setFilters } from './filters';
import SignIn from './pages/SignIn';
import { Link, navigate, useLocation } from './router';

// One chunk per page: the first paint loads only the shell and the page asked for.
const loaders = {
  overview: () => import('./pages/Overview'),
  trends: () => import('./pages/Trends'),
  journey: () => import('./pages/Journey'),
  topics: () => import('./pages/Topics'),
  drivers: () => import('./pages/Drivers'),
  loyalty: () => import('./pages/Loyalty'),
  customers: () => import('./pages/Customers'),
  customer: () => import('./pages/Customer'),
  agents: () => import('./pages/Agents'),
  feedback: () => import('./pages/Feedback'),
  cases: () => import('./pages/Cases'),
  case: () => import('./pages/Case'),
  rules: () => import('./pages/Rules'),
  digest: () => import('./pages/Digest'),
  surveys: () => import('./pages/Surveys'),
  survey: () => import('./pages/SurveyEditor'),
};
type PageKey = keyof typeof loaders;
type PageProps = { id?: string; me: Me };
const pages = Object.fromEntries(
  Object.entries(loaders).map(([k, load]) => [k, lazy(load as () => Promise<{ default: ComponentType<PageProps> }>)]),
) as unknown as Record<PageKey, ComponentType<PageProps>>;

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
  ['/cases', 'Cases'],
  ['/rules', 'Rules'],
  ['/digest', 'Digest'],
  ['/surveys', 'Surveys'],
];

/** Pages with their own filters (the shared period bar does not apply to them). */
const OWN_FILTERS = new Set<PageKey>([
  'customers',
  'customer',
  'cases',
  'case',
  'rules',
  'digest',
  'surveys',
  'survey',
]);

function routeKey(path: string): { key: PageKey; id?: string } | null {
  let m = /^\/customers\/([0-9a-f-]{36})$/.exec(path);
  if (m) return { key: 'customer', id: m[1] };
  m = /^\/cases\/([0-9a-f-]{36})$/.exec(path);
  if (m) return { key: 'case', id: m[1] };
  m = /^\/surveys\/([^/]+)$/.exec(path);
  if (m) return { key: 'survey', id: decodeURIComponent(m[1]!) };
  const key = path === '/' ? 'overview' : path.slice(1);
  if (!(key in loaders) || key === 'customer' || key === 'case' || key === 'survey') return null;
  return { key: key as PageKey };
}

function route(path: string): { page: ComponentType<PageProps>; id?: string; filters: boolean } | null {
  const r = routeKey(path);
  if (!r) return null;
  return { page: pages[r.key], id: r.id, filters: !OWN_FILTERS.has(r.key) };
}

// Start fetching the first page's code while the session is checked, not after.
{
  const r = routeKey(location.pathname === '/signin' ? '/' : location.pathname);
  if (r) loaders[r.key]().catch(() => undefined);
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    api<Me>('GET', '/api/v1/me').then(
      (m) => {
        prefetch('/api/v1/departments', '/api/v1/touchpoints');
        setMe(m);
      },
      (e) => setMe(e instanceof ApiError && e.status === 401 ? null : null),
    );
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

import { type ComponentType, useEffect, useState } from 'react';
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
  taxonomy: () => import('./pages/Taxonomy'),
  webhooks: () => import('./pages/Webhooks'),
  users: () => import('./pages/Users'),
};
type PageKey = keyof typeof loaders;
type PageProps = { id?: string; me: Me };
/**
 * Pages are rendered as their own component once their code is in; until then a spinner. (Not
 * React.lazy: a lazy component suspends on its first render even when its chunk has arrived, and
 * React holds a suspended reveal back for up to 300 ms.)
 */
const ready: Partial<Record<PageKey, ComponentType<PageProps>>> = {};
const loadingPages = new Map<PageKey, Promise<unknown>>();
function load(k: PageKey): Promise<unknown> {
  let p = loadingPages.get(k);
  if (!p) {
    p = (loaders[k]() as Promise<{ default: ComponentType<PageProps> }>).then(
      (m) => {
        ready[k] = m.default;
      },
      (e) => {
        loadingPages.delete(k);
        throw e;
      },
    );
    loadingPages.set(k, p);
  }
  return p;
}

function PageHost({ k, ...props }: { k: PageKey } & PageProps) {
  const [failed, setFailed] = useState<Error | null>(null);
  const [, loaded] = useState(0);
  const Page = ready[k];
  useEffect(() => {
    // The code may have arrived between the render and this effect: render again.
    if (ready[k]) {
      if (!Page) loaded((n) => n + 1);
      return;
    }
    setFailed(null);
    load(k).then(
      () => loaded((n) => n + 1),
      (e: Error) => setFailed(e),
    );
  }, [k, Page]);
  if (Page) return <Page {...props} />;
  if (failed)
    return (
      <div className="error" role="alert">
        <strong>Could not load this page.</strong> {failed.message} Reload to try again.
      </div>
    );
  return <Loading />;
}

/** Once the first page is up, the other pages' code (a few kB each) is fetched while idle. */
function preloadPages(): void {
  const run = () => {
    for (const k of Object.keys(loaders) as PageKey[]) if (!ready[k]) load(k).catch(() => undefined);
  };
  // Not while the first page is still loading: parsing other chunks would compete with it.
  setTimeout(() => {
    if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 5000 });
    else run();
  }, 2500);
}

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
  ['/taxonomy', 'Taxonomy'],
  ['/webhooks', 'Webhooks'],
  ['/users', 'Users'],
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
  'taxonomy',
  'webhooks',
  'users',
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

function route(path: string): { key: PageKey; id?: string; filters: boolean } | null {
  const r = routeKey(path);
  if (!r) return null;
  return { key: r.key, id: r.id, filters: !OWN_FILTERS.has(r.key) };
}

// Start fetching the first page's code while the session is checked, not after.
{
  const r = routeKey(location.pathname === '/signin' ? '/' : location.pathname);
  if (r) load(r.key).catch(() => undefined);
}

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    // The server marks the page when the browser sent no session cookie: sign in, no need to ask.
    if (document.querySelector('meta[name="canopy-session"][content="none"]')) {
      setMe(null);
      return;
    }
    api<Me>('GET', '/api/v1/me').then(
      (m) => {
        prefetch('/api/v1/departments', '/api/v1/touchpoints');
        setMe(m);
        preloadPages();
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
          prefetch('/api/v1/departments', '/api/v1/touchpoints');
          setMe(m);
          preloadPages();
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
        {r ? (
          <PageHost k={r.key} id={r.id} me={me} />
        ) : (
          <div className="empty">
            <strong>No page at {path}</strong>
            <p>
              <Link to="/">Go to the overview</Link>
            </p>
          </div>
        )}
      </main>
    </div>
  );
}

import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useSyncExternalStore } from 'react';

/** A very small history router: the path and query live in the URL, pages subscribe to it. */
const listeners = new Set<() => void>();
function emit() {
  for (const l of listeners) l();
}

// A page with unsaved work (the taxonomy editor) asks before the app leaves it: its message, or
// null when there is nothing to lose.
let leaveMessage: (() => string | null) | null = null;
let shown = location.pathname + location.search;
const mayLeave = (to: string) => {
  const msg = leaveMessage?.();
  return !msg || to.split('?')[0] === location.pathname || confirm(msg);
};
window.addEventListener('popstate', () => {
  const to = location.pathname + location.search;
  // Back or forward already moved the URL: put it back if the user stays.
  if (!mayLeave(to)) {
    history.pushState(null, '', shown);
    return;
  }
  shown = to;
  emit();
});

/**
 * While `message` is set, leaving the page (a link, back, closing the tab) asks first; query-only
 * changes of the same page do not.
 */
export function useLeaveGuard(message: string | null): void {
  useEffect(() => {
    if (!message) return;
    const fn = () => message;
    leaveMessage = fn;
    const unload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = message;
    };
    window.addEventListener('beforeunload', unload);
    return () => {
      if (leaveMessage === fn) leaveMessage = null;
      window.removeEventListener('beforeunload', unload);
    };
  }, [message]);
}

function subscribe(fn: () => void) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useLocation(): { path: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => location.pathname + location.search);
  const i = href.indexOf('?');
  return i < 0 ? { path: href, search: '' } : { path: href.slice(0, i), search: href.slice(i) };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (!mayLeave(to)) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  shown = location.pathname + location.search;
  emit();
  if (!opts.replace) window.scrollTo(0, 0);
}

/** Keeps the shared filter bar's query string when moving between pages. */
export function withFilters(path: string): string {
  const keep = new URLSearchParams();
  const cur = new URLSearchParams(location.search);
  for (const k of FILTER_KEYS) {
    const v = cur.get(k);
    if (v) keep.set(k, v);
  }
  const [p, q] = path.split('?');
  if (q) for (const [k, v] of new URLSearchParams(q)) keep.set(k, v);
  const s = keep.toString();
  return s ? `${p}?${s}` : (p ?? '/');
}

export const FILTER_KEYS = ['from', 'to', 'department', 'touchpoint', 'channel', 'segment'] as const;

export function Link({
  to,
  keepFilters = true,
  ...rest
}: { to: string; keepFilters?: boolean } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const href = keepFilters ? withFilters(to) : to;
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a {...rest} href={href} onClick={onClick} />;
}

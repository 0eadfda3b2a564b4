import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/** A very small history router: the path and query live in the URL, pages subscribe to it. */
const listeners = new Set<() => void>();
function emit() {
  for (const l of listeners) l();
}
window.addEventListener('popstate', emit);

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
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
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

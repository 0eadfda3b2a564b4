import { useMemo } from 'react';
import type { Params } from './api';
import { FILTER_KEYS, navigate, useLocation } from './router';

export interface Filters {
  /** Inclusive dates, YYYY-MM-DD (the API's `to` is exclusive: see toParams). */
  from: string;
  to: string;
  department: string;
  touchpoint: string;
  channel: string;
  segment: string;
}

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}
export function defaultRange(): { from: string; to: string } {
  const to = isoDay(new Date());
  return { from: addDays(to, -89), to };
}

/** The filter bar's state, read from the URL (so a view can be shared by its address). */
export function useFilters(): Filters {
  const { search } = useLocation();
  return useMemo(() => {
    const q = new URLSearchParams(search);
    const d = defaultRange();
    const day = (k: string, dflt: string) => {
      const v = q.get(k) ?? '';
      return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : dflt;
    };
    let from = day('from', d.from);
    let to = day('to', d.to);
    // A shared address with the dates the wrong way round still shows the period it meant.
    if (to < from) [from, to] = [to, from];
    return {
      from,
      to,
      department: q.get('department') ?? '',
      touchpoint: q.get('touchpoint') ?? '',
      channel: q.get('channel') ?? '',
      segment: q.get('segment') ?? '',
    };
  }, [search]);
}

export function setFilters(patch: Partial<Filters>): void {
  setParams(patch);
}

/** Sets (or, with '', removes) query parameters of the current page without a history entry. */
export function setParams(patch: Record<string, string | undefined>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  navigate(`${location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}

export function useParam(key: string, dflt = ''): string {
  const { search } = useLocation();
  return new URLSearchParams(search).get(key) ?? dflt;
}

export function clearFilters(): void {
  const q = new URLSearchParams(location.search);
  for (const k of FILTER_KEYS) q.delete(k);
  const s = q.toString();
  navigate(`${location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}

/** Metrics API parameters for the filters: whole UTC days, `to` exclusive. */
export function toParams(f: Filters): Params {
  return {
    from: `${f.from}T00:00:00Z`,
    to: `${addDays(f.to, 1)}T00:00:00Z`,
    department: f.department || undefined,
    touchpoint: f.touchpoint || undefined,
    channel: f.channel || undefined,
    segment: f.segment || undefined,
  };
}

/** A granularity that gives a readable number of points for the window. */
export function granularityFor(f: Filters): 'day' | 'week' | 'month' {
  const days = (Date.parse(f.to) - Date.parse(f.from)) / 86_400_000 + 1;
  if (days <= 31) return 'day';
  if (days <= 200) return 'week';
  return 'month';
}

export function activeFilterCount(f: Filters): number {
  return [f.department, f.touchpoint, f.channel, f.segment].filter(Boolean).length;
}

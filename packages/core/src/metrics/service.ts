/**
 * Service-layer metrics: response and resolution time percentiles, resolution rate and
 * contacts per issue. n = 0 gives null percentiles and rates.
 */

import { assertCount, finiteValues } from './internal.js';
import { type MeanEstimate, meanWithCi, type ProportionEstimate, proportionWithCi } from './stats.js';

/**
 * How a percentile is read off the sorted sample:
 * - 'linear' (default): linear interpolation between closest ranks, h = (n − 1)·p — Hyndman &
 *   Fan type 7, the same as PostgreSQL `percentile_cont`, numpy's default and Excel
 *   PERCENTILE.INC, so the server's SQL and this library agree.
 * - 'nearest-rank': the smallest value with at least p·n values at or below it (rank
 *   ⌈p·n⌉, min 1) — always an observed value; matches `percentile_disc`.
 */
export type PercentileMethod = 'linear' | 'nearest-rank';

/** Percentile p ∈ [0, 1] of values (missing skipped); null when there are none. */
export function percentile(
  values: Iterable<number | null | undefined>,
  p: number,
  method: PercentileMethod = 'linear',
): number | null {
  const sorted = finiteValues(values).sort((a, b) => a - b);
  return percentileOfSorted(sorted, p, method);
}

/** Percentile of an ascending array (no copy, no sort). */
export function percentileOfSorted(
  sorted: readonly number[],
  p: number,
  method: PercentileMethod = 'linear',
): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile p must be in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  if (method === 'nearest-rank') {
    const rank = Math.max(1, Math.ceil(p * n - 1e-9)); // −1e-9: p·n = 9.000000000000002 must stay rank 9
    return sorted[rank - 1];
  }
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface DurationStats {
  n: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  method: PercentileMethod;
}

/**
 * p50/p90/p95, mean, min and max of durations (any unit; the service uses seconds). Negative
 * durations (a reply stamped before the ticket opened) are data errors and throw.
 */
export function durationStats(
  durations: Iterable<number | null | undefined>,
  method: PercentileMethod = 'linear',
): DurationStats {
  const sorted = finiteValues(durations).sort((a, b) => a - b);
  if (sorted.length > 0 && sorted[0] < 0) throw new RangeError(`durations cannot be negative (got ${sorted[0]})`);
  const n = sorted.length;
  let sum = 0;
  for (const d of sorted) sum += d;
  return {
    n,
    p50: percentileOfSorted(sorted, 0.5, method),
    p90: percentileOfSorted(sorted, 0.9, method),
    p95: percentileOfSorted(sorted, 0.95, method),
    mean: n === 0 ? null : sum / n,
    min: n === 0 ? null : sorted[0],
    max: n === 0 ? null : sorted[n - 1],
    method,
  };
}

type Instant = Date | string | number;

function toMs(t: Instant | null | undefined): number | null {
  if (t == null) return null;
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** The timestamps of one interaction that the service metrics need. */
export interface ServiceTimestamps {
  openedAt: Instant;
  firstResponseAt?: Instant | null;
  resolvedAt?: Instant | null;
}

export interface ServiceSummary {
  n: number;
  /** Seconds from opened to first response, over interactions that have one. */
  firstResponse: DurationStats;
  /** Seconds from opened to resolved, over resolved interactions. */
  resolution: DurationStats;
  /** Share of interactions resolved (Wilson interval). */
  resolved: ProportionEstimate;
}

/**
 * Service summary from interaction timestamps. Unanswered or unresolved interactions are
 * excluded from the time percentiles (their time is not known yet) but count in the
 * resolution rate's denominator.
 */
export function serviceSummary(
  items: Iterable<ServiceTimestamps>,
  method: PercentileMethod = 'linear',
): ServiceSummary {
  const fr: number[] = [];
  const res: number[] = [];
  let n = 0;
  for (const it of items) {
    const opened = toMs(it.openedAt);
    if (opened === null) throw new RangeError(`openedAt is not a valid time: ${String(it.openedAt)}`);
    n++;
    const f = toMs(it.firstResponseAt);
    if (f !== null) fr.push((f - opened) / 1000);
    const r = toMs(it.resolvedAt);
    if (r !== null) res.push((r - opened) / 1000);
  }
  return {
    n,
    firstResponse: durationStats(fr, method),
    resolution: durationStats(res, method),
    resolved: proportionWithCi(res.length, n),
  };
}

/** Resolution rate = resolved / total, with Wilson interval; null share when total = 0. */
export function resolutionRate(resolved: number, total: number, confidence = 0.95): ProportionEstimate {
  return proportionWithCi(resolved, total, confidence);
}

/**
 * Mean contacts per issue from totals: contacts / issues; null when issues = 0.
 * (1.0 means every issue was handled in one contact.)
 */
export function contactsPerIssue(contacts: number, issues: number): number | null {
  assertCount(contacts, 'contacts');
  assertCount(issues, 'issues');
  return issues === 0 ? null : contacts / issues;
}

/** Mean contacts per issue from per-issue contact counts, with a t interval. */
export function contactsPerIssueFromCounts(perIssue: Iterable<number | null | undefined>): MeanEstimate {
  return meanWithCi(perIssue);
}

/**
 * Engagement-layer and business metrics: retention/churn, repeat purchase, referral,
 * revenue per customer, lifetime value, engagement score and customer health score.
 */

import type { EventType } from '../domain.js';
import { assertCount } from './internal.js';
import { type ProportionEstimate, proportionWithCi } from './stats.js';

// ---------------------------------------------------------------------------------------------
// Retention, churn, repeat purchase, referral, revenue
// ---------------------------------------------------------------------------------------------

export interface RetentionInput {
  /** Customers active at the start of the period. */
  atStart: number;
  /** Customers active at the end of the period (including new ones). */
  atEnd: number;
  /** Customers acquired during the period. */
  newInPeriod: number;
}

export interface RetentionResult {
  /** (atEnd − newInPeriod) / atStart on 0..1; null when atStart = 0. */
  retention: number | null;
  /** 1 − retention; null when atStart = 0. */
  churn: number | null;
  /** Customers kept from the start: atEnd − newInPeriod. */
  retained: number;
  /**
   * True when the inputs are inconsistent (retained < 0 or > atStart — e.g. new customers who
   * also left, or a changed definition of "active"). The rate is then clamped to 0..1.
   */
  inconsistent: boolean;
}

/** Retention over a period = (customers at end − new customers) / customers at start. */
export function retentionRate(input: RetentionInput): RetentionResult {
  const { atStart, atEnd, newInPeriod } = input;
  assertCount(atStart, 'atStart');
  assertCount(atEnd, 'atEnd');
  assertCount(newInPeriod, 'newInPeriod');
  const retained = atEnd - newInPeriod;
  const inconsistent = retained < 0 || retained > atStart;
  if (atStart === 0) return { retention: null, churn: null, retained, inconsistent };
  const retention = Math.min(1, Math.max(0, retained / atStart));
  return { retention, churn: 1 - retention, retained, inconsistent };
}

/**
 * Repeat purchase rate: share of customers who bought in the period that bought at least twice.
 * Counts form (server aggregates).
 */
export function repeatPurchaseRate(buyers: number, repeatBuyers: number, confidence = 0.95): ProportionEstimate {
  return proportionWithCi(repeatBuyers, buyers, confidence);
}

/** Repeat purchase rate from per-customer purchase counts in the period (0s ignored: not buyers). */
export function repeatPurchaseRateFromCounts(
  purchasesPerCustomer: Iterable<number>,
  confidence = 0.95,
): ProportionEstimate {
  let buyers = 0;
  let repeat = 0;
  for (const c of purchasesPerCustomer) {
    assertCount(c, 'purchase count');
    if (c >= 1) buyers++;
    if (c >= 2) repeat++;
  }
  return proportionWithCi(repeat, buyers, confidence);
}

/** Referral rate: share of customers (active in the period) who made at least one referral. */
export function referralRate(customers: number, referrers: number, confidence = 0.95): ProportionEstimate {
  return proportionWithCi(referrers, customers, confidence);
}

/** Revenue per customer over a window: revenue / customers; null when customers = 0. */
export function revenuePerCustomer(revenue: number, customers: number): number | null {
  if (!Number.isFinite(revenue)) throw new RangeError(`revenue must be finite, got ${revenue}`);
  assertCount(customers, 'customers');
  return customers === 0 ? null : revenue / customers;
}

// ---------------------------------------------------------------------------------------------
// Lifetime value
// ---------------------------------------------------------------------------------------------

export interface LifetimeValueInput {
  /** Mean revenue per customer per period (e.g. per month). */
  revenuePerPeriod: number;
  /** Gross margin 0..1 (default 1: revenue LTV). */
  margin?: number;
  /** Churn per period, 0..1. */
  churnPerPeriod: number;
  /** Optional cap on the lifetime in periods (e.g. 60 months). */
  horizonPeriods?: number;
}

export interface LifetimeValueResult {
  /** LTV in currency units; null when churn = 0 and no horizon (unbounded). */
  value: number | null;
  /** Expected lifetime in periods (1/churn, or the capped sum); null when unbounded. */
  expectedLifetimePeriods: number | null;
  /** Margin-adjusted revenue per period: margin × revenuePerPeriod. */
  marginPerPeriod: number;
  model: 'geometric' | 'geometric-capped';
  /** Set when value is null: why. */
  reason?: string;
}

/**
 * Customer lifetime value. Model (stated): constant churn c per period, so a customer's
 * lifetime is geometric with mean 1/c periods; LTV = margin × revenuePerPeriod / c. No
 * discounting. With `horizonPeriods` H the lifetime is capped: expected periods
 * Σ_{t<H}(1 − c)^t = (1 − (1 − c)^H)/c, which is H when c = 0.
 * Guard: c = 0 without a horizon means an unbounded lifetime → value null with a reason, rather
 * than Infinity.
 */
export function lifetimeValue(input: LifetimeValueInput): LifetimeValueResult {
  const { revenuePerPeriod, churnPerPeriod: c, horizonPeriods } = input;
  const margin = input.margin ?? 1;
  if (!Number.isFinite(revenuePerPeriod))
    throw new RangeError(`revenuePerPeriod must be finite, got ${revenuePerPeriod}`);
  if (!(margin >= 0 && margin <= 1)) throw new RangeError(`margin must be in 0..1, got ${margin}`);
  if (!(c >= 0 && c <= 1)) throw new RangeError(`churnPerPeriod must be in 0..1, got ${c}`);
  if (horizonPeriods !== undefined && !(horizonPeriods > 0 && Number.isFinite(horizonPeriods))) {
    throw new RangeError(`horizonPeriods must be a positive number, got ${horizonPeriods}`);
  }
  const marginPerPeriod = margin * revenuePerPeriod;
  if (horizonPeriods !== undefined) {
    const periods = c === 0 ? horizonPeriods : (1 - (1 - c) ** horizonPeriods) / c;
    return {
      value: marginPerPeriod * periods,
      expectedLifetimePeriods: periods,
      marginPerPeriod,
      model: 'geometric-capped',
    };
  }
  if (c === 0) {
    return {
      value: null,
      expectedLifetimePeriods: null,
      marginPerPeriod,
      model: 'geometric',
      reason: 'churn is 0: lifetime is unbounded; pass horizonPeriods to cap it',
    };
  }
  return { value: marginPerPeriod / c, expectedLifetimePeriods: 1 / c, marginPerPeriod, model: 'geometric' };
}

// ---------------------------------------------------------------------------------------------
// Engagement score
// ---------------------------------------------------------------------------------------------

/**
 * Default event weights: deliberate, public or effortful actions count more than passive ones.
 * Business events (purchase, renewal, cancellation, referrals) are outcomes, not engagement, and
 * are left out unless the org adds weights for them.
 */
export const DEFAULT_ENGAGEMENT_WEIGHTS: Readonly<Partial<Record<EventType, number>>> = {
  email_open: 1,
  page_view: 1,
  email_click: 2,
  app_action: 2,
  social_mention: 3,
  social_share: 4,
  review: 5,
};

/** Default half-life of an event's weight: 30 days. */
export const DEFAULT_ENGAGEMENT_HALF_LIFE_DAYS = 30;

export interface EngagementEvent {
  customerId: string;
  type: EventType | string;
  at: Date | string | number;
}

export interface EngagementOptions {
  /** Reference time; events after it are ignored (not known yet). Default: latest event. */
  asOf?: Date | string | number;
  halfLifeDays?: number;
  /** Weight per event type; types not listed weigh 0. Default DEFAULT_ENGAGEMENT_WEIGHTS. */
  weights?: Readonly<Record<string, number>>;
  /**
   * 'percentile' (default): 100 × (customers below + ½ × other customers tied) / (n − 1) —
   * robust to a few heavy users, uniform spread, ties share a score.
   * 'minmax': 100 × (raw − min)/(max − min) — keeps distances, but one outlier squeezes the rest.
   */
  normalise?: 'percentile' | 'minmax';
  /** Customers to score even without events (they score 0). */
  customers?: Iterable<string>;
}

export interface EngagementScore {
  customerId: string;
  /** Recency-decayed weighted event count: Σ weight × 2^(−age / halfLife). */
  raw: number;
  /** 0–100 within the org. A customer with raw 0 always scores 0. */
  score: number;
  events: number;
}

const DAY_MS = 86_400_000;

function toMs(t: Date | string | number): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid time: ${String(t)}`);
  return ms;
}

/**
 * Engagement score per customer: recency-decayed weighted count of engagement events,
 * normalised 0–100 within the org (see `EngagementOptions.normalise`). Returns one row per
 * customer, in descending score order (ties by id). Empty input → [].
 */
export function engagementScores(events: Iterable<EngagementEvent>, opts: EngagementOptions = {}): EngagementScore[] {
  const halfLife = opts.halfLifeDays ?? DEFAULT_ENGAGEMENT_HALF_LIFE_DAYS;
  if (!(halfLife > 0)) throw new RangeError(`halfLifeDays must be > 0, got ${halfLife}`);
  const weights: Readonly<Record<string, number>> =
    opts.weights ?? (DEFAULT_ENGAGEMENT_WEIGHTS as Record<string, number>);
  const list = [...events].map((e) => ({ ...e, ms: toMs(e.at) }));
  let asOf: number;
  if (opts.asOf !== undefined) asOf = toMs(opts.asOf);
  else asOf = list.reduce((m, e) => Math.max(m, e.ms), Number.NEGATIVE_INFINITY);
  const acc = new Map<string, { raw: number; events: number }>();
  for (const id of opts.customers ?? []) acc.set(id, { raw: 0, events: 0 });
  for (const e of list) {
    if (e.ms > asOf) continue;
    const w = weights[e.type] ?? 0;
    if (!(w >= 0)) throw new RangeError(`weight for ${e.type} must be ≥ 0, got ${w}`);
    const ageDays = (asOf - e.ms) / DAY_MS;
    const row = acc.get(e.customerId) ?? { raw: 0, events: 0 };
    row.raw += w * 2 ** (-ageDays / halfLife);
    if (w > 0) row.events++;
    acc.set(e.customerId, row);
  }
  const rows = [...acc.entries()].map(([customerId, r]) => ({ customerId, raw: r.raw, events: r.events, score: 0 }));
  const n = rows.length;
  if (n === 0) return [];
  const method = opts.normalise ?? 'percentile';
  const raws = rows.map((r) => r.raw).sort((a, b) => a - b);
  const min = raws[0];
  const max = raws[n - 1];
  for (const r of rows) {
    if (r.raw <= 0) {
      r.score = 0;
    } else if (max === min) {
      // Everyone equally (and positively) engaged: nothing to rank against.
      r.score = 100;
    } else if (method === 'minmax') {
      r.score = (100 * (r.raw - min)) / (max - min);
    } else {
      const below = lowerBound(raws, r.raw);
      const tiedOthers = upperBound(raws, r.raw) - below - 1;
      r.score = (100 * (below + 0.5 * tiedOthers)) / (n - 1);
    }
  }
  return rows.sort((a, b) => b.score - a.score || b.raw - a.raw || (a.customerId < b.customerId ? -1 : 1));
}

function lowerBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Health score
// ---------------------------------------------------------------------------------------------

export type HealthBand = 'red' | 'yellow' | 'green';

export interface HealthPartInput {
  key: string;
  label?: string;
  /** The part's score on 0–100 (see `toScore100`); null = unknown, left out. */
  score: number | null;
  /** Relative weight ≥ 0; weights need not sum to 1. */
  weight: number;
}

export interface HealthPart {
  key: string;
  label?: string;
  score: number | null;
  weight: number;
  /** weight / Σ weights of the known parts; 0 for unknown parts. */
  share: number;
  /** share × score: the points this part adds to the total (the parts add up to the score). */
  contribution: number;
  /** True when the score was unknown and the part was left out of the average. */
  missing: boolean;
}

export interface HealthScore {
  /** Weighted average of the known parts on 0–100; null when no part is known. */
  score: number | null;
  band: HealthBand | null;
  parts: HealthPart[];
  thresholds: { red: number; yellow: number };
}

/** Band: ≤ red → 'red', ≤ yellow → 'yellow', above → 'green' (defaults 50, 75). */
export function healthBand(
  score: number,
  thresholds: { red: number; yellow: number } = { red: 50, yellow: 75 },
): HealthBand {
  if (score <= thresholds.red) return 'red';
  if (score <= thresholds.yellow) return 'yellow';
  return 'green';
}

/**
 * Customer health score: weighted average of parts on 0–100. Unknown parts are left out and the
 * remaining weights renormalised (why: a customer who never answered a survey should not score
 * 0 on experience), and they are listed with `missing: true` so the gap is visible. Each part
 * carries its weight, share and contribution so a person sees why the score is what it is.
 */
export function healthScore(
  parts: readonly HealthPartInput[],
  opts: { thresholds?: { red: number; yellow: number } } = {},
): HealthScore {
  const thresholds = opts.thresholds ?? { red: 50, yellow: 75 };
  if (!(thresholds.red < thresholds.yellow)) throw new RangeError('health thresholds need red < yellow');
  let total = 0;
  for (const p of parts) {
    if (!(p.weight >= 0 && Number.isFinite(p.weight)))
      throw new RangeError(`weight of ${p.key} must be ≥ 0, got ${p.weight}`);
    if (p.score !== null && !(p.score >= 0 && p.score <= 100)) {
      throw new RangeError(`score of ${p.key} must be 0–100, got ${p.score}`);
    }
    if (p.score !== null) total += p.weight;
  }
  const out: HealthPart[] = parts.map((p) => {
    const missing = p.score === null;
    const share = missing || total === 0 ? 0 : p.weight / total;
    return { ...p, share, contribution: missing ? 0 : share * (p.score as number), missing };
  });
  if (total === 0) return { score: null, band: null, parts: out, thresholds };
  const score = out.reduce((s, p) => s + p.contribution, 0);
  return { score, band: healthBand(score, thresholds), parts: out, thresholds };
}

/**
 * Maps a value on [min, max] to 0–100, clamped; `higherIsBetter: false` flips it (e.g. open
 * issues, effort). Examples: NPS −100..100 → (nps + 100)/2; CSAT share 0..1 → ×100.
 * null in → null out.
 */
export function toScore100(
  value: number | null | undefined,
  min: number,
  max: number,
  higherIsBetter = true,
): number | null {
  if (value == null || !Number.isFinite(value)) return null;
  if (!(min < max)) throw new RangeError(`toScore100 needs min < max, got ${min}..${max}`);
  const x = Math.min(1, Math.max(0, (value - min) / (max - min)));
  return 100 * (higherIsBetter ? x : 1 - x);
}

/**
 * Loyalty by score box (DESIGN.md: "Satisfaction is not loyalty"): for each answer box, what
 * share of those customers later stayed, bought again and referred — the "top box vs one box
 * lower" curve, from the org's own data.
 */

import { assertCount } from './internal.js';
import { type ProportionTestResult, twoProportionTest } from './significance.js';
import { type ProportionEstimate, proportionWithCi } from './stats.js';

/** One customer's box and what they did afterwards; null/undefined = not known (left out). */
export interface LoyaltyRecord {
  box: number;
  retained?: boolean | null;
  repurchased?: boolean | null;
  referred?: boolean | null;
}

/** Counts for one box. Each outcome has its own denominator (`*Known`, default n). */
export interface LoyaltyBoxCounts {
  box: number;
  n: number;
  retained?: number;
  retainedKnown?: number;
  repurchased?: number;
  repurchasedKnown?: number;
  referred?: number;
  referredKnown?: number;
}

export interface LoyaltyBoxRow {
  box: number;
  n: number;
  /** Each rate's `n` is the number with that outcome known; share null when 0. */
  retention: ProportionEstimate;
  repurchase: ProportionEstimate;
  referral: ProportionEstimate;
}

export interface LoyaltyByBoxResult {
  scale: { min: number; max: number };
  /** One row per integer box min..max, ascending (boxes with no customers have n = 0). */
  rows: LoyaltyBoxRow[];
  /** Top box vs the box below it: two-proportion tests per outcome (difference = top − next). */
  topVsNext: { retention: ProportionTestResult; repurchase: ProportionTestResult; referral: ProportionTestResult };
}

type Outcome = 'retained' | 'repurchased' | 'referred';
const OUTCOMES: Outcome[] = ['retained', 'repurchased', 'referred'];

/** No outcome counted yet: a box's counts before any customer's outcome is added. */
export const NO_OUTCOMES = {
  retained: 0,
  retainedKnown: 0,
  repurchased: 0,
  repurchasedKnown: 0,
  referred: 0,
  referredKnown: 0,
} as const;

/** Loyalty by box from per-box counts (the SQL form). Boxes outside the scale throw. */
export function loyaltyByBoxFromCounts(
  counts: readonly LoyaltyBoxCounts[],
  scale: { min: number; max: number } = { min: 0, max: 10 },
  opts: { confidence?: number; alpha?: number } = {},
): LoyaltyByBoxResult {
  if (!(Number.isInteger(scale.min) && Number.isInteger(scale.max) && scale.min < scale.max)) {
    throw new RangeError(`scale needs integer min < max, got ${scale.min}..${scale.max}`);
  }
  const byBox = new Map<number, Required<LoyaltyBoxCounts>>();
  for (let b = scale.min; b <= scale.max; b++) {
    byBox.set(b, { box: b, n: 0, ...NO_OUTCOMES });
  }
  for (const c of counts) {
    const row = byBox.get(c.box);
    if (!row) throw new RangeError(`box ${c.box} is outside the scale ${scale.min}..${scale.max}`);
    assertCount(c.n, 'n');
    row.n += c.n;
    for (const o of OUTCOMES) {
      const k = c[o] ?? 0;
      const known = c[`${o}Known`] ?? c.n;
      assertCount(k, o);
      assertCount(known, `${o}Known`);
      if (k > known) throw new RangeError(`box ${c.box}: ${o} (${k}) exceeds its denominator (${known})`);
      row[o] += k;
      row[`${o}Known`] += known;
    }
  }
  const rows: LoyaltyBoxRow[] = [...byBox.values()].map((r) => ({
    box: r.box,
    n: r.n,
    retention: proportionWithCi(r.retained, r.retainedKnown, opts.confidence),
    repurchase: proportionWithCi(r.repurchased, r.repurchasedKnown, opts.confidence),
    referral: proportionWithCi(r.referred, r.referredKnown, opts.confidence),
  }));
  const top = rows[rows.length - 1];
  const next = rows[rows.length - 2];
  const test = (k: 'retention' | 'repurchase' | 'referral') =>
    twoProportionTest(
      { successes: top[k].successes, n: top[k].n },
      { successes: next[k].successes, n: next[k].n },
      { alpha: opts.alpha },
    );
  return {
    scale,
    rows,
    topVsNext: { retention: test('retention'), repurchase: test('repurchase'), referral: test('referral') },
  };
}

/** Loyalty by box from per-customer records. Boxes are rounded to the nearest integer. */
export function loyaltyByBox(
  records: Iterable<LoyaltyRecord>,
  scale: { min: number; max: number } = { min: 0, max: 10 },
  opts: { confidence?: number; alpha?: number } = {},
): LoyaltyByBoxResult {
  const byBox = new Map<number, Required<LoyaltyBoxCounts>>();
  for (const r of records) {
    if (!Number.isFinite(r.box)) continue;
    const box = Math.round(r.box);
    let c = byBox.get(box);
    if (!c) {
      c = { box, n: 0, ...NO_OUTCOMES };
      byBox.set(box, c);
    }
    c.n++;
    for (const o of OUTCOMES) {
      const v = r[o];
      if (v === true || v === false) {
        c[`${o}Known`]++;
        if (v) c[o]++;
      }
    }
  }
  return loyaltyByBoxFromCounts([...byBox.values()], scale, opts);
}

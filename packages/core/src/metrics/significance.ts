/**
 * Significance tests for differences between periods or segments (DESIGN.md: "Differences
 * between periods or segments carry a significance test"). All tests are two-sided. When a
 * test is undefined (n = 0, or zero variance on both sides with a non-zero difference) the
 * statistic and p-value are null, `significant` is false and `reason` says why — never NaN.
 */

import { assertCount } from './internal.js';
import { type NpsCounts, type NpsResult, npsFromCounts, welchSe } from './scores.js';
import {
  type ConfidenceInterval,
  normalTwoSidedP,
  type SampleSummary,
  summarizeSample,
  summaryFromSums,
  tCritical,
  tTwoSidedP,
  zCritical,
} from './stats.js';

export interface SignificanceOptions {
  /** Significance level, default 0.05; the interval uses confidence 1 − alpha. */
  alpha?: number;
}

export interface ZTestResult {
  /** a − b, in the metric's own units (NPS points, or share 0..1 for proportions). */
  difference: number | null;
  /** Standard error of the difference used for the interval. */
  se: number | null;
  z: number | null;
  pValue: number | null;
  significant: boolean;
  alpha: number;
  /** Interval for the difference at confidence 1 − alpha. */
  ci: ConfidenceInterval | null;
  /** Why the test could not be computed, when it could not. */
  reason?: string;
}

function alphaOf(opts: SignificanceOptions): number {
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  return alpha;
}

function undefinedTest(alpha: number, difference: number | null, reason: string): ZTestResult {
  return { difference, se: null, z: null, pValue: null, significant: false, alpha, ci: null, reason };
}

function isNpsResult(x: NpsCounts | NpsResult): x is NpsResult {
  return 'se' in x;
}

/**
 * Difference of two NPS values: z = (NPS₁ − NPS₂)/sqrt(SE₁² + SE₂²), SE from the trinomial
 * variance (see `npsFromCounts`). Accepts counts or already computed results.
 */
export function npsDifferenceTest(
  a: NpsCounts | NpsResult,
  b: NpsCounts | NpsResult,
  opts: SignificanceOptions = {},
): NpsDifferenceResult {
  const alpha = alphaOf(opts);
  const ra = isNpsResult(a) ? a : npsFromCounts(a);
  const rb = isNpsResult(b) ? b : npsFromCounts(b);
  const extra = { npsA: ra.nps, npsB: rb.nps, nA: ra.n, nB: rb.n };
  if (ra.nps === null || rb.nps === null || ra.se === null || rb.se === null) {
    return { ...undefinedTest(alpha, null, 'a group has no answers (n = 0)'), ...extra };
  }
  const difference = ra.nps - rb.nps;
  const se = Math.sqrt(ra.se ** 2 + rb.se ** 2);
  return { ...zFromDifference(difference, se, alpha), ...extra };
}

export interface NpsDifferenceResult extends ZTestResult {
  npsA: number | null;
  npsB: number | null;
  nA: number;
  nB: number;
}

function zFromDifference(difference: number, se: number, alpha: number): ZTestResult {
  if (se === 0) {
    if (difference === 0) {
      return { difference, se, z: 0, pValue: 1, significant: false, alpha, ci: { lower: 0, upper: 0 } };
    }
    return undefinedTest(alpha, difference, 'both groups have zero variance: the difference cannot be tested');
  }
  const z = difference / se;
  const pValue = normalTwoSidedP(z);
  const m = zCritical(1 - alpha) * se;
  return {
    difference,
    se,
    z,
    pValue,
    significant: pValue < alpha,
    alpha,
    ci: { lower: difference - m, upper: difference + m },
  };
}

export interface ProportionTestResult extends ZTestResult {
  shareA: number | null;
  shareB: number | null;
  /** Pooled share used for the test's SE. */
  pooledShare: number | null;
}

/**
 * Two-proportion z-test (pooled SE under H₀: p₁ = p₂) for CSAT, top-box and any share.
 * `difference` is p₁ − p₂ on 0..1; the interval uses the unpooled (Wald) SE, which is the
 * right one for estimating the difference rather than testing it.
 */
export function twoProportionTest(
  a: { successes: number; n: number },
  b: { successes: number; n: number },
  opts: SignificanceOptions = {},
): ProportionTestResult {
  const alpha = alphaOf(opts);
  for (const [g, x] of [
    ['a', a],
    ['b', b],
  ] as const) {
    assertCount(x.successes, `${g}.successes`);
    assertCount(x.n, `${g}.n`);
    if (x.successes > x.n) throw new RangeError(`${g}.successes (${x.successes}) cannot exceed ${g}.n (${x.n})`);
  }
  const shareA = a.n > 0 ? a.successes / a.n : null;
  const shareB = b.n > 0 ? b.successes / b.n : null;
  if (shareA === null || shareB === null) {
    return { ...undefinedTest(alpha, null, 'a group has no answers (n = 0)'), shareA, shareB, pooledShare: null };
  }
  const pooled = (a.successes + b.successes) / (a.n + b.n);
  const difference = shareA - shareB;
  const seTest = Math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n));
  const seEst = Math.sqrt((shareA * (1 - shareA)) / a.n + (shareB * (1 - shareB)) / b.n);
  const base = { shareA, shareB, pooledShare: pooled };
  if (seTest === 0) {
    // Both groups all-success or all-failure with the same share.
    return { difference, se: 0, z: 0, pValue: 1, significant: false, alpha, ci: { lower: 0, upper: 0 }, ...base };
  }
  const z = difference / seTest;
  const pValue = normalTwoSidedP(z);
  const m = zCritical(1 - alpha) * seEst;
  return {
    difference,
    se: seEst,
    z,
    pValue,
    significant: pValue < alpha,
    alpha,
    ci: { lower: difference - m, upper: difference + m },
    ...base,
  };
}

export interface TTestResult {
  /** meanA − meanB; null when either mean is missing. */
  difference: number | null;
  se: number | null;
  t: number | null;
  /** Welch–Satterthwaite degrees of freedom (fractional). */
  df: number | null;
  pValue: number | null;
  significant: boolean;
  alpha: number;
  ci: ConfidenceInterval | null;
  meanA: number | null;
  meanB: number | null;
  nA: number;
  nB: number;
  reason?: string;
}

/** A sample given as raw values, as SQL aggregates (n, Σx, Σx²), or as n/mean/sd. */
export type TTestSample =
  | Iterable<number | null | undefined>
  | { n: number; sum: number; sumSq: number }
  | { n: number; mean: number; sd: number };

function toSummary(x: TTestSample): SampleSummary {
  if (typeof (x as Iterable<number>)[Symbol.iterator] === 'function') return summarizeSample(x as Iterable<number>);
  if ('sum' in x) return summaryFromSums(x);
  const s = x as { n: number; mean: number; sd: number };
  assertCount(s.n, 'n');
  if (s.n === 0) return { n: 0, mean: null, variance: null, sd: null };
  if (s.n < 2) return { n: s.n, mean: s.mean, variance: null, sd: null };
  return { n: s.n, mean: s.mean, variance: s.sd * s.sd, sd: s.sd };
}

/**
 * Welch's t-test for two means (unequal variances; no assumption that the groups are alike).
 * p-value from Student's t via the regularized incomplete beta. Needs n ≥ 2 in each group.
 */
export function welchTTest(a: TTestSample, b: TTestSample, opts: SignificanceOptions = {}): TTestResult {
  const alpha = alphaOf(opts);
  const sa = toSummary(a);
  const sb = toSummary(b);
  const base = { meanA: sa.mean, meanB: sb.mean, nA: sa.n, nB: sb.n, alpha };
  const difference = sa.mean !== null && sb.mean !== null ? sa.mean - sb.mean : null;
  const w = welchSe(sa, sb);
  if (difference === null || w === null) {
    return {
      ...base,
      difference,
      se: null,
      t: null,
      df: null,
      pValue: null,
      significant: false,
      ci: null,
      reason: 'each group needs n ≥ 2',
    };
  }
  if (w.se === 0) {
    if (difference === 0) {
      return { ...base, difference, se: 0, t: 0, df: w.df, pValue: 1, significant: false, ci: { lower: 0, upper: 0 } };
    }
    return {
      ...base,
      difference,
      se: 0,
      t: null,
      df: w.df,
      pValue: null,
      significant: false,
      ci: null,
      reason: 'both groups have zero variance: the difference cannot be tested',
    };
  }
  const t = difference / w.se;
  const pValue = tTwoSidedP(t, w.df);
  const m = tCritical(w.df, 1 - alpha) * w.se;
  return {
    ...base,
    difference,
    se: w.se,
    t,
    df: w.df,
    pValue,
    significant: pValue < alpha,
    ci: { lower: difference - m, upper: difference + m },
  };
}

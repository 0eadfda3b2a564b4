/**
 * Statistical building blocks: distributions, summaries, intervals and a seeded RNG.
 * Pure functions, no dependencies. Every function that summarises data accepts n = 0 and
 * answers `null` rather than NaN, so callers can render "no data" without special cases.
 */

/** A closed interval [lower, upper]. */
export interface ConfidenceInterval {
  lower: number;
  upper: number;
}

import { assertCount, finiteValues, histogramEntries } from './internal.js';

// ---------------------------------------------------------------------------------------------
// Normal distribution
// ---------------------------------------------------------------------------------------------

/**
 * Upper-tail probability of the standard normal, P(Z > x) for x ≥ 0, via Hart (1968) algorithm
 * 5666 as given by West (2005). Why this one: double-precision accurate (~1e-14 absolute) and
 * it returns the small tail directly, so p-values deep in the tail keep their precision
 * instead of being lost to 1 − Φ cancellation.
 */
function normalTail(xAbs: number): number {
  if (xAbs > 37) return 0;
  const e = Math.exp((-xAbs * xAbs) / 2);
  if (xAbs < 7.07106781186547) {
    let num = 3.52624965998911e-2 * xAbs + 0.700383064443688;
    num = num * xAbs + 6.37396220353165;
    num = num * xAbs + 33.912866078383;
    num = num * xAbs + 112.079291497871;
    num = num * xAbs + 221.213596169931;
    num = num * xAbs + 220.206867912376;
    let den = 8.83883476483184e-2 * xAbs + 1.75566716318264;
    den = den * xAbs + 16.064177579207;
    den = den * xAbs + 86.7807322029461;
    den = den * xAbs + 296.564248779674;
    den = den * xAbs + 637.333633378831;
    den = den * xAbs + 793.826512519948;
    den = den * xAbs + 440.413735824752;
    return (e * num) / den;
  }
  // Continued fraction for the far tail.
  let b = xAbs + 0.65;
  b = xAbs + 4 / b;
  b = xAbs + 3 / b;
  b = xAbs + 2 / b;
  b = xAbs + 1 / b;
  return e / b / 2.506628274631;
}

/** Standard normal CDF Φ(x). Accurate to ~1e-14 absolute (well inside the 1e-7 we promise). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const tail = normalTail(Math.abs(x));
  return x > 0 ? 1 - tail : tail;
}

/** Two-sided p-value of a z statistic: 2·P(Z > |z|), computed from the tail (no cancellation). */
export function normalTwoSidedP(z: number): number {
  return Math.min(1, 2 * normalTail(Math.abs(z)));
}

/**
 * Inverse standard normal CDF Φ⁻¹(p), 0 < p < 1. Acklam's rational approximation (relative
 * error 1.15e-9) refined by one Halley step against `normalCdf`, giving ~1e-14.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
      (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * Critical z for a two-sided interval at `confidence`. Returns the conventional 1.96 for 95%
 * (the constant DESIGN.md and most survey tools print; the exact 1.959964 differs in the 5th
 * significant digit), the exact normal quantile otherwise.
 */
export function zCritical(confidence = 0.95): number {
  assertConfidence(confidence);
  if (confidence === 0.95) return 1.96;
  return normalQuantile(1 - (1 - confidence) / 2);
}

function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

// ---------------------------------------------------------------------------------------------
// Gamma, incomplete beta, Student's t
// ---------------------------------------------------------------------------------------------

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps accuracy for small x.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction for the incomplete beta (modified Lentz; Numerical Recipes `betacf`). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. Why: it is the CDF behind
 * Student's t (and F, binomial), so a t-test p-value needs nothing else. Uses the symmetry
 * I_x(a,b) = 1 − I_{1−x}(b,a) to stay in the fast-converging region of the continued fraction.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`incomplete beta needs a, b > 0 (got ${a}, ${b})`);
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided tail of Student's t: P(|T| > |t|) with `df` degrees of freedom (df may be fractional, as in Welch). */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (!Number.isFinite(t)) return 0;
  // P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2).
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Student's t CDF P(T ≤ t). */
export function tCdf(t: number, df: number): number {
  const tail = tTwoSidedP(t, df) / 2;
  return t > 0 ? 1 - tail : tail;
}

/**
 * Student's t quantile (inverse CDF) for 0 < p < 1. Bracketed bisection on `tCdf`, 200
 * iterations at most: slow-ish (~µs) but simple and exact to 1e-12, and only used for intervals.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = Math.max(1, normalQuantile(p) * 2);
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-12 * Math.max(1, hi)) break;
  }
  return (lo + hi) / 2;
}

/** Critical t for a two-sided interval at `confidence`. */
export function tCritical(df: number, confidence = 0.95): number {
  assertConfidence(confidence);
  return tQuantile(1 - (1 - confidence) / 2, df);
}

// ---------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------

/** Count, mean and sample variance of a sample (or of aggregates from SQL). */
export interface SampleSummary {
  n: number;
  /** null when n = 0. */
  mean: number | null;
  /** Sample variance (n − 1 denominator); null when n < 2. */
  variance: number | null;
  /** Sample standard deviation; null when n < 2. */
  sd: number | null;
}

/** Summary of raw values (missing values skipped). Two-pass for numerical stability. */
export function summarizeSample(values: Iterable<number | null | undefined>): SampleSummary {
  const xs = finiteValues(values);
  const n = xs.length;
  if (n === 0) return { n: 0, mean: null, variance: null, sd: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (n < 2) return { n, mean, variance: null, sd: null };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const variance = ss / (n - 1);
  return { n, mean, variance, sd: Math.sqrt(variance) };
}

/**
 * Summary from SQL-style aggregates: count, Σx, Σx². Why: rollups store exactly these, and
 * mean/variance are recoverable without raw rows. Tiny negative variances from floating-point
 * cancellation are clamped to 0.
 */
export function summaryFromSums(agg: { n: number; sum: number; sumSq?: number | null }): SampleSummary {
  const { n, sum, sumSq } = agg;
  assertCount(n, 'n');
  if (n === 0) return { n: 0, mean: null, variance: null, sd: null };
  const mean = sum / n;
  if (n < 2 || sumSq == null) return { n, mean, variance: null, sd: null };
  const variance = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  return { n, mean, variance, sd: Math.sqrt(variance) };
}

/** Summary from a histogram: `counts[value] = how many answered value` (an array indexed by score works). */
export function summaryFromHistogram(counts: Readonly<Record<number, number>>): SampleSummary {
  let n = 0;
  let sum = 0;
  for (const [value, count] of histogramEntries(counts)) {
    n += count;
    sum += value * count;
  }
  if (n === 0) return { n: 0, mean: null, variance: null, sd: null };
  const mean = sum / n;
  if (n < 2) return { n, mean, variance: null, sd: null };
  let ss = 0;
  for (const [value, count] of histogramEntries(counts)) ss += count * (value - mean) ** 2;
  const variance = ss / (n - 1);
  return { n, mean, variance, sd: Math.sqrt(variance) };
}

/** Mean with confidence interval. */
export interface MeanEstimate extends SampleSummary {
  /** Standard error of the mean; null when n < 2. */
  se: number | null;
  /** Half-width of the interval; null when n < 2. */
  margin: number | null;
  ci: ConfidenceInterval | null;
  method: 't' | 'normal';
  confidence: number;
}

export interface MeanCiOptions {
  confidence?: number;
  /** 't' (default: Student's t with n − 1 df, right for small samples) or 'normal' (z). */
  method?: 't' | 'normal';
}

/** Adds SE and a t (default) or normal interval to a summary. n < 2 → interval null. */
export function meanCiFromSummary(s: SampleSummary, opts: MeanCiOptions = {}): MeanEstimate {
  const confidence = opts.confidence ?? 0.95;
  const method = opts.method ?? 't';
  assertConfidence(confidence);
  if (s.n < 2 || s.mean === null || s.sd === null) {
    return { ...s, se: null, margin: null, ci: null, method, confidence };
  }
  const se = s.sd / Math.sqrt(s.n);
  const crit = method === 't' ? tCritical(s.n - 1, confidence) : zCritical(confidence);
  const margin = crit * se;
  return { ...s, se, margin, ci: { lower: s.mean - margin, upper: s.mean + margin }, method, confidence };
}

/** Mean of raw values with a t (default) or normal 95% interval. Missing values skipped. */
export function meanWithCi(values: Iterable<number | null | undefined>, opts: MeanCiOptions = {}): MeanEstimate {
  return meanCiFromSummary(summarizeSample(values), opts);
}

// ---------------------------------------------------------------------------------------------
// Proportions
// ---------------------------------------------------------------------------------------------

/** A share with its Wilson interval. */
export interface ProportionEstimate {
  n: number;
  successes: number;
  /** successes / n in 0..1; null when n = 0. */
  share: number | null;
  /** share × 100; null when n = 0. */
  percent: number | null;
  /** Wilson score interval on the 0..1 scale; null when n = 0. */
  ci: ConfidenceInterval | null;
  confidence: number;
}

/**
 * Wilson score interval for a binomial proportion. Why Wilson rather than Wald: it stays inside
 * [0, 1] and keeps near-nominal coverage at small n and at shares near 0 or 1 (where Wald gives
 * zero-width nonsense such as 100% ± 0). Returns null when n = 0.
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): ConfidenceInterval | null {
  assertCount(successes, 'successes');
  assertCount(n, 'n');
  if (successes > n) throw new RangeError(`successes (${successes}) cannot exceed n (${n})`);
  if (n === 0) return null;
  const z = zCritical(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // Exact bounds at the edges (avoid 1e-17 noise).
  return {
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/** Share of successes with a Wilson interval. n = 0 → share, percent and ci null. */
export function proportionWithCi(successes: number, n: number, confidence = 0.95): ProportionEstimate {
  const ci = wilsonInterval(successes, n, confidence);
  const share = n === 0 ? null : successes / n;
  return { n, successes, share, percent: share === null ? null : share * 100, ci, confidence };
}

// ---------------------------------------------------------------------------------------------
// Seeded random numbers (for bootstraps and test data)
// ---------------------------------------------------------------------------------------------

/** A source of uniform numbers in [0, 1). */
export type UniformRng = () => number;

/**
 * Mulberry32: a tiny, fast 32-bit seeded PRNG. Why: bootstrap intervals must be reproducible
 * (same data, same seed → same interval) and Math.random cannot be seeded.
 */
export function seededRng(seed: number): UniformRng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform RNG (Box–Muller, one value per call). */
export function normalRng(rng: UniformRng): () => number {
  return () => {
    let u = 0;
    while (u === 0) u = rng();
    const v = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/** Empirical quantile with linear interpolation (type 7); `sorted` must be ascending and non-empty. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

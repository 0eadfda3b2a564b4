/**
 * Experience score metrics (DESIGN.md "Metric definitions"): NPS, CSAT, CES, box scores,
 * sentiment index and the expectation–perception gap. Each metric comes in a counts form (what
 * the server gets from SQL aggregates and rollups) and a raw-values form (for ad-hoc lists);
 * the raw form always reduces to the counts form so both give identical numbers.
 *
 * n = 0 everywhere gives `null` scores and intervals, never NaN.
 */

import { assertCount, finiteValues, histogramEntries } from './internal.js';
import {
  type ConfidenceInterval,
  type MeanCiOptions,
  type MeanEstimate,
  meanCiFromSummary,
  type ProportionEstimate,
  proportionWithCi,
  type SampleSummary,
  summarizeSample,
  summaryFromHistogram,
  summaryFromSums,
  tCritical,
  zCritical,
} from './stats.js';

// ---------------------------------------------------------------------------------------------
// NPS
// ---------------------------------------------------------------------------------------------

/** Counts of NPS answers by group. Promoters 9–10, passives 7–8, detractors 0–6. */
export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

export interface NpsResult extends NpsCounts {
  n: number;
  /** Shares on 0..1; null when n = 0. */
  promoterShare: number | null;
  passiveShare: number | null;
  detractorShare: number | null;
  /** %promoters − %detractors on −100..100; null when n = 0. */
  nps: number | null;
  /**
   * Standard error in NPS points: sqrt((p + d − (p − d)²)/n)·100 — the variance of a variable
   * that is +1 for promoters, 0 for passives and −1 for detractors. null when n = 0.
   * It is 0 when every answer is in one group; the difference tests use it as it is.
   */
  se: number | null;
  /**
   * Half-width of the interval: z·SE with the adjusted-Wald correction (Rocks 2016, "Interval
   * estimation for the net promoter score": the SE after adding ¾ promoter, ¾ detractor and 1½
   * passive to the counts), so two promoters read 100 ± 64, not 100 ± 0; at n = 400 it differs
   * from z·SE by under 0.05 point. null when n = 0.
   */
  margin: number | null;
  /**
   * nps ± margin, clamped to −100..100; null when n = 0. Centred on the observed NPS (Rocks centres
   * on the adjusted one) so that the figure shown, "value ± margin", is the interval itself.
   */
  ci: ConfidenceInterval | null;
  confidence: number;
}

/** Classifies an NPS answer. Values between integers (e.g. 8.5) fall by threshold: ≥ 9, ≤ 6. */
export function npsGroup(score: number): 'promoter' | 'passive' | 'detractor' {
  if (!(score >= 0 && score <= 10)) throw new RangeError(`NPS answers are 0–10, got ${score}`);
  if (score >= 9) return 'promoter';
  if (score <= 6) return 'detractor';
  return 'passive';
}

/**
 * NPS with its standard error and margin from group counts (the rollup form). Counts may be
 * weighted (non-integer) totals; n is then their sum.
 */
export function npsFromCounts(counts: NpsCounts, opts: { confidence?: number } = {}): NpsResult {
  const { promoters, passives, detractors } = counts;
  assertCount(promoters, 'promoters');
  assertCount(passives, 'passives');
  assertCount(detractors, 'detractors');
  const confidence = opts.confidence ?? 0.95;
  const z = zCritical(confidence);
  const n = promoters + passives + detractors;
  if (n === 0) {
    return {
      promoters,
      passives,
      detractors,
      n,
      promoterShare: null,
      passiveShare: null,
      detractorShare: null,
      nps: null,
      se: null,
      margin: null,
      ci: null,
      confidence,
    };
  }
  const p = promoters / n;
  const d = detractors / n;
  const net = p - d;
  // max(0, …) guards against −1e-17 from rounding when everyone is in one group.
  const se = Math.sqrt(Math.max(0, p + d - net * net) / n) * 100;
  const nps = net * 100;
  // Adjusted Wald: the SE of (P + ¾, D + ¾) out of n + 3, which keeps its coverage at small n.
  const na = n + 3;
  const pa = (promoters + 0.75) / na;
  const da = (detractors + 0.75) / na;
  const netA = pa - da;
  const margin = z * Math.sqrt((pa + da - netA * netA) / na) * 100;
  return {
    promoters,
    passives,
    detractors,
    n,
    promoterShare: p,
    passiveShare: passives / n,
    detractorShare: d,
    nps,
    se,
    margin,
    ci: { lower: Math.max(-100, nps - margin), upper: Math.min(100, nps + margin) },
    confidence,
  };
}

/** Counts NPS groups from raw 0–10 answers (missing values skipped; out-of-range throws). */
export function npsCountsFromScores(scores: Iterable<number | null | undefined>): NpsCounts {
  const counts: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const s of finiteValues(scores)) {
    const g = npsGroup(s);
    if (g === 'promoter') counts.promoters++;
    else if (g === 'passive') counts.passives++;
    else counts.detractors++;
  }
  return counts;
}

/** NPS from raw 0–10 answers. */
export function npsFromScores(
  scores: Iterable<number | null | undefined>,
  opts: { confidence?: number } = {},
): NpsResult {
  return npsFromCounts(npsCountsFromScores(scores), opts);
}

/** NPS from a 0–10 histogram (`counts[score] = answers`; an 11-element array works). */
export function npsFromHistogram(
  counts: Readonly<Record<number, number>>,
  opts: { confidence?: number } = {},
): NpsResult {
  const c: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const [score, count] of histogramEntries(counts)) {
    const g = npsGroup(score);
    if (g === 'promoter') c.promoters += count;
    else if (g === 'passive') c.passives += count;
    else c.detractors += count;
  }
  return npsFromCounts(c, opts);
}

// ---------------------------------------------------------------------------------------------
// Generic box scores
// ---------------------------------------------------------------------------------------------

/** A rating scale, inclusive. Box scores count from its ends. */
export interface RatingScale {
  min: number;
  max: number;
}

export interface BoxScores {
  n: number;
  scale: RatingScale;
  /** Share answering exactly `max`. */
  topBox: ProportionEstimate;
  /** Share answering `max` or `max − 1`. */
  top2Box: ProportionEstimate;
  /** Share answering exactly `min`. */
  bottomBox: ProportionEstimate;
  /** Share answering `min` or `min + 1`. */
  bottom2Box: ProportionEstimate;
  /** (topBox − bottomBox) × 100, on −100..100; null when n = 0. */
  netBox: number | null;
  /** (top2Box − bottom2Box) × 100; null when n = 0. */
  netTop2Box: number | null;
  /** Mean with t interval; mean null when n = 0. */
  mean: MeanEstimate;
}

function assertScale(scale: RatingScale): void {
  if (!(Number.isFinite(scale.min) && Number.isFinite(scale.max) && scale.min < scale.max)) {
    throw new RangeError(`scale needs finite min < max, got ${scale.min}..${scale.max}`);
  }
}

/**
 * Box scores for any integer scale from a histogram (`counts[value] = answers`). Boxes are
 * counted by value (≥ max − 1 for top-2), so half-point answers land in the box they reach.
 * Values outside the scale throw: they mean the wrong scale was passed.
 */
export function boxScoresFromHistogram(
  counts: Readonly<Record<number, number>>,
  scale: RatingScale,
  opts: { confidence?: number } = {},
): BoxScores {
  assertScale(scale);
  const confidence = opts.confidence ?? 0.95;
  let n = 0;
  let top = 0;
  let top2 = 0;
  let bottom = 0;
  let bottom2 = 0;
  for (const [value, count] of histogramEntries(counts)) {
    if (value < scale.min || value > scale.max) {
      throw new RangeError(`value ${value} is outside the scale ${scale.min}..${scale.max}`);
    }
    n += count;
    if (value >= scale.max) top += count;
    if (value >= scale.max - 1) top2 += count;
    if (value <= scale.min) bottom += count;
    if (value <= scale.min + 1) bottom2 += count;
  }
  const mean = meanCiFromSummary(summaryFromHistogram(counts));
  return {
    n,
    scale,
    topBox: proportionWithCi(top, n, confidence),
    top2Box: proportionWithCi(top2, n, confidence),
    bottomBox: proportionWithCi(bottom, n, confidence),
    bottom2Box: proportionWithCi(bottom2, n, confidence),
    netBox: n === 0 ? null : ((top - bottom) / n) * 100,
    netTop2Box: n === 0 ? null : ((top2 - bottom2) / n) * 100,
    mean,
  };
}

/** Builds a histogram from raw values (missing skipped). */
export function scoreHistogram(values: Iterable<number | null | undefined>): Record<number, number> {
  const h: Record<number, number> = {};
  for (const v of finiteValues(values)) h[v] = (h[v] ?? 0) + 1;
  return h;
}

/** Box scores from raw values on `scale`. */
export function boxScoresFromValues(
  values: Iterable<number | null | undefined>,
  scale: RatingScale,
  opts: { confidence?: number } = {},
): BoxScores {
  return boxScoresFromHistogram(scoreHistogram(values), scale, opts);
}

// ---------------------------------------------------------------------------------------------
// CSAT
// ---------------------------------------------------------------------------------------------

export interface CsatResult {
  n: number;
  /** Top-2-box (4–5) share with Wilson interval; `percent` is the CSAT score. */
  satisfied: ProportionEstimate;
  /** CSAT as a percentage (0..100); null when n = 0. */
  csat: number | null;
  /** Mean on 1–5 with interval (null when the aggregates give no mean). */
  mean: MeanEstimate;
}

/**
 * CSAT from aggregates: n, count of 4–5 answers, and optionally Σx and Σx² for the mean.
 * Why this shape: a rollup row keeps exactly (n, satisfied, sum, sum_sq) per cell.
 */
export function csatFromAggregates(
  agg: { n: number; satisfied: number; sum?: number | null; sumSq?: number | null },
  opts: { confidence?: number; meanMethod?: MeanCiOptions['method'] } = {},
): CsatResult {
  const satisfied = proportionWithCi(agg.satisfied, agg.n, opts.confidence);
  const summary: SampleSummary =
    agg.sum == null
      ? { n: agg.n, mean: null, variance: null, sd: null }
      : summaryFromSums({ n: agg.n, sum: agg.sum, sumSq: agg.sumSq });
  return {
    n: agg.n,
    satisfied,
    csat: satisfied.percent,
    mean: meanCiFromSummary(summary, { confidence: opts.confidence, method: opts.meanMethod }),
  };
}

/** CSAT from a 1–5 histogram. */
export function csatFromHistogram(
  counts: Readonly<Record<number, number>>,
  opts: { confidence?: number } = {},
): CsatResult {
  const box = boxScoresFromHistogram(counts, { min: 1, max: 5 }, opts);
  return { n: box.n, satisfied: box.top2Box, csat: box.top2Box.percent, mean: box.mean };
}

/** CSAT from raw 1–5 answers (missing skipped; out-of-range throws). */
export function csatFromScores(
  scores: Iterable<number | null | undefined>,
  opts: { confidence?: number } = {},
): CsatResult {
  return csatFromHistogram(scoreHistogram(scores), opts);
}

// ---------------------------------------------------------------------------------------------
// CES
// ---------------------------------------------------------------------------------------------

/** A CES answer as stored: its scale and direction travel with it (see records schema). */
export interface CesAnswer {
  value: number;
  /** 7 (CES 2.0, default) or 5 (legacy). */
  scale_max?: 5 | 7;
  /** CES 2.0 agree = easy (true, default); legacy 5-point effort scales run the other way. */
  higher_is_easier?: boolean;
}

/**
 * Converts a CES answer to the CES 2.0 scale (1–7, 7 = easiest). Model: first flip reversed
 * scales (v → max + 1 − v), then map 1..max linearly onto 1..7, so a legacy 5-point answer
 * becomes 1, 2.5, 4, 5.5 or 7. Why linear: it keeps the ends and the midpoint aligned, which
 * is what makes means comparable; the top-3-box (≥ 5) then holds the legacy top-2 (4–5).
 */
export function cesTo7(value: number, scaleMax: 5 | 7 = 7, higherIsEasier = true): number {
  if (scaleMax !== 5 && scaleMax !== 7) throw new RangeError(`CES scale_max must be 5 or 7, got ${scaleMax}`);
  if (!(value >= 1 && value <= scaleMax)) throw new RangeError(`CES answer must be 1–${scaleMax}, got ${value}`);
  const oriented = higherIsEasier ? value : scaleMax + 1 - value;
  return 1 + ((oriented - 1) * 6) / (scaleMax - 1);
}

export interface CesResult {
  n: number;
  /** Mean on 1–7 (higher = easier) with interval. */
  mean: MeanEstimate;
  /** Share answering 5–7 ("easy"), Wilson interval. */
  easy: ProportionEstimate;
  /** Share answering 1–3 ("hard"); null from aggregates that did not count it. */
  hard: ProportionEstimate | null;
}

/** CES from stored answers, converting legacy scales first. */
export function cesFromAnswers(
  answers: Iterable<CesAnswer | number | null | undefined>,
  opts: { confidence?: number } = {},
): CesResult {
  const values: number[] = [];
  for (const a of answers) {
    if (a == null) continue;
    if (typeof a === 'number') {
      if (Number.isFinite(a)) values.push(cesTo7(a));
    } else if (Number.isFinite(a.value)) {
      values.push(cesTo7(a.value, a.scale_max ?? 7, a.higher_is_easier ?? true));
    }
  }
  const n = values.length;
  const easy = values.filter((v) => v >= 5).length;
  const hard = values.filter((v) => v <= 3).length;
  return {
    n,
    mean: meanCiFromSummary(summarizeSample(values), { confidence: opts.confidence }),
    easy: proportionWithCi(easy, n, opts.confidence),
    hard: proportionWithCi(hard, n, opts.confidence),
  };
}

/** CES from aggregates over already-converted 1–7 values: n, count ≥ 5, count ≤ 3, Σx, Σx². */
export function cesFromAggregates(
  agg: { n: number; easy: number; hard?: number | null; sum?: number | null; sumSq?: number | null },
  opts: { confidence?: number } = {},
): CesResult {
  const summary: SampleSummary =
    agg.sum == null
      ? { n: agg.n, mean: null, variance: null, sd: null }
      : summaryFromSums({ n: agg.n, sum: agg.sum, sumSq: agg.sumSq });
  return {
    n: agg.n,
    mean: meanCiFromSummary(summary, { confidence: opts.confidence }),
    easy: proportionWithCi(agg.easy, agg.n, opts.confidence),
    hard: agg.hard == null ? null : proportionWithCi(agg.hard, agg.n, opts.confidence),
  };
}

// ---------------------------------------------------------------------------------------------
// Sentiment index
// ---------------------------------------------------------------------------------------------

export interface SentimentCounts {
  positive: number;
  neutral: number;
  negative: number;
  /** Σ of sentiment scores (−1..1), for the mean; optional. */
  scoreSum?: number | null;
  /** Σ of squared scores, for the mean's interval; optional. */
  scoreSumSq?: number | null;
}

export interface SentimentIndexResult {
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  /** (positive − negative)/n × 100 on −100..100; null when n = 0. Same algebra as NPS. */
  index: number | null;
  /** SE and 95% margin of the index, NPS-style; null when n = 0. */
  se: number | null;
  margin: number | null;
  /** Mean sentiment score (−1..1) when scores were given; null otherwise or n = 0. */
  meanScore: MeanEstimate | null;
}

/** Sentiment index from label counts (and optional score sums). */
export function sentimentIndexFromCounts(c: SentimentCounts, opts: { confidence?: number } = {}): SentimentIndexResult {
  // The index is a net score: reuse NPS algebra (positive ~ promoter, negative ~ detractor).
  const net = npsFromCounts({ promoters: c.positive, passives: c.neutral, detractors: c.negative }, opts);
  const meanScore =
    c.scoreSum == null
      ? null
      : meanCiFromSummary(summaryFromSums({ n: net.n, sum: c.scoreSum, sumSq: c.scoreSumSq }), opts);
  return {
    n: net.n,
    positive: c.positive,
    neutral: c.neutral,
    negative: c.negative,
    index: net.nps,
    se: net.se,
    margin: net.margin,
    meanScore,
  };
}

/**
 * Sentiment index from scores in −1..1. Labels by threshold: > t positive, < −t negative,
 * else neutral; default t = 0.05 (the VADER convention for its compound score).
 */
export function sentimentIndexFromScores(
  scores: Iterable<number | null | undefined>,
  opts: { threshold?: number; confidence?: number } = {},
): SentimentIndexResult {
  const t = opts.threshold ?? 0.05;
  const xs = finiteValues(scores);
  let positive = 0;
  let negative = 0;
  let sum = 0;
  let sumSq = 0;
  for (const s of xs) {
    if (s < -1 || s > 1) throw new RangeError(`sentiment scores are −1..1, got ${s}`);
    if (s > t) positive++;
    else if (s < -t) negative++;
    sum += s;
    sumSq += s * s;
  }
  const res = sentimentIndexFromCounts(
    { positive, negative, neutral: xs.length - positive - negative, scoreSum: sum, scoreSumSq: sumSq },
    opts,
  );
  // Raw values allow the two-pass (more stable) variance.
  if (xs.length > 0) res.meanScore = meanCiFromSummary(summarizeSample(xs), opts);
  else res.meanScore = null;
  return res;
}

// ---------------------------------------------------------------------------------------------
// Expectation – perception gap
// ---------------------------------------------------------------------------------------------

/** One respondent's answers; either may be missing. */
export interface ExpectationRecord {
  expectation?: number | null;
  perception?: number | null;
}

export interface GapResult {
  /** mean perception − mean expectation: positive = expectations exceeded; null when undefined. */
  gap: number | null;
  meanExpectation: number | null;
  meanPerception: number | null;
  nExpectation: number;
  nPerception: number;
  /** Number of respondents who gave both (used by the paired method). */
  nPairs: number;
  /**
   * 'paired': everyone who answered gave both, so the gap is the mean of per-person
   * differences with a paired t interval (tighter: a person's own bar cancels out).
   * 'unpaired': Welch interval on two independent means (conservative when some people gave
   * both, since their positive correlation is ignored).
   */
  method: 'paired' | 'unpaired';
  se: number | null;
  df: number | null;
  ci: ConfidenceInterval | null;
  confidence: number;
}

/**
 * Expectation–perception gap. `method: 'auto'` (default) pairs when every record that has a
 * value has both; otherwise uses all values unpaired so no answer is thrown away.
 */
export function expectationGap(
  records: Iterable<ExpectationRecord>,
  opts: { method?: 'auto' | 'paired' | 'unpaired'; confidence?: number } = {},
): GapResult {
  const confidence = opts.confidence ?? 0.95;
  const exp: number[] = [];
  const per: number[] = [];
  const diffs: number[] = [];
  let incomplete = 0;
  for (const r of records) {
    const e = typeof r.expectation === 'number' && Number.isFinite(r.expectation) ? r.expectation : null;
    const p = typeof r.perception === 'number' && Number.isFinite(r.perception) ? r.perception : null;
    if (e !== null) exp.push(e);
    if (p !== null) per.push(p);
    if (e !== null && p !== null) diffs.push(p - e);
    else if (e !== null || p !== null) incomplete++;
  }
  const method = opts.method ?? 'auto';
  const usePaired = method === 'paired' || (method === 'auto' && incomplete === 0 && diffs.length > 0);
  const se0 = summarizeSample(exp);
  const sp0 = summarizeSample(per);
  const base = {
    meanExpectation: se0.mean,
    meanPerception: sp0.mean,
    nExpectation: se0.n,
    nPerception: sp0.n,
    nPairs: diffs.length,
    confidence,
  };
  if (usePaired) {
    const d = meanCiFromSummary(summarizeSample(diffs), { confidence });
    return { ...base, gap: d.mean, method: 'paired', se: d.se, df: d.n >= 2 ? d.n - 1 : null, ci: d.ci };
  }
  const gap = se0.mean !== null && sp0.mean !== null ? sp0.mean - se0.mean : null;
  const w = welchSe(sp0, se0);
  if (gap === null || w === null) return { ...base, gap, method: 'unpaired', se: null, df: null, ci: null };
  const margin = w.se === 0 ? 0 : tCritical(w.df, confidence) * w.se;
  return { ...base, gap, method: 'unpaired', se: w.se, df: w.df, ci: { lower: gap - margin, upper: gap + margin } };
}

/**
 * Standard error and Welch–Satterthwaite df of a difference of two independent means; null
 * when either side has n < 2. When both variances are 0, df falls back to n₁ + n₂ − 2.
 */
export function welchSe(a: SampleSummary, b: SampleSummary): { se: number; df: number } | null {
  if (a.n < 2 || b.n < 2 || a.variance === null || b.variance === null) return null;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (va + vb === 0) return { se: 0, df: a.n + b.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { se, df };
}

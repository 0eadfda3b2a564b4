import {
  cesFromAggregates,
  csatFromHistogram,
  meanCiFromSummary,
  npsDifferenceTest,
  npsFromHistogram,
  proportionWithCi,
  sentimentIndexFromCounts,
  smallNFlags,
  summaryFromSums,
  twoProportionTest,
  welchTTest,
} from '@canopy/core';
import type { AggRow, AnswerType, Family } from '@canopy/store';

export const METRICS = [
  'nps',
  'csat',
  'csat_mean',
  'ces',
  'ces_easy',
  'sentiment',
  'responses',
  'interactions',
  'resolution_rate',
  'first_response_p50',
  'first_response_p90',
  'resolution_p50',
] as const;
export type Metric = (typeof METRICS)[number];

export type Unit = 'nps' | 'percent' | 'mean' | 'index' | 'count' | 'seconds' | 'currency' | 'score';

export interface Figure {
  value: number | null;
  n: number;
  margin: number | null;
  ci: { lower: number; upper: number } | null;
  unit: Unit;
  small_n: boolean;
  flags: string[];
}

export interface Comparison {
  previous: Figure;
  change: number | null;
  p_value: number | null;
  significant: boolean;
  test: 'nps_z' | 'two_proportion' | 'welch_t' | null;
}

export interface MetricSource {
  family: Family;
  type?: AnswerType;
  percentiles?: boolean;
}

export function metricSource(m: Metric): MetricSource {
  switch (m) {
    case 'nps':
      return { family: 'answers', type: 'nps' };
    case 'csat':
    case 'csat_mean':
      return { family: 'answers', type: 'csat' };
    case 'ces':
    case 'ces_easy':
      return { family: 'answers', type: 'ces' };
    case 'sentiment':
      return { family: 'texts' };
    case 'responses':
      return { family: 'responses' };
    case 'interactions':
    case 'resolution_rate':
      return { family: 'interactions' };
    default:
      return { family: 'interactions', percentiles: true };
  }
}

const r2 = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 100) / 100;

export function figure(
  value: number | null,
  n: number,
  ci: { lower: number; upper: number } | null,
  unit: Unit,
  minN: number,
): Figure {
  const flags = smallNFlags(n, { minN });
  const margin = ci && value !== null ? Math.max(value - ci.lower, ci.upper - value) : null;
  return {
    value: r2(value),
    n,
    margin: r2(margin),
    ci: ci ? { lower: r2(ci.lower) as number, upper: r2(ci.upper) as number } : null,
    unit,
    small_n: flags.belowMinN,
    flags: flags.flags,
  };
}

export function emptyRow(): AggRow {
  return {
    bucket: null,
    key: null,
    label: null,
    n: 0,
    sum: 0,
    sum_sq: 0,
    h: [],
    positive: 0,
    negative: 0,
    resolved: 0,
    responded: 0,
    frt_p50: null,
    frt_p90: null,
    res_p50: null,
  };
}

/** Sums rows (percentiles are not additive: they are kept only for a single row). */
export function mergeRows(rows: AggRow[]): AggRow {
  if (rows.length === 1) return rows[0];
  const out = emptyRow();
  for (const r of rows) {
    out.n += r.n;
    out.sum += r.sum;
    out.sum_sq += r.sum_sq;
    out.positive += r.positive;
    out.negative += r.negative;
    out.resolved += r.resolved;
    out.responded += r.responded;
    r.h.forEach((v, i) => {
      out.h[i] = (out.h[i] ?? 0) + v;
    });
  }
  return out;
}

function hist(h: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  h.forEach((v, i) => {
    if (v) out[i] = v;
  });
  return out;
}

/** The CSAT histogram holds only 1–5; stray values (bad imports) are ignored rather than thrown. */
function csatHist(h: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (let i = 1; i <= 5; i++) if (h[i]) out[i] = h[i];
  return out;
}

export function figureOf(m: Metric, r: AggRow, minN: number, confidence: number): Figure {
  switch (m) {
    case 'nps': {
      const x = npsFromHistogram(hist(r.h), { confidence });
      return figure(x.nps, x.n, x.ci, 'nps', minN);
    }
    case 'csat': {
      const x = csatFromHistogram(csatHist(r.h), { confidence });
      return figure(x.csat, x.n, pct(x.satisfied.ci), 'percent', minN);
    }
    case 'csat_mean': {
      const x = meanCiFromSummary(summaryFromSums({ n: r.n, sum: r.sum, sumSq: r.sum_sq }), { confidence });
      return figure(x.mean, r.n, x.ci, 'mean', minN);
    }
    case 'ces': {
      const x = cesFromAggregates({ n: r.n, easy: cesEasy(r), sum: r.sum, sumSq: r.sum_sq }, { confidence });
      return figure(x.mean.mean, r.n, x.mean.ci, 'mean', minN);
    }
    case 'ces_easy': {
      const x = proportionWithCi(cesEasy(r), r.n, confidence);
      return figure(x.percent, r.n, pct(x.ci), 'percent', minN);
    }
    case 'sentiment': {
      const x = sentimentIndexFromCounts(
        { positive: r.positive, negative: r.negative, neutral: r.n - r.positive - r.negative },
        { confidence },
      );
      const ci =
        x.index !== null && x.margin !== null ? { lower: x.index - x.margin, upper: x.index + x.margin } : null;
      return figure(x.index, x.n, ci, 'index', minN);
    }
    case 'responses':
    case 'interactions':
      return figure(r.n, r.n, null, 'count', minN);
    case 'resolution_rate': {
      const x = proportionWithCi(r.resolved, r.n, confidence);
      return figure(x.percent, r.n, pct(x.ci), 'percent', minN);
    }
    case 'first_response_p50':
      return figure(r.frt_p50, r.responded, null, 'seconds', minN);
    case 'first_response_p90':
      return figure(r.frt_p90, r.responded, null, 'seconds', minN);
    case 'resolution_p50':
      return figure(r.res_p50, r.resolved, null, 'seconds', minN);
  }
}

function cesEasy(r: AggRow): number {
  return (r.h[5] ?? 0) + (r.h[6] ?? 0) + (r.h[7] ?? 0);
}

function pct(ci: { lower: number; upper: number } | null): { lower: number; upper: number } | null {
  return ci ? { lower: ci.lower * 100, upper: ci.upper * 100 } : null;
}

/** Current vs previous (or a group vs the rest), with the test that fits the metric. */
export function compare(m: Metric, cur: AggRow, prev: AggRow, minN: number, confidence: number): Comparison {
  const a = figureOf(m, cur, minN, confidence);
  const b = figureOf(m, prev, minN, confidence);
  const alpha = 1 - confidence;
  const change = a.value !== null && b.value !== null ? r2(a.value - b.value) : null;
  let p: number | null = null;
  let test: Comparison['test'] = null;
  if (m === 'nps' && cur.n > 0 && prev.n > 0) {
    const t = npsDifferenceTest(npsFromHistogram(hist(cur.h)), npsFromHistogram(hist(prev.h)), { alpha });
    p = t.pValue;
    test = 'nps_z';
  } else if ((m === 'csat' || m === 'ces_easy' || m === 'resolution_rate') && cur.n > 0 && prev.n > 0) {
    const s = (r: AggRow) =>
      m === 'csat' ? (r.h[4] ?? 0) + (r.h[5] ?? 0) : m === 'ces_easy' ? cesEasy(r) : r.resolved;
    const t = twoProportionTest({ successes: s(cur), n: cur.n }, { successes: s(prev), n: prev.n }, { alpha });
    p = t.pValue;
    test = 'two_proportion';
  } else if ((m === 'csat_mean' || m === 'ces') && cur.n >= 2 && prev.n >= 2) {
    const t = welchTTest(
      { n: cur.n, sum: cur.sum, sumSq: cur.sum_sq },
      { n: prev.n, sum: prev.sum, sumSq: prev.sum_sq },
      { alpha },
    );
    p = t.pValue;
    test = 'welch_t';
  } else if (m === 'sentiment' && cur.n > 0 && prev.n > 0) {
    const t = npsDifferenceTest(
      { promoters: cur.positive, passives: cur.n - cur.positive - cur.negative, detractors: cur.negative },
      { promoters: prev.positive, passives: prev.n - prev.positive - prev.negative, detractors: prev.negative },
      { alpha },
    );
    p = t.pValue;
    test = 'nps_z';
  }
  return {
    previous: b,
    change,
    p_value: p === null ? null : Math.round(p * 1e6) / 1e6,
    significant: p !== null && p < alpha,
    test,
  };
}

/** The rest of the rows: total minus one group (additive measures only). */
export function minus(total: AggRow, part: AggRow): AggRow {
  return {
    ...emptyRow(),
    n: total.n - part.n,
    sum: total.sum - part.sum,
    sum_sq: total.sum_sq - part.sum_sq,
    h: total.h.map((v, i) => v - (part.h[i] ?? 0)),
    positive: total.positive - part.positive,
    negative: total.negative - part.negative,
    resolved: total.resolved - part.resolved,
    responded: total.responded - part.responded,
  };
}

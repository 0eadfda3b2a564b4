// How the dashboard reads figures where a plain number would mislead: the range a measure can take,
// a margin band kept inside it, a change between periods, a caveat on a weak driver model.
// No React, no DOM and no imports, so Node's test runner checks them (packages/web/test).

/** The range a measure can take (an open end: none), and the axis step that suits it. */
export interface Bounds {
  min: number | null;
  max: number | null;
  step: number;
}

const SHARE: Bounds = { min: 0, max: 100, step: 10 };
const SIGNED: Bounds = { min: -100, max: 100, step: 20 };
const NON_NEGATIVE: Bounds = { min: 0, max: null, step: 1 };

/** Every measure the Trends page offers, by key; others by their unit. */
const METRIC_BOUNDS: Record<string, Bounds> = {
  nps: SIGNED,
  csat: SHARE,
  csat_mean: { min: 1, max: 5, step: 0.5 },
  ces: { min: 1, max: 7, step: 0.5 },
  ces_easy: SHARE,
  sentiment: SIGNED,
  responses: NON_NEGATIVE,
  interactions: NON_NEGATIVE,
  resolution_rate: SHARE,
  first_response_p50: NON_NEGATIVE,
  first_response_p90: NON_NEGATIVE,
  resolution_p50: NON_NEGATIVE,
};

const UNIT_BOUNDS: Record<string, Bounds> = {
  nps: SIGNED,
  index: SIGNED,
  percent: SHARE,
  count: NON_NEGATIVE,
  seconds: NON_NEGATIVE,
};

export function boundsOf(metric: string, unit?: string): Bounds {
  return METRIC_BOUNDS[metric] ?? (unit ? UNIT_BOUNDS[unit] : undefined) ?? { min: null, max: null, step: 1 };
}

export function clamp(x: number, b: Bounds): number {
  return Math.min(b.max ?? Number.POSITIVE_INFINITY, Math.max(b.min ?? Number.NEGATIVE_INFINITY, x));
}

/**
 * A margin band as two stacked series: its lower edge, and its height above that edge. Both edges
 * are clipped to the measure's bounds, so a band never leaves the range the measure can take (an
 * NPS interval of 60 ± 45 is drawn 15..100). The stack must add the two whatever their signs
 * (ECharts `stackStrategy: 'all'`): by default it stacks negative and positive values apart, and a
 * band below zero would start at 0.
 */
export function bandData(
  points: readonly { ci?: { lower: number; upper: number } | null }[],
  bounds: Bounds,
): { lower: (number | null)[]; height: (number | null)[] } {
  const lower: (number | null)[] = [];
  const height: (number | null)[] = [];
  for (const p of points) {
    if (!p.ci || !Number.isFinite(p.ci.lower) || !Number.isFinite(p.ci.upper)) {
      lower.push(null);
      height.push(null);
      continue;
    }
    const lo = clamp(Math.min(p.ci.lower, p.ci.upper), bounds);
    const hi = clamp(Math.max(p.ci.lower, p.ci.upper), bounds);
    lower.push(lo);
    height.push(hi - lo);
  }
  return { lower, height };
}

/**
 * The y axis's ends for data spanning `lo..hi`: a little room, rounded to the measure's step, never
 * past its bounds (ECharts' own rounding would run an NPS axis to 200).
 */
export function axisRange(lo: number, hi: number, b: Bounds): { min: number; max: number } {
  const pad = Math.max((hi - lo) * 0.05, b.step / 4);
  const min = clamp(Math.floor((lo - pad) / b.step) * b.step, b);
  const max = clamp(Math.ceil((hi + pad) / b.step) * b.step, b);
  return { min: round(min), max: round(Math.max(max, min + b.step)) };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * A change in mentions against the previous period, from their ratio (1.04 = 4% more): one wording
 * wherever it is shown. `null` (nothing before) is new; a change that rounds to 0% is no change.
 * `mentions`: this period's, so that a topic absent from both periods is not called new.
 */
export function mentionChange(ratio: number | null, mentions = 1): { arrow: '▲' | '▼' | ''; text: string } {
  if (ratio === null || !Number.isFinite(ratio))
    return { arrow: '', text: mentions > 0 ? 'new this period' : 'no mentions in either period' };
  const pct = Math.round((ratio - 1) * 100);
  if (pct === 0) return { arrow: '', text: 'no change vs previous period' };
  return { arrow: pct > 0 ? '▲' : '▼', text: `${pct > 0 ? '+' : '−'}${Math.abs(pct)}% vs previous period` };
}

/** A driver model below this R² explains too little to rank causes with confidence. */
export const WEAK_R2 = 0.2;

/**
 * What a driver model is worth, in plain words: R² and n, and a caveat when it explains little.
 * `outcome` names what it explains (“NPS”).
 */
export function driverModelNote(
  r2: number,
  n: number,
  outcome: string,
): { weak: boolean; fit: string; caveat: string | null } {
  const share = Math.round(r2 * 100);
  const fit = `R² = ${r2.toFixed(2)}, n = ${n.toLocaleString('en')}`;
  const weak = !(r2 >= WEAK_R2);
  return {
    weak,
    fit,
    caveat: weak
      ? `These drivers together explain only ${share}% of the variation in ${outcome}; most of what moves it is not in the model. Read the ranking as a lead to check, not a finding.`
      : null,
  };
}

/**
 * A driver's importance as the table and chart both show it: its share of the explained variation
 * (always positive, what the chart's axis plots) and the direction it pushes the outcome.
 */
export function driverImportance(d: { weight: number; signed_weight: number }): { share: string; effect: string } {
  return {
    share: `${Math.abs(d.weight).toFixed(1)}%`,
    effect: d.signed_weight < 0 ? 'lowers' : d.signed_weight > 0 ? 'raises' : 'no effect',
  };
}

/** Fix first: the drivers in the fix-first quadrant whose effect is significant, in the API's order. */
export function fixFirst<D extends { key: string; significant: boolean; quadrant: string | null }>(
  keys: readonly string[],
  drivers: readonly D[],
): { fix: D[]; unproven: D[] } {
  const by = new Map(drivers.map((d) => [d.key, d]));
  const listed = keys.map((k) => by.get(k)).filter((d): d is D => !!d);
  const inQuadrant = [...listed, ...drivers.filter((d) => d.quadrant === 'fix_first' && !keys.includes(d.key))];
  return { fix: inQuadrant.filter((d) => d.significant), unproven: inQuadrant.filter((d) => !d.significant) };
}

/** A loyalty rate: its percent, or why it is not known; the n behind it when that is small. */
export function loyaltyRate(
  r: { value: number | null; n: number; ci: { lower: number; upper: number } | null },
  opts: { pending: boolean; minN: number },
): { text: string; interval: string | null; note: string | null } {
  if (r.value === null || r.n === 0)
    return { text: opts.pending ? 'not yet known' : '—', interval: null, note: opts.pending ? null : 'no customers' };
  const text = `${r.value.toFixed(1)}%`;
  const interval = r.ci ? `(${r.ci.lower.toFixed(0)}–${r.ci.upper.toFixed(0)}%)` : null;
  return { text, interval, note: r.n < opts.minN ? `n = ${r.n}` : null };
}

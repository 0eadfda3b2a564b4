import {
  bucketCoverage,
  bucketLabel,
  bucketsBetween,
  DEFAULT_ENGAGEMENT_HALF_LIFE_DAYS,
  DEFAULT_ENGAGEMENT_WEIGHTS,
  DEFAULT_TAXONOMY,
  DriverAnalysisError,
  importancePerformance,
  lifetimeValue,
  loyaltyByBoxFromCounts,
  NO_OUTCOMES,
  npsDifferenceTest,
  npsFromCounts,
  proportionWithCi,
  referralRate,
  relativeWeights,
  relativeWeightsFromCorrelations,
  repeatPurchaseRate,
  retentionRate,
  revenuePerCustomer,
  smallNFlags,
  timestamp,
} from '@canopy/core';
import {
  type AggQuery,
  type AggResult,
  type AggRow,
  aggregate,
  type Cursor,
  DIMENSIONS,
  type Dimension,
  decodeCursor,
  engagementCountsMany,
  type Granularity,
  getOrgTaxonomy,
  JOURNEY_STAGES,
  journeyStats,
  loyaltyCounts,
  type MetricFilter,
  type Store,
  servedCustomerNps,
  topicBucketsMany,
  topicDriverStats,
  touchpointDriverRows,
  verbatims,
} from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type Comparison,
  compare,
  emptyRow,
  type Figure,
  figure,
  figureOf,
  METRICS,
  type Metric,
  mergeRows,
  metricSource,
  minus,
} from '../analytics/figures.js';
import type { ApiKeyAuth } from '../auth.js';
import { Problem } from '../problem.js';
import { apiRoute } from '../route.js';

const DAY = 86_400_000;
const FILTER_KEYS = [
  'touchpoint',
  'department',
  'stage',
  'channel',
  'agent',
  'team',
  'segment',
  'topic',
  'survey',
] as const;

const list = z
  .string()
  .max(2000)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
const intParam = (min: number, max: number, dflt: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(dflt);
const dimension = z
  .string()
  .refine((s) => (DIMENSIONS as readonly string[]).includes(s) || /^attr\.[\w.-]{1,100}$/.test(s), {
    message: `must be one of ${DIMENSIONS.join(', ')} or attr.<key>`,
  });

const common = {
  from: timestamp.optional(),
  to: timestamp.optional(),
  granularity: z.enum(['day', 'week', 'month', 'quarter']).default('week'),
  min_n: intParam(1, 100_000, 30),
  confidence: z.coerce.number({ error: 'must be a number' }).min(0.8).max(0.999).default(0.95),
  ...Object.fromEntries(FILTER_KEYS.map((k) => [k, list.optional()])),
};

/** Common params + filters; `attr.<key>` params are the only extra keys allowed. */
function querySchema<T extends z.ZodRawShape>(extra: T) {
  return z
    .object({ ...common, ...extra })
    .catchall(z.string().max(500))
    .superRefine((v, ctx) => {
      for (const k of Object.keys(v)) {
        if (k in common || k in extra) continue;
        if (!/^attr\.[\w.-]{1,100}$/.test(k))
          ctx.addIssue({ code: 'custom', path: [k], message: 'is not a known parameter' });
      }
    });
}

interface Common {
  from?: Date;
  to?: Date;
  granularity: Granularity;
  min_n: number;
  confidence: number;
  [k: string]: unknown;
}

interface Ctx {
  from: Date;
  to: Date;
  prevFrom: Date;
  prevTo: Date;
  granularity: Granularity;
  minN: number;
  confidence: number;
  filter: MetricFilter;
}

function ctxOf(q: Common): Ctx {
  const to = q.to ?? new Date(Math.floor(Date.now() / DAY) * DAY + DAY);
  const from = q.from ?? new Date(to.getTime() - 90 * DAY);
  if (from.getTime() >= to.getTime()) {
    throw new Problem(400, 'Invalid query', 'from must be before to', [{ field: 'from', reason: 'must be before to' }]);
  }
  const len = to.getTime() - from.getTime();
  const filter: MetricFilter = {};
  for (const k of FILTER_KEYS) {
    const v = q[k] as string[] | undefined;
    if (v?.length) filter[k] = v;
  }
  for (const [k, v] of Object.entries(q)) {
    if (k.startsWith('attr.') && typeof v === 'string') {
      filter.attrs ??= {};
      filter.attrs[k.slice(5)] = v.split(',').map((x) => x.trim());
    }
  }
  return {
    from,
    to,
    prevFrom: new Date(from.getTime() - len),
    prevTo: from,
    granularity: q.granularity,
    minN: q.min_n,
    confidence: q.confidence,
    filter,
  };
}

const windowOf = (c: Ctx) => ({ from: c.from.toISOString(), to: c.to.toISOString(), granularity: c.granularity });

type Point = { bucket: string; label: string; partial?: { days: number; of: number } } & Figure;

function aggQ(m: Metric, c: Ctx, extra: Partial<AggQuery> = {}): AggQuery {
  const s = metricSource(m);
  return {
    family: s.family,
    type: s.type,
    percentiles: s.percentiles,
    from: c.from,
    to: c.to,
    filter: c.filter,
    ...extra,
  };
}

/**
 * A first or last bucket the window (up to now: nothing has happened later) covers only in part:
 * `partial: {days, of}`, so charts mark it instead of showing its smaller count as a dip.
 */
function partialOf(b: Date, c: Ctx): { partial?: { days: number; of: number } } {
  const end = new Date(Math.min(c.to.getTime(), Date.now()));
  const cov = bucketCoverage(b, c.granularity, c.from, end > c.from ? end : c.to);
  return cov ? { partial: cov } : {};
}

function pointsOf(m: Metric, rows: AggRow[], c: Ctx): Point[] {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  return bucketsBetween(c.from, c.to, c.granularity).map((b) => {
    const key = b.toISOString().slice(0, 10);
    return {
      bucket: key,
      label: bucketLabel(b, c.granularity),
      ...figureOf(m, byBucket.get(key) ?? emptyRow(), c.minN, c.confidence),
      ...partialOf(b, c),
    };
  });
}

function groupBy<T>(xs: T[], k: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const key = k(x);
    const l = m.get(key);
    if (l) l.push(x);
    else m.set(key, [x]);
  }
  return m;
}

/** Driver-analysis failures that only say the period holds too little data: an empty result, not an error. */
const NOT_ENOUGH_DATA = new Set(['no_drivers', 'too_few_rows', 'constant_outcome']);

class NotEnoughDriverData extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function driverError(err: unknown): never {
  if (err instanceof DriverAnalysisError) {
    const code = (err as { code?: string }).code ?? '';
    if (NOT_ENOUGH_DATA.has(code)) throw new NotEnoughDriverData(code, err.message);
    throw new Problem(422, 'Driver analysis impossible', `${err.message} (${(err as { code?: string }).code})`);
  }
  throw err;
}

export function metricsRoutes(app: FastifyInstance, store: Store, auth: ApiKeyAuth): void {
  const db = store.db;

  /**
   * One request's aggregates, each query run once: metrics of one family (csat and csat_mean;
   * interactions and resolution_rate; the three duration percentiles) share theirs.
   */
  function memoAggregate(orgId: string): (q: AggQuery) => Promise<AggResult> {
    const cache = new Map<string, Promise<AggResult>>();
    return (q) => {
      const k = JSON.stringify(q);
      let p = cache.get(k);
      if (!p) {
        p = aggregate(db, orgId, q);
        cache.set(k, p);
      }
      return p;
    };
  }

  async function kpiFor(agg: (q: AggQuery) => Promise<AggResult>, m: Metric, c: Ctx) {
    const pct = !!metricSource(m).percentiles;
    // The window's total is the sum of its sparkline's buckets (additive measures), so only
    // percentiles, which do not add up, need a query of their own.
    const [cur, prev, spark] = await Promise.all([
      pct ? agg(aggQ(m, c)) : Promise.resolve(null),
      agg(aggQ(m, c, { from: c.prevFrom, to: c.prevTo })),
      pct ? Promise.resolve(null) : agg(aggQ(m, c, { granularity: c.granularity })),
    ]);
    const a = (cur ? cur.rows[0] : spark?.rows.length ? mergeRows(spark.rows) : undefined) ?? emptyRow();
    const b = prev.rows[0] ?? emptyRow();
    return {
      ...figureOf(m, a, c.minN, c.confidence),
      ...compare(m, a, b, c.minN, c.confidence),
      sparkline: spark ? pointsOf(m, spark.rows, c) : [],
      source: (cur ?? spark ?? prev).source,
    };
  }

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/overview',
    summary: 'Service, experience and engagement KPIs with previous period, significance and sparklines',
    tags: ['metrics'],
    query: querySchema({}),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const c = ctxOf(query as Common);
      const o = org.orgId;
      const service = [
        'csat',
        'csat_mean',
        'first_response_p50',
        'first_response_p90',
        'resolution_p50',
        'resolution_rate',
        'interactions',
      ] as const;
      const experience = ['nps', 'ces', 'sentiment'] as const;
      const out: Record<string, Record<string, unknown>> = { service: {}, experience: {}, engagement: {} };
      const agg = memoAggregate(o);
      // All at once: on PostgreSQL they run on separate pool connections; PGlite queues them.
      const [svc, exp, gap, eng] = await Promise.all([
        Promise.all(service.map((m) => kpiFor(agg, m, c))),
        Promise.all(experience.map((m) => kpiFor(agg, m, c))),
        expectationGapKpi(o, c),
        engagementKpis(o, c),
      ]);
      let source = 'rollup';
      service.forEach((m, i) => {
        const { source: s, ...rest } = svc[i];
        if (s === 'raw' && !metricSource(m).percentiles) source = 'raw';
        out.service[m] = rest;
      });
      experience.forEach((m, i) => {
        const { source: s, ...rest } = exp[i];
        if (s === 'raw') source = 'raw';
        out.experience[m] = rest;
      });
      out.experience.expectation_gap = gap;
      Object.assign(out.engagement, eng);
      return {
        window: windowOf(c),
        previous_window: { from: c.prevFrom.toISOString(), to: c.prevTo.toISOString() },
        source,
        ...out,
      };
    },
  });

  async function expectationGapKpi(orgId: string, c: Ctx) {
    const { sql } = await import('kysely');
    const q = (from: Date, to: Date) =>
      sql<{ n: number; s: number; s2: number }>`
        SELECT count(*)::int AS n, coalesce(sum(p.value_num - e.value_num), 0)::float8 AS s,
          coalesce(sum((p.value_num - e.value_num)^2), 0)::float8 AS s2
        FROM answers e JOIN answers p ON p.org_id = e.org_id AND p.response_id = e.response_id AND p.type = 'rating'
          AND (p.field = 'perception' OR p.scale_max = e.scale_max)
        LEFT JOIN touchpoints tp ON tp.org_id = e.org_id AND tp.id = e.touchpoint_id
        WHERE e.org_id = ${orgId}::uuid AND e.type = 'expectation' AND e.value_num IS NOT NULL AND p.value_num IS NOT NULL
          AND e.submitted_at >= ${from.toISOString()}::timestamptz AND e.submitted_at < ${to.toISOString()}::timestamptz
          ${c.filter.touchpoint?.length ? sql`AND tp.key = ANY(${c.filter.touchpoint}::text[])` : sql``}`.execute(db);
    const { meanCiFromSummary, summaryFromSums, welchTTest } = await import('@canopy/core');
    const [a, b] = await Promise.all([q(c.from, c.to), q(c.prevFrom, c.prevTo)]);
    const ra = a.rows[0];
    const rb = b.rows[0];
    const m = meanCiFromSummary(summaryFromSums({ n: ra.n, sum: ra.s, sumSq: ra.s2 }), { confidence: c.confidence });
    const mp = meanCiFromSummary(summaryFromSums({ n: rb.n, sum: rb.s, sumSq: rb.s2 }), { confidence: c.confidence });
    const cur = figure(m.mean, ra.n, m.ci, 'score', c.minN);
    const prev = figure(mp.mean, rb.n, mp.ci, 'score', c.minN);
    const t =
      ra.n >= 2 && rb.n >= 2
        ? welchTTest(
            { n: ra.n, sum: ra.s, sumSq: ra.s2 },
            { n: rb.n, sum: rb.s, sumSq: rb.s2 },
            { alpha: 1 - c.confidence },
          )
        : null;
    return {
      ...cur,
      previous: prev,
      change: cur.value !== null && prev.value !== null ? Math.round((cur.value - prev.value) * 100) / 100 : null,
      p_value: t?.pValue ?? null,
      significant: t?.significant ?? false,
      test: t ? 'welch_t' : null,
      sparkline: [],
    };
  }

  /**
   * The currency revenue is in: the one the org's purchase events carry most (ISO 4217), and
   * whether they carry more than one (their values are summed as they are, so a mix is flagged).
   */
  async function revenueCurrency(orgId: string, c: Ctx): Promise<{ code: string | null; mixed: boolean }> {
    const { sql } = await import('kysely');
    // The purchases of the two periods compared; without any, the org's latest that names one.
    const r = await sql<{ currency: string; n: number }>`
      SELECT currency, count(*)::int AS n FROM events
      WHERE org_id = ${orgId}::uuid AND type = 'purchase' AND currency IS NOT NULL
        AND occurred_at >= ${c.prevFrom.toISOString()}::timestamptz AND occurred_at < ${c.to.toISOString()}::timestamptz
      GROUP BY currency ORDER BY n DESC, currency LIMIT 2`.execute(db);
    if (r.rows.length) return { code: r.rows[0]!.currency, mixed: r.rows.length > 1 };
    const last = await sql<{ currency: string }>`
      SELECT currency FROM events
      WHERE org_id = ${orgId}::uuid AND type = 'purchase' AND currency IS NOT NULL
      ORDER BY occurred_at DESC LIMIT 1`.execute(db);
    return { code: last.rows[0]?.currency ?? null, mixed: false };
  }

  async function engagementKpis(orgId: string, c: Ctx) {
    const opts = {
      filter: c.filter,
      weights: DEFAULT_ENGAGEMENT_WEIGHTS as Record<string, number>,
      halfLifeDays: DEFAULT_ENGAGEMENT_HALF_LIFE_DAYS,
    };
    const [[cur, prev], currency] = await Promise.all([
      engagementCountsMany(db, orgId, {
        windows: [
          { from: c.from, to: c.to },
          { from: c.prevFrom, to: c.prevTo },
        ],
        ...opts,
      }),
      revenueCurrency(orgId, c),
    ]);
    const days = (c.to.getTime() - c.from.getTime()) / DAY;
    const { meanCiFromSummary, twoProportionTest, welchTTest } = await import('@canopy/core');
    // Money figures say their currency (null when no purchase names one).
    const money = (f: Figure) => ({
      ...f,
      currency: currency.code,
      flags: currency.mixed ? [...f.flags, 'mixed_currencies'] : f.flags,
    });
    const figs = (e: typeof cur) => {
      const ret = retentionRate({ atStart: e.at_start, atEnd: e.at_end, newInPeriod: e.new_in_period });
      const retained = Math.max(0, Math.min(e.at_start, ret.retained));
      const rp = proportionWithCi(retained, e.at_start, c.confidence);
      const churnCi = rp.ci ? { lower: (1 - rp.ci.upper) * 100, upper: (1 - rp.ci.lower) * 100 } : null;
      const rep = repeatPurchaseRate(e.buyers, e.repeat_buyers, c.confidence);
      const ref = referralRate(e.active_in_period, e.referrers, c.confidence);
      const rpc = revenuePerCustomer(e.revenue, e.active_in_period);
      const churn30 = ret.retention === null ? null : 1 - ret.retention ** (30 / days);
      const ltv =
        rpc !== null && churn30 !== null
          ? lifetimeValue({
              revenuePerPeriod: rpc / (days / 30),
              churnPerPeriod: Math.min(1, Math.max(0, churn30)),
              horizonPeriods: 60,
            })
          : null;
      const eng = meanCiFromSummary(
        {
          n: e.engagement_n,
          mean: e.engagement_mean,
          variance: e.engagement_sd === null ? null : e.engagement_sd ** 2,
          sd: e.engagement_sd,
        },
        { confidence: c.confidence },
      );
      const p = (x: { percent: number | null; ci: { lower: number; upper: number } | null; n: number }) =>
        figure(x.percent, x.n, x.ci ? { lower: x.ci.lower * 100, upper: x.ci.upper * 100 } : null, 'percent', c.minN);
      return {
        raw: { retained, ret, rep, ref },
        engagement_score: figure(e.engagement_mean, e.engagement_n, eng.ci, 'score', c.minN),
        retention: figure(
          ret.retention === null ? null : ret.retention * 100,
          e.at_start,
          rp.ci ? { lower: rp.ci.lower * 100, upper: rp.ci.upper * 100 } : null,
          'percent',
          c.minN,
        ),
        churn: figure(ret.churn === null ? null : ret.churn * 100, e.at_start, churnCi, 'percent', c.minN),
        repeat_purchase: p(rep),
        referral_rate: p(ref),
        revenue_per_customer: money(figure(rpc, e.active_in_period, null, 'currency', c.minN)),
        ltv: money(figure(ltv?.value ?? null, e.active_in_period, null, 'currency', c.minN)),
      };
    };
    const a = figs(cur);
    const b = figs(prev);
    const alpha = 1 - c.confidence;
    const withCmp = (k: keyof typeof a, test: (() => number | null) | null, t: Comparison['test']) => {
      const x = a[k] as Figure;
      const y = b[k] as Figure;
      const pv = test ? test() : null;
      return {
        ...x,
        previous: y,
        change: x.value !== null && y.value !== null ? Math.round((x.value - y.value) * 100) / 100 : null,
        p_value: pv,
        significant: pv !== null && pv < alpha,
        test: pv === null ? null : t,
        sparkline: [],
      };
    };
    const prop = (s1: number, n1: number, s2: number, n2: number) => () =>
      n1 > 0 && n2 > 0 ? twoProportionTest({ successes: s1, n: n1 }, { successes: s2, n: n2 }, { alpha }).pValue : null;
    return {
      engagement_score: withCmp(
        'engagement_score',
        () =>
          cur.engagement_n >= 2 && prev.engagement_n >= 2 && cur.engagement_sd !== null && prev.engagement_sd !== null
            ? welchTTest(
                { n: cur.engagement_n, mean: cur.engagement_mean ?? 0, sd: cur.engagement_sd },
                { n: prev.engagement_n, mean: prev.engagement_mean ?? 0, sd: prev.engagement_sd },
                { alpha },
              ).pValue
            : null,
        'welch_t',
      ),
      retention: withCmp(
        'retention',
        prop(a.raw.retained, cur.at_start, b.raw.retained, prev.at_start),
        'two_proportion',
      ),
      churn: withCmp('churn', prop(a.raw.retained, cur.at_start, b.raw.retained, prev.at_start), 'two_proportion'),
      repeat_purchase: withCmp(
        'repeat_purchase',
        prop(cur.repeat_buyers, cur.buyers, prev.repeat_buyers, prev.buyers),
        'two_proportion',
      ),
      referral_rate: withCmp(
        'referral_rate',
        prop(cur.referrers, cur.active_in_period, prev.referrers, prev.active_in_period),
        'two_proportion',
      ),
      revenue_per_customer: withCmp('revenue_per_customer', null, null),
      ltv: withCmp('ltv', null, null),
    };
  }

  const metricParam = z.enum(METRICS);

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/series',
    summary: 'One metric over time with margins, optionally one series per group',
    tags: ['metrics'],
    query: querySchema({ metric: metricParam, group_by: dimension.optional(), limit: intParam(1, 100, 10) }),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const q = query as Common & { metric: Metric; group_by?: Dimension; limit: number };
      const c = ctxOf(q);
      const by = q.group_by ?? null;
      const pct = !!metricSource(q.metric).percentiles;
      const [series, totals] = await Promise.all([
        aggregate(db, org.orgId, aggQ(q.metric, c, { granularity: c.granularity, groupBy: by })),
        aggregate(db, org.orgId, aggQ(q.metric, c, { groupBy: by })),
      ]);
      const groups = groupBy(series.rows, (r) => r.key ?? '\u0000');
      const tot = [...totals.rows].sort((a, b) => b.n - a.n).slice(0, q.limit);
      return {
        metric: q.metric,
        window: windowOf(c),
        source: series.source,
        group_by: by,
        series: tot.map((t) => ({
          key: t.key,
          label: t.label,
          total: figureOf(q.metric, t, c.minN, c.confidence),
          points: pointsOf(q.metric, groups.get(t.key ?? '\u0000') ?? [], c),
          ...(pct ? {} : {}),
        })),
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/breakdown',
    summary: 'One metric grouped by a dimension, each group tested against the rest',
    tags: ['metrics'],
    query: querySchema({
      metric: metricParam,
      group_by: dimension,
      limit: intParam(1, 500, 50),
      sort: z.enum(['n', 'value', '-value']).default('n'),
    }),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const q = query as Common & {
        metric: Metric;
        group_by: Dimension;
        limit: number;
        sort: 'n' | 'value' | '-value';
      };
      const c = ctxOf(q);
      const [groups, total] = await Promise.all([
        aggregate(db, org.orgId, aggQ(q.metric, c, { groupBy: q.group_by })),
        aggregate(db, org.orgId, aggQ(q.metric, c)),
      ]);
      const t = total.rows[0] ?? emptyRow();
      let out = groups.rows.map((g) => ({
        key: g.key,
        label: g.label,
        ...figureOf(q.metric, g, c.minN, c.confidence),
        vs_rest: compare(q.metric, g, minus(t, g), c.minN, c.confidence),
      }));
      if (q.sort === 'n') out.sort((a, b) => b.n - a.n);
      else {
        const s = q.sort === 'value' ? 1 : -1;
        out.sort((a, b) => s * ((a.value ?? Number.NEGATIVE_INFINITY) - (b.value ?? Number.NEGATIVE_INFINITY)));
      }
      out = out.slice(0, q.limit);
      return {
        metric: q.metric,
        window: windowOf(c),
        source: groups.source,
        group_by: q.group_by,
        total: figureOf(q.metric, t, c.minN, c.confidence),
        groups: out,
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/loyalty',
    summary: 'Retention, repurchase and referral by NPS (0–10) or CSAT (1–5) box; top box vs one lower',
    tags: ['metrics'],
    query: querySchema({ scale: z.enum(['nps', 'csat']).default('nps'), horizon_days: intParam(1, 3650, 365) }),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const q = query as Common & { scale: 'nps' | 'csat'; horizon_days: number };
      const c = ctxOf(q);
      const scale = q.scale === 'nps' ? { min: 0, max: 10 } : { min: 1, max: 5 };
      // An outcome within the horizon is known for certain only once the horizon has passed: counting
      // the early cancellations (or purchases, referrals) of answers still inside it would read as
      // "everyone left" (or "everyone referred"). Rates come from the answers whose follow-up is
      // complete (answered before now − horizon); the boxes' n from the whole window.
      const now = new Date();
      const completeBefore = new Date(now.getTime() - q.horizon_days * DAY);
      const followedTo = completeBefore.getTime() < c.to.getTime() ? completeBefore : c.to;
      const followUp =
        followedTo.getTime() <= c.from.getTime()
          ? ('pending' as const)
          : followedTo.getTime() < c.to.getTime()
            ? ('partial' as const)
            : ('complete' as const);
      const countsOf = async (to: Date) =>
        (
          await loyaltyCounts(db, org.orgId, {
            type: q.scale,
            from: c.from,
            to,
            filter: c.filter,
            horizonDays: q.horizon_days,
            now,
          })
        ).filter((r) => r.box >= scale.min && r.box <= scale.max);
      const [rows, followed] = await Promise.all([
        countsOf(c.to),
        followUp === 'pending' ? [] : followUp === 'complete' ? null : countsOf(followedTo),
      ]);
      const counts = [
        // Customers per box from the whole window, outcomes only from the followed-up answers.
        ...rows.map((r) => ({ box: r.box, n: r.n, ...NO_OUTCOMES })),
        ...(followed ?? rows).map((r) => ({
          box: r.box,
          n: 0,
          retained: r.retained,
          retainedKnown: r.retained_known,
          repurchased: r.repurchased,
          repurchasedKnown: r.repurchased_known,
          referred: r.referred,
          referredKnown: r.referred_known,
        })),
      ];
      const res = loyaltyByBoxFromCounts(counts, scale, { confidence: c.confidence, alpha: 1 - c.confidence });
      const rate = (p: {
        percent: number | null;
        n: number;
        successes: number;
        ci: { lower: number; upper: number } | null;
      }) => ({
        value: p.percent === null ? null : Math.round(p.percent * 100) / 100,
        n: p.n,
        successes: p.successes,
        ci: p.ci ? { lower: Math.round(p.ci.lower * 10000) / 100, upper: Math.round(p.ci.upper * 10000) / 100 } : null,
      });
      const groupsDef =
        q.scale === 'nps'
          ? [
              ['detractor', 0, 6],
              ['passive', 7, 8],
              ['promoter', 9, 10],
            ]
          : [
              ['1-3', 1, 3],
              ['4', 4, 4],
              ['5', 5, 5],
            ];
      const groups = groupsDef.map(([name, lo, hi]) => {
        const g = loyaltyByBoxFromCounts(
          counts.filter((x) => x.box >= (lo as number) && x.box <= (hi as number)).map((x) => ({ ...x, box: 0 })),
          { min: 0, max: 1 },
          { confidence: c.confidence },
        ).rows[0];
        return {
          group: name,
          n: g.n,
          retention: rate(g.retention),
          repurchase: rate(g.repurchase),
          referral: rate(g.referral),
        };
      });
      const top = res.rows[res.rows.length - 1];
      const next = res.rows[res.rows.length - 2];
      const test = (
        t: {
          difference: number | null;
          pValue: number | null;
          significant: boolean;
          ci: { lower: number; upper: number } | null;
        },
        k: 'retention' | 'repurchase' | 'referral',
      ) => ({
        difference: t.difference === null ? null : Math.round(t.difference * 10000) / 100,
        p_value: t.pValue,
        significant: t.significant,
        ci: t.ci ? { lower: Math.round(t.ci.lower * 10000) / 100, upper: Math.round(t.ci.upper * 10000) / 100 } : null,
        // The customers behind each side (outcome known), and whether either is a small sample.
        n_top: top[k].n,
        n_next: next[k].n,
        small_n: Math.min(top[k].n, next[k].n) < c.minN,
      });
      return {
        scale,
        window: windowOf(c),
        horizon_days: q.horizon_days,
        follow_up: {
          status: followUp,
          complete_before: completeBefore.toISOString(),
          followed_up_to: followUp === 'pending' ? null : followedTo.toISOString(),
        },
        min_n: c.minN,
        source: 'raw',
        rows: res.rows.map((r) => {
          const f = figure(null, r.n, null, 'count', c.minN);
          return {
            box: r.box,
            n: r.n,
            retention: rate(r.retention),
            repurchase: rate(r.repurchase),
            referral: rate(r.referral),
            small_n: f.small_n,
            flags: f.flags,
          };
        }),
        groups,
        top_vs_next: {
          retention: test(res.topVsNext.retention, 'retention'),
          repurchase: test(res.topVsNext.repurchase, 'repurchase'),
          referral: test(res.topVsNext.referral, 'referral'),
        },
      };
    },
  });

  // Topic labels and owners come from the org's saved taxonomy (its own topics included), read per request.
  const topicsOf = async (orgId: string) =>
    new Map(((await getOrgTaxonomy(store.db, orgId))?.taxonomy ?? DEFAULT_TAXONOMY).topics.map((t) => [t.key, t]));

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/drivers',
    summary: "Key drivers of NPS or churn (Johnson's relative weights) with importance × performance",
    tags: ['metrics'],
    query: querySchema({
      outcome: z.enum(['nps', 'churn']).default('nps'),
      drivers: z.enum(['topics', 'outcomes', 'touchpoints']).default('topics'),
      lookback_days: intParam(1, 730, 90),
      max_drivers: intParam(1, 30, 12),
      topic_level: intParam(1, 3, 2),
    }),
    responses: { 200: 'see docs/api-metrics.md', 422: 'analysis impossible' },
    handler: async (_req, _reply, { org, query }) => {
      const taxonomy = await topicsOf(org.orgId);
      const q = query as Common & {
        outcome: 'nps' | 'churn';
        drivers: 'topics' | 'outcomes' | 'touchpoints';
        lookback_days: number;
        max_drivers: number;
      };
      const c = ctxOf(q);
      try {
        return await driversOf(q, c, taxonomy, org.orgId);
      } catch (err) {
        if (!(err instanceof NotEnoughDriverData)) throw err;
        // Too little data in the period (no driver, too few answers, a constant outcome): a
        // normal state the dashboard shows as such, not a failed request.
        return {
          outcome: q.outcome,
          drivers_kind: q.drivers,
          window: windowOf(c),
          n: 0,
          r2: null,
          method: 'johnson_relative_weights',
          drivers: [],
          fix_first: [],
          fix_first_not_significant: [],
          not_enough_data: { code: err.code, detail: err.detail },
        };
      }
    },
  });

  async function driversOf(
    q: Common & {
      outcome: 'nps' | 'churn';
      drivers: 'topics' | 'outcomes' | 'touchpoints';
      lookback_days: number;
      max_drivers: number;
      topic_level?: number;
    },
    c: Ctx,
    taxonomy: Awaited<ReturnType<typeof topicsOf>>,
    orgId: string,
  ) {
    let result: ReturnType<typeof relativeWeights>;
    const coverage = new Map<string, number>();
    const performance = new Map<string, number | null>();
    if (q.drivers !== 'touchpoints') {
      const s = await topicDriverStats(db, orgId, {
        outcome: q.outcome,
        from: c.from,
        to: c.to,
        filter: c.filter,
        lookbackDays: q.lookback_days,
        maxDrivers: q.max_drivers,
        minCoverage: 0.005,
        level: q.topic_level as number,
        source: q.drivers,
      });
      const names = [...s.drivers.keys()];
      const n = s.n;
      const sdY = Math.sqrt(n * s.sumY2 - s.sumY ** 2);
      const sdX = (k: string) => {
        const x = s.drivers.get(k)?.count ?? 0;
        return Math.sqrt(n * x - x * x);
      };
      const rxy = names.map((k) => {
        const d = s.drivers.get(k) as { count: number; sumY: number };
        return (n * d.sumY - d.count * s.sumY) / (sdX(k) * sdY);
      });
      const rxx = names.map((a, i) =>
        names.map((b, j) => {
          if (i === j) return 1;
          const co = s.pairs.get(a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`) ?? 0;
          const xa = s.drivers.get(a)?.count ?? 0;
          const xb = s.drivers.get(b)?.count ?? 0;
          return (n * co - xa * xb) / (sdX(a) * sdX(b));
        }),
      );
      for (const k of names) {
        const share = (s.drivers.get(k)?.count ?? 0) / Math.max(1, n);
        coverage.set(k, share);
        performance.set(k, 100 * (1 - share));
      }
      try {
        if (!(sdY > 0)) throw new DriverAnalysisError('constant_outcome', 'the outcome has no variance in the data');
        result = relativeWeightsFromCorrelations({ drivers: names, rxx, rxy, n }, { alpha: 1 - c.confidence });
      } catch (err) {
        driverError(err);
      }
    } else {
      if (q.outcome !== 'nps')
        throw new Problem(400, 'Invalid query', 'touchpoint drivers are available for outcome=nps', [
          { field: 'drivers', reason: 'use topics for churn' },
        ]);
      const { ys, cells } = await touchpointDriverRows(db, orgId, {
        from: c.from,
        to: c.to,
        filter: c.filter,
        lookbackDays: q.lookback_days,
      });
      const byKey = groupBy(cells, (x) => x.key);
      const n = ys.size;
      const keys = [...byKey.entries()]
        .filter(([, v]) => v.length >= Math.max(2, 0.01 * n))
        .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
        .slice(0, q.max_drivers)
        .map(([k]) => k);
      const rows = new Map<number, Record<string, number>>();
      for (const [rid, y] of ys) rows.set(rid, { __y: y });
      for (const k of keys) {
        const v = byKey.get(k) as { rid: number; score: number }[];
        const mean = v.reduce((s, x) => s + x.score, 0) / v.length;
        coverage.set(k, v.length / Math.max(1, n));
        performance.set(k, mean);
        for (const r of rows.values()) r[k] = mean;
        for (const x of v) (rows.get(x.rid) as Record<string, number>)[k] = x.score;
      }
      try {
        result = relativeWeights(
          { rows: [...rows.values()], outcome: '__y', drivers: keys },
          { alpha: 1 - c.confidence },
        );
      } catch (err) {
        driverError(err);
      }
    }
    const ipa = importancePerformance(
      result.drivers.map((d) => ({
        key: d.driver,
        importance: d.percent,
        performance: performance.get(d.driver) ?? null,
        // Topics are problems when present: one whose presence moves the outcome the good way
        // (raises NPS, lowers churn — higher churn is worse) is not one to fix. A touchpoint's
        // score has no such direction: a low one is weak whichever way it moves the outcome.
        harmful:
          q.drivers === 'touchpoints' ? undefined : q.outcome === 'churn' ? d.signedPercent > 0 : d.signedPercent < 0,
      })),
    );
    const quadrant = new Map(ipa.items.map((i) => [i.key, i.quadrant]));
    const significant = new Map(result.drivers.map((d) => [d.driver, d.significant]));
    const r4 = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);
    return {
      outcome: q.outcome,
      drivers_kind: q.drivers,
      window: windowOf(c),
      n: result.n,
      r2: r4(result.r2),
      method: 'johnson_relative_weights',
      drivers: [...result.drivers]
        .sort((a, b) => a.rank - b.rank)
        .map((d) => {
          const t = taxonomy.get(d.driver);
          return {
            key: d.driver,
            label: t?.label ?? d.driver,
            department: t?.department ?? null,
            weight: Math.round(d.percent * 100) / 100,
            signed_weight: Math.round(d.signedPercent * 100) / 100,
            raw_weight: r4(d.rawWeight),
            correlation: r4(d.correlation),
            beta: r4(d.beta),
            p_value: d.pValue,
            significant: d.significant,
            rank: d.rank,
            coverage: r4(coverage.get(d.driver) ?? null),
            performance: r4(performance.get(d.driver) ?? null),
            quadrant: quadrant.get(d.driver) ?? null,
          };
        }),
      // Only drivers whose effect is significant: an important-looking driver that could be chance
      // is no basis for where to start. The rest of the quadrant is listed apart.
      fix_first: ipa.fixFirst.filter((i) => significant.get(i.key)).map((i) => i.key),
      fix_first_not_significant: ipa.fixFirst.filter((i) => !significant.get(i.key)).map((i) => i.key),
      not_enough_data: null,
    };
  }

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/journey',
    summary: 'Per journey stage and touchpoint: volume, scores, drop-off, time between stages, common paths',
    tags: ['metrics'],
    query: querySchema({}),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const c = ctxOf(query as Common);
      const o = org.orgId;
      const [j, nps, csat, sent] = await Promise.all([
        journeyStats(db, o, { from: c.from, to: c.to, filter: c.filter }),
        aggregate(db, o, aggQ('nps', c, { groupBy: 'touchpoint' })),
        aggregate(db, o, aggQ('csat', c, { groupBy: 'touchpoint' })),
        aggregate(db, o, aggQ('sentiment', c, { groupBy: 'touchpoint' })),
      ]);
      const idx = (a: { rows: AggRow[] }) => new Map(a.rows.map((r) => [r.key, r]));
      const [ni, ci, si] = [idx(nps), idx(csat), idx(sent)];
      const byStage = groupBy(j.touchpoints, (t) => t.stage);
      const stageCustomers = new Map(j.stages.map((s) => [s.stage, s.customers]));
      const gaps = new Map(j.gaps.map((g) => [g.to_stage, g]));
      const present = JOURNEY_STAGES.filter((s) => byStage.has(s));
      return {
        window: windowOf(c),
        source: nps.source,
        stages: present.map((stage, i) => {
          const tps = byStage.get(stage) ?? [];
          const rows = (m: Map<string | null, AggRow>) => mergeRows(tps.map((t) => m.get(t.key) ?? emptyRow()));
          const prev = i > 0 ? stageCustomers.get(present[i - 1]) : undefined;
          const cust = stageCustomers.get(stage) ?? 0;
          const g = gaps.get(stage);
          return {
            stage,
            customers: cust,
            interactions: tps.reduce((s, t) => s + t.interactions, 0),
            responses: tps.reduce((s, t) => s + t.responses, 0),
            nps: figureOf('nps', rows(ni), c.minN, c.confidence),
            csat: figureOf('csat', rows(ci), c.minN, c.confidence),
            sentiment: figureOf('sentiment', rows(si), c.minN, c.confidence),
            drop_off: { from_previous: prev ? Math.round((1 - cust / prev) * 10000) / 10000 : null },
            median_days_from_previous:
              g && g.from_stage === present[i - 1] && g.median_days !== null
                ? Math.round(g.median_days * 100) / 100
                : null,
            touchpoints: tps.map((t) => ({
              key: t.key,
              label: t.label,
              department: t.department,
              channel: t.channel,
              customers: t.customers,
              interactions: t.interactions,
              responses: t.responses,
              nps: figureOf('nps', ni.get(t.key) ?? emptyRow(), c.minN, c.confidence),
              csat: figureOf('csat', ci.get(t.key) ?? emptyRow(), c.minN, c.confidence),
              sentiment: figureOf('sentiment', si.get(t.key) ?? emptyRow(), c.minN, c.confidence),
            })),
          };
        }),
        paths: j.paths,
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/agents',
    summary: 'Agent and team scorecards: CSAT credited to the agent on the response, resolution, trend, loyalty change',
    tags: ['metrics'],
    query: querySchema({ sort: z.enum(['n', 'csat', '-csat']).default('n') }),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const q = query as Common & { sort: 'n' | 'csat' | '-csat' };
      const c = ctxOf(q);
      const o = org.orgId;
      const card = async (by: 'agent' | 'team') => {
        const prevC = { ...c, from: c.prevFrom, to: c.prevTo };
        const [csat, csatPrev, trend, ces, nps, ix, served, servedPrev, names] = await Promise.all([
          aggregate(db, o, aggQ('csat', c, { groupBy: by })),
          aggregate(db, o, aggQ('csat', prevC, { groupBy: by })),
          by === 'agent'
            ? aggregate(db, o, aggQ('csat', c, { groupBy: by, granularity: c.granularity }))
            : Promise.resolve(null),
          aggregate(db, o, aggQ('ces', c, { groupBy: by })),
          aggregate(db, o, aggQ('nps', c, { groupBy: by })),
          aggregate(db, o, aggQ('first_response_p50', c, { groupBy: by })),
          servedCustomerNps(db, o, { from: c.from, to: c.to, by }),
          servedCustomerNps(db, o, { from: c.prevFrom, to: c.prevTo, by }),
          by === 'agent'
            ? (await import('kysely')).sql<{ key: string; name: string | null; team: string | null }>`
                SELECT key, name, team FROM agents WHERE org_id = ${o}::uuid`.execute(db)
            : Promise.resolve(null),
        ]);
        const m = (a: { rows: AggRow[] }) => new Map(a.rows.map((r) => [r.key, r]));
        const [cs, cp, ce, np, ii] = [m(csat), m(csatPrev), m(ces), m(nps), m(ix)];
        const sv = new Map(served.map((s) => [s.key, s]));
        const svp = new Map(servedPrev.map((s) => [s.key, s]));
        const trendBy = trend ? groupBy(trend.rows, (r) => r.key ?? '') : null;
        const agentInfo = new Map((names?.rows ?? []).map((a) => [a.key, a]));
        const keys = new Set<string>();
        for (const a of [csat, ces, nps, ix]) for (const r of a.rows) if (r.key) keys.add(r.key);
        const rows = [...keys].map((k) => {
          const cur = cs.get(k) ?? emptyRow();
          const inter = ii.get(k) ?? emptyRow();
          const a = sv.get(k);
          const b = svp.get(k);
          // n is this period's customers with an NPS answer, previous_n the previous period's; the
          // change is as small a sample as the smaller of the two.
          const nNow = a ? npsFromCounts(a).n : 0;
          const nBefore = b ? npsFromCounts(b).n : 0;
          const t = a && b ? npsDifferenceTest(a, b, { alpha: 1 - c.confidence }) : null;
          const diff = figure(t?.difference ?? null, nNow, t?.ci ?? null, 'nps', c.minN);
          const small = smallNFlags(Math.min(nNow, nBefore), { minN: c.minN });
          const loyalty: Figure & { previous_n: number } = {
            ...diff,
            small_n: small.belowMinN,
            flags: [...new Set([...diff.flags, ...small.flags])],
            previous_n: nBefore,
          };
          const info = agentInfo.get(k);
          return {
            ...(by === 'agent' ? { key: k, name: info?.name ?? null, team: info?.team ?? null } : { team: k }),
            csat: {
              ...figureOf('csat', cur, c.minN, c.confidence),
              ...compare('csat', cur, cp.get(k) ?? emptyRow(), c.minN, c.confidence),
            },
            ces: figureOf('ces', ce.get(k) ?? emptyRow(), c.minN, c.confidence),
            nps: figureOf('nps', np.get(k) ?? emptyRow(), c.minN, c.confidence),
            interactions: inter.n,
            resolution_rate: figureOf('resolution_rate', inter, c.minN, c.confidence),
            first_response_p50: figureOf('first_response_p50', inter, c.minN, c.confidence),
            resolution_p50: figureOf('resolution_p50', inter, c.minN, c.confidence),
            ...(trendBy ? { trend: pointsOf('csat', trendBy.get(k) ?? [], c) } : {}),
            loyalty_change: loyalty,
          };
        });
        if (q.sort === 'n') rows.sort((a, b) => b.csat.n - a.csat.n);
        else {
          const s = q.sort === 'csat' ? 1 : -1;
          rows.sort((a, b) => s * ((a.csat.value ?? -1) - (b.csat.value ?? -1)));
        }
        return { rows, source: csat.source };
      };
      const [agents, teams] = await Promise.all([card('agent'), card('team')]);
      return {
        window: windowOf(c),
        previous_window: { from: c.prevFrom.toISOString(), to: c.prevTo.toISOString() },
        source: agents.source,
        agents: agents.rows,
        teams: teams.rows,
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/topics',
    summary: 'Topic tree with volume, sentiment, trend, owning department and spike flags',
    tags: ['metrics'],
    query: querySchema({ spike_ratio: z.coerce.number().min(1).max(100).default(2) }),
    responses: { 200: 'see docs/api-metrics.md' },
    handler: async (_req, _reply, { org, query }) => {
      const taxonomy = await topicsOf(org.orgId);
      const q = query as Common & { spike_ratio: number };
      const c = ctxOf(q);
      const o = org.orgId;
      const lastDay = new Date(Math.floor((c.to.getTime() - 1) / DAY) * DAY);
      const [cur, prev, daily] = await topicBucketsMany(db, o, {
        windows: [
          { from: c.from, to: c.to, granularity: c.granularity },
          { from: c.prevFrom, to: c.prevTo, granularity: 'quarter' },
          { from: new Date(lastDay.getTime() - 28 * DAY), to: new Date(lastDay.getTime() + DAY), granularity: 'day' },
        ],
        filter: c.filter,
      });
      const byTopic = groupBy(cur.rows, (r) => r.topic);
      const prevBy = groupBy(prev.rows, (r) => r.topic);
      const dailyBy = groupBy(daily.rows, (r) => r.topic);
      const lastKey = lastDay.toISOString().slice(0, 10);
      const node = (key: string): Record<string, unknown> => {
        const rows = byTopic.get(key) ?? [];
        const mentions = rows.reduce((s, r) => s + r.mentions, 0);
        const pos = rows.reduce((s, r) => s + r.positive, 0);
        const neg = rows.reduce((s, r) => s + r.negative, 0);
        const t = taxonomy.get(key);
        const pm = (prevBy.get(key) ?? []).reduce((s, r) => s + r.mentions, 0);
        const d = dailyBy.get(key) ?? [];
        const last = d.find((r) => r.bucket === lastKey)?.mentions ?? 0;
        const base = d.filter((r) => r.bucket !== lastKey).reduce((s, r) => s + r.mentions, 0) / 28;
        const sent = figureOf(
          'sentiment',
          { ...emptyRow(), n: mentions, positive: pos, negative: neg },
          c.minN,
          c.confidence,
        );
        const byBucket = new Map(rows.map((r) => [r.bucket, r]));
        return {
          key,
          label: t?.label ?? key,
          parent: key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : null,
          department: t?.department ?? null,
          seven_p: t?.sevenP ?? null,
          mentions,
          share: cur.texts ? Math.round((mentions / cur.texts) * 10000) / 10000 : null,
          sentiment: sent,
          negative_share: mentions ? Math.round((neg / mentions) * 10000) / 10000 : null,
          trend: bucketsBetween(c.from, c.to, c.granularity).map((b) => {
            const k = b.toISOString().slice(0, 10);
            const r = byBucket.get(k);
            const f = r
              ? figureOf(
                  'sentiment',
                  { ...emptyRow(), n: r.mentions, positive: r.positive, negative: r.negative },
                  c.minN,
                  c.confidence,
                )
              : null;
            return {
              bucket: k,
              label: bucketLabel(b, c.granularity),
              mentions: r?.mentions ?? 0,
              sentiment: f?.value ?? null,
              ...partialOf(b, c),
            };
          }),
          previous_mentions: pm,
          change: pm ? Math.round((mentions / pm) * 100) / 100 : null,
          baseline_daily: Math.round(base * 100) / 100,
          last_day: last,
          spike: last >= 3 && last >= q.spike_ratio * Math.max(base, 0.5),
          children: [...byTopic.keys()]
            .filter((k) => k.startsWith(`${key}.`) && !k.slice(key.length + 1).includes('.'))
            .sort()
            .map(node),
        };
      };
      const roots = [...byTopic.keys()].filter((k) => !k.includes('.')).sort();
      return {
        window: windowOf(c),
        source: 'raw',
        topics: roots.map(node).sort((a, b) => (b.mentions as number) - (a.mentions as number)),
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/metrics/verbatims',
    summary: 'The responses and verbatims behind a number: same filters as the chart, newest first',
    tags: ['metrics'],
    query: querySchema({
      metric: z.enum(['nps', 'csat', 'ces']).optional(),
      box: z.string().max(20).optional(),
      sentiment: z.enum(['positive', 'negative', 'neutral', 'mixed']).optional(),
      with_text: z.enum(['true', 'false']).default('true'),
      limit: intParam(1, 200, 50),
      cursor: z.string().max(500).optional(),
    }),
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, query }) => {
      const q = query as Common & {
        metric?: 'nps' | 'csat' | 'ces';
        box?: string;
        sentiment?: string;
        with_text: string;
        limit: number;
        cursor?: string;
      };
      const c = ctxOf(q);
      let cursor: Cursor | null = null;
      if (q.cursor) {
        cursor = decodeCursor(q.cursor);
        if (!cursor)
          throw new Problem(400, 'Invalid query', 'bad cursor', [
            { field: 'cursor', reason: 'is not a cursor returned by this API' },
          ]);
      }
      let box: { min: number; max: number } | null = null;
      if (q.box) {
        const named: Record<string, [number, number]> = { promoter: [9, 10], passive: [7, 8], detractor: [0, 6] };
        if (named[q.box]) box = { min: named[q.box][0], max: named[q.box][1] };
        else if (/^\d+$/.test(q.box)) box = { min: Number(q.box), max: Number(q.box) };
        else
          throw new Problem(400, 'Invalid query', 'bad box', [
            { field: 'box', reason: 'must be promoter, passive, detractor or a score' },
          ]);
        if (!q.metric)
          throw new Problem(400, 'Invalid query', 'box needs metric', [{ field: 'box', reason: 'needs metric' }]);
      }
      const page = await verbatims(db, org.orgId, {
        from: c.from,
        to: c.to,
        filter: c.filter,
        type: q.metric ?? null,
        box,
        sentiment: q.sentiment ?? null,
        withText: q.with_text === 'true',
        cursor,
        limit: q.limit,
      });
      return {
        items: page.items.map((r) => ({
          response_id: r.response_id,
          customer_id: r.customer_id,
          submitted_at: r.submitted_at,
          touchpoint: r.touchpoint,
          agent: r.agent,
          survey: r.survey,
          score: r.score,
          score_type: r.score_type,
          field: r.field,
          text: r.text,
          sentiment: r.sentiment_label
            ? { score: Math.round((r.sentiment_score ?? 0) * 1000) / 1000, label: r.sentiment_label }
            : null,
          topics: r.topics ?? [],
        })),
        next_cursor: page.next_cursor,
      };
    },
  });
}

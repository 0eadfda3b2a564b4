import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../ingest/types.js';

/**
 * The SQL behind /api/v1/metrics: aggregates (counts, sums, histograms) per time bucket and
 * group, from the daily rollups when the request fits them and from raw rows otherwise. The
 * metric arithmetic (NPS, intervals, tests) is core's; this layer only counts.
 */

export const DIMENSIONS = [
  'touchpoint',
  'department',
  'stage',
  'channel',
  'agent',
  'team',
  'segment',
  'topic',
] as const;
export type BaseDimension = (typeof DIMENSIONS)[number];
/** A dimension, or a customer attribute `attr.<key>`. */
export type Dimension = BaseDimension | `attr.${string}`;
export type Granularity = 'day' | 'week' | 'month' | 'quarter';

export interface MetricFilter {
  touchpoint?: string[];
  department?: string[];
  stage?: string[];
  channel?: string[];
  agent?: string[];
  team?: string[];
  segment?: string[];
  topic?: string[];
  survey?: string[];
  /** Customer attributes: key → any of these values (compared as text). */
  attrs?: Record<string, string[]>;
}

/** What rows a metric counts. */
export type Family = 'answers' | 'texts' | 'interactions' | 'responses';
export type AnswerType = 'nps' | 'csat' | 'ces';

export interface AggQuery {
  family: Family;
  /** Answers only. */
  type?: AnswerType;
  from: Date;
  to: Date;
  filter: MetricFilter;
  groupBy?: Dimension | null;
  granularity?: Granularity | null;
  /** Interactions: also duration percentiles (raw rows only). */
  percentiles?: boolean;
  /** false forces raw rows (tests, benchmarks). */
  useRollups?: boolean;
}

export interface AggRow {
  bucket: string | null;
  key: string | null;
  label: string | null;
  n: number;
  /** answers: Σ value, Σ value² (CES on 1–7); texts: Σ score, Σ score². */
  sum: number;
  sum_sq: number;
  /** answers: counts of round(value) = 0 … 10. */
  h: number[];
  /** texts */
  positive: number;
  negative: number;
  /** interactions */
  resolved: number;
  responded: number;
  frt_p50: number | null;
  frt_p90: number | null;
  res_p50: number | null;
}

export interface AggResult {
  source: 'rollup' | 'raw';
  rows: AggRow[];
}

const ROLLUP_DIMS = new Set<string>(['touchpoint', 'department', 'stage', 'channel', 'agent', 'team']);
/** Dimensions that are properties of a row's touchpoint or agent. */
const ID_DIMS = ROLLUP_DIMS;

export function isDayAligned(d: Date): boolean {
  return d.getTime() % 86_400_000 === 0;
}

interface FactSpec {
  table: string;
  time: string;
  customer: string | null;
  agent: boolean;
  subjectKind: 'response' | 'interaction' | null;
  subjectId: string;
}

const FACTS: Record<Family, FactSpec> = {
  answers: {
    table: 'answers',
    time: 'submitted_at',
    customer: 'customer_id',
    agent: true,
    subjectKind: 'response',
    subjectId: 'response_id',
  },
  responses: {
    table: 'responses',
    time: 'submitted_at',
    customer: 'customer_id',
    agent: true,
    subjectKind: 'response',
    subjectId: 'id',
  },
  interactions: {
    table: 'interactions',
    time: 'opened_at',
    customer: 'customer_id',
    agent: true,
    subjectKind: 'interaction',
    subjectId: 'id',
  },
  texts: {
    table: 'text_analyses',
    time: 'occurred_at',
    customer: 'customer_id',
    agent: false,
    subjectKind: null,
    subjectId: 'id',
  },
};

const ROLLUP_FAMILIES = new Set<Family>(['answers', 'texts', 'interactions']);

/** Whether a request can be answered from the daily rollups. */
export function fitsRollup(q: AggQuery): boolean {
  if (q.useRollups === false || q.percentiles) return false;
  if (!ROLLUP_FAMILIES.has(q.family)) return false;
  if (!isDayAligned(q.from) || !isDayAligned(q.to)) return false;
  const f = q.filter;
  if (f.segment?.length || f.topic?.length || f.survey?.length || (f.attrs && Object.keys(f.attrs).length))
    return false;
  if (q.groupBy && !ROLLUP_DIMS.has(q.groupBy)) return false;
  if (q.family === 'texts' && (f.agent?.length || f.team?.length || q.groupBy === 'agent' || q.groupBy === 'team'))
    return false;
  // Interactions carry their own channel and team, which the rollup does not keep.
  if (
    q.family === 'interactions' &&
    (f.channel?.length || f.team?.length || q.groupBy === 'channel' || q.groupBy === 'team')
  )
    return false;
  return true;
}

/** CES answers on the CES 2.0 scale (same expression as migration 002). */
const answerValue = sql`CASE WHEN f.type = 'ces' THEN
    1 + ((CASE WHEN coalesce(f.higher_is_easier, true) THEN f.value_num ELSE coalesce(f.scale_max, 7) + 1 - f.value_num END) - 1)
      * 6 / (coalesce(f.scale_max, 7) - 1)
  ELSE f.value_num END`;

function anyOf(expr: RawBuilder<unknown>, values: string[] | undefined): RawBuilder<unknown> {
  if (!values?.length) return sql``;
  return sql`AND ${expr} = ANY(${values}::text[])`;
}

/** Topic keys match themselves and their children. */
export function topicMatch(col: RawBuilder<unknown>, topics: string[]): RawBuilder<unknown> {
  return sql`(${col} = ANY(${topics}::text[]) OR ${col} LIKE ANY(${topics.map((t) => `${t.replace(/[\\%_]/g, '\\$&')}.%`)}::text[]))`;
}

interface Ctx {
  family: Family;
  rollup: boolean;
  spec: FactSpec;
}

function dimExpr(d: Dimension, c: Ctx): RawBuilder<unknown> {
  const ownCols = !c.rollup && c.family === 'interactions';
  switch (d) {
    case 'touchpoint':
      return sql`tp.key`;
    case 'department':
      return sql`dp.key`;
    case 'stage':
      return sql`tp.journey_stage`;
    case 'channel':
      return ownCols ? sql`coalesce(f.channel, tp.channel)` : sql`tp.channel`;
    case 'agent':
      return sql`ag.key`;
    case 'team':
      return ownCols ? sql`coalesce(f.team, ag.team)` : sql`ag.team`;
    case 'segment':
      return sql`cu.segment`;
    case 'topic':
      return sql`tpc.topic`;
    default: {
      const key = d.slice(5);
      return sql`(SELECT coalesce(a.value_text, a.value_num::text, a.value_bool::text, a.value_time::text)
        FROM customer_attributes a WHERE a.org_id = f.org_id AND a.customer_id = f.${sql.ref(c.spec.customer ?? 'customer_id')} AND a.key = ${key})`;
    }
  }
}

function labelExpr(d: Dimension): RawBuilder<unknown> {
  switch (d) {
    case 'touchpoint':
      return sql`max(tp.name)`;
    case 'department':
      return sql`max(dp.name)`;
    case 'agent':
      return sql`max(ag.name)`;
    default:
      return sql`NULL::text`;
  }
}

/** The subject's analysis ids whose topics a text belongs to. */
function topicSource(c: Ctx): RawBuilder<unknown> {
  if (c.family === 'texts')
    return sql`SELECT t.topic FROM text_topics t WHERE t.org_id = f.org_id AND t.analysis_id = f.id`;
  return sql`SELECT t.topic FROM text_analyses ta JOIN text_topics t ON t.org_id = ta.org_id AND t.analysis_id = ta.id
    WHERE ta.org_id = f.org_id AND ta.subject_kind = ${c.spec.subjectKind} AND ta.subject_id = f.${sql.ref(c.spec.subjectId)}`;
}

/**
 * The touchpoint and agent filters as id sets, computed once (`= ANY(ARRAY(SELECT …))` is an
 * init plan): the fact rows then need no join to be filtered. Rows without a touchpoint (or
 * agent) never match such a filter, as with the joins.
 */
function idFilterSql(orgId: string, filter: MetricFilter, c: Ctx): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (filter.touchpoint?.length || filter.department?.length || filter.stage?.length || filter.channel?.length) {
    parts.push(sql`AND f.touchpoint_id = ANY(ARRAY(SELECT tp.id FROM touchpoints tp
      LEFT JOIN departments dp ON dp.org_id = tp.org_id AND dp.id = tp.department_id
      WHERE tp.org_id = ${orgId}::uuid ${anyOf(sql`tp.key`, filter.touchpoint)} ${anyOf(sql`dp.key`, filter.department)}
        ${anyOf(sql`tp.journey_stage`, filter.stage)} ${anyOf(sql`tp.channel`, filter.channel)}))`);
  }
  if (filter.agent?.length || filter.team?.length) {
    parts.push(sql`AND f.agent_id = ANY(ARRAY(SELECT ag.id FROM agents ag WHERE ag.org_id = ${orgId}::uuid
      ${anyOf(sql`ag.key`, filter.agent)} ${anyOf(sql`ag.team`, filter.team)}))`);
  }
  parts.push(filterSql({ ...filter, touchpoint: [], department: [], stage: [], channel: [], agent: [], team: [] }, c));
  return sql.join(parts, sql` `);
}

/** WHERE conditions (after the org and time) for a filter. */
export function filterSql(filter: MetricFilter, c: Ctx): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [
    anyOf(dimExpr('touchpoint', c), filter.touchpoint),
    anyOf(dimExpr('department', c), filter.department),
    anyOf(dimExpr('stage', c), filter.stage),
    anyOf(dimExpr('channel', c), filter.channel),
    anyOf(dimExpr('agent', c), filter.agent),
    anyOf(dimExpr('team', c), filter.team),
    anyOf(dimExpr('segment', c), filter.segment),
  ];
  if (filter.topic?.length) {
    parts.push(sql`AND EXISTS (SELECT 1 FROM (${topicSource(c)}) x WHERE ${topicMatch(sql`x.topic`, filter.topic)})`);
  }
  if (filter.survey?.length) {
    if (c.family === 'answers') {
      parts.push(
        sql`AND EXISTS (SELECT 1 FROM responses rs WHERE rs.org_id = f.org_id AND rs.id = f.response_id AND rs.survey = ANY(${filter.survey}::text[]))`,
      );
    } else if (c.family === 'responses') parts.push(sql`AND f.survey = ANY(${filter.survey}::text[])`);
  }
  for (const [key, values] of Object.entries(filter.attrs ?? {})) {
    parts.push(anyOf(dimExpr(`attr.${key}`, c), values));
  }
  return sql.join(parts, sql` `);
}

export function joinsSql(c: Ctx, needCustomer: boolean, topicGroup: boolean): RawBuilder<unknown> {
  return sql`LEFT JOIN touchpoints tp ON tp.org_id = f.org_id AND tp.id = f.touchpoint_id
    LEFT JOIN departments dp ON dp.org_id = tp.org_id AND dp.id = tp.department_id
    ${c.spec.agent ? sql`LEFT JOIN agents ag ON ag.org_id = f.org_id AND ag.id = f.agent_id` : sql`CROSS JOIN (SELECT NULL::text AS key, NULL::text AS name, NULL::text AS team) ag`}
    ${needCustomer ? sql`LEFT JOIN customers cu ON cu.org_id = f.org_id AND cu.id = f.${sql.ref(c.spec.customer ?? 'customer_id')}` : sql``}
    ${topicGroup ? sql`JOIN LATERAL (SELECT DISTINCT x.topic FROM (${topicSource(c)}) x) tpc ON true` : sql``}`;
}

const H = Array.from({ length: 11 }, (_, i) => i);

/**
 * Answers' measures from partial rows `x` of (value v, count n): answers take few distinct values,
 * so sums, squares and the histogram follow exactly from them.
 */
const answerMeasures = sql`sum(x.n)::int AS n, sum(x.v * x.n)::float8 AS sum, sum(x.v * x.v * x.n)::float8 AS sum_sq,
  ${sql.join(H.map((i) => sql`coalesce(sum(x.n) FILTER (WHERE round(x.v) = ${sql.lit(i)}), 0)::int AS ${sql.raw(`h${i}`)}`))}`;

/** Rollup grains: 002's daily tables and 006's week/month tables. */
export type Grain = 'day' | 'week' | 'month';
export interface RollupSegment {
  grain: Grain;
  from: Date;
  to: Date;
}

function floorTo(g: Grain, d: Date): Date {
  const day = Math.floor(d.getTime() / 86_400_000) * 86_400_000;
  if (g === 'day') return new Date(day);
  if (g === 'week') return new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

function ceilTo(g: Grain, d: Date): Date {
  const f = floorTo(g, d);
  if (f.getTime() === d.getTime()) return f;
  if (g === 'day') return new Date(f.getTime() + 86_400_000);
  if (g === 'week') return new Date(f.getTime() + 7 * 86_400_000);
  return new Date(Date.UTC(f.getUTCFullYear(), f.getUTCMonth() + 1, 1));
}

/**
 * Splits a day-aligned window into the coarsest rollup pieces whose rows fall inside one bucket
 * of the requested granularity: whole weeks for `week`, whole months for `month`/`quarter`,
 * months then weeks for a total; days at the edges.
 */
export function rollupSegments(from: Date, to: Date, granularity: Granularity | null): RollupSegment[] {
  const coarse: Grain[] =
    granularity === 'day'
      ? []
      : granularity === 'week'
        ? ['week']
        : granularity === 'month' || granularity === 'quarter'
          ? ['month']
          : ['month', 'week'];
  const split = (a: Date, b: Date, gs: Grain[]): RollupSegment[] => {
    if (a.getTime() >= b.getTime()) return [];
    if (!gs.length) return [{ grain: 'day', from: a, to: b }];
    const [g, ...rest] = gs;
    const x = ceilTo(g, a);
    const y = floorTo(g, b);
    if (x.getTime() >= y.getTime()) return split(a, b, rest);
    return [...split(a, x, rest), { grain: g, from: x, to: y }, ...split(y, b, rest)];
  };
  return split(from, to, coarse);
}

/** The rollup table (and its time column) for a family at a grain. */
function rollupTable(family: Family, byAgent: boolean, grain: Grain): { table: string; col: 'day' | 'period' } {
  const daily = grain === 'day';
  if (family === 'answers') {
    if (byAgent)
      return daily ? { table: 'rollup_answers_daily', col: 'day' } : { table: 'rollup_answers_period', col: 'period' };
    return daily
      ? { table: 'rollup_answers_tp_daily', col: 'day' }
      : { table: 'rollup_answers_tp_period', col: 'period' };
  }
  if (family === 'interactions') {
    if (byAgent)
      return daily
        ? { table: 'rollup_interactions_daily', col: 'day' }
        : { table: 'rollup_interactions_period', col: 'period' };
    return { table: 'rollup_interactions_tp_period', col: 'period' };
  }
  return daily ? { table: 'rollup_texts_daily', col: 'day' } : { table: 'rollup_texts_period', col: 'period' };
}

/** The measure columns of `aggregate`'s rows per family (raw and rollup alike). */
const OUTPUT_MEASURES: Record<Family, string[]> = {
  answers: ['n', 'sum', 'sum_sq', ...H.map((i) => `h${i}`)],
  texts: ['n', 'sum', 'sum_sq', 'positive', 'negative'],
  interactions: ['n', 'resolved', 'responded'],
  responses: ['n'],
};
const PERCENTILES = ['frt_p50', 'frt_p90', 'res_p50'];

const ROLLUP_MEASURES: Record<string, string[]> = {
  answers: ['n', 'sum', 'sum_sq', ...H.map((i) => `h${i}`)],
  texts: ['n', 'sum', 'sum_sq', 'positive', 'negative'],
  interactions: ['n', 'resolved', 'responded'],
};

/** The rollup rows of a window: one SELECT per segment, bucketed (`b`, a date) per granularity. */
function rollupRows(
  orgId: string,
  q: AggQuery,
  byAgent: boolean,
  pick: (s: RollupSegment) => boolean = () => true,
): RawBuilder<unknown> {
  const g = q.granularity ?? null;
  const parts = rollupSegments(q.from, q.to, g)
    .filter(pick)
    .map((seg) => {
      const t = rollupTable(q.family, byAgent, seg.grain);
      const col = sql.ref(`r.${t.col}`);
      const b = g === null ? sql`NULL::date` : g === seg.grain ? col : sql`date_trunc(${g}, ${col}::timestamp)::date`;
      return sql`SELECT ${b} AS b, r.org_id, r.touchpoint_id, ${byAgent ? sql`r.agent_id` : sql`NULL::uuid AS agent_id`}, ${sql.raw(
        ROLLUP_MEASURES[q.family].map((m) => `r.${m}`).join(', '),
      )}
      FROM ${sql.table(t.table)} r
      WHERE r.org_id = ${orgId}::uuid ${q.family === 'answers' ? sql`AND r.type = ${q.type}` : sql``}
        ${t.col === 'period' ? sql`AND r.grain = ${seg.grain}` : sql``}
        AND ${col} >= ${dayOf(seg.from)}::date AND ${col} < ${dayOf(seg.to)}::date`;
    });
  if (!parts.length) {
    return sql`(SELECT NULL::date AS b, NULL::uuid AS org_id, NULL::uuid AS touchpoint_id, NULL::uuid AS agent_id, ${sql.raw(
      ROLLUP_MEASURES[q.family].map((m) => `0 AS ${m}`).join(', '),
    )} WHERE false)`;
  }
  return sql`(${sql.join(parts, sql` UNION ALL `)})`;
}

/** Measures per (bucket, group): sums of rollup columns, or counts and sums of raw rows. */
function measuresSql(c: Ctx, percentiles: boolean, type: AnswerType | undefined): RawBuilder<unknown> {
  if (c.rollup) {
    if (c.family === 'answers') {
      return sql.raw(
        `sum(f.n)::int AS n, sum(f.sum)::float8 AS sum, sum(f.sum_sq)::float8 AS sum_sq, ${H.map((i) => `sum(f.h${i})::int AS h${i}`).join(', ')}`,
      );
    }
    if (c.family === 'texts') {
      return sql.raw(
        'sum(f.n)::int AS n, sum(f.sum)::float8 AS sum, sum(f.sum_sq)::float8 AS sum_sq, sum(f.positive)::int AS positive, sum(f.negative)::int AS negative',
      );
    }
    return sql.raw('sum(f.n)::int AS n, sum(f.resolved)::int AS resolved, sum(f.responded)::int AS responded');
  }
  if (c.family === 'answers') {
    // NPS and CSAT values are the stored numbers; only CES is rescaled (fewer expressions per row).
    const v = type === 'ces' ? answerValue : sql`f.value_num`;
    return sql`count(*)::int AS n, sum(${v})::float8 AS sum, sum((${v})^2)::float8 AS sum_sq,
      ${sql.join(H.map((i) => sql`(count(*) FILTER (WHERE round(${v}) = ${sql.lit(i)}))::int AS ${sql.raw(`h${i}`)}`))}`;
  }
  if (c.family === 'texts') {
    return sql`count(*)::int AS n, sum(f.sentiment_score::float8)::float8 AS sum, sum(f.sentiment_score::float8 ^ 2)::float8 AS sum_sq,
      (count(*) FILTER (WHERE f.sentiment_label = 'positive'))::int AS positive,
      (count(*) FILTER (WHERE f.sentiment_label = 'negative'))::int AS negative`;
  }
  if (c.family === 'responses') return sql`count(*)::int AS n`;
  const frt = sql`extract(epoch FROM f.first_response_at - f.opened_at)`;
  const res = sql`extract(epoch FROM f.resolved_at - f.opened_at)`;
  return sql`count(*)::int AS n, (count(*) FILTER (WHERE f.resolved_at IS NOT NULL))::int AS resolved,
    (count(*) FILTER (WHERE f.first_response_at IS NOT NULL))::int AS responded
    ${
      percentiles
        ? sql`, (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${frt}))::float8 AS frt_p50,
      (percentile_cont(0.9) WITHIN GROUP (ORDER BY ${frt}))::float8 AS frt_p90,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY ${res}))::float8 AS res_p50`
        : sql``
    }`;
}

/**
 * Runs an analytical query with more working memory than the server default (4 MB), and without
 * JIT compilation, for that query only: joins and DISTINCTs over millions of rows otherwise spill
 * to disk in many batches (key drivers at 10M rows), and these many-CTE queries spent ~0.9 s of
 * their time compiling (inlining and optimising) expressions they then ran once per CTE. Set with
 * set_config in SELECTs on one pinned connection and restored after, not in a transaction: on
 * PGlite a COMMIT (or a SET) is followed by a WAL fsync. The server's own configuration is
 * untouched.
 */
export async function withAnalyticsSettings<T>(db: Db, mb: number, fn: (db: Db) => Promise<T>): Promise<T> {
  const value = `${Math.max(4, Math.floor(mb))}MB`;
  if (db.isTransaction) {
    await sql`SELECT set_config('work_mem', ${value}, true), set_config('jit', 'off', true)`.execute(db);
    return fn(db);
  }
  return db.connection().execute(async (conn) => {
    const prev = await sql<{ mem: string; jit: string }>`SELECT current_setting('work_mem') AS mem,
      current_setting('jit') AS jit, set_config('work_mem', ${value}, false), set_config('jit', 'off', false)`.execute(
      conn,
    );
    try {
      return await fn(conn);
    } finally {
      const p = prev.rows[0];
      await sql`SELECT set_config('work_mem', ${p.mem}, false), set_config('jit', ${p.jit}, false)`.execute(conn);
    }
  });
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Aggregates per (bucket, group) for one metric family: rollup rows of the coarsest grain that
 * fits (see rollupSegments) or raw rows, bucketed as dates and formatted once per output row.
 */
export async function aggregate(db: Db, orgId: string, q: AggQuery): Promise<AggResult> {
  const rollup = fitsRollup(q);
  const spec = FACTS[q.family];
  const c: Ctx = { family: q.family, rollup, spec };
  const byAgent = !!(q.filter.agent?.length || q.filter.team?.length || q.groupBy === 'agent' || q.groupBy === 'team');
  if (rollup && !byAgent) c.spec = { ...spec, agent: false };
  const g = q.granularity ?? null;
  const f = q.filter;
  const needCustomer = !!(f.segment?.length || q.groupBy === 'segment');
  const key = q.groupBy ? dimExpr(q.groupBy, c) : sql`NULL::text`;
  const label = q.groupBy ? labelExpr(q.groupBy) : sql`NULL::text`;
  const m = measuresSql(c, !!q.percentiles, q.type);
  let inner: RawBuilder<unknown>;
  if (rollup) {
    // Rollup rows of the requested grain, per touchpoint, already are the answer's rows (one per
    // bucket and touchpoint; edge pieces of a finer grain never share a bucket with them): they
    // are joined and filtered, not grouped. Everything else is summed per bucket and key.
    const direct = (s: RollupSegment) => q.groupBy === 'touchpoint' && !byAgent && s.grain === g;
    const segs = rollupSegments(q.from, q.to, g);
    const parts: RawBuilder<unknown>[] = [];
    if (segs.some(direct)) {
      parts.push(sql`SELECT f.b AS bucket, tp.key::text AS key, tp.name AS label,
          ${sql.raw(ROLLUP_MEASURES[q.family].map((x) => `f.${x}`).join(', '))}
        FROM ${rollupRows(orgId, q, byAgent, direct)} f
        ${joinsSql(c, false, false)}
        WHERE true ${filterSql(f, c)}`);
    }
    if (!segs.length || segs.some((s) => !direct(s))) {
      parts.push(sql`SELECT f.b AS bucket, ${key}::text AS key, ${label} AS label, ${m}
        FROM ${rollupRows(orgId, q, byAgent, (s) => !direct(s))} f
        ${joinsSql(c, false, false)}
        WHERE true ${filterSql(f, c)}
        GROUP BY f.b, 2`);
    }
    inner = sql.join(parts, sql` UNION ALL `);
  } else {
    const time = sql.ref(`f.${spec.time}`);
    // The granularity as a literal (one of four words): the bucket expression appears in the select
    // list and in GROUP BY, and must be the same expression in both.
    if (g && !['day', 'week', 'month', 'quarter'].includes(g)) throw new Error(`bad granularity ${g}`);
    // No ::date cast: the planner knows how many buckets this expression yields from the extended
    // statistics on it (006, 007); with the cast it guessed one group per row at 10M rows, and
    // chose a spilling, serial aggregate over a parallel one.
    // Answers by day or week: date_bin on the stored instant (integer arithmetic; no time zone
    // conversion per row), Monday-aligned, as UTC timestamps once per output row; the planner
    // sizes the grouping from 012's statistics on these very expressions.
    const bin = q.family === 'answers' && (g === 'day' || g === 'week');
    const b = bin
      ? sql.raw(`date_bin('${g === 'week' ? '7 days' : '1 day'}', f.${spec.time}, '2000-01-03 00:00:00+00')`)
      : g
        ? sql`date_trunc(${sql.lit(g)}, ${time} AT TIME ZONE 'UTC')`
        : sql`NULL::timestamp`;
    const bucketOut = bin ? sql`(x.b AT TIME ZONE 'UTC')::date` : sql`x.b::date`;
    const typeCond =
      q.family === 'answers'
        ? sql`AND f.type = ${q.type} AND f.value_num IS NOT NULL`
        : q.family === 'texts'
          ? sql`AND f.analysable`
          : sql``;
    const from = sql`FROM ${sql.table(spec.table)} f
      ${joinsSql(c, needCustomer, q.groupBy === 'topic')}
      WHERE f.org_id = ${orgId}::uuid
        AND ${time} >= ${q.from.toISOString()}::timestamptz AND ${time} < ${q.to.toISOString()}::timestamptz
        ${typeCond} ${filterSql(f, c)}`;
    if (q.family === 'answers' && (!q.groupBy || ID_DIMS.has(q.groupBy))) {
      // Answers grouped by a touchpoint or agent property: counted per (bucket, touchpoint id,
      // agent id, value) straight off the rows — one aggregate and no join per raw row, filters
      // as id sets; answers take few distinct values, so sums, squares and the histogram follow
      // exactly from (value, count) — then the few thousand partial rows are joined to their
      // touchpoints and agents and grouped by the requested key.
      const v = q.type === 'ces' ? answerValue : sql`f.value_num`;
      const ag = q.groupBy === 'agent' || q.groupBy === 'team' ? sql`f.agent_id` : sql`NULL::uuid`;
      inner = sql`SELECT ${bucketOut} AS bucket, ${key}::text AS key, ${label} AS label, ${answerMeasures}
        FROM (SELECT ${b} AS b, f.touchpoint_id, ${ag} AS agent_id, ${v} AS v, count(*) AS n
          FROM answers f ${needCustomer ? sql`LEFT JOIN customers cu ON cu.org_id = f.org_id AND cu.id = f.customer_id` : sql``}
          WHERE f.org_id = ${orgId}::uuid
            AND ${time} >= ${q.from.toISOString()}::timestamptz AND ${time} < ${q.to.toISOString()}::timestamptz
            ${typeCond} ${idFilterSql(orgId, f, c)}
          GROUP BY 1, 2, 3, 4) x
        LEFT JOIN touchpoints tp ON tp.org_id = ${orgId}::uuid AND tp.id = x.touchpoint_id
        LEFT JOIN departments dp ON dp.org_id = tp.org_id AND dp.id = tp.department_id
        LEFT JOIN agents ag ON ag.org_id = ${orgId}::uuid AND ag.id = x.agent_id
        GROUP BY x.b, 2`;
    } else if (q.family === 'answers') {
      // Answers by a customer property or topic: counted per (bucket, key, value) the same way,
      // with the row-level joins those keys need.
      const v = q.type === 'ces' ? answerValue : sql`f.value_num`;
      inner = sql`SELECT ${bucketOut} AS bucket, x.key, max(x.label) AS label, ${answerMeasures}
        FROM (SELECT ${b} AS b, ${key}::text AS key, ${label} AS label, ${v} AS v, count(*) AS n
          ${from}
          GROUP BY 1, 2, 4) x
        GROUP BY x.b, x.key`;
    } else {
      inner = sql`SELECT (${b})::date AS bucket, ${key}::text AS key, ${label} AS label, ${m}
        ${from}
        GROUP BY ${b}, 2`;
    }
  }
  // Buckets are dates (JSON writes them as ISO dates, whatever the DateStyle). The rows come back
  // as one JSON object of columns: a week × touchpoint series is ~3k rows × 17 columns; parsing
  // them value by value cost 3× the query itself on PGlite, and a JSON array of row objects cost
  // PostgreSQL twice the aggregate itself (JSON.parse beat splitting a text of numbers by ~2×).
  // Sorted here.
  const cols = [
    'bucket',
    'key',
    'label',
    ...OUTPUT_MEASURES[q.family],
    ...(q.percentiles && q.family === 'interactions' ? PERCENTILES : []),
  ];
  const r = await sql<{ j: Record<string, (string | number | null)[] | null> }>`
    SELECT json_build_object(${sql.join(cols.map((col) => sql`${sql.lit(col)}, json_agg(z.${sql.ref(col)})`))}) AS j
    FROM (${inner}) z`.execute(db);
  const j = r.rows[0]?.j ?? {};
  const texts = (name: string) => (j[name] ?? []) as (string | null)[];
  const numbers = (name: string) => (j[name] ?? []) as (number | null)[];
  const [bs, ks, ls] = [texts('bucket'), texts('key'), texts('label')];
  // Order: bucket, then key (nulls last), as ORDER BY bucket, key under the C collation — by the
  // ranks of their distinct values, so the sort compares numbers.
  const rank = (xs: (string | null)[]) => {
    const distinct = [...new Set(xs)].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
    return { of: new Map(distinct.map((x, i) => [x, i])), size: distinct.length };
  };
  const br = rank(bs);
  const kr = rank(ks);
  const order = new Float64Array(bs.length);
  for (let k = 0; k < bs.length; k++)
    order[k] = ((br.of.get(bs[k]) as number) * kr.size + (kr.of.get(ks[k]) as number)) * bs.length + k;
  order.sort();
  const [n, sum, sumSq, pos, neg, res, resp, p50, p90, r50] = [
    'n',
    'sum',
    'sum_sq',
    'positive',
    'negative',
    'resolved',
    'responded',
    'frt_p50',
    'frt_p90',
    'res_p50',
  ].map(numbers);
  const hs = q.family === 'answers' ? H.map((i) => numbers(`h${i}`)) : [];
  const rows: AggRow[] = new Array(order.length);
  for (let o = 0; o < order.length; o++) {
    const k = order[o] % bs.length;
    const h = new Array<number>(hs.length);
    for (let i = 0; i < hs.length; i++) h[i] = hs[i][k] ?? 0;
    rows[o] = {
      bucket: bs[k],
      key: ks[k],
      label: ls[k] ?? null,
      n: n[k] ?? 0,
      sum: sum[k] ?? 0,
      sum_sq: sumSq[k] ?? 0,
      h,
      positive: pos[k] ?? 0,
      negative: neg[k] ?? 0,
      resolved: res[k] ?? 0,
      responded: resp[k] ?? 0,
      frt_p50: p50[k] ?? null,
      frt_p90: p90[k] ?? null,
      res_p50: r50[k] ?? null,
    };
  }
  return { source: rollup ? 'rollup' : 'raw', rows };
}

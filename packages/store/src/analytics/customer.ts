import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { DRIVER_LOOKBACK_DAYS } from '../migrations/016_answer_drivers.js';
import { ROLLUP_TOPIC_LEVEL } from '../migrations/017_answer_driver_rollup.js';
import {
  type AnswerType,
  filterSql,
  isDayAligned,
  joinsSql,
  type MetricFilter,
  topicMatch,
  withAnalyticsSettings,
} from './query.js';

const answersCtx = {
  family: 'answers' as const,
  rollup: false,
  spec: {
    table: 'answers',
    time: 'submitted_at',
    customer: 'customer_id',
    agent: true,
    subjectKind: 'response' as const,
    subjectId: 'response_id',
  },
};

/** The answers' driver rows (016) read like answers: same ids, touchpoint, agent and customer columns. */
const driversCtx = { ...answersCtx, spec: { ...answersCtx.spec, table: 'answer_drivers' } };

/** No metric filter set (empty lists count as unset). */
function isUnfiltered(f: MetricFilter): boolean {
  return Object.entries(f).every(([k, v]) =>
    k === 'attrs' ? !v || Object.keys(v as object).length === 0 : !v || (v as unknown[]).length === 0,
  );
}

/** The raw answers of one type in a window, filtered: `f` rows with the usual joins. */
function answerRows(orgId: string, type: AnswerType, from: Date, to: Date, filter: MetricFilter): RawBuilder<unknown> {
  return sql`FROM answers f ${joinsSql(answersCtx, !!filter.segment?.length, false)}
    WHERE f.org_id = ${orgId}::uuid AND f.type = ${type} AND f.value_num IS NOT NULL
      AND f.submitted_at >= ${from.toISOString()}::timestamptz AND f.submitted_at < ${to.toISOString()}::timestamptz
      ${filterSql(filter, answersCtx)}`;
}

/** Sufficient statistics for a correlation matrix of binary drivers and an outcome. */
export interface BinaryDriverStats {
  n: number;
  sumY: number;
  sumY2: number;
  /** topic → { count (Σx), sumY (Σxy) } */
  drivers: Map<string, { count: number; sumY: number }>;
  /** "a\u0000b" (a < b) → co-occurrence count (Σ x_a x_b). */
  pairs: Map<string, number>;
}

/**
 * Topic drivers: one row per outcome (an NPS answer, or a customer active at `from` with
 * y = cancelled in the window); x_topic = 1 when the customer's texts mentioned the topic
 * (first two levels of its key) with negative sentiment in the lookback before the outcome.
 * Everything is reduced to sums in SQL so millions of rows never leave the database.
 */
export async function topicDriverStats(
  db: Db,
  orgId: string,
  q: {
    outcome: 'nps' | 'churn';
    from: Date;
    to: Date;
    filter: MetricFilter;
    lookbackDays: number;
    maxDrivers: number;
    minCoverage: number;
    /** Topic key levels kept (1: root topics such as `delivery`; 2: `delivery.late`). */
    level?: number;
    /** topics: negative topic mentions; outcomes: interaction outcomes per touchpoint (`delivery:late`). */
    source?: 'topics' | 'outcomes';
    /** false: join the raw rows even where the kept driver rows (016) fit (tests, benchmarks). */
    useState?: boolean;
    /** false: read the driver rows even where the daily pair sums (017) fit (tests, benchmarks). */
    useRollup?: boolean;
  },
): Promise<BinaryDriverStats> {
  // Bit masks of the screened drivers are 32-bit in JS.
  if (!Number.isInteger(q.maxDrivers) || q.maxDrivers < 1 || q.maxDrivers > 30)
    throw new Error(`maxDrivers must be 1–30 (got ${q.maxDrivers})`);
  const lb = sql`make_interval(days => ${q.lookbackDays})`;
  const rows =
    q.outcome === 'nps'
      ? sql`SELECT f.response_id AS rid, f.field AS rid2, f.customer_id, f.submitted_at - ${lb} AS t0, f.submitted_at AS t1, f.value_num AS y
          ${answerRows(orgId, 'nps', q.from, q.to, q.filter)} AND f.customer_id IS NOT NULL`
      : sql`SELECT c.id AS rid, ''::text AS rid2, c.id AS customer_id, ${q.from.toISOString()}::timestamptz - ${lb} AS t0,
            coalesce(x.cancelled_at, ${q.to.toISOString()}::timestamptz) AS t1, (x.cancelled_at IS NOT NULL)::int::float8 AS y
          FROM customers c
          LEFT JOIN LATERAL (SELECT min(e.occurred_at) AS cancelled_at FROM events e WHERE e.org_id = c.org_id AND e.customer_id = c.id
            AND e.type = 'cancellation' AND e.occurred_at >= ${q.from.toISOString()}::timestamptz
            AND e.occurred_at < ${q.to.toISOString()}::timestamptz) x ON true
          WHERE c.org_id = ${orgId}::uuid AND c.merged_into IS NULL
            AND coalesce(c.acquired_at, c.created_at) < ${q.from.toISOString()}::timestamptz
            ${q.filter.segment?.length ? sql`AND c.segment = ANY(${q.filter.segment}::text[])` : sql``}
            AND NOT EXISTS (SELECT 1 FROM events e WHERE e.org_id = c.org_id AND e.customer_id = c.id AND e.type = 'cancellation'
              AND e.occurred_at < ${q.from.toISOString()}::timestamptz)`;
  // NPS answers with the lookback the triggers keep read the kept driver rows; other lookbacks
  // and churn (whose outcome rows are customers) join the raw rows.
  const fromState = q.useState !== false && q.outcome === 'nps' && q.lookbackDays === DRIVER_LOOKBACK_DAYS;
  const driverRows = (source: 'outcomes' | 'topics', join = sql``) =>
    sql`FROM answer_drivers f ${joinsSql(driversCtx, !!q.filter.segment?.length, false)} ${join}
      WHERE f.org_id = ${orgId}::uuid AND f.source = ${source}
        AND f.submitted_at >= ${q.from.toISOString()}::timestamptz AND f.submitted_at < ${q.to.toISOString()}::timestamptz
        ${filterSql(q.filter, driversCtx)}`;
  const tot = sql`SELECT count(*)::int AS n, coalesce(sum(y), 0)::float8 AS s, coalesce(sum(y * y), 0)::float8 AS s2 FROM (${rows}) y`;
  // Screen by strength of association (|r| with the outcome), not frequency: common, harmless
  // drivers would otherwise crowd out rare, costly ones. `g`: the candidates' n and Σy.
  const strength = sql`abs(((SELECT n FROM tot) * g.s - g.n * (SELECT s FROM tot))
        / nullif(sqrt(((SELECT n FROM tot)::float8 * g.n - g.n::float8 ^ 2)
                 * ((SELECT n FROM tot) * (SELECT s2 FROM tot) - (SELECT s FROM tot) ^ 2)), 0)) DESC NULLS LAST`;
  // Whole days without filters: the daily pair sums (017) hold everything but the outcome's totals.
  const source = q.source ?? 'topics';
  const fromRollup =
    fromState &&
    q.useRollup !== false &&
    isDayAligned(q.from) &&
    isDayAligned(q.to) &&
    isUnfiltered(q.filter) &&
    (source === 'outcomes' || (q.level ?? 2) === ROLLUP_TOPIC_LEVEL);
  if (fromRollup) {
    const win = sql`r.org_id = ${orgId}::uuid AND r.source = ${source}
      AND r.day >= ${q.from.toISOString().slice(0, 10)}::date AND r.day < ${q.to.toISOString().slice(0, 10)}::date`;
    const r = await withAnalyticsSettings(db, 64, (db) =>
      sql<{ kind: string; a: string | null; b: string | null; n: number; s: number; s2: number }>`
      WITH tot AS (${tot}),
      -- The window's sums per pair, once (one index range; a few thousand pairs).
      p AS MATERIALIZED (
        SELECT r.a_tp, r.a, r.b_tp, r.b, sum(r.n)::int AS n, sum(r.sum_y)::float8 AS s
        FROM rollup_answer_driver_pairs r WHERE ${win} GROUP BY 1, 2, 3, 4
      ),
      top AS (
        SELECT g.a_tp, g.a, coalesce(dtp.key || ':' || g.a, g.a) AS topic, g.n, g.s
        FROM p g LEFT JOIN touchpoints dtp ON dtp.org_id = ${orgId}::uuid AND dtp.id = g.a_tp
        WHERE g.b_tp = g.a_tp AND g.b = g.a AND g.n >= greatest(5, ${q.minCoverage}::float8 * (SELECT n FROM tot))
        ORDER BY ${strength}, 3
        LIMIT ${q.maxDrivers}
      ),
      pairs AS (
        SELECT x.topic AS a, z.topic AS b, p.n
        FROM p JOIN top x ON x.a_tp = p.a_tp AND x.a = p.a JOIN top z ON z.a_tp = p.b_tp AND z.a = p.b
        WHERE (p.a_tp, p.a) <> (p.b_tp, p.b)
      )
      SELECT 'total' AS kind, NULL AS a, NULL AS b, n, s, s2 FROM tot
      UNION ALL SELECT 'driver', topic, NULL, n, s, 0 FROM top
      UNION ALL SELECT 'pair', a, b, n, 0, 0 FROM pairs WHERE n > 0`.execute(db),
    );
    const out: BinaryDriverStats = { n: 0, sumY: 0, sumY2: 0, drivers: new Map(), pairs: new Map() };
    for (const x of r.rows) {
      if (x.kind === 'total') {
        out.n = x.n;
        out.sumY = x.s;
        out.sumY2 = x.s2;
      } else if (x.kind === 'driver' && x.a) out.drivers.set(x.a, { count: x.n, sumY: x.s });
      else if (x.kind === 'pair' && x.a && x.b) {
        const k = x.a < x.b ? `${x.a}\u0000${x.b}` : `${x.b}\u0000${x.a}`;
        out.pairs.set(k, (out.pairs.get(k) ?? 0) + x.n);
      }
    }
    return out;
  }
  const r = await withAnalyticsSettings(db, 256, (db) =>
    sql<{ kind: string; a: string | null; n: number; s: number; s2: number }>`
    WITH m AS MATERIALIZED (${
      fromState
        ? // The answers' drivers kept by triggers (016): no join to interactions or texts.
          q.source === 'outcomes'
          ? // Keyed by touchpoint id and outcome; the touchpoint's key is looked up for the screened few.
            sql`SELECT f.response_id AS rid, f.field AS rid2, f.y, f.driver_touchpoint_id AS tp_id, f.driver AS topic
      ${driverRows('outcomes')}`
          : sql`SELECT f.response_id AS rid, f.field AS rid2, f.y, NULL::uuid AS tp_id,
        array_to_string((string_to_array(f.driver, '.'))[1:${q.level ?? 2}::int], '.') AS topic
      ${driverRows('topics')}
      GROUP BY 1, 2, 3, 4, 5`
        : q.source === 'outcomes'
          ? // The interactions of the whole span [from − lookback, to] once (a range scan), hashed by
            // customer and joined to the outcome rows: at 10M rows (~1.6M outcome rows) one index
            // range scan per outcome row took ~48 s, the hash join about half that. The outcome rows
            // are keyed by their own ids (no row_number, no materialised CTE in between), so the scan,
            // the join and the de-duplication can run as one parallel plan.
            sql`SELECT y.rid, y.rid2, y.y, NULL::uuid AS tp_id, tp.key || ':' || i.outcome AS topic
      FROM (${rows}) y
      JOIN interactions i ON i.org_id = ${orgId}::uuid AND i.customer_id = y.customer_id
        AND i.opened_at >= y.t0 AND i.opened_at <= y.t1 AND i.outcome IS NOT NULL
        AND i.opened_at >= ${q.from.toISOString()}::timestamptz - ${lb} AND i.opened_at <= ${q.to.toISOString()}::timestamptz
      JOIN touchpoints tp ON tp.org_id = ${orgId}::uuid AND tp.id = i.touchpoint_id
      GROUP BY 1, 2, 3, 4, 5`
          : sql`SELECT y.rid, y.rid2, y.y, NULL::uuid AS tp_id, array_to_string((string_to_array(t.topic, '.'))[1:${q.level ?? 2}::int], '.') AS topic
      FROM (${rows}) y
      JOIN text_analyses ta ON ta.org_id = ${orgId}::uuid AND ta.customer_id = y.customer_id
        AND ta.occurred_at >= y.t0 AND ta.occurred_at <= y.t1
        AND ta.occurred_at >= ${q.from.toISOString()}::timestamptz - ${lb} AND ta.occurred_at <= ${q.to.toISOString()}::timestamptz
      JOIN text_topics t ON t.org_id = ta.org_id AND t.analysis_id = ta.id
      WHERE t.sentiment_label = 'negative'
      GROUP BY 1, 2, 3, 4, 5`
    }),
    tot AS (${tot}),
    -- Drivers as (touchpoint id, topic): named "<touchpoint key>:<outcome>" where the id is set.
    top AS (
      SELECT g.tp_id, g.topic AS k, coalesce(dtp.key || ':' || g.topic, g.topic) AS topic, g.n, g.s
      FROM (SELECT tp_id, topic, count(*)::int AS n, sum(y)::float8 AS s FROM m GROUP BY tp_id, topic
        HAVING count(*) >= greatest(5, ${q.minCoverage}::float8 * (SELECT n FROM tot))) g
      LEFT JOIN touchpoints dtp ON dtp.org_id = ${orgId}::uuid AND dtp.id = g.tp_id
      ORDER BY ${strength}, 3
      LIMIT ${q.maxDrivers}
    ),
    -- Co-occurrence of the screened drivers: each outcome row's set of them as a bit mask, counted
    -- per mask (at most 2^k masks, a few hundred in practice); pairs are expanded from the masks
    -- here (a self-join of m on the row id cost ~2.5 s at 10M rows).
    bits AS (SELECT tp_id, k, topic, n, s, (row_number() OVER (ORDER BY topic) - 1)::int AS bit FROM top),
    masks AS (
      SELECT mask, count(*)::int AS n
      FROM (SELECT bit_or(1::int8 << b.bit) AS mask FROM m
        JOIN bits b ON b.k = m.topic AND coalesce(b.tp_id, '00000000-0000-0000-0000-000000000000') = coalesce(m.tp_id, '00000000-0000-0000-0000-000000000000')
        GROUP BY m.rid, m.rid2) x
      GROUP BY mask
    )
    SELECT 'total' AS kind, NULL AS a, n, s, s2 FROM tot
    UNION ALL SELECT 'driver', topic, n, s, bit::float8 FROM bits
    UNION ALL SELECT 'mask', NULL, n, mask::float8, 0 FROM masks`.execute(db),
  );
  const out: BinaryDriverStats = { n: 0, sumY: 0, sumY2: 0, drivers: new Map(), pairs: new Map() };
  const byBit: string[] = [];
  const masks: { mask: number; n: number }[] = [];
  for (const x of r.rows) {
    if (x.kind === 'total') {
      out.n = x.n;
      out.sumY = x.s;
      out.sumY2 = x.s2;
    } else if (x.kind === 'driver' && x.a) {
      out.drivers.set(x.a, { count: x.n, sumY: x.s });
      byBit[x.s2] = x.a;
    } else if (x.kind === 'mask') masks.push({ mask: x.s, n: x.n });
  }
  for (const { mask, n } of masks) {
    for (let i = 0; i < byBit.length; i++) {
      if (!(mask & (1 << i))) continue;
      for (let j = i + 1; j < byBit.length; j++) {
        if (!(mask & (1 << j))) continue;
        const [a, b] = byBit[i] < byBit[j] ? [byBit[i], byBit[j]] : [byBit[j], byBit[i]];
        const k = `${a}\u0000${b}`;
        out.pairs.set(k, (out.pairs.get(k) ?? 0) + n);
      }
    }
  }
  return out;
}

/**
 * Touchpoint drivers for NPS: per NPS answer, the customer's mean experience score (0–100) at
 * each touchpoint in the lookback — CSAT/CES/rating answers rescaled, and text sentiment
 * (−1..1 → 0..100) — as long rows (rid, y, touchpoint, score); missing = not experienced.
 */
export async function touchpointDriverRows(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; filter: MetricFilter; lookbackDays: number },
): Promise<{ ys: Map<number, number>; cells: { rid: number; key: string; score: number }[] }> {
  const lb = sql`make_interval(days => ${q.lookbackDays})`;
  const r = await withAnalyticsSettings(db, 256, (db) =>
    sql<{ rid: number; y: number; key: string | null; score: number | null }>`
    WITH y AS MATERIALIZED (
      SELECT (row_number() OVER ())::int AS rid, f.customer_id, f.submitted_at AS t1, f.value_num AS y
      ${answerRows(orgId, 'nps', q.from, q.to, q.filter)} AND f.customer_id IS NOT NULL
    ),
    s AS (
      SELECT y.rid, a.touchpoint_id, 100 * (a.value_num - coalesce(a.scale_min, 1)) / nullif(coalesce(a.scale_max, 5) - coalesce(a.scale_min, 1), 0) AS score
      FROM y JOIN answers a ON a.org_id = ${orgId}::uuid AND a.customer_id = y.customer_id
        AND a.submitted_at >= y.t1 - ${lb} AND a.submitted_at <= y.t1
      WHERE a.type IN ('csat','rating') AND a.touchpoint_id IS NOT NULL AND a.value_num IS NOT NULL
      UNION ALL
      SELECT y.rid, a.touchpoint_id,
        100 * (CASE WHEN coalesce(a.higher_is_easier, true) THEN a.value_num ELSE coalesce(a.scale_max, 7) + 1 - a.value_num END - 1)
          / (coalesce(a.scale_max, 7) - 1)
      FROM y JOIN answers a ON a.org_id = ${orgId}::uuid AND a.customer_id = y.customer_id
        AND a.submitted_at >= y.t1 - ${lb} AND a.submitted_at <= y.t1
      WHERE a.type = 'ces' AND a.touchpoint_id IS NOT NULL AND a.value_num IS NOT NULL
      UNION ALL
      SELECT y.rid, ta.touchpoint_id, 50 * (ta.sentiment_score + 1)
      FROM y JOIN text_analyses ta ON ta.org_id = ${orgId}::uuid AND ta.customer_id = y.customer_id
        AND ta.occurred_at >= y.t1 - ${lb} AND ta.occurred_at <= y.t1
      WHERE ta.touchpoint_id IS NOT NULL AND ta.analysable
    )
    SELECT y.rid, y.y, tp.key, avg(s.score)::float8 AS score
    FROM y LEFT JOIN s ON s.rid = y.rid LEFT JOIN touchpoints tp ON tp.org_id = ${orgId}::uuid AND tp.id = s.touchpoint_id
    GROUP BY y.rid, y.y, tp.key`.execute(db),
  );
  const ys = new Map<number, number>();
  const cells: { rid: number; key: string; score: number }[] = [];
  for (const x of r.rows) {
    ys.set(Number(x.rid), x.y);
    if (x.key && x.score !== null) cells.push({ rid: Number(x.rid), key: x.key, score: x.score });
  }
  return { ys, cells };
}

export { topicMatch };

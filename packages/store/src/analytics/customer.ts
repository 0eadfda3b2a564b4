import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { type AnswerType, filterSql, joinsSql, type MetricFilter, topicMatch, withWorkMem } from './query.js';

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

/** The raw answers of one type in a window, filtered: `f` rows with the usual joins. */
function answerRows(orgId: string, type: AnswerType, from: Date, to: Date, filter: MetricFilter): RawBuilder<unknown> {
  return sql`FROM answers f ${joinsSql(answersCtx, !!filter.segment?.length, false)}
    WHERE f.org_id = ${orgId}::uuid AND f.type = ${type} AND f.value_num IS NOT NULL
      AND f.submitted_at >= ${from.toISOString()}::timestamptz AND f.submitted_at < ${to.toISOString()}::timestamptz
      ${filterSql(filter, answersCtx)}`;
}

export interface LoyaltyCountsRow {
  box: number;
  n: number;
  retained: number;
  retained_known: number;
  repurchased: number;
  repurchased_known: number;
  referred: number;
  referred_known: number;
}

/**
 * Per score box (each customer's latest answer in the window): what they did in the
 * `horizonDays` after answering. An outcome is known when it happened, when the customer
 * cancelled, or when the horizon has elapsed by `now`.
 */
export async function loyaltyCounts(
  db: Db,
  orgId: string,
  q: { type: 'nps' | 'csat'; from: Date; to: Date; filter: MetricFilter; horizonDays: number; now: Date },
): Promise<LoyaltyCountsRow[]> {
  const h = sql`make_interval(days => ${q.horizonDays})`;
  const r = await withWorkMem(db, 256, (db) =>
    sql<LoyaltyCountsRow>`
    WITH last AS (
      SELECT DISTINCT ON (f.customer_id) f.customer_id, f.submitted_at AS t, round(f.value_num)::int AS box
      ${answerRows(orgId, q.type, q.from, q.to, q.filter)} AND f.customer_id IS NOT NULL
      ORDER BY f.customer_id, f.submitted_at DESC
    ), refs AS (
      -- Customers referred by someone (no index on referred_by: one pass, then a hash join).
      SELECT c.referred_by AS customer_id, array_agg(coalesce(c.acquired_at, c.created_at)) AS ats
      FROM customers c WHERE c.org_id = ${orgId}::uuid AND c.referred_by IS NOT NULL GROUP BY c.referred_by
    ), o AS MATERIALIZED (
      -- One index-only range scan per customer (events_customer_cover) answers all three outcomes
      -- (at 10M rows this beat hashing the outcome events of the whole span, ~6M rows read).
      SELECT l.box, coalesce(x.cancelled, false) AS cancelled, coalesce(x.purchased, false) AS purchased,
        (coalesce(x.referral, false)
         OR EXISTS (SELECT 1 FROM unnest(r.ats) a WHERE a > l.t AND a <= l.t + ${h})) AS referred,
        l.t + ${h} <= ${q.now.toISOString()}::timestamptz AS elapsed
      FROM last l
      LEFT JOIN refs r ON r.customer_id = l.customer_id
      LEFT JOIN LATERAL (
        SELECT bool_or(e.type = 'cancellation') AS cancelled, bool_or(e.type = 'purchase') AS purchased,
          bool_or(e.type = 'referral_made') AS referral
        FROM events e WHERE e.org_id = ${orgId}::uuid AND e.customer_id = l.customer_id
          AND e.occurred_at > l.t AND e.occurred_at <= l.t + ${h}
          AND e.type IN ('cancellation', 'purchase', 'referral_made')
      ) x ON true
    )
    SELECT box, count(*)::int AS n,
      (count(*) FILTER (WHERE elapsed AND NOT cancelled))::int AS retained,
      (count(*) FILTER (WHERE elapsed OR cancelled))::int AS retained_known,
      (count(*) FILTER (WHERE purchased))::int AS repurchased,
      (count(*) FILTER (WHERE purchased OR elapsed OR cancelled))::int AS repurchased_known,
      (count(*) FILTER (WHERE referred))::int AS referred,
      (count(*) FILTER (WHERE referred OR elapsed OR cancelled))::int AS referred_known
    FROM o GROUP BY box ORDER BY box`.execute(db),
  );
  return r.rows;
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
  },
): Promise<BinaryDriverStats> {
  const lb = sql`make_interval(days => ${q.lookbackDays})`;
  const rows =
    q.outcome === 'nps'
      ? sql`SELECT row_number() OVER () AS rid, f.customer_id, f.submitted_at - ${lb} AS t0, f.submitted_at AS t1, f.value_num AS y
          ${answerRows(orgId, 'nps', q.from, q.to, q.filter)} AND f.customer_id IS NOT NULL`
      : sql`SELECT row_number() OVER () AS rid, c.id AS customer_id, ${q.from.toISOString()}::timestamptz - ${lb} AS t0,
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
  const r = await withWorkMem(db, 256, (db) =>
    sql<{ kind: string; a: string | null; b: string | null; n: number; s: number; s2: number }>`
    WITH y AS MATERIALIZED (${rows}),
    m AS MATERIALIZED (${
      q.source === 'outcomes'
        ? // The interactions of the whole span [from − lookback, to] once (a range scan), hashed by
          // customer and joined to the outcome rows: at 10M rows (~1.6M outcome rows) one index
          // range scan per outcome row took ~48 s, the hash join about half that.
          sql`SELECT DISTINCT y.rid, y.y, tp.key || ':' || i.outcome AS topic
      FROM y
      JOIN interactions i ON i.org_id = ${orgId}::uuid AND i.customer_id = y.customer_id
        AND i.opened_at >= y.t0 AND i.opened_at <= y.t1 AND i.outcome IS NOT NULL
        AND i.opened_at >= ${q.from.toISOString()}::timestamptz - ${lb} AND i.opened_at <= ${q.to.toISOString()}::timestamptz
      JOIN touchpoints tp ON tp.org_id = ${orgId}::uuid AND tp.id = i.touchpoint_id`
        : sql`SELECT DISTINCT y.rid, y.y, array_to_string((string_to_array(t.topic, '.'))[1:${q.level ?? 2}::int], '.') AS topic
      FROM y
      JOIN text_analyses ta ON ta.org_id = ${orgId}::uuid AND ta.customer_id = y.customer_id
        AND ta.occurred_at >= y.t0 AND ta.occurred_at <= y.t1
        AND ta.occurred_at >= ${q.from.toISOString()}::timestamptz - ${lb} AND ta.occurred_at <= ${q.to.toISOString()}::timestamptz
      JOIN text_topics t ON t.org_id = ta.org_id AND t.analysis_id = ta.id
      WHERE t.sentiment_label = 'negative'`
    }),
    tot AS (SELECT count(*)::int AS n, coalesce(sum(y), 0)::float8 AS s, coalesce(sum(y * y), 0)::float8 AS s2 FROM y),
    top AS (
      SELECT topic, count(*)::int AS n, sum(y)::float8 AS s FROM m GROUP BY topic
      HAVING count(*) >= greatest(5, ${q.minCoverage}::float8 * (SELECT n FROM tot))
      -- Screen by strength of association (|r| with the outcome), not frequency: common, harmless
      -- drivers would otherwise crowd out rare, costly ones.
      ORDER BY abs(((SELECT n FROM tot) * sum(y) - count(*) * (SELECT s FROM tot))
        / nullif(sqrt(((SELECT n FROM tot) * count(*) - count(*)::float8 ^ 2)
                 * ((SELECT n FROM tot) * (SELECT s2 FROM tot) - (SELECT s FROM tot) ^ 2)), 0)) DESC NULLS LAST, topic
      LIMIT ${q.maxDrivers}
    )
    SELECT 'total' AS kind, NULL AS a, NULL AS b, n, s, s2 FROM tot
    UNION ALL SELECT 'driver', topic, NULL, n, s, 0 FROM top
    UNION ALL
    SELECT 'pair', m1.topic, m2.topic, count(*)::int, 0, 0
    FROM m m1 JOIN m m2 ON m2.rid = m1.rid AND m1.topic < m2.topic
    WHERE m1.topic IN (SELECT topic FROM top) AND m2.topic IN (SELECT topic FROM top)
    GROUP BY m1.topic, m2.topic`.execute(db),
  );
  const out: BinaryDriverStats = { n: 0, sumY: 0, sumY2: 0, drivers: new Map(), pairs: new Map() };
  for (const x of r.rows) {
    if (x.kind === 'total') {
      out.n = x.n;
      out.sumY = x.s;
      out.sumY2 = x.s2;
    } else if (x.kind === 'driver' && x.a) out.drivers.set(x.a, { count: x.n, sumY: x.s });
    else if (x.kind === 'pair' && x.a && x.b) out.pairs.set(`${x.a}\u0000${x.b}`, x.n);
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
  const r = await withWorkMem(db, 256, (db) =>
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

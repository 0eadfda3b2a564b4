import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import type { MetricFilter } from './query.js';

export interface EngagementCounts {
  at_start: number;
  at_end: number;
  new_in_period: number;
  active_in_period: number;
  buyers: number;
  repeat_buyers: number;
  referrers: number;
  revenue: number;
  /** Mean per-customer engagement score (0–100) over customers active at the end. */
  engagement_mean: number | null;
  engagement_sd: number | null;
  engagement_n: number;
}

function customerFilter(orgId: string, f: MetricFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (f.segment?.length) parts.push(sql`AND c.segment = ANY(${f.segment}::text[])`);
  for (const [key, values] of Object.entries(f.attrs ?? {})) {
    parts.push(sql`AND EXISTS (SELECT 1 FROM customer_attributes a WHERE a.org_id = ${orgId}::uuid AND a.customer_id = c.id
      AND a.key = ${key} AND coalesce(a.value_text, a.value_num::text, a.value_bool::text, a.value_time::text) = ANY(${values}::text[]))`);
  }
  return sql.join(parts, sql` `);
}

/**
 * Engagement-layer counts for a window. A customer is active at t when acquired before t and
 * without a cancellation at or before t. Engagement score: Σ weight(type) · 0.5^(age/halfLife)
 * over the 180 days before `to`, scaled to 0–100 by the org's 95th percentile (capped at 100).
 */
export async function engagementCounts(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; filter: MetricFilter; weights: Record<string, number>; halfLifeDays: number },
): Promise<EngagementCounts> {
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const types = Object.keys(q.weights);
  const weights = types.map((t) => q.weights[t]);
  const r = await sql<EngagementCounts>`
    WITH c AS MATERIALIZED (
      SELECT c.id, coalesce(c.acquired_at, c.created_at) AS acq,
        (SELECT min(e.occurred_at) FROM events e WHERE e.org_id = c.org_id AND e.customer_id = c.id AND e.type = 'cancellation') AS cancel
      FROM customers c WHERE c.org_id = ${orgId}::uuid AND c.merged_into IS NULL ${customerFilter(orgId, q.filter)}
    ),
    s AS (
      SELECT
        (count(*) FILTER (WHERE acq < ${from}::timestamptz AND (cancel IS NULL OR cancel > ${from}::timestamptz)))::int AS at_start,
        (count(*) FILTER (WHERE acq < ${to}::timestamptz AND (cancel IS NULL OR cancel > ${to}::timestamptz)))::int AS at_end,
        (count(*) FILTER (WHERE acq >= ${from}::timestamptz AND acq < ${to}::timestamptz AND (cancel IS NULL OR cancel > ${to}::timestamptz)))::int AS new_in_period,
        (count(*) FILTER (WHERE acq < ${to}::timestamptz AND (cancel IS NULL OR cancel > ${from}::timestamptz)))::int AS active_in_period
      FROM c
    ),
    p AS (
      SELECT e.customer_id, count(*) AS k, sum(coalesce(e.value, 0)) AS v FROM events e JOIN c ON c.id = e.customer_id
      WHERE e.org_id = ${orgId}::uuid AND e.type = 'purchase' AND e.occurred_at >= ${from}::timestamptz AND e.occurred_at < ${to}::timestamptz
      GROUP BY e.customer_id
    ),
    rf AS (
      SELECT count(DISTINCT e.customer_id)::int AS referrers FROM events e JOIN c ON c.id = e.customer_id
      WHERE e.org_id = ${orgId}::uuid AND e.type = 'referral_made' AND e.occurred_at >= ${from}::timestamptz AND e.occurred_at < ${to}::timestamptz
    ),
    w AS (SELECT * FROM unnest(${types}::text[], ${weights}::float8[]) AS w(type, weight)),
    raw AS (
      SELECT c.id, coalesce(sum(w.weight * power(0.5, extract(epoch FROM ${to}::timestamptz - e.occurred_at) / 86400 / ${q.halfLifeDays})), 0) AS x
      FROM c
      LEFT JOIN events e ON e.org_id = ${orgId}::uuid AND e.customer_id = c.id
        AND e.occurred_at >= ${to}::timestamptz - interval '180 days' AND e.occurred_at < ${to}::timestamptz
      LEFT JOIN w ON w.type = e.type
      WHERE c.acq < ${to}::timestamptz AND (c.cancel IS NULL OR c.cancel > ${to}::timestamptz)
      GROUP BY c.id
    ),
    p95 AS (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY x) AS v FROM raw WHERE x > 0),
    eng AS (
      SELECT avg(least(100, 100 * x / nullif((SELECT v FROM p95), 0)))::float8 AS m,
        stddev_samp(least(100, 100 * x / nullif((SELECT v FROM p95), 0)))::float8 AS sd, count(*)::int AS n FROM raw
    )
    SELECT s.*, (SELECT count(*) FROM p)::int AS buyers, (SELECT count(*) FROM p WHERE k >= 2)::int AS repeat_buyers,
      rf.referrers, coalesce((SELECT sum(v) FROM p), 0)::float8 AS revenue,
      eng.m AS engagement_mean, eng.sd AS engagement_sd, eng.n AS engagement_n
    FROM s, rf, eng`.execute(db);
  return r.rows[0];
}

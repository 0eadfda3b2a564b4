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
  /**
   * Mean per-customer engagement score (0–100) over customers active at the end; null (n 0) when
   * the window holds no event of the customers filtered.
   */
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
 * over the window's events (age from `to`), scaled to 0–100 by the org's 95th percentile in the
 * window (capped at 100; 0 for everyone when nobody has a weighted event). A window without any
 * event of the customers filtered has no data: every count is 0 and the score null.
 */
export async function engagementCounts(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; filter: MetricFilter; weights: Record<string, number>; halfLifeDays: number },
): Promise<EngagementCounts> {
  return (await engagementCountsMany(db, orgId, { ...q, windows: [{ from: q.from, to: q.to }] }))[0];
}

/**
 * engagementCounts for several windows (a period and the one before) in one statement: the
 * customers are read once, and the events of all windows in one range scan.
 */
export async function engagementCountsMany(
  db: Db,
  orgId: string,
  q: {
    windows: { from: Date; to: Date }[];
    filter: MetricFilter;
    weights: Record<string, number>;
    halfLifeDays: number;
  },
): Promise<EngagementCounts[]> {
  if (!q.windows.length) return [];
  const froms = q.windows.map((w) => w.from.toISOString());
  const tos = q.windows.map((w) => w.to.toISOString());
  const lo = new Date(Math.min(...q.windows.map((w) => w.from.getTime()))).toISOString();
  const hi = new Date(Math.max(...q.windows.map((w) => w.to.getTime()))).toISOString();
  const types = Object.keys(q.weights);
  const weights = types.map((t) => q.weights[t]);
  const r = await sql<EngagementCounts & { k: number }>`
    WITH cancels AS (
      -- Each customer's first cancellation: one range scan of events_type_time_cover, hashed (a lookup
      -- per customer read every event of every customer).
      SELECT e.customer_id, min(e.occurred_at) AS cancel FROM events e
      WHERE e.org_id = ${orgId}::uuid AND e.type = 'cancellation' GROUP BY e.customer_id
    ),
    c AS MATERIALIZED (
      SELECT c.id, coalesce(c.acquired_at, c.created_at) AS acq, x.cancel
      FROM customers c LEFT JOIN cancels x ON x.customer_id = c.id
      WHERE c.org_id = ${orgId}::uuid AND c.merged_into IS NULL ${customerFilter(orgId, q.filter)}
    ),
    win AS MATERIALIZED (
      -- has_data: any event of the customers in the window. Without one the period is not covered
      -- by the data (e.g. it lies in the future): nobody can be counted retained or engaged in it.
      SELECT k::int AS k, f AS wf, t AS wt,
        EXISTS (SELECT 1 FROM events e WHERE e.org_id = ${orgId}::uuid AND e.occurred_at >= f AND e.occurred_at < t
          AND e.customer_id IN (SELECT id FROM c)) AS has_data
      FROM unnest(${froms}::timestamptz[], ${tos}::timestamptz[]) WITH ORDINALITY AS w(f, t, k)
    ),
    s AS (
      SELECT win.k,
        (count(*) FILTER (WHERE acq < wf AND (cancel IS NULL OR cancel > wf)))::int AS at_start,
        (count(*) FILTER (WHERE acq < wt AND (cancel IS NULL OR cancel > wt)))::int AS at_end,
        (count(*) FILTER (WHERE acq >= wf AND acq < wt AND (cancel IS NULL OR cancel > wt)))::int AS new_in_period,
        (count(*) FILTER (WHERE acq < wt AND (cancel IS NULL OR cancel > wf)))::int AS active_in_period
      FROM win CROSS JOIN c WHERE win.has_data GROUP BY win.k
    ),
    ev AS MATERIALIZED (
      -- The purchases and referrals of every window, one range scan.
      SELECT e.customer_id, e.type, e.occurred_at, e.value FROM events e JOIN c ON c.id = e.customer_id
      WHERE e.org_id = ${orgId}::uuid AND e.type IN ('purchase', 'referral_made')
        AND e.occurred_at >= ${lo}::timestamptz AND e.occurred_at < ${hi}::timestamptz
    ),
    p AS (
      SELECT win.k, ev.customer_id, count(*) AS n, sum(coalesce(ev.value, 0)) AS v
      FROM win JOIN ev ON ev.occurred_at >= win.wf AND ev.occurred_at < win.wt
      WHERE ev.type = 'purchase' GROUP BY win.k, ev.customer_id
    ),
    pk AS (
      SELECT k, count(*)::int AS buyers, (count(*) FILTER (WHERE n >= 2))::int AS repeat_buyers, sum(v)::float8 AS revenue
      FROM p GROUP BY k
    ),
    rf AS (
      SELECT win.k, count(DISTINCT ev.customer_id)::int AS referrers
      FROM win JOIN ev ON ev.occurred_at >= win.wf AND ev.occurred_at < win.wt
      WHERE ev.type = 'referral_made' GROUP BY win.k
    ),
    w AS (SELECT * FROM unnest(${types}::text[], ${weights}::float8[]) AS w(type, weight)),
    se AS MATERIALIZED (
      -- Weighted events of any window (only weighted types count:
      -- filtering on them lets events_type_time_cover find exactly those rows).
      SELECT e.customer_id, e.occurred_at, w.weight FROM events e JOIN w ON w.type = e.type
      WHERE e.org_id = ${orgId}::uuid AND e.type = ANY(${types}::text[])
        AND e.occurred_at >= ${lo}::timestamptz AND e.occurred_at < ${hi}::timestamptz
    ),
    raw AS (
      -- float8 throughout: extract(epoch …) is numeric, and numeric power() cost ~50 µs a row.
      SELECT win.k, c.id, coalesce(sum(se.weight * power(0.5::float8, date_part('epoch', win.wt - se.occurred_at) / 86400 / ${q.halfLifeDays}::float8)), 0) AS x
      FROM win CROSS JOIN c
      LEFT JOIN se ON se.customer_id = c.id AND se.occurred_at >= win.wf AND se.occurred_at < win.wt
      WHERE win.has_data AND c.acq < win.wt AND (c.cancel IS NULL OR c.cancel > win.wt)
      GROUP BY win.k, c.id
    ),
    p95 AS (SELECT k, percentile_cont(0.95) WITHIN GROUP (ORDER BY x) AS v FROM raw WHERE x > 0 GROUP BY k),
    eng AS (
      -- coalesce: least() skips a NULL, so without it a window nobody scored in read 100 for all.
      SELECT raw.k, avg(least(100, coalesce(100 * x / nullif(p95.v, 0), 0)))::float8 AS m,
        stddev_samp(least(100, coalesce(100 * x / nullif(p95.v, 0), 0)))::float8 AS sd, count(*)::int AS n
      FROM raw LEFT JOIN p95 ON p95.k = raw.k GROUP BY raw.k
    )
    SELECT win.k, coalesce(s.at_start, 0) AS at_start, coalesce(s.at_end, 0) AS at_end,
      coalesce(s.new_in_period, 0) AS new_in_period, coalesce(s.active_in_period, 0) AS active_in_period,
      coalesce(pk.buyers, 0) AS buyers, coalesce(pk.repeat_buyers, 0) AS repeat_buyers,
      coalesce(rf.referrers, 0) AS referrers, coalesce(pk.revenue, 0)::float8 AS revenue,
      eng.m AS engagement_mean, eng.sd AS engagement_sd, coalesce(eng.n, 0) AS engagement_n
    FROM win LEFT JOIN s ON s.k = win.k LEFT JOIN pk ON pk.k = win.k LEFT JOIN rf ON rf.k = win.k
      LEFT JOIN eng ON eng.k = win.k
    ORDER BY win.k`.execute(db);
  return r.rows.map(({ k: _k, ...x }) => x);
}

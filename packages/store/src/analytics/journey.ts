import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import type { MetricFilter } from './query.js';

export const JOURNEY_STAGES = [
  'awareness',
  'consideration',
  'purchase',
  'onboarding',
  'use',
  'support',
  'renewal',
  'advocacy',
] as const;

export interface JourneyTouchpointRow {
  stage: string;
  key: string;
  label: string;
  department: string | null;
  channel: string;
  interactions: number;
  responses: number;
  events: number;
  customers: number;
}

export interface JourneyStats {
  touchpoints: JourneyTouchpointRow[];
  stages: { stage: string; customers: number }[];
  /** Median days from a customer's first touch in one stage to their first in the next (stage order). */
  gaps: { from_stage: string; to_stage: string; median_days: number | null; customers: number }[];
  paths: { path: string[]; customers: number }[];
}

/** Customers' touches (interactions, responses, events) by stage, touchpoint and department. */
export async function journeyStats(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; filter: MetricFilter },
): Promise<JourneyStats> {
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const f = q.filter;
  const cond = sql`${f.touchpoint?.length ? sql`AND tp.key = ANY(${f.touchpoint}::text[])` : sql``}
    ${f.department?.length ? sql`AND dp.key = ANY(${f.department}::text[])` : sql``}
    ${f.stage?.length ? sql`AND tp.journey_stage = ANY(${f.stage}::text[])` : sql``}
    ${f.channel?.length ? sql`AND tp.channel = ANY(${f.channel}::text[])` : sql``}
    ${f.segment?.length ? sql`AND EXISTS (SELECT 1 FROM customers c WHERE c.org_id = t.org_id AND c.id = t.customer_id AND c.segment = ANY(${f.segment}::text[]))` : sql``}`;
  const touches = sql`
    SELECT t.*, tp.key, tp.name, tp.journey_stage AS stage, tp.channel, dp.key AS department FROM (
      SELECT org_id, 'i' AS src, customer_id, touchpoint_id, opened_at AS at FROM interactions
        WHERE org_id = ${orgId}::uuid AND opened_at >= ${from}::timestamptz AND opened_at < ${to}::timestamptz AND touchpoint_id IS NOT NULL
      UNION ALL
      SELECT org_id, 'r', customer_id, touchpoint_id, submitted_at FROM responses
        WHERE org_id = ${orgId}::uuid AND submitted_at >= ${from}::timestamptz AND submitted_at < ${to}::timestamptz
          AND touchpoint_id IS NOT NULL AND customer_id IS NOT NULL
      UNION ALL
      SELECT org_id, 'e', customer_id, touchpoint_id, occurred_at FROM events
        WHERE org_id = ${orgId}::uuid AND occurred_at >= ${from}::timestamptz AND occurred_at < ${to}::timestamptz AND touchpoint_id IS NOT NULL
    ) t
    JOIN touchpoints tp ON tp.org_id = t.org_id AND tp.id = t.touchpoint_id
    LEFT JOIN departments dp ON dp.org_id = tp.org_id AND dp.id = tp.department_id
    WHERE true ${cond}`;
  const stageOrder = sql`array_position(${[...JOURNEY_STAGES]}::text[], x.stage)`;
  // One statement: the touches are read once (materialized) and every figure is computed from
  // them, instead of four queries each reading the three tables again.
  const r = await sql<{
    tps: JourneyTouchpointRow[] | null;
    stages: { stage: string; customers: number }[] | null;
    gaps: { from_stage: string; to_stage: string; median_days: number | null; customers: number }[] | null;
    paths: { path: string[]; customers: number }[] | null;
  }>`
    WITH x AS MATERIALIZED (${touches}),
    tps AS (
      SELECT x.stage, x.key, max(x.name) AS label, max(x.department) AS department, max(x.channel) AS channel,
        (count(*) FILTER (WHERE x.src = 'i'))::int AS interactions, (count(*) FILTER (WHERE x.src = 'r'))::int AS responses,
        (count(*) FILTER (WHERE x.src = 'e'))::int AS events, count(DISTINCT x.customer_id)::int AS customers,
        row_number() OVER (ORDER BY min(${stageOrder}), x.key) AS o
      FROM x GROUP BY x.stage, x.key
    ),
    stages AS (
      SELECT x.stage, count(DISTINCT x.customer_id)::int AS customers, row_number() OVER (ORDER BY min(${stageOrder})) AS o
      FROM x GROUP BY x.stage
    ),
    firsts AS (SELECT x.customer_id, x.stage, ${stageOrder} AS o, min(x.at) AS at FROM x GROUP BY 1, 2, 3),
    gaps AS (
      SELECT a.stage AS from_stage, b.stage AS to_stage,
        (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM b.at - a.at) / 86400))::float8 AS median_days,
        count(*)::int AS customers, a.o
      FROM firsts a JOIN firsts b ON b.customer_id = a.customer_id AND b.o = a.o + 1
      GROUP BY a.stage, b.stage, a.o
    ),
    dfirsts AS (SELECT x.customer_id, x.department, min(x.at) AS at FROM x WHERE x.department IS NOT NULL GROUP BY 1, 2),
    p AS (SELECT customer_id, array_agg(department ORDER BY at, department) AS path FROM dfirsts GROUP BY customer_id),
    paths AS (
      SELECT path, count(*)::int AS customers, row_number() OVER (ORDER BY count(*) DESC, path) AS o
      FROM p WHERE cardinality(path) >= 2 GROUP BY path
    )
    SELECT
      (SELECT json_agg(json_build_object('stage', stage, 'key', key, 'label', label, 'department', department,
        'channel', channel, 'interactions', interactions, 'responses', responses, 'events', events, 'customers', customers)
        ORDER BY o) FROM tps) AS tps,
      (SELECT json_agg(json_build_object('stage', stage, 'customers', customers) ORDER BY o) FROM stages) AS stages,
      (SELECT json_agg(json_build_object('from_stage', from_stage, 'to_stage', to_stage, 'median_days', median_days,
        'customers', customers) ORDER BY o) FROM gaps) AS gaps,
      (SELECT json_agg(json_build_object('path', path, 'customers', customers) ORDER BY o) FROM paths WHERE o <= 10) AS paths`.execute(
    db,
  );
  const row = r.rows[0];
  return { touchpoints: row?.tps ?? [], stages: row?.stages ?? [], gaps: row?.gaps ?? [], paths: row?.paths ?? [] };
}

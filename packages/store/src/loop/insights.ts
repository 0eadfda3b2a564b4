import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import type { CaseRow } from './cases.js';

export interface RecoveryCounts {
  department: string | null;
  root_cause: string | null;
  /** Which grouping the row belongs to: 'department', 'root_cause' or 'all'. */
  grouping: 'department' | 'root_cause' | 'all';
  closed: number;
  recovered: number;
  not_recovered: number;
  pending: number;
}

/** Closed cases in [from, to) by department, by root cause and overall, with their recovery outcome. */
export async function recoveryCounts(db: Db, orgId: string, from: Date, to: Date): Promise<RecoveryCounts[]> {
  const r = await sql<RecoveryCounts & { g_dept: number; g_root: number }>`
    SELECT department, root_cause, grouping(department)::int AS g_dept, grouping(root_cause)::int AS g_root,
      count(*)::int AS closed,
      count(*) FILTER (WHERE recovery_status = 'recovered')::int AS recovered,
      count(*) FILTER (WHERE recovery_status = 'not_recovered')::int AS not_recovered,
      count(*) FILTER (WHERE recovery_status = 'pending')::int AS pending
    FROM cases
    WHERE org_id = ${orgId} AND recovery_status IS NOT NULL
      AND coalesce(resolved_at, closed_at) >= ${from.toISOString()}::timestamptz
      AND coalesce(resolved_at, closed_at) < ${to.toISOString()}::timestamptz
    GROUP BY GROUPING SETS ((department), (root_cause), ())`.execute(db);
  return r.rows.map(({ g_dept, g_root, ...x }) => ({
    ...x,
    grouping: g_dept === 0 ? 'department' : g_root === 0 ? 'root_cause' : 'all',
  }));
}

/** Cases opened in [from, to). */
export async function casesOpenedBetween(db: Db, orgId: string, from: Date, to: Date): Promise<CaseRow[]> {
  const r = await sql<CaseRow>`SELECT * FROM cases WHERE org_id = ${orgId}
    AND opened_at >= ${from.toISOString()}::timestamptz AND opened_at < ${to.toISOString()}::timestamptz
    ORDER BY opened_at, id`.execute(db);
  return r.rows;
}

/**
 * Cases opened before `at` and not resolved or closed now, oldest first, `perDepartment` each;
 * `overdue` counts those whose SLA was due before `dueBy` (`at` unless given: a week not over yet
 * passes now, so that a case due later this week is not counted as overdue already).
 */
export async function unresolvedCases(
  db: Db,
  orgId: string,
  at: Date,
  perDepartment: number,
  dueBy: Date = at,
): Promise<{ counts: { department: string; n: number; overdue: number }[]; oldest: CaseRow[] }> {
  const counts = await sql<{ department: string; n: number; overdue: number }>`
    SELECT department, count(*)::int AS n, count(*) FILTER (WHERE sla_due_at < ${dueBy.toISOString()}::timestamptz)::int AS overdue
    FROM cases WHERE org_id = ${orgId} AND status NOT IN ('resolved','closed') AND opened_at < ${at.toISOString()}::timestamptz
    GROUP BY department`.execute(db);
  const oldest = await sql<CaseRow>`SELECT * FROM (
      SELECT c.*, row_number() OVER (PARTITION BY department ORDER BY opened_at, id) AS rn FROM cases c
      WHERE org_id = ${orgId} AND status NOT IN ('resolved','closed') AND opened_at < ${at.toISOString()}::timestamptz) t
    WHERE rn <= ${perDepartment} ORDER BY department, rn`.execute(db);
  return { counts: counts.rows, oldest: oldest.rows };
}

/**
 * The currency (ISO 4217) those customers' purchases and renewals in [from, to) carry most, or
 * null when none names one: what revenueByCustomer's sums are in.
 */
export async function revenueCurrency(
  db: Db,
  orgId: string,
  customerIds: string[],
  from: Date,
  to: Date,
): Promise<string | null> {
  if (customerIds.length === 0) return null;
  const r = await sql<{ currency: string }>`
    SELECT currency FROM events
    WHERE org_id = ${orgId} AND customer_id = ANY(${customerIds}::uuid[]) AND type IN ('purchase','renewal')
      AND currency IS NOT NULL
      AND occurred_at >= ${from.toISOString()}::timestamptz AND occurred_at < ${to.toISOString()}::timestamptz
    GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1`.execute(db);
  return r.rows[0]?.currency ?? null;
}

/** Revenue (purchases and renewals) per customer in [from, to). */
export async function revenueByCustomer(
  db: Db,
  orgId: string,
  customerIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, number>> {
  if (customerIds.length === 0) return new Map();
  const r = await sql<{ customer_id: string; v: number }>`
    SELECT customer_id, coalesce(sum(value), 0)::float8 AS v FROM events
    WHERE org_id = ${orgId} AND customer_id = ANY(${customerIds}::uuid[]) AND type IN ('purchase','renewal')
      AND occurred_at >= ${from.toISOString()}::timestamptz AND occurred_at < ${to.toISOString()}::timestamptz
    GROUP BY customer_id`.execute(db);
  return new Map(r.rows.map((x) => [x.customer_id, x.v]));
}

/** Topic mentions (and negative ones) in the week [from, to) and in the `weeksBack` weeks before it. */
export async function topicWeekCounts(
  db: Db,
  orgId: string,
  from: Date,
  to: Date,
  weeksBack: number,
): Promise<{ topic: string; current: number; negative: number; previous: number }[]> {
  const start = new Date(from.getTime() - weeksBack * 7 * 86_400_000);
  const r = await sql<{ topic: string; current: number; negative: number; previous: number }>`
    SELECT topic,
      count(*) FILTER (WHERE occurred_at >= ${from.toISOString()}::timestamptz)::int AS current,
      count(*) FILTER (WHERE occurred_at >= ${from.toISOString()}::timestamptz AND sentiment_label = 'negative')::int AS negative,
      count(*) FILTER (WHERE occurred_at < ${from.toISOString()}::timestamptz)::int AS previous
    FROM text_topics WHERE org_id = ${orgId} AND occurred_at >= ${start.toISOString()}::timestamptz
      AND occurred_at < ${to.toISOString()}::timestamptz
    GROUP BY topic`.execute(db);
  return r.rows;
}

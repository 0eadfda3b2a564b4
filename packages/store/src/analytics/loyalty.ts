import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import {
  insertOutcomesSql,
  nextOutcomesSql,
  OUTCOME_TRIGGERS,
  SCORED_ANSWER,
} from '../migrations/015_answer_outcomes.js';
import { filterSql, joinsSql, type MetricFilter, withAnalyticsSettings } from './query.js';

/** The outcome rows (015) read like answers: same ids, touchpoint, agent and customer columns. */
const outcomesCtx = {
  family: 'answers' as const,
  rollup: false,
  spec: {
    table: 'answer_outcomes',
    time: 'submitted_at',
    customer: 'customer_id',
    agent: true,
    subjectKind: 'response' as const,
    subjectId: 'response_id',
  },
};

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
 * cancelled, or when the horizon has elapsed by `now`. Reads the answers' next-outcome times
 * (answer_outcomes, kept by triggers), so any horizon costs one pass over the window's answers.
 */
export async function loyaltyCounts(
  db: Db,
  orgId: string,
  q: { type: 'nps' | 'csat'; from: Date; to: Date; filter: MetricFilter; horizonDays: number; now: Date },
): Promise<LoyaltyCountsRow[]> {
  const h = sql`make_interval(days => ${q.horizonDays})`;
  const r = await withAnalyticsSettings(db, 256, (db) =>
    sql<LoyaltyCountsRow>`
    WITH last AS (
      SELECT DISTINCT ON (f.customer_id) f.box, f.submitted_at AS t, f.next_cancellation_at AS nc,
        f.next_purchase_at AS np, f.next_referral_at AS nr
      FROM answer_outcomes f ${joinsSql(outcomesCtx, !!q.filter.segment?.length, false)}
      WHERE f.org_id = ${orgId}::uuid AND f.type = ${q.type}
        AND f.submitted_at >= ${q.from.toISOString()}::timestamptz AND f.submitted_at < ${q.to.toISOString()}::timestamptz
        ${filterSql(q.filter, outcomesCtx)}
      ORDER BY f.customer_id, f.submitted_at DESC, f.response_id DESC, f.field DESC
    ), o AS (
      SELECT box, coalesce(nc <= t + ${h}, false) AS cancelled, coalesce(np <= t + ${h}, false) AS purchased,
        coalesce(nr <= t + ${h}, false) AS referred, t + ${h} <= ${q.now.toISOString()}::timestamptz AS elapsed
      FROM last
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

const uuid = (orgId: string) => {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error('orgId must be a UUID');
  return `'${orgId}'::uuid`;
};

/**
 * Refills an org's answer outcomes from its answers, events and customers (after a bulk load
 * with the triggers off). Run in one transaction when `db` is one.
 */
export async function rebuildAnswerOutcomes(db: Db, orgId: string): Promise<void> {
  const org = uuid(orgId);
  await sql.raw(`DELETE FROM answer_outcomes WHERE org_id = ${org}`).execute(db);
  // In time order, so a window's rows lie together on disk.
  await sql.raw(`${insertOutcomesSql('answers', `AND a.org_id = ${org}`)} ORDER BY a.submitted_at`).execute(db);
}

/** Outcome rows that differ from a recomputation (missing, extra or with other values), and all rows. */
export async function verifyAnswerOutcomes(db: Db, orgId: string): Promise<{ mismatches: number; rows: number }> {
  const org = uuid(orgId);
  const r = await sql
    .raw<{ mismatches: number; rows: number }>(`
    SELECT (count(*) FILTER (WHERE o.org_id IS NULL OR x.org_id IS NULL
      OR (o.type, o.customer_id, o.touchpoint_id, o.agent_id, o.submitted_at, o.box, o.next_cancellation_at, o.next_purchase_at, o.next_referral_at)
        IS DISTINCT FROM (x.type, x.customer_id, x.touchpoint_id, x.agent_id, x.submitted_at, x.box, x.next_cancellation_at, x.next_purchase_at, x.next_referral_at)))::int AS mismatches,
      count(*)::int AS rows
    FROM (SELECT * FROM answer_outcomes WHERE org_id = ${org}) o
    FULL JOIN (
      SELECT a.org_id, a.response_id, a.field, a.type, a.customer_id, a.touchpoint_id, a.agent_id, a.submitted_at,
        round(a.value_num)::int AS box, ${nextOutcomesSql('a')}
      FROM answers a WHERE a.org_id = ${org} AND ${SCORED_ANSWER}
    ) x ON x.response_id = o.response_id AND x.field = o.field`)
    .execute(db);
  return r.rows[0];
}

/** The answer-outcome triggers (migration 015), for bulk loads that disable them and rebuild after. */
export const ANSWER_OUTCOME_TRIGGERS: { table: string; trigger: string }[] = OUTCOME_TRIGGERS;

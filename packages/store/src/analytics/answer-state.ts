import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { fillOutcomesSql, nextEventsSql, OUTCOME_TRIGGERS, SCORED_ANSWER } from '../migrations/015_answer_outcomes.js';
import { DRIVER_TRIGGERS, driverRowsSql, insertDriversSql } from '../migrations/016_answer_drivers.js';
import {
  DRIVER_ROLLUP_TRIGGERS,
  fillPairsSql,
  keyedDriversSql,
  pairSumsSql,
} from '../migrations/017_answer_driver_rollup.js';

/**
 * Rebuild and verification of the per-answer state kept by triggers: the answers' next outcomes
 * (015, loyalty by score box) and their drivers (016, key drivers). Bulk loads disable the
 * triggers (`ANSWER_STATE_TRIGGERS`) and rebuild; tests and the bench verify.
 */
const uuid = (orgId: string) => {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error('orgId must be a UUID');
  return `'${orgId}'::uuid`;
};

/**
 * Refills an org's answer outcomes from its answers, events and customers (after a bulk load
 * with the triggers off). Run in one transaction when `db` is one.
 */
export async function rebuildAnswerOutcomes(db: Db, orgId: string): Promise<void> {
  await refill(db, 'answer_outcomes', orgId, (org) => fillOutcomesSql(`AND a.org_id = ${org}`));
}

/** Deletes an org's rows of a state table and runs its fill (`fill` gets the org as an SQL literal). */
async function refill(db: Db, table: string, orgId: string, fill: (org: string) => string): Promise<void> {
  const org = uuid(orgId);
  await sql.raw(`DELETE FROM ${table} WHERE org_id = ${org}`).execute(db);
  await sql.raw(fill(org)).execute(db);
}

/** Outcome rows that differ from a recomputation (missing, extra or with other values), and all rows. */
export async function verifyAnswerOutcomes(db: Db, orgId: string): Promise<{ mismatches: number; rows: number }> {
  const org = uuid(orgId);
  const r = await sql
    .raw<{ mismatches: number; rows: number }>(`
    SELECT (count(*) FILTER (WHERE o.org_id IS NULL OR x.org_id IS NULL
      OR (o.type, o.customer_id, o.touchpoint_id, o.agent_id, o.submitted_at, o.box, o.next_cancellation_at, o.next_purchase_at, o.next_referral_at, o.next_answer_at)
        IS DISTINCT FROM (x.type, x.customer_id, x.touchpoint_id, x.agent_id, x.submitted_at, x.box, x.next_cancellation_at, x.next_purchase_at, x.next_referral_at, x.next_answer_at)))::int AS mismatches,
      count(*)::int AS rows
    FROM (SELECT * FROM answer_outcomes WHERE org_id = ${org}) o
    FULL JOIN (
      SELECT a.org_id, a.response_id, a.field, a.type, a.customer_id, a.touchpoint_id, a.agent_id, a.submitted_at,
        round(a.value_num)::int AS box, ${nextEventsSql('a')},
        lead(a.submitted_at) OVER (PARTITION BY a.customer_id, a.type ORDER BY a.submitted_at, a.response_id, a.field) AS next_answer_at
      FROM answers a WHERE a.org_id = ${org} AND ${SCORED_ANSWER}
    ) x ON x.response_id = o.response_id AND x.field = o.field`)
    .execute(db);
  return r.rows[0];
}

/** Refills an org's answer drivers from its answers, interactions and text topics (after a bulk load). */
export async function rebuildAnswerDrivers(db: Db, orgId: string): Promise<void> {
  await refill(db, 'answer_drivers', orgId, (org) => insertDriversSql('answers', `AND a.org_id = ${org}`, true));
}

/** Refills an org's daily driver pair sums (017) from its driver rows (after rebuildAnswerDrivers). */
export async function rebuildDriverRollup(db: Db, orgId: string): Promise<void> {
  await refill(db, 'rollup_answer_driver_pairs', orgId, (org) => fillPairsSql(`AND r.org_id = ${org}`));
}

/** Daily pair sums that differ from a recomputation from the driver rows (zero sums count as absent), and all non-zero rows. */
export async function verifyDriverRollup(db: Db, orgId: string): Promise<{ mismatches: number; rows: number }> {
  const org = uuid(orgId);
  const cols = 'source, day, a_tp, a, b_tp, b, n, sum_y';
  const r = await sql
    .raw<{ mismatches: number; rows: number }>(`
    WITH kept AS (SELECT ${cols} FROM rollup_answer_driver_pairs WHERE org_id = ${org} AND (n <> 0 OR sum_y <> 0)),
    k AS MATERIALIZED (${keyedDriversSql('answer_drivers', '')} WHERE r.org_id = ${org}),
    again AS (SELECT ${cols} FROM (${pairSumsSql('k', false)}) p)
    SELECT (SELECT count(*) FROM ((SELECT * FROM kept EXCEPT ALL SELECT * FROM again)
      UNION ALL (SELECT * FROM again EXCEPT ALL SELECT * FROM kept)) d)::int AS mismatches,
      (SELECT count(*) FROM kept)::int AS rows`)
    .execute(db);
  return r.rows[0];
}

/** Driver rows missing from or extra to a recomputation, and all rows. */
export async function verifyAnswerDrivers(db: Db, orgId: string): Promise<{ mismatches: number; rows: number }> {
  const org = uuid(orgId);
  const cols = `response_id, field, source, driver_touchpoint_id, driver, customer_id, touchpoint_id, agent_id, submitted_at, y`;
  const kept = `SELECT ${cols} FROM answer_drivers WHERE org_id = ${org}`;
  const again = ['outcomes', 'topics']
    .map(
      (s) => `SELECT ${cols} FROM (${driverRowsSql('answers', `AND a.org_id = ${org}`, s as 'outcomes')}) x
      (org_id, ${cols})`,
    )
    .join(' UNION ALL ');
  const r = await sql
    .raw<{ mismatches: number; rows: number }>(`
    SELECT (SELECT count(*) FROM ((${kept} EXCEPT ALL (${again})) UNION ALL ((${again}) EXCEPT ALL ${kept})) d)::int AS mismatches,
      (SELECT count(*) FROM answer_drivers WHERE org_id = ${org})::int AS rows`)
    .execute(db);
  return r.rows[0];
}

/** The triggers that keep the answers' outcomes and drivers, for bulk loads that disable them and rebuild after. */
export const ANSWER_STATE_TRIGGERS: { table: string; trigger: string }[] = [
  ...OUTCOME_TRIGGERS,
  ...DRIVER_TRIGGERS,
  ...DRIVER_ROLLUP_TRIGGERS,
];

/**
 * Turns the answer-state triggers off or on (every org: bulk loads only, with no other writers),
 * so a load can fill the state once at the end (`rebuildAnswerState`) instead of per batch.
 */
export async function setAnswerStateTriggers(db: Db, on: boolean): Promise<void> {
  for (const t of ANSWER_STATE_TRIGGERS) {
    await sql.raw(`ALTER TABLE ${t.table} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t.trigger}`).execute(db);
  }
}

/** Refills an org's answer outcomes, drivers and driver pair sums, in that order. */
export async function rebuildAnswerState(db: Db, orgId: string): Promise<void> {
  await rebuildAnswerOutcomes(db, orgId);
  await rebuildAnswerDrivers(db, orgId);
  await rebuildDriverRollup(db, orgId);
}

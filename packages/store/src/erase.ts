import { sql } from 'kysely';
import type { Db } from './ingest/types.js';

/** How many rows of each kind an erasure removed. */
export interface Erased {
  customers: number;
  interactions: number;
  responses: number;
  answers: number;
  events: number;
  text_analyses: number;
  cases: number;
  survey_invitations: number;
}

/**
 * Erases a customer (the right to erasure): their profile, identities and attributes, every
 * interaction, response with its answers, event, text analysis, tag, case and survey invitation,
 * and the profiles merged into them — in one transaction, so it happens whole or not at all.
 * Rollups follow through their delete triggers. An opt-out goes too: to Canopy a customer who
 * comes back later is a new person. Returns undefined when there is no such customer.
 */
export async function eraseCustomer(db: Db, orgId: string, customerId: string): Promise<Erased | undefined> {
  return db.transaction().execute(async (trx) => {
    // The live profile this id forwards to, and every profile merged into it.
    const group = await sql<{ id: string }>`
      WITH RECURSIVE up AS (
        SELECT id, merged_into, 0 AS depth FROM customers WHERE org_id = ${orgId} AND id = ${customerId}::uuid
        UNION ALL
        SELECT c.id, c.merged_into, up.depth + 1 FROM customers c JOIN up ON c.org_id = ${orgId} AND c.id = up.merged_into
        WHERE up.depth < 50
      ), root AS (SELECT id FROM up WHERE merged_into IS NULL LIMIT 1),
      down AS (
        SELECT id FROM root
        UNION
        SELECT c.id FROM customers c JOIN down ON c.org_id = ${orgId} AND c.merged_into = down.id
      )
      SELECT id FROM down`.execute(trx);
    const ids = group.rows.map((r) => r.id);
    if (ids.length === 0) return undefined;
    const count = async (q: ReturnType<typeof sql>) => Number((await q.execute(trx)).numAffectedRows ?? 0);

    const subjects = sql`(
      SELECT 'interaction'::text AS kind, id FROM interactions WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])
      UNION ALL SELECT 'response', id FROM responses WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])
      UNION ALL SELECT 'event', id FROM events WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])
      UNION ALL SELECT 'customer', unnest(${ids}::uuid[]))`;
    const analyses = sql`(SELECT a.id FROM text_analyses a WHERE a.org_id = ${orgId}
      AND (a.customer_id = ANY(${ids}::uuid[]) OR (a.subject_kind, a.subject_id) IN (SELECT kind, id FROM ${subjects} s)))`;
    await sql`DELETE FROM text_topics WHERE org_id = ${orgId} AND analysis_id IN ${analyses}`.execute(trx);
    const textAnalyses = await count(sql`DELETE FROM text_analyses WHERE org_id = ${orgId} AND id IN ${analyses}`);
    await sql`DELETE FROM record_tags WHERE org_id = ${orgId}
      AND (subject_kind, subject_id) IN (SELECT kind, id FROM ${subjects} s)`.execute(trx);
    // Cases about this customer (their links, notes and history cascade).
    const cases = await count(sql`DELETE FROM cases WHERE org_id = ${orgId} AND (customer_id = ANY(${ids}::uuid[])
      OR id IN (SELECT l.case_id FROM case_links l WHERE l.org_id = ${orgId}
        AND (l.subject_kind, l.subject_id) IN (SELECT kind, id FROM ${subjects} s)))`);
    const invitations = await count(
      sql`DELETE FROM survey_invitations WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])`,
    );
    await sql`DELETE FROM survey_opt_outs WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])`.execute(trx);
    const answers = await count(sql`DELETE FROM answers WHERE org_id = ${orgId} AND response_id IN
      (SELECT id FROM responses WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[]))`);
    const responses = await count(
      sql`DELETE FROM responses WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])`,
    );
    const events = await count(sql`DELETE FROM events WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])`);
    const interactions = await count(
      sql`DELETE FROM interactions WHERE org_id = ${orgId} AND customer_id = ANY(${ids}::uuid[])`,
    );
    await sql`UPDATE customers SET referred_by = NULL WHERE org_id = ${orgId} AND referred_by = ANY(${ids}::uuid[])`.execute(
      trx,
    );
    // Forwarding pointers first, so no profile points at a deleted one while the rows go.
    await sql`UPDATE customers SET merged_into = NULL WHERE org_id = ${orgId} AND id = ANY(${ids}::uuid[])`.execute(
      trx,
    );
    const customers = await count(sql`DELETE FROM customers WHERE org_id = ${orgId} AND id = ANY(${ids}::uuid[])`);
    return {
      customers,
      interactions,
      responses,
      answers,
      events,
      text_analyses: textAnalyses,
      cases,
      survey_invitations: invitations,
    };
  });
}

import { type Kysely, sql } from 'kysely';

/**
 * Covering indexes for the ad-hoc customer analyses, each replacing the 001 index whose columns
 * lead it (same lookups, now index-only):
 * - Loyalty by score box reads the outcome events (cancellation, purchase, referral) of a whole
 *   span and hash-joins them to the answering customers: events by type and time, with the customer.
 * - Key drivers from interaction outcomes read the interactions of a span and hash-join them to
 *   the outcome rows: interactions by time, with customer, touchpoint and outcome (at 10M rows a
 *   lossy bitmap heap scan of ~80k pages before).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE INDEX events_type_time_cover ON events (org_id, type, occurred_at) INCLUDE (customer_id);
DROP INDEX IF EXISTS events_type_time;
CREATE INDEX interactions_opened_cover ON interactions (org_id, opened_at) INCLUDE (customer_id, touchpoint_id, outcome);
DROP INDEX IF EXISTS interactions_opened;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE INDEX IF NOT EXISTS events_type_time ON events (org_id, type, occurred_at);
DROP INDEX IF EXISTS events_type_time_cover;
CREATE INDEX IF NOT EXISTS interactions_opened ON interactions (org_id, opened_at);
DROP INDEX IF EXISTS interactions_opened_cover;
`.execute(db);
}

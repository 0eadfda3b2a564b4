import { type Kysely, sql } from 'kysely';

/**
 * Segments compare without case ("Consumer" finds the customers imported as "consumer"): an
 * index on the lower-cased segment keeps the customer list's segment filter an index lookup
 * within the org. customers_segment stays for the analytics filters, which match values as stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX customers_segment_ci ON customers (org_id, lower(segment))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS customers_segment_ci`.execute(db);
}

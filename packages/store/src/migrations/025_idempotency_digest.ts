import { type Kysely, sql } from 'kysely';

/**
 * What a record sent with an idempotency key said (a digest of its content), so a retry that
 * carries a different record under the same key is refused instead of answered "duplicate" while
 * the new record is dropped. Rows written before keep NULL: their retries are not compared.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['interactions', 'responses', 'events']) {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN idempotency_digest text`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['interactions', 'responses', 'events']) {
    await sql`ALTER TABLE ${sql.table(table)} DROP COLUMN IF EXISTS idempotency_digest`.execute(db);
  }
}

import { type Kysely, sql } from 'kysely';

/**
 * The audit log in words: what an entry changed, named as it was when it happened ("removed the
 * user ana@example.com", "replaced the taxonomy") — a removed user or rule keeps its name here —
 * and why an attempt was refused or failed (the answer's problem detail). Older entries have
 * neither and read from their method and path.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE audit_log ADD COLUMN summary text, ADD COLUMN reason text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE audit_log DROP COLUMN IF EXISTS summary, DROP COLUMN IF EXISTS reason`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/**
 * A revision number per saved taxonomy, raised by every save: the API's ETag, so that a save
 * made from an out-of-date copy (two people editing at once) is refused instead of silently
 * replacing the other's changes. An org on the default taxonomy has no row: revision 0.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_taxonomies ADD COLUMN revision integer NOT NULL DEFAULT 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_taxonomies DROP COLUMN revision`.execute(db);
}

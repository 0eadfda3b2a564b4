import { type Kysely, sql } from 'kysely';

/**
 * Which configuration found a stored text's topics: the org's taxonomy revision and its trained
 * topic model ('3|<model id>', '0|-' for Canopy's default taxonomy and no model); null for texts
 * stored before this was kept. A text whose mark is not the org's current one was read with an
 * earlier taxonomy: "apply the taxonomy to stored texts" finds them by it, and can stop and carry on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_analyses ADD COLUMN topics_config text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_analyses DROP COLUMN topics_config`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/**
 * Which configuration found a stored text's topics: a hash of the org's taxonomy phrases and its
 * trained topic model's id (core's topicsConfigMark, e.g. '1f0c…|-'); null for texts stored
 * before this was kept. A text whose mark is not the org's current one was read with an
 * earlier taxonomy: "apply the taxonomy to stored texts" finds them by it, and can stop and carry on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_analyses ADD COLUMN topics_config text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_analyses DROP COLUMN topics_config`.execute(db);
}

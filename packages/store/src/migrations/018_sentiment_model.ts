import { type Kysely, sql } from 'kysely';

/**
 * Which model gave a text, or a topic mention in it, its sentiment: null for Canopy's built-in
 * analysers (set at ingestion), else the name of the outside model (an ONNX folder the installation
 * configured: a text-sentiment or an aspect-sentiment model) that re-scored it afterwards. No index:
 * texts are re-scored by id, from the job their ingestion queued.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE text_analyses ADD COLUMN sentiment_model text;
ALTER TABLE text_topics ADD COLUMN sentiment_model text;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE text_analyses DROP COLUMN sentiment_model;
ALTER TABLE text_topics DROP COLUMN sentiment_model;
`.execute(db);
}

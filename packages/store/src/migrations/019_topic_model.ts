import { type Kysely, sql } from 'kysely';

/**
 * An installation's own topic model (an ONNX folder, CANOPY_TOPIC_MODEL) reads stored texts after
 * ingestion and adds the taxonomy topics it finds that the phrases missed. `text_analyses.topic_model`
 * marks the texts it has read (so a backfill carries on where it stopped, and a text it found nothing
 * in is not read again); `text_topics.detected_by` names the classifier that found a mention: that
 * model, or 'org-topic-model' for the org's own trained classifier at ingestion (null: the taxonomy
 * phrases).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE text_analyses ADD COLUMN topic_model text;
ALTER TABLE text_topics ADD COLUMN detected_by text;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE text_analyses DROP COLUMN topic_model;
ALTER TABLE text_topics DROP COLUMN detected_by;
`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/**
 * The support intent an org's trained intent classifier gives a text (card_arrival,
 * cancel_order …), stored with its analysis so lists can be filtered and counted by it.
 * Null where the org has no intent model. The index is partial: orgs without intents pay nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
ALTER TABLE text_analyses ADD COLUMN intent text, ADD COLUMN intent_score real;
CREATE INDEX text_analyses_intent ON text_analyses (org_id, intent, occurred_at) WHERE intent IS NOT NULL;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE text_analyses DROP COLUMN intent, DROP COLUMN intent_score`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/**
 * Per-org text analytics configuration: the org's own taxonomy (DESIGN.md "orgs edit theirs")
 * and the classifiers it trained on its labelled examples (topics, intents, sentiment). One model
 * per kind is active; ingestion analyses with the active ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE text_taxonomies (
  org_id uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  taxonomy jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE text_models (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('topics','intents','sentiment')),
  active boolean NOT NULL DEFAULT false,
  examples integer NOT NULL,
  labels text[] NOT NULL,
  metrics jsonb NOT NULL DEFAULT '{}',
  model jsonb NOT NULL,
  bytes integer NOT NULL,
  train_ms integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX text_models_active ON text_models (org_id, kind) WHERE active;
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE text_models; DROP TABLE text_taxonomies;`.execute(db);
}

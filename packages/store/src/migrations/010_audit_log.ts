import { type Kysely, sql } from 'kysely';

/**
 * Who changed what: one row per configuration or user-management request (rules, surveys,
 * taxonomy, webhooks, users, settings …), including refused ones, so an admin can answer
 * "who turned this rule off?" Customer data itself is not logged here (it has its own history).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE audit_log (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL CHECK (actor_kind IN ('user','api_key')),
  -- The user or API key; kept after either is removed (no foreign key), named at write time.
  actor_id uuid,
  actor_label text NOT NULL,
  permission text NOT NULL,
  method text NOT NULL,
  route text NOT NULL,
  path text NOT NULL,
  status integer NOT NULL,
  PRIMARY KEY (org_id, id)
);
`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE audit_log`.execute(db);
}

import { type Kysely, sql } from 'kysely';

/**
 * Surveys: definitions (versioned), per-org contact settings and secrets, invitations (one per
 * person asked, on any channel — it carries the funnel timestamps, the partial answers and the
 * response it became), and opt-outs. Answers themselves are written as ordinary responses by the
 * ingestion pipeline; nothing here duplicates them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE survey_settings (
  org_id uuid PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  -- HMAC key for per-recipient tokens (base64url, 32 random bytes).
  token_secret text NOT NULL,
  -- The widget's public key: identifies the org to the widget, grants nothing else.
  public_key text NOT NULL UNIQUE,
  settings jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE surveys (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  key text NOT NULL,
  slug text NOT NULL,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft','active','paused','archived')),
  version integer NOT NULL,
  definition jsonb NOT NULL,
  has_triggers boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, key)
);
-- Hosted pages are /s/<slug>: a slug names one survey on the server (a small config table: a
-- reference table when distributed).
CREATE UNIQUE INDEX surveys_slug ON surveys (slug);

CREATE TABLE survey_versions (
  org_id uuid NOT NULL,
  survey_id uuid NOT NULL,
  version integer NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, survey_id, version),
  FOREIGN KEY (org_id, survey_id) REFERENCES surveys(org_id, id) ON DELETE CASCADE
);

CREATE TABLE survey_invitations (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  survey_id uuid NOT NULL,
  version integer NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email','link','widget')),
  customer_id uuid,
  email text,
  touchpoint_id uuid,
  interaction_id uuid,
  -- The agent who handled the interaction when the survey was sent (agent credit).
  agent text,
  language text,
  hidden jsonb NOT NULL DEFAULT '{}',
  -- What caused it ('interaction:<id>', 'event:<id>'): one invitation per survey per cause.
  trigger_key text,
  status text NOT NULL CHECK (status IN ('scheduled','sending','sent','skipped','failed','cancelled')),
  reason text,
  scheduled_at timestamptz,
  claimed_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- The funnel: first time each stage was reached.
  sent_at timestamptz,
  opened_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  expires_at timestamptz NOT NULL,
  -- Partial answers by question id, kept as each page or answer is saved.
  answers jsonb NOT NULL DEFAULT '{}',
  page integer NOT NULL DEFAULT 1,
  response_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, survey_id) REFERENCES surveys(org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX survey_invitations_trigger ON survey_invitations (org_id, survey_id, trigger_key)
  WHERE trigger_key IS NOT NULL;
CREATE INDEX survey_invitations_customer ON survey_invitations (org_id, customer_id, sent_at)
  WHERE customer_id IS NOT NULL;
CREATE INDEX survey_invitations_survey ON survey_invitations (org_id, survey_id, created_at);
CREATE INDEX survey_invitations_touchpoint ON survey_invitations (org_id, touchpoint_id, sent_at)
  WHERE touchpoint_id IS NOT NULL;
CREATE INDEX survey_invitations_due ON survey_invitations (scheduled_at) WHERE status IN ('scheduled','sending');

CREATE TABLE survey_opt_outs (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  customer_id uuid NOT NULL,
  source text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, customer_id)
);
`.execute(db);
}

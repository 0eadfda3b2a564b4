import { type Kysely, sql } from 'kysely';

/**
 * The domain of DESIGN.md.
 *
 * The high-volume fact tables (interactions, responses, answers, events, text analyses) carry
 * no foreign keys: ingestion resolves every reference (customer, touchpoint, agent,
 * interaction) inside the batch's own transaction, customers are never deleted (only merged,
 * with a forwarding pointer), and FK triggers measured 2.4× the cost of the insert itself.
 * Configuration tables keep theirs. Every customer-data table leads with org_id (primary keys and
 * indexes too) so that each query is org-scoped by construction and the schema can be
 * distributed by org_id (Citus) when one machine is outgrown.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE orgs (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE departments (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  key text NOT NULL,
  name text NOT NULL,
  function text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, key)
);

CREATE TABLE users (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner','admin','analyst','department_owner','agent','viewer')),
  department_id uuid,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, department_id) REFERENCES departments(org_id, id)
);
-- Sign-in is by email alone, so an email names one user across the installation.
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
  org_id uuid NOT NULL,
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (org_id, user_id) REFERENCES users(org_id, id) ON DELETE CASCADE
);

CREATE TABLE api_keys (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (org_id, id)
);

CREATE TABLE touchpoints (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  key text NOT NULL,
  name text NOT NULL,
  department_id uuid NOT NULL,
  channel text NOT NULL,
  journey_stage text NOT NULL,
  planned boolean NOT NULL DEFAULT true,
  direct boolean NOT NULL DEFAULT true,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, key),
  FOREIGN KEY (org_id, department_id) REFERENCES departments(org_id, id)
);

CREATE TABLE agents (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  key text NOT NULL,
  name text,
  team text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, key)
);

CREATE TABLE customers (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text,
  segment text,
  acquired_at timestamptz,
  acquisition_source text,
  referred_by uuid,
  merged_into uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE INDEX customers_segment ON customers (org_id, segment);

-- One customer per identity per org: the primary key is the identity itself.
CREATE TABLE customer_identities (
  org_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('email','phone','external')),
  value text NOT NULL,
  customer_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, kind, value),
  FOREIGN KEY (org_id, customer_id) REFERENCES customers(org_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_identities_customer ON customer_identities (org_id, customer_id);

CREATE TABLE customer_attributes (
  org_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  key text NOT NULL,
  type text NOT NULL CHECK (type IN ('text','number','boolean','date')),
  value_text text,
  value_num double precision,
  value_bool boolean,
  value_time timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, customer_id, key),
  FOREIGN KEY (org_id, customer_id) REFERENCES customers(org_id, id) ON DELETE CASCADE
);

CREATE TABLE interactions (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  customer_id uuid NOT NULL,
  touchpoint_id uuid,
  agent_id uuid,
  team text,
  kind text NOT NULL,
  channel text,
  external_id text,
  idempotency_key text,
  subject text,
  text text,
  status text,
  outcome text,
  opened_at timestamptz NOT NULL,
  first_response_at timestamptz,
  resolved_at timestamptz,
  contact_count integer,
  transfers integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX interactions_idempotency ON interactions (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX interactions_external ON interactions (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX interactions_customer ON interactions (org_id, customer_id, opened_at);
CREATE INDEX interactions_opened ON interactions (org_id, opened_at);
CREATE INDEX interactions_agent ON interactions (org_id, agent_id, opened_at) WHERE agent_id IS NOT NULL;

CREATE TABLE responses (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  customer_id uuid,
  survey text,
  source text NOT NULL,
  touchpoint_id uuid,
  interaction_id uuid,
  agent_id uuid,
  language text,
  submitted_at timestamptz NOT NULL,
  external_id text,
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX responses_idempotency ON responses (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX responses_external ON responses (org_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX responses_customer ON responses (org_id, customer_id, submitted_at);
CREATE INDEX responses_submitted ON responses (org_id, submitted_at);

CREATE TABLE answers (
  org_id uuid NOT NULL,
  response_id uuid NOT NULL,
  field text NOT NULL,
  type text NOT NULL CHECK (type IN ('nps','csat','ces','rating','expectation','choice','text')),
  value_num double precision,
  value_text text,
  value_choices text[],
  scale_min double precision,
  scale_max double precision,
  higher_is_easier boolean,
  customer_id uuid,
  touchpoint_id uuid,
  agent_id uuid,
  submitted_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, response_id, field)
);
CREATE INDEX answers_type_time ON answers (org_id, type, submitted_at) INCLUDE (value_num, touchpoint_id);

CREATE TABLE events (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  customer_id uuid NOT NULL,
  type text NOT NULL,
  occurred_at timestamptz NOT NULL,
  touchpoint_id uuid,
  channel text,
  value double precision,
  currency text,
  rating double precision,
  text text,
  properties jsonb,
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX events_idempotency ON events (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX events_customer ON events (org_id, customer_id, occurred_at);
CREATE INDEX events_type_time ON events (org_id, type, occurred_at);

-- What text analytics found in any customer text: one row per text field, one row per topic mention.
CREATE TABLE text_analyses (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  subject_kind text NOT NULL CHECK (subject_kind IN ('interaction','response','event')),
  subject_id uuid NOT NULL,
  field text NOT NULL,
  customer_id uuid,
  touchpoint_id uuid,
  occurred_at timestamptz NOT NULL,
  language text NOT NULL,
  analysable boolean NOT NULL,
  sentiment_score real NOT NULL,
  sentiment_label text NOT NULL,
  emotions text[] NOT NULL DEFAULT '{}',
  effort real NOT NULL DEFAULT 0,
  churn_threat boolean NOT NULL DEFAULT false,
  urgent boolean NOT NULL DEFAULT false,
  pii_kinds text[] NOT NULL DEFAULT '{}',
  redacted_text text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, subject_kind, subject_id, field)
);
CREATE INDEX text_analyses_time ON text_analyses (org_id, occurred_at);
CREATE INDEX text_analyses_customer ON text_analyses (org_id, customer_id);

CREATE TABLE text_topics (
  org_id uuid NOT NULL,
  analysis_id uuid NOT NULL,
  topic text NOT NULL,
  sentiment_score real NOT NULL,
  sentiment_label text NOT NULL,
  span_start integer NOT NULL,
  span_end integer NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX text_topics_analysis ON text_topics (org_id, analysis_id);
CREATE INDEX text_topics_topic ON text_topics (org_id, topic, occurred_at);
`.execute(db);
}

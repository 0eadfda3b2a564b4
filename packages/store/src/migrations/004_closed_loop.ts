import { type Kysely, sql } from 'kysely';

/**
 * The closed loop (DESIGN.md "customer service as an intelligence organisation"): rules that
 * watch incoming signals, the cases they open for the owning department, the case history,
 * tags, outbound webhooks with their delivery log, and the durable job queue that carries
 * every notification (and any other work that may lag, e.g. delayed survey sends).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
CREATE TABLE rules (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  condition jsonb NOT NULL,
  customer_filter jsonb,
  actions jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);

-- One firing per rule and subject (record, customer-window or topic-hour): retried batches and
-- re-sent records never fire twice.
CREATE TABLE rule_firings (
  org_id uuid NOT NULL,
  rule_id uuid NOT NULL,
  dedupe_key text NOT NULL,
  case_id uuid,
  fired_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, rule_id, dedupe_key)
);

CREATE TABLE cases (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text NOT NULL,
  rule_id uuid,
  customer_id uuid,
  department text NOT NULL,
  assignee text,
  priority text NOT NULL CHECK (priority IN ('low','normal','high','urgent')),
  status text NOT NULL CHECK (status IN ('new','in_progress','waiting','resolved','closed')),
  sla_due_at timestamptz NOT NULL,
  root_cause text,
  actions_taken text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  trigger jsonb NOT NULL DEFAULT '{}',
  opened_at timestamptz NOT NULL DEFAULT now(),
  first_action_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  -- Recovery: did the customer's next score, sentiment or behaviour improve after closing?
  recovery_status text CHECK (recovery_status IN ('pending','recovered','not_recovered')),
  recovery_at timestamptz,
  recovery_evidence jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);
CREATE INDEX cases_status ON cases (org_id, status, department);
CREATE INDEX cases_customer ON cases (org_id, customer_id);
CREATE INDEX cases_recovery_pending ON cases (org_id, customer_id) WHERE recovery_status = 'pending';
CREATE INDEX cases_opened ON cases (org_id, opened_at);

-- The records behind a case (the triggering one and any later ones attached to it).
CREATE TABLE case_links (
  org_id uuid NOT NULL,
  case_id uuid NOT NULL,
  subject_kind text NOT NULL CHECK (subject_kind IN ('interaction','response','event')),
  subject_id uuid NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, case_id, subject_kind, subject_id),
  FOREIGN KEY (org_id, case_id) REFERENCES cases(org_id, id) ON DELETE CASCADE
);

-- Everything that happened to a case: opened, status changes, assignments, notes, edits.
CREATE TABLE case_events (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  case_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('opened','status','assigned','note','updated','linked','recovery')),
  author text,
  body jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, case_id) REFERENCES cases(org_id, id) ON DELETE CASCADE
);
CREATE INDEX case_events_case ON case_events (org_id, case_id, at);

CREATE TABLE record_tags (
  org_id uuid NOT NULL,
  subject_kind text NOT NULL CHECK (subject_kind IN ('interaction','response','event','customer')),
  subject_id uuid NOT NULL,
  tag text NOT NULL,
  rule_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, subject_kind, subject_id, tag)
);
CREATE INDEX record_tags_tag ON record_tags (org_id, tag, created_at);

CREATE TABLE webhooks (
  org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  id uuid NOT NULL,
  url text NOT NULL,
  description text,
  secret text NOT NULL,
  events text[] NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id)
);

-- One row per message (its id is the Standard Webhooks webhook-id, stable across retries).
CREATE TABLE webhook_deliveries (
  org_id uuid NOT NULL,
  id uuid NOT NULL,
  webhook_id uuid NOT NULL,
  event_type text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending','delivered','failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  last_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, webhook_id) REFERENCES webhooks(org_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (org_id, webhook_id, created_at);

-- The durable job queue: claimed with FOR UPDATE SKIP LOCKED, leased (a crashed worker's job
-- is claimed again when its lease runs out), retried with exponential backoff.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  org_id uuid,
  type text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('queued','running','done','failed')),
  run_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 12,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE status IN ('queued','running');
CREATE INDEX jobs_org ON jobs (org_id, type, created_at);
`.execute(db);
}

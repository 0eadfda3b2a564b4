import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables created by the migrations. Every customer-data table leads with org_id. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json = ColumnType<unknown, string, string>;

export interface OrgTable {
  id: string;
  slug: string;
  name: string;
  settings: Json;
  created_at: CreatedAt;
}

export interface UserTable {
  org_id: string;
  id: string;
  email: string;
  name: string;
  role: string;
  department_id: string | null;
  password_hash: string;
  created_at: CreatedAt;
}

export interface SessionTable {
  org_id: string;
  id_hash: string;
  user_id: string;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface ApiKeyTable {
  org_id: string;
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface DepartmentTable {
  org_id: string;
  id: string;
  key: string;
  name: string;
  function: string | null;
  created_at: CreatedAt;
}

export interface TouchpointTable {
  org_id: string;
  id: string;
  key: string;
  name: string;
  department_id: string;
  channel: string;
  journey_stage: string;
  planned: boolean;
  direct: boolean;
  description: string | null;
  created_at: CreatedAt;
}

export interface AgentTable {
  org_id: string;
  id: string;
  key: string;
  name: string | null;
  team: string | null;
  created_at: CreatedAt;
}

export interface CustomerTable {
  org_id: string;
  id: string;
  name: string | null;
  segment: string | null;
  acquired_at: Timestamp | null;
  acquisition_source: string | null;
  referred_by: string | null;
  /** Set when this profile was merged into another: reads follow it, writes never target it. */
  merged_into: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CustomerIdentityTable {
  org_id: string;
  kind: string;
  value: string;
  customer_id: string;
  created_at: CreatedAt;
}

export interface CustomerAttributeTable {
  org_id: string;
  customer_id: string;
  key: string;
  type: string;
  value_text: string | null;
  value_num: number | null;
  value_bool: boolean | null;
  value_time: Timestamp | null;
  updated_at: Timestamp;
}

export interface InteractionTable {
  org_id: string;
  id: string;
  customer_id: string;
  touchpoint_id: string | null;
  agent_id: string | null;
  team: string | null;
  kind: string;
  channel: string | null;
  external_id: string | null;
  idempotency_key: string | null;
  /** A digest of the record sent with idempotency_key: a retry must repeat it (NULL before migration 025). */
  idempotency_digest: string | null;
  subject: string | null;
  text: string | null;
  status: string | null;
  outcome: string | null;
  opened_at: Timestamp;
  first_response_at: Timestamp | null;
  resolved_at: Timestamp | null;
  contact_count: number | null;
  transfers: number | null;
  /** 'inbound' (the customer's words) or 'outbound' (the organisation's); only inbound text is analysed. */
  direction: Generated<string>;
  created_at: CreatedAt;
}

export interface ResponseTable {
  org_id: string;
  id: string;
  customer_id: string | null;
  survey: string | null;
  source: string;
  touchpoint_id: string | null;
  interaction_id: string | null;
  agent_id: string | null;
  language: string | null;
  submitted_at: Timestamp;
  external_id: string | null;
  idempotency_key: string | null;
  /** A digest of the record sent with idempotency_key: a retry must repeat it (NULL before migration 025). */
  idempotency_digest: string | null;
  created_at: CreatedAt;
}

/** One typed row per answer (Formbricks-style): analytics never digs into JSON. */
export interface AnswerTable {
  org_id: string;
  response_id: string;
  field: string;
  type: string;
  value_num: number | null;
  value_text: string | null;
  value_choices: string[] | null;
  scale_min: number | null;
  scale_max: number | null;
  higher_is_easier: boolean | null;
  // Denormalised from the response so score queries need no join.
  customer_id: string | null;
  touchpoint_id: string | null;
  agent_id: string | null;
  submitted_at: Timestamp;
}

/** What followed a scored answer (migration 015): its customer's next outcomes, kept by triggers. */
export interface AnswerOutcomeTable {
  org_id: string;
  response_id: string;
  field: string;
  type: string;
  customer_id: string;
  touchpoint_id: string | null;
  agent_id: string | null;
  submitted_at: Timestamp;
  /** The score rounded to a whole box (0–10 NPS, 1–5 CSAT). */
  box: number;
  next_cancellation_at: Timestamp | null;
  next_purchase_at: Timestamp | null;
  next_referral_at: Timestamp | null;
}

/** What an NPS answer's customer went through in the lookback before it (migration 016), kept by triggers. */
export interface AnswerDriverTable {
  org_id: string;
  response_id: string;
  field: string;
  source: 'outcomes' | 'topics';
  /** outcomes: the interaction's touchpoint (the driver is `<touchpoint key>:<outcome>`). */
  driver_touchpoint_id: string | null;
  /** outcomes: the interaction outcome; topics: the topic key mentioned negatively. */
  driver: string;
  customer_id: string;
  touchpoint_id: string | null;
  agent_id: string | null;
  submitted_at: Timestamp;
  y: number;
}

export interface EventTable {
  org_id: string;
  id: string;
  customer_id: string;
  type: string;
  occurred_at: Timestamp;
  touchpoint_id: string | null;
  channel: string | null;
  value: number | null;
  currency: string | null;
  rating: number | null;
  text: string | null;
  properties: Json | null;
  idempotency_key: string | null;
  /** A digest of the record sent with idempotency_key: a retry must repeat it (NULL before migration 025). */
  idempotency_digest: string | null;
  created_at: CreatedAt;
}

export interface TextAnalysisTable {
  org_id: string;
  id: Generated<string>;
  subject_kind: string;
  subject_id: string;
  field: string;
  customer_id: string | null;
  touchpoint_id: string | null;
  occurred_at: Timestamp;
  language: string;
  analysable: boolean;
  sentiment_score: number;
  sentiment_label: string;
  emotions: string[];
  effort: number;
  churn_threat: boolean;
  urgent: boolean;
  pii_kinds: string[];
  redacted_text: string | null;
  intent: string | null;
  intent_score: number | null;
  sentiment_model: string | null;
  /** The outside topic model that has read the text (migration 019); null: none. */
  topic_model: string | null;
  created_at: CreatedAt;
}

export interface TextTopicTable {
  org_id: string;
  analysis_id: string;
  topic: string;
  sentiment_score: number;
  sentiment_label: string;
  span_start: number;
  span_end: number;
  occurred_at: Timestamp;
  sentiment_model: string | null;
  /** The classifier that found this mention (an outside model, or 'org-topic-model'; migration 019); null: phrases. */
  detected_by: string | null;
}

export interface Database {
  orgs: OrgTable;
  users: UserTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  departments: DepartmentTable;
  touchpoints: TouchpointTable;
  agents: AgentTable;
  customers: CustomerTable;
  customer_identities: CustomerIdentityTable;
  customer_attributes: CustomerAttributeTable;
  interactions: InteractionTable;
  responses: ResponseTable;
  answers: AnswerTable;
  answer_outcomes: AnswerOutcomeTable;
  answer_drivers: AnswerDriverTable;
  events: EventTable;
  text_analyses: TextAnalysisTable;
  text_topics: TextTopicTable;
}

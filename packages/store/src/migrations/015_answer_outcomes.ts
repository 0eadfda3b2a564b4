import { type Kysely, sql } from 'kysely';
import { statementTriggersSql } from './statement-triggers.js';

/**
 * What happened after each scored answer: for every NPS and CSAT answer of a known customer, the
 * time of that customer's next cancellation, next purchase and next referral (a `referral_made`
 * event, or a customer they referred being acquired) after the answer. Loyalty by score box then
 * reads one row per answer: "cancelled within h days" is `next_cancellation_at <= submitted_at + h`
 * for any horizon h, with no join to the events. At 10M answers and 20M events that join (the
 * customers' outcome events of the whole span, hashed) took ~4.4 s of the loyalty query.
 *
 * Kept current by statement-level triggers, like the rollups (007): answers add, drop or
 * recompute their own rows; events of the three outcome types and customers' referral fields
 * recompute the rows of the customers they touch (a customer merge moves answers and events, so
 * both sides are recomputed). `rebuildAnswerOutcomes` refills an org after a bulk load with the
 * triggers off; `verifyAnswerOutcomes` compares the table with a recomputation.
 */

/** The answers that get an outcome row (`a`: an answers row). */
export const SCORED_ANSWER = `a.type IN ('nps', 'csat') AND a.value_num IS NOT NULL AND a.customer_id IS NOT NULL`;

/**
 * The next-outcome times of answer_outcomes row alias `a`, and the time of the customer's next
 * answer of the same type (answers ordered by time, response and field): an answer is its
 * customer's last in a window [from, to) when `next_answer_at` is null or ≥ to, so loyalty needs
 * no de-duplication per customer when nothing else filters the answers.
 */
export function nextOutcomesSql(a: string): string {
  return `${nextEventsSql(a)},
    (SELECT min(b.submitted_at) FROM answer_outcomes b WHERE b.org_id = ${a}.org_id AND b.customer_id = ${a}.customer_id
      AND b.type = ${a}.type AND (b.submitted_at, b.response_id, b.field) > (${a}.submitted_at, ${a}.response_id, ${a}.field)) AS next_answer_at`;
}

/** The customer's next cancellation, purchase and referral after row `a` (org_id, customer_id, submitted_at). */
export function nextEventsSql(a: string): string {
  const next = (type: string) => `(SELECT min(e.occurred_at) FROM events e
      WHERE e.org_id = ${a}.org_id AND e.customer_id = ${a}.customer_id AND e.type = '${type}' AND e.occurred_at > ${a}.submitted_at)`;
  return `${next('cancellation')} AS next_cancellation_at, ${next('purchase')} AS next_purchase_at,
    least(${next('referral_made')}, (SELECT min(coalesce(c.acquired_at, c.created_at)) FROM customers c
      WHERE c.org_id = ${a}.org_id AND c.referred_by = ${a}.customer_id
        AND coalesce(c.acquired_at, c.created_at) > ${a}.submitted_at)) AS next_referral_at`;
}

/** INSERT of the outcome rows of the answers in `rows` (a table or transition table), next times unset. */
export function insertOutcomesSql(rows: string, extraWhere = ''): string {
  return `INSERT INTO answer_outcomes (org_id, response_id, field, type, customer_id, touchpoint_id, agent_id, submitted_at, box)
    SELECT a.org_id, a.response_id, a.field, a.type, a.customer_id, a.touchpoint_id, a.agent_id, a.submitted_at,
      round(a.value_num)::int
    FROM ${rows} a WHERE ${SCORED_ANSWER} ${extraWhere}`;
}

/**
 * Fills the outcome rows of every scored answer (of one org: `orgWhere` like `AND a.org_id = …`)
 * in one pass and in time order, next times included, set-based: each customer's answers, outcome
 * events and referred customers' acquisitions in one stream, latest first, where the next event
 * of each kind after an answer is a running minimum over the rows before it (events at the
 * answer's own instant sort after it: strictly later only), and the next answer a lead() over the
 * answers. At 10M answers and 20M events, index probes per answer (30M, each reading the
 * customer's events) and insert-then-update both took over 20 minutes.
 */
export function fillOutcomesSql(orgWhere: string): string {
  const ev = (col: string) => orgWhere.replace(/\ba\./g, `${col}.`);
  const first = (kind: number) =>
    `min(CASE WHEN u.kind = ${kind} THEN u.t END) OVER (PARTITION BY u.org_id, u.customer_id ORDER BY u.t DESC, u.kind
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)`;
  return `INSERT INTO answer_outcomes (org_id, response_id, field, type, customer_id, touchpoint_id, agent_id, submitted_at, box,
      next_answer_at, next_cancellation_at, next_purchase_at, next_referral_at)
    SELECT org_id, response_id, field, type, customer_id, touchpoint_id, agent_id, t, box,
      lead(t) OVER (PARTITION BY org_id, customer_id, type ORDER BY t, response_id, field), nc, np, nr
    FROM (
      SELECT u.*, ${first(1)} AS nc, ${first(2)} AS np, ${first(3)} AS nr
      FROM (
        SELECT a.org_id, a.customer_id, a.submitted_at AS t, 0 AS kind, a.response_id, a.field, a.type, a.touchpoint_id,
          a.agent_id, round(a.value_num)::int AS box
        FROM answers a WHERE ${SCORED_ANSWER} ${orgWhere}
        UNION ALL
        SELECT e.org_id, e.customer_id, e.occurred_at, CASE e.type WHEN 'cancellation' THEN 1 WHEN 'purchase' THEN 2 ELSE 3 END,
          NULL, NULL, NULL, NULL, NULL, NULL
        FROM events e WHERE e.type IN ('cancellation', 'purchase', 'referral_made') ${ev('e')}
        UNION ALL
        SELECT c.org_id, c.referred_by, coalesce(c.acquired_at, c.created_at), 3, NULL, NULL, NULL, NULL, NULL, NULL
        FROM customers c WHERE c.referred_by IS NOT NULL ${ev('c')}
      ) u
    ) x
    WHERE kind = 0
    ORDER BY t`;
}

/** The customers (org and customer id arrays into o, c) of the scored answers in `rows`. */
const customersOf = (rows: string) =>
  `SELECT array_agg(org_id), array_agg(customer_id) INTO o, c FROM (SELECT DISTINCT a.org_id, a.customer_id FROM ${rows} a
    WHERE ${SCORED_ANSWER}) k;`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
CREATE TABLE IF NOT EXISTS answer_outcomes (
  org_id uuid NOT NULL,
  response_id uuid NOT NULL,
  field text NOT NULL,
  type text NOT NULL,
  customer_id uuid NOT NULL,
  touchpoint_id uuid,
  agent_id uuid,
  submitted_at timestamptz NOT NULL,
  box integer NOT NULL,
  next_cancellation_at timestamptz,
  next_purchase_at timestamptz,
  next_referral_at timestamptz,
  next_answer_at timestamptz,
  PRIMARY KEY (org_id, response_id, field)
);
CREATE INDEX IF NOT EXISTS answer_outcomes_time ON answer_outcomes (org_id, type, submitted_at);
CREATE INDEX IF NOT EXISTS answer_outcomes_customer ON answer_outcomes (org_id, customer_id);
-- Whom a customer referred: read when their outcome rows are computed.
CREATE INDEX IF NOT EXISTS customers_referred_by ON customers (org_id, referred_by) WHERE referred_by IS NOT NULL;

-- Serialises the maintenance per customer until commit: an answer and an outcome event of one
-- customer written by two concurrent transactions would otherwise each miss the other's row (each
-- statement below reads with a snapshot taken after the lock). Keys in order, against deadlocks.
CREATE OR REPLACE FUNCTION answer_outcomes_lock(orgs uuid[], custs uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(k) FROM (
    SELECT DISTINCT hashtextextended(o::text || c::text, 15) AS k FROM unnest(orgs, custs) AS u(o, c) ORDER BY 1) x;
END $$;

-- Recomputes the next-outcome times of the given customers' rows, writing only rows that change.
CREATE OR REPLACE FUNCTION answer_outcomes_refresh(orgs uuid[], custs uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM answer_outcomes_lock(orgs, custs);
  UPDATE answer_outcomes o SET next_cancellation_at = x.next_cancellation_at, next_purchase_at = x.next_purchase_at,
    next_referral_at = x.next_referral_at, next_answer_at = x.next_answer_at
  FROM (
    SELECT a.org_id, a.response_id, a.field, ${nextOutcomesSql('a')}
    FROM answer_outcomes a JOIN unnest(orgs, custs) AS k(org_id, customer_id)
      ON a.org_id = k.org_id AND a.customer_id = k.customer_id
  ) x
  WHERE o.org_id = x.org_id AND o.response_id = x.response_id AND o.field = x.field
    AND (o.next_cancellation_at IS DISTINCT FROM x.next_cancellation_at OR o.next_purchase_at IS DISTINCT FROM x.next_purchase_at
      OR o.next_referral_at IS DISTINCT FROM x.next_referral_at OR o.next_answer_at IS DISTINCT FROM x.next_answer_at);
END $$;

-- Answers: their own rows come and go; the next times of all their customers' rows (the next
-- answer included) are recomputed.
CREATE OR REPLACE FUNCTION answer_outcomes_answers_ins() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  ${customersOf('new_rows')}
  IF c IS NULL THEN RETURN NULL; END IF;
  PERFORM answer_outcomes_lock(o, c);
  ${insertOutcomesSql('new_rows')};
  PERFORM answer_outcomes_refresh(o, c);
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION answer_outcomes_answers_del() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  DELETE FROM answer_outcomes o USING old_rows r
    WHERE o.org_id = r.org_id AND o.response_id = r.response_id AND o.field = r.field;
  ${customersOf('old_rows')}
  IF c IS NOT NULL THEN PERFORM answer_outcomes_refresh(o, c); END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION answer_outcomes_answers_upd() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  SELECT array_agg(org_id), array_agg(customer_id) INTO o, c FROM (
    SELECT a.org_id, a.customer_id FROM new_rows a WHERE ${SCORED_ANSWER}
    UNION SELECT a.org_id, a.customer_id FROM old_rows a WHERE ${SCORED_ANSWER}) k;
  IF c IS NOT NULL THEN PERFORM answer_outcomes_lock(o, c); END IF;
  DELETE FROM answer_outcomes o USING old_rows r
    WHERE o.org_id = r.org_id AND o.response_id = r.response_id AND o.field = r.field;
  ${insertOutcomesSql('new_rows')};
  IF c IS NOT NULL THEN PERFORM answer_outcomes_refresh(o, c); END IF;
  RETURN NULL;
END $$;

-- Events: only the three outcome types matter; an update may move an event between customers.
CREATE OR REPLACE FUNCTION answer_outcomes_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(org_id), array_agg(customer_id) INTO o, c FROM (SELECT DISTINCT org_id, customer_id FROM new_rows
      WHERE type IN ('cancellation', 'purchase', 'referral_made')) k;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(org_id), array_agg(customer_id) INTO o, c FROM (SELECT DISTINCT org_id, customer_id FROM old_rows
      WHERE type IN ('cancellation', 'purchase', 'referral_made')) k;
  ELSE
    SELECT array_agg(org_id), array_agg(customer_id) INTO o, c FROM (
      SELECT org_id, customer_id FROM new_rows WHERE type IN ('cancellation', 'purchase', 'referral_made')
      UNION SELECT org_id, customer_id FROM old_rows WHERE type IN ('cancellation', 'purchase', 'referral_made')) k;
  END IF;
  IF c IS NOT NULL THEN PERFORM answer_outcomes_refresh(o, c); END IF;
  RETURN NULL;
END $$;

-- Customers: whom they were referred by, and when they were acquired, decide their referrer's
-- next referral.
CREATE OR REPLACE FUNCTION answer_outcomes_customers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(org_id), array_agg(referred_by) INTO o, c FROM (SELECT DISTINCT org_id, referred_by FROM new_rows
      WHERE referred_by IS NOT NULL) k;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(org_id), array_agg(referred_by) INTO o, c FROM (SELECT DISTINCT org_id, referred_by FROM old_rows
      WHERE referred_by IS NOT NULL) k;
  ELSE
    SELECT array_agg(org_id), array_agg(referred_by) INTO o, c FROM (
      SELECT x.org_id, x.referred_by FROM new_rows n JOIN old_rows p ON p.org_id = n.org_id AND p.id = n.id,
        LATERAL (VALUES (n.org_id, n.referred_by), (p.org_id, p.referred_by)) x(org_id, referred_by)
      WHERE x.referred_by IS NOT NULL AND (n.referred_by IS DISTINCT FROM p.referred_by
        OR coalesce(n.acquired_at, n.created_at) IS DISTINCT FROM coalesce(p.acquired_at, p.created_at))
      GROUP BY 1, 2) k;
  END IF;
  IF c IS NOT NULL THEN PERFORM answer_outcomes_refresh(o, c); END IF;
  RETURN NULL;
END $$;

${statementTriggersSql('answer_outcomes_answers', 'answers', (e) => `answer_outcomes_answers_${e}`)}
${statementTriggersSql('answer_outcomes_events', 'events', () => 'answer_outcomes_events')}
${statementTriggersSql('answer_outcomes_customers', 'customers', () => 'answer_outcomes_customers')}

-- Existing data (a no-op on a new database).
${fillOutcomesSql('')};
`)
    .execute(db);
}

/** The trigger names, per table (the bench drops them for a bulk load, then rebuilds). */
export const OUTCOME_TRIGGERS = [
  ...['ins', 'del', 'upd'].map((e) => ({ table: 'answers', trigger: `answer_outcomes_answers_${e}` })),
  ...['ins', 'del', 'upd'].map((e) => ({ table: 'events', trigger: `answer_outcomes_events_${e}` })),
  ...['ins', 'del', 'upd'].map((e) => ({ table: 'customers', trigger: `answer_outcomes_customers_${e}` })),
];

import { type Kysely, sql } from 'kysely';
import { statementTriggersSql } from './statement-triggers.js';

/**
 * What each NPS answer's customer went through before answering: one row per (answer, driver)
 * for the drivers found in the `DRIVER_LOOKBACK_DAYS` up to the answer — the outcomes of their
 * interactions per touchpoint (source `outcomes`: touchpoint + outcome such as delivery/late) and
 * the topics of their texts mentioned negatively (source `topics`: the full topic key). Key
 * drivers over any window with that lookback then read these rows instead of joining every answer
 * to its customer's interactions or texts: at 10M answers and 10M interactions that join (1.6M
 * answers × 3M interactions of the span, hashed) took ~8.6 s of the query. Other lookbacks read
 * the raw rows as before.
 *
 * The answer's own touchpoint, agent, customer and time are copied so the metric filters apply
 * as they do to answers. Kept current by statement-level triggers, like answer_outcomes (015),
 * whose per-customer lock they share: answers add, drop or recompute their rows; interactions
 * recompute their customers' `outcomes` rows, text topics and analyses their `topics` rows (a
 * merge moves both, so both customers are recomputed). `rebuildAnswerDrivers` refills an org
 * after a bulk load; `verifyAnswerDrivers` compares the table with a recomputation.
 */
export const DRIVER_LOOKBACK_DAYS = 90;

const LOOKBACK = `interval '${DRIVER_LOOKBACK_DAYS} days'`;

/** The answers that get driver rows (`a`: an answers row). */
export const DRIVEN_ANSWER = `a.type = 'nps' AND a.value_num IS NOT NULL AND a.customer_id IS NOT NULL`;

const COLS = `org_id, response_id, field, source, driver_touchpoint_id, driver, customer_id, touchpoint_id, agent_id, submitted_at, y`;

/** The driver rows of the answers in `rows` (alias `a`, filtered by `where`), one SELECT per source. */
export function driverRowsSql(rows: string, where: string, source: 'outcomes' | 'topics'): string {
  const answer = `a.customer_id, a.touchpoint_id, a.agent_id, a.submitted_at, a.value_num`;
  return source === 'outcomes'
    ? `SELECT DISTINCT a.org_id, a.response_id, a.field, 'outcomes', i.touchpoint_id, i.outcome, ${answer}
      FROM ${rows} a JOIN interactions i ON i.org_id = a.org_id AND i.customer_id = a.customer_id
        AND i.opened_at >= a.submitted_at - ${LOOKBACK} AND i.opened_at <= a.submitted_at
      WHERE ${DRIVEN_ANSWER} ${where} AND i.outcome IS NOT NULL AND i.touchpoint_id IS NOT NULL`
    : `SELECT DISTINCT a.org_id, a.response_id, a.field, 'topics', NULL::uuid, t.topic, ${answer}
      FROM ${rows} a JOIN text_analyses ta ON ta.org_id = a.org_id AND ta.customer_id = a.customer_id
        AND ta.occurred_at >= a.submitted_at - ${LOOKBACK} AND ta.occurred_at <= a.submitted_at
      JOIN text_topics t ON t.org_id = ta.org_id AND t.analysis_id = ta.id
      WHERE ${DRIVEN_ANSWER} ${where} AND t.sentiment_label = 'negative'`;
}

/** INSERT of both sources' driver rows for the answers in `rows`; `ordered`: in time order (bulk fills, so a window's rows lie together on disk). */
export function insertDriversSql(rows: string, where = '', ordered = false): string {
  const both = `${driverRowsSql(rows, where, 'outcomes')} UNION ALL ${driverRowsSql(rows, where, 'topics')}`;
  return `INSERT INTO answer_drivers (${COLS}) ${ordered ? `SELECT * FROM (${both}) x ORDER BY 10` : both}`;
}

/** The answers of the customers in arrays `orgs`, `custs` (through their responses: answers have no customer index). */
const CUSTOMERS_ANSWERS = `(SELECT a.* FROM unnest(orgs, custs) AS k(org_id, customer_id)
  JOIN responses r ON r.org_id = k.org_id AND r.customer_id = k.customer_id
  JOIN answers a ON a.org_id = r.org_id AND a.response_id = r.id)`;

/** Statement-trigger body: the distinct (org, customer) pairs of a query into arrays o, c, then a refresh. */
const refreshFrom = (pairs: string, source: string) => `
  SELECT array_agg(org_id), array_agg(customer_id) INTO o, c FROM (${pairs}) k;
  IF c IS NOT NULL THEN PERFORM answer_drivers_refresh(o, c, '${source}'); END IF;`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
CREATE TABLE IF NOT EXISTS answer_drivers (
  org_id uuid NOT NULL,
  response_id uuid NOT NULL,
  field text NOT NULL,
  source text NOT NULL CHECK (source IN ('outcomes', 'topics')),
  driver_touchpoint_id uuid,
  driver text NOT NULL,
  customer_id uuid NOT NULL,
  touchpoint_id uuid,
  agent_id uuid,
  submitted_at timestamptz NOT NULL,
  y double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS answer_drivers_time ON answer_drivers (org_id, source, submitted_at);
CREATE INDEX IF NOT EXISTS answer_drivers_answer ON answer_drivers (org_id, response_id, field);
CREATE INDEX IF NOT EXISTS answer_drivers_customer ON answer_drivers (org_id, customer_id);

-- Recomputes one source's rows of the given customers' NPS answers (found through their responses).
CREATE OR REPLACE FUNCTION answer_drivers_refresh(orgs uuid[], custs uuid[], src text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM answer_outcomes_lock(orgs, custs);
  DELETE FROM answer_drivers d USING unnest(orgs, custs) AS k(org_id, customer_id)
    WHERE d.org_id = k.org_id AND d.customer_id = k.customer_id AND d.source = src;
  IF src = 'outcomes' THEN
    INSERT INTO answer_drivers (${COLS}) ${driverRowsSql(CUSTOMERS_ANSWERS, '', 'outcomes')};
  ELSE
    INSERT INTO answer_drivers (${COLS}) ${driverRowsSql(CUSTOMERS_ANSWERS, '', 'topics')};
  END IF;
END $$;

CREATE OR REPLACE FUNCTION answer_drivers_answers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM answer_drivers d USING old_rows r
      WHERE d.org_id = r.org_id AND d.response_id = r.response_id AND d.field = r.field;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM answer_outcomes_lock(array_agg(a.org_id), array_agg(a.customer_id)) FROM new_rows a WHERE ${DRIVEN_ANSWER};
    ${insertDriversSql('new_rows')};
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION answer_drivers_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${refreshFrom('SELECT DISTINCT org_id, customer_id FROM new_rows WHERE outcome IS NOT NULL', 'outcomes')}
  ELSIF TG_OP = 'DELETE' THEN
    ${refreshFrom('SELECT DISTINCT org_id, customer_id FROM old_rows WHERE outcome IS NOT NULL', 'outcomes')}
  ELSE
    ${refreshFrom(
      `SELECT org_id, customer_id FROM new_rows WHERE outcome IS NOT NULL
      UNION SELECT org_id, customer_id FROM old_rows WHERE outcome IS NOT NULL`,
      'outcomes',
    )}
  END IF;
  RETURN NULL;
END $$;

-- Topics reach their customer through their analysis; an analysis deleted first has already
-- refreshed its customer (below).
CREATE OR REPLACE FUNCTION answer_drivers_text_topics() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${refreshFrom(
      `SELECT DISTINCT ta.org_id, ta.customer_id FROM new_rows t JOIN text_analyses ta ON ta.org_id = t.org_id AND ta.id = t.analysis_id
      WHERE ta.customer_id IS NOT NULL AND t.sentiment_label = 'negative'`,
      'topics',
    )}
  ELSIF TG_OP = 'DELETE' THEN
    ${refreshFrom(
      `SELECT DISTINCT ta.org_id, ta.customer_id FROM old_rows t JOIN text_analyses ta ON ta.org_id = t.org_id AND ta.id = t.analysis_id
      WHERE ta.customer_id IS NOT NULL AND t.sentiment_label = 'negative'`,
      'topics',
    )}
  ELSE
    ${refreshFrom(
      `SELECT ta.org_id, ta.customer_id FROM (SELECT org_id, analysis_id FROM new_rows UNION SELECT org_id, analysis_id FROM old_rows) t
      JOIN text_analyses ta ON ta.org_id = t.org_id AND ta.id = t.analysis_id WHERE ta.customer_id IS NOT NULL GROUP BY 1, 2`,
      'topics',
    )}
  END IF;
  RETURN NULL;
END $$;

-- Analyses: a merge moves them between customers; a deletion drops their topics from the drivers.
CREATE OR REPLACE FUNCTION answer_drivers_text_analyses() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o uuid[]; c uuid[];
BEGIN
  IF TG_OP = 'DELETE' THEN
    ${refreshFrom('SELECT DISTINCT org_id, customer_id FROM old_rows WHERE customer_id IS NOT NULL', 'topics')}
  ELSE
    ${refreshFrom(
      `SELECT n.org_id, x.customer_id FROM new_rows n JOIN old_rows p ON p.org_id = n.org_id AND p.id = n.id,
        LATERAL (VALUES (n.customer_id), (p.customer_id)) x(customer_id)
      WHERE x.customer_id IS NOT NULL AND (n.customer_id IS DISTINCT FROM p.customer_id OR n.occurred_at IS DISTINCT FROM p.occurred_at)
      GROUP BY 1, 2`,
      'topics',
    )}
  END IF;
  RETURN NULL;
END $$;

${['answers', 'interactions', 'text_topics'].map((t) => statementTriggersSql(`answer_drivers_${t}`, t, () => `answer_drivers_${t}`)).join('\n')}
${statementTriggersSql('answer_drivers_text_analyses', 'text_analyses', () => 'answer_drivers_text_analyses', ['del', 'upd'])}

-- Existing data (a no-op on a new database).
${insertDriversSql('answers', '', true)};
`)
    .execute(db);
}

/** The trigger names, per table (the bench drops them for a bulk load, then rebuilds). */
export const DRIVER_TRIGGERS = [
  ...['answers', 'interactions', 'text_topics'].flatMap((t) =>
    ['ins', 'del', 'upd'].map((e) => ({ table: t, trigger: `answer_drivers_${t}_${e}` })),
  ),
  ...['del', 'upd'].map((e) => ({ table: 'text_analyses', trigger: `answer_drivers_text_analyses_${e}` })),
];

import { type Kysely, sql } from 'kysely';

/**
 * Analytics: daily rollups kept exact by statement-level triggers (transition tables), so every
 * writer — API batches, imports, merges, re-analysis — updates them in its own transaction
 * without knowing about them. Each trigger aggregates the statement's rows once and applies the
 * deltas with INSERT … ON CONFLICT DO UPDATE, in key order (concurrent batches lock rollup rows
 * in the same order, which keeps deadlocks rare; the ingestion pipeline retries the rest).
 * NULL touchpoint/agent are stored as the zero UUID so they can be part of the primary key.
 */
const ZERO = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** CES answers on the CES 2.0 scale (1–7, 7 = easiest), as core's cesTo7. */
const ANSWER_VALUE = `CASE WHEN r.type = 'ces' THEN
    1 + ((CASE WHEN coalesce(r.higher_is_easier, true) THEN r.value_num ELSE coalesce(r.scale_max, 7) + 1 - r.value_num END) - 1)
      * 6 / (coalesce(r.scale_max, 7) - 1)
  ELSE r.value_num END`;

interface RollupSpec {
  table: string;
  source: string;
  rollup: string;
  /** Rollup key columns and their expression over a source row `r`. */
  keys: [string, string][];
  /** Measure columns and the expression summed (times the row's sign). */
  measures: [string, string][];
  /** Rows of the source that count. */
  where: string;
}

function triggerSql(s: RollupSpec): string {
  const keyCols = s.keys.map(([k]) => k).join(', ');
  const measureCols = s.measures.map(([m]) => m).join(', ');
  const select = (rows: string, sign: number) =>
    `SELECT ${s.keys.map(([k, e]) => `${e} AS ${k}`).join(', ')}, ${s.measures
      .map(([m, e]) => `(${sign}) * (${e}) AS ${m}`)
      .join(', ')} FROM ${rows} r WHERE ${s.where}`;
  const body = (parts: string) => `
    INSERT INTO ${s.rollup} (${keyCols}, ${measureCols})
    SELECT ${keyCols}, ${s.measures.map(([m]) => `sum(${m})`).join(', ')}
    FROM (${parts}) d
    GROUP BY ${keyCols}
    HAVING ${s.measures.map(([m]) => `sum(${m}) <> 0`).join(' OR ')}
    ORDER BY ${keyCols}
    ON CONFLICT (${keyCols}) DO UPDATE SET ${s.measures.map(([m]) => `${m} = ${s.rollup}.${m} + EXCLUDED.${m}`).join(', ')};`;
  const fn = (name: string, parts: string) => `
CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${body(parts)}
  RETURN NULL;
END $$;`;
  const t = s.table;
  return `
${fn(`${s.rollup}_ins`, select('new_rows', 1))}
${fn(`${s.rollup}_del`, select('old_rows', -1))}
${fn(`${s.rollup}_upd`, `${select('new_rows', 1)} UNION ALL ${select('old_rows', -1)}`)}
CREATE TRIGGER ${s.rollup}_ins AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${s.rollup}_ins();
CREATE TRIGGER ${s.rollup}_del AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${s.rollup}_del();
CREATE TRIGGER ${s.rollup}_upd AFTER UPDATE ON ${t} REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ${s.rollup}_upd();`;
}

const day = (col: string) => `(r.${col} AT TIME ZONE 'UTC')::date`;
const hist = Array.from(
  { length: 11 },
  (_, i) => [`h${i}`, `(round(${ANSWER_VALUE}) = ${i})::int`] as [string, string],
);

export const ROLLUPS: RollupSpec[] = [
  {
    table: 'answers',
    source: 'answers',
    rollup: 'rollup_answers_daily',
    keys: [
      ['org_id', 'r.org_id'],
      ['day', day('submitted_at')],
      ['type', 'r.type'],
      ['touchpoint_id', `coalesce(r.touchpoint_id, ${ZERO})`],
      ['agent_id', `coalesce(r.agent_id, ${ZERO})`],
    ],
    measures: [['n', '1'], ['sum', ANSWER_VALUE], ['sum_sq', `(${ANSWER_VALUE})^2`], ...hist],
    where: `r.type IN ('nps','csat','ces') AND r.value_num IS NOT NULL`,
  },
  {
    // The same without the agent: 30 touchpoints × 730 days stay ~22k rows per type, whatever the volume.
    table: 'answers',
    source: 'answers',
    rollup: 'rollup_answers_tp_daily',
    keys: [
      ['org_id', 'r.org_id'],
      ['day', day('submitted_at')],
      ['type', 'r.type'],
      ['touchpoint_id', `coalesce(r.touchpoint_id, ${ZERO})`],
    ],
    measures: [['n', '1'], ['sum', ANSWER_VALUE], ['sum_sq', `(${ANSWER_VALUE})^2`], ...hist],
    where: `r.type IN ('nps','csat','ces') AND r.value_num IS NOT NULL`,
  },
  {
    table: 'interactions',
    source: 'interactions',
    rollup: 'rollup_interactions_daily',
    keys: [
      ['org_id', 'r.org_id'],
      ['day', day('opened_at')],
      ['touchpoint_id', `coalesce(r.touchpoint_id, ${ZERO})`],
      ['agent_id', `coalesce(r.agent_id, ${ZERO})`],
    ],
    measures: [
      ['n', '1'],
      ['resolved', '(r.resolved_at IS NOT NULL)::int'],
      ['responded', '(r.first_response_at IS NOT NULL)::int'],
    ],
    where: 'true',
  },
  {
    table: 'text_analyses',
    source: 'text_analyses',
    rollup: 'rollup_texts_daily',
    keys: [
      ['org_id', 'r.org_id'],
      ['day', day('occurred_at')],
      ['touchpoint_id', `coalesce(r.touchpoint_id, ${ZERO})`],
    ],
    measures: [
      ['n', '1'],
      ['positive', `(r.sentiment_label = 'positive')::int`],
      ['negative', `(r.sentiment_label = 'negative')::int`],
      ['sum', 'r.sentiment_score::float8'],
      ['sum_sq', 'r.sentiment_score::float8 ^ 2'],
    ],
    where: 'r.analysable',
  },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(`
CREATE TABLE rollup_answers_daily (
  org_id uuid NOT NULL, day date NOT NULL, type text NOT NULL, touchpoint_id uuid NOT NULL, agent_id uuid NOT NULL,
  n int NOT NULL DEFAULT 0, sum float8 NOT NULL DEFAULT 0, sum_sq float8 NOT NULL DEFAULT 0,
  ${hist.map(([h]) => `${h} int NOT NULL DEFAULT 0`).join(', ')},
  PRIMARY KEY (org_id, day, type, touchpoint_id, agent_id)
);
CREATE INDEX rollup_answers_daily_type ON rollup_answers_daily (org_id, type, day);

CREATE TABLE rollup_answers_tp_daily (
  org_id uuid NOT NULL, day date NOT NULL, type text NOT NULL, touchpoint_id uuid NOT NULL,
  n int NOT NULL DEFAULT 0, sum float8 NOT NULL DEFAULT 0, sum_sq float8 NOT NULL DEFAULT 0,
  ${hist.map(([h]) => `${h} int NOT NULL DEFAULT 0`).join(', ')},
  PRIMARY KEY (org_id, type, day, touchpoint_id)
);

CREATE TABLE rollup_interactions_daily (
  org_id uuid NOT NULL, day date NOT NULL, touchpoint_id uuid NOT NULL, agent_id uuid NOT NULL,
  n int NOT NULL DEFAULT 0, resolved int NOT NULL DEFAULT 0, responded int NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, touchpoint_id, agent_id)
);

CREATE TABLE rollup_texts_daily (
  org_id uuid NOT NULL, day date NOT NULL, touchpoint_id uuid NOT NULL,
  n int NOT NULL DEFAULT 0, positive int NOT NULL DEFAULT 0, negative int NOT NULL DEFAULT 0,
  sum float8 NOT NULL DEFAULT 0, sum_sq float8 NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, day, touchpoint_id)
);

${ROLLUPS.map(triggerSql).join('\n')}

-- Raw scans for ad-hoc questions: a customer's answers (loyalty, drivers).
CREATE INDEX answers_customer ON answers (org_id, customer_id, submitted_at) INCLUDE (type, value_num);
`)
    .execute(db);
}

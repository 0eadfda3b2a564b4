import { type Kysely, sql } from 'kysely';
import { statementTriggersSql, type TriggerEvent } from './statement-triggers.js';

/**
 * Daily sums of the answers' drivers (016) for key drivers over whole days without filters: per
 * UTC day of the answer and source, for every pair of drivers (a, b) found together on one
 * answer — a = b included — the number of such answers and the sum of their scores. The diagonal
 * (a = b) gives each driver's coverage Σx and Σxy, the rest the co-occurrences Σx_a·x_b: all a
 * relative-weights analysis of binary drivers needs besides the outcome's own n, Σy, Σy². Reading
 * them for 90 days is a few hundred thousand small rows instead of the 2.4M driver rows and the
 * per-answer grouping that took ~4 s at 10M answers.
 *
 * Topic drivers are kept at the second level of their key (`delivery.late`), counted once per
 * answer, as the key-driver query reads them by default; other levels read the driver rows.
 * Drivers without a touchpoint (topics) carry the zero UUID, so the key has no NULLs.
 *
 * Kept by a statement trigger on answer_drivers: the answers a statement touched are recounted
 * as they are now and as they were before (now, less the statement's new rows, plus its old
 * ones), and the difference is added in key order (as the other rollups, 007), so concurrent
 * writers never wait on each other in a cycle. `rebuildDriverRollup` refills an org after a bulk
 * load with the triggers off; `verifyDriverRollup` compares with a recomputation.
 */
export const ROLLUP_TOPIC_LEVEL = 2;

export const NO_TOUCHPOINT = `'00000000-0000-0000-0000-000000000000'::uuid`;

const KEY = `CASE WHEN %.source = 'topics'
  THEN array_to_string((string_to_array(%.driver, '.'))[1:${ROLLUP_TOPIC_LEVEL}], '.') ELSE %.driver END`;

/** One row per (answer, source, driver as kept here) of the driver rows `from` (alias r). */
export function keyedDriversSql(from: string, sign = ''): string {
  return `SELECT DISTINCT ${sign ? `${sign} AS sign, ` : ''}r.org_id, r.response_id, r.field, r.source,
      coalesce(r.driver_touchpoint_id, ${NO_TOUCHPOINT}) AS tp, ${KEY.replaceAll('%', 'r')} AS k,
      (r.submitted_at AT TIME ZONE 'UTC')::date AS day, r.y
    FROM ${from} r`;
}

/** The daily pair sums of keyed driver rows `rows` (one state each; `sign` column when `signed`). */
export function pairSumsSql(rows: string, signed: boolean): string {
  const s = signed ? 'x.sign' : '1';
  return `SELECT x.org_id, x.source, x.day, x.tp AS a_tp, x.k AS a, z.tp AS b_tp, z.k AS b,
      sum(${s})::int AS n, sum(${s} * x.y)::float8 AS sum_y
    FROM ${rows} x JOIN ${rows} z ON z.org_id = x.org_id AND z.response_id = x.response_id AND z.field = x.field
      AND z.source = x.source ${signed ? 'AND z.sign = x.sign' : ''} AND (x.tp, x.k) <= (z.tp, z.k)
    GROUP BY 1, 2, 3, 4, 5, 6, 7`;
}

const COLS = 'org_id, source, day, a_tp, a, b_tp, b';

/** The trigger body for one event: recount the touched answers now and before, add the difference. */
function applySql(e: TriggerEvent): string {
  const tables = e === 'ins' ? ['new_rows'] : e === 'del' ? ['old_rows'] : ['new_rows', 'old_rows'];
  const touched = tables.map((t) => `SELECT DISTINCT org_id, response_id, field FROM ${t}`).join(' UNION ');
  const cols = 'org_id, response_id, field, source, driver_touchpoint_id, driver, submitted_at, y';
  const now = `SELECT d.${cols.replaceAll(', ', ', d.')} FROM answer_drivers d
    JOIN (${touched}) t ON t.org_id = d.org_id AND t.response_id = d.response_id AND t.field = d.field`;
  const before = [
    e === 'del' ? 'SELECT * FROM now' : `(SELECT * FROM now EXCEPT ALL SELECT ${cols} FROM new_rows)`,
    ...(e === 'ins' ? [] : [`SELECT ${cols} FROM old_rows`]),
  ].join(' UNION ALL ');
  return `
  WITH now AS MATERIALIZED (${now}),
  before AS MATERIALIZED (${before}),
  k AS MATERIALIZED (${keyedDriversSql('now', '1')} UNION ALL ${keyedDriversSql('before', '-1')})
  INSERT INTO rollup_answer_driver_pairs (${COLS}, n, sum_y)
  SELECT * FROM (${pairSumsSql('k', true)}) p WHERE p.n <> 0 OR p.sum_y <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (${COLS}) DO UPDATE SET n = rollup_answer_driver_pairs.n + EXCLUDED.n,
    sum_y = rollup_answer_driver_pairs.sum_y + EXCLUDED.sum_y;`;
}

/** The org's pair sums recomputed from its driver rows (`where` on r, the driver rows). */
export function fillPairsSql(where: string): string {
  return `INSERT INTO rollup_answer_driver_pairs (${COLS}, n, sum_y)
    WITH k AS MATERIALIZED (${keyedDriversSql('answer_drivers', '')} WHERE true ${where})
    ${pairSumsSql('k', false)} ORDER BY 1, 2, 3`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const events: TriggerEvent[] = ['ins', 'del', 'upd'];
  await sql
    .raw(`
CREATE TABLE IF NOT EXISTS rollup_answer_driver_pairs (
  org_id uuid NOT NULL,
  source text NOT NULL,
  day date NOT NULL,
  a_tp uuid NOT NULL,
  a text NOT NULL,
  b_tp uuid NOT NULL,
  b text NOT NULL,
  n integer NOT NULL,
  sum_y double precision NOT NULL,
  PRIMARY KEY (org_id, source, day, a_tp, a, b_tp, b)
);
${events
  .map(
    (e) => `CREATE OR REPLACE FUNCTION rollup_answer_driver_pairs_${e}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${applySql(e)}
  RETURN NULL;
END $$;`,
  )
  .join('\n')}
${statementTriggersSql('rollup_answer_driver_pairs', 'answer_drivers', (e) => `rollup_answer_driver_pairs_${e}`)}
-- Existing data (a no-op on a new database).
DELETE FROM rollup_answer_driver_pairs;
${fillPairsSql('')};
`)
    .execute(db);
}

/** The trigger names (the bench drops them for a bulk load, then rebuilds). */
export const DRIVER_ROLLUP_TRIGGERS = ['ins', 'del', 'upd'].map((e) => ({
  table: 'answer_drivers',
  trigger: `rollup_answer_driver_pairs_${e}`,
}));

import { type Kysely, sql } from 'kysely';
import { ROLLUPS } from './002_analytics.js';

/**
 * Analytics speed (see docs/api-metrics.md "Rollups"):
 *
 * - Period rollups: the daily rollups of 002 again at week (ISO, Monday) and month grain — and,
 *   for interactions, without the agent at every grain — in one table per rollup with a `grain`
 *   column. A two-year weekly dashboard reads ~100 rows per touchpoint instead of ~730, and no
 *   bucket is computed per row. Maintained like 002's: one statement-level trigger per table and
 *   event that aggregates the transition rows once and upserts the deltas in key order (one
 *   statement covers every grain: the rows are crossed with the grains before grouping).
 * - Raw scans: the answers covering index gains the columns the metrics read (agent, customer,
 *   CES scale), so filtered raw queries are index-only after VACUUM; events get a covering index
 *   for per-customer outcome lookups (loyalty); BRIN indexes on the time columns (tiny; useful
 *   when rows arrive in time order, as ingestion does); extended statistics on the UTC week of
 *   answers so the planner sizes week × touchpoint groupings right.
 */
export interface PeriodRollupSpec {
  table: string;
  rollup: string;
  /** Extra FROM items after `${table} r` (the grains). */
  join: string;
  keys: [string, string][];
  measures: [string, string][];
  where: string;
}

function grains(...gs: string[]): string {
  return `CROSS JOIN (VALUES ${gs.map((g) => `('${g}')`).join(', ')}) g(grain)`;
}

const period = (col: string) => `date_trunc(g.grain, r.${col} AT TIME ZONE 'UTC')::date`;

function periodOf(daily: string, rollup: string, time: string, gs: string[], drop: string[] = []): PeriodRollupSpec {
  const d = ROLLUPS.find((r) => r.rollup === daily);
  if (!d) throw new Error(`no rollup ${daily}`);
  const keys = d.keys.filter(([k]) => k !== 'day' && !drop.includes(k));
  // Key order: org (and type), grain, period, then the dimensions — the primary key's order.
  const lead = keys.filter(([k]) => k === 'org_id' || k === 'type');
  const rest = keys.filter(([k]) => k !== 'org_id' && k !== 'type');
  return {
    table: d.table,
    rollup,
    join: grains(...gs),
    keys: [...lead, ['grain', 'g.grain'], ['period', period(time)], ...rest],
    measures: d.measures,
    where: d.where,
  };
}

export const PERIOD_ROLLUPS: PeriodRollupSpec[] = [
  periodOf('rollup_answers_daily', 'rollup_answers_period', 'submitted_at', ['week', 'month']),
  periodOf('rollup_answers_tp_daily', 'rollup_answers_tp_period', 'submitted_at', ['week', 'month']),
  periodOf('rollup_interactions_daily', 'rollup_interactions_period', 'opened_at', ['week', 'month']),
  periodOf(
    'rollup_interactions_daily',
    'rollup_interactions_tp_period',
    'opened_at',
    ['day', 'week', 'month'],
    ['agent_id'],
  ),
  periodOf('rollup_texts_daily', 'rollup_texts_period', 'occurred_at', ['week', 'month']),
];

function triggerSql(s: PeriodRollupSpec): string {
  const keyCols = s.keys.map(([k]) => k).join(', ');
  const measureCols = s.measures.map(([m]) => m).join(', ');
  const select = (rows: string, sign: number) =>
    `SELECT ${s.keys.map(([k, e]) => `${e} AS ${k}`).join(', ')}, ${s.measures
      .map(([m, e]) => `(${sign}) * (${e}) AS ${m}`)
      .join(', ')} FROM ${rows} r ${s.join} WHERE ${s.where}`;
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

function tableSql(s: PeriodRollupSpec): string {
  const types: Record<string, string> = {
    org_id: 'uuid',
    type: 'text',
    grain: 'text',
    period: 'date',
    touchpoint_id: 'uuid',
    agent_id: 'uuid',
  };
  const cols = s.keys.map(([k]) => `${k} ${types[k]} NOT NULL`);
  const measures = s.measures.map(
    ([m]) => `${m} ${m === 'sum' || m === 'sum_sq' ? 'float8' : 'int'} NOT NULL DEFAULT 0`,
  );
  return `CREATE TABLE ${s.rollup} (${[...cols, ...measures].join(', ')}, PRIMARY KEY (${s.keys.map(([k]) => k).join(', ')}));`;
}

/** Fills a period rollup from raw rows (existing data when the migration runs; repairs). */
export function recomputePeriodSql(s: PeriodRollupSpec, orgFilter: string): string {
  const keys = s.keys.map(([k, e]) => `${e} AS ${k}`).join(', ');
  const measures = s.measures.map(([m, e]) => `sum(${e}) AS ${m}`).join(', ');
  return `SELECT ${keys}, ${measures} FROM ${s.table} r ${s.join} WHERE ${orgFilter} AND ${s.where} GROUP BY ${s.keys.map((_, i) => i + 1).join(', ')}`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const fill = PERIOD_ROLLUPS.map(
    (s) =>
      `INSERT INTO ${s.rollup} (${[...s.keys.map(([k]) => k), ...s.measures.map(([m]) => m)].join(', ')}) ${recomputePeriodSql(s, 'true')};`,
  ).join('\n');
  await sql
    .raw(`
${PERIOD_ROLLUPS.map(tableSql).join('\n')}
${fill}
${PERIOD_ROLLUPS.map(triggerSql).join('\n')}

-- Raw scans: every column the answer metrics read, so filtered scans can be index-only.
CREATE INDEX answers_type_time_cover ON answers (org_id, type, submitted_at)
  INCLUDE (value_num, touchpoint_id, agent_id, customer_id, scale_max, higher_is_easier);
DROP INDEX answers_type_time;
-- Per-customer outcomes after an answer (loyalty, churn drivers): index-only on the type.
CREATE INDEX events_customer_cover ON events (org_id, customer_id, occurred_at) INCLUDE (type, value);
DROP INDEX events_customer;
CREATE INDEX interactions_customer_cover ON interactions (org_id, customer_id, opened_at) INCLUDE (touchpoint_id, outcome);
DROP INDEX interactions_customer;
CREATE INDEX answers_time_brin ON answers USING brin (submitted_at);
CREATE INDEX interactions_time_brin ON interactions USING brin (opened_at);
CREATE INDEX events_time_brin ON events USING brin (occurred_at);
CREATE INDEX text_analyses_time_brin ON text_analyses USING brin (occurred_at);
CREATE STATISTICS answers_week_tp (ndistinct) ON (date_trunc('week', submitted_at AT TIME ZONE 'UTC')), touchpoint_id FROM answers;
CREATE STATISTICS answers_day (ndistinct) ON (date_trunc('day', submitted_at AT TIME ZONE 'UTC')), touchpoint_id FROM answers;
`)
    .execute(db);
}

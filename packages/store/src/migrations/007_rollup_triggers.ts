import { type Kysely, sql } from 'kysely';
import { ROLLUPS } from './002_analytics.js';
import { PERIOD_ROLLUPS } from './006_analytics_speed.js';

/**
 * One rollup trigger per table and event instead of one per rollup: 002 and 006 gave answers
 * twelve statement-level triggers (four rollups × insert/update/delete), each reading the
 * transition rows again, computing the answer value per row again and running its own upsert.
 * Now each table's function aggregates the statement's rows once, at the finest grain (the
 * daily rollup with the most keys), and one statement upserts every rollup of that table from
 * those sums (data-modifying CTEs), each in key order as before. A coarser rollup is the sum of
 * the finer one's rows, so the rollup contents are unchanged (verifyRollups compares them with
 * raw rows); the rollup tables, their keys and readers stay as they are. Idempotent.
 *
 * Also: extended statistics on the time buckets of raw aggregates not covered by 006.
 */
interface Spec {
  table: string;
  rollup: string;
  join?: string;
  keys: [string, string][];
  measures: [string, string][];
  where: string;
}

const TABLES = ['answers', 'interactions', 'text_analyses'] as const;

/** The statement that applies a table's transition rows (`parts`: the signed source rows) to all its rollups. */
export function applySql(table: string, parts: (rows: string, sign: number) => string, events: string[]): string {
  const daily = ROLLUPS.filter((r) => r.table === table);
  const period = PERIOD_ROLLUPS.filter((r) => r.table === table);
  const finest = [...daily].sort((a, b) => b.keys.length - a.keys.length)[0];
  const keys = finest.keys.map(([k]) => k);
  const measures = finest.measures.map(([m]) => m);
  for (const r of [...daily, ...period] as Spec[]) {
    if (r.where !== finest.where || r.measures.map(([m]) => m).join() !== measures.join())
      throw new Error(`${r.rollup} does not derive from ${finest.rollup}`);
  }
  const src = events.map((e) => parts(e === 'old_rows' ? 'old_rows' : 'new_rows', e === 'old_rows' ? -1 : 1));
  const upsert = (r: Spec, from: string) => {
    const cols = r.keys.map(([k]) => k);
    const expr = (k: string) =>
      k === 'grain' ? 'g.grain' : k === 'period' ? 'date_trunc(g.grain, d.day::timestamp)::date' : `d.${k}`;
    return `INSERT INTO ${r.rollup} (${[...cols, ...measures].join(', ')})
      SELECT ${cols.map(expr).join(', ')}, ${measures.map((m) => `sum(d.${m})`).join(', ')}
      FROM ${from} d ${r.join ?? ''}
      GROUP BY ${cols.map((_, i) => i + 1).join(', ')}
      HAVING ${measures.map((m) => `sum(d.${m}) <> 0`).join(' OR ')}
      ORDER BY ${cols.map((_, i) => i + 1).join(', ')}
      ON CONFLICT (${cols.join(', ')}) DO UPDATE SET ${measures.map((m) => `${m} = ${r.rollup}.${m} + EXCLUDED.${m}`).join(', ')}`;
  };
  const others = [...daily.filter((r) => r !== finest), ...period] as Spec[];
  const ctes = others.map((r, i) => `u${i} AS (${upsert(r, 'd')})`);
  return `WITH d AS MATERIALIZED (
      SELECT ${keys.join(', ')}, ${measures.map((m) => `sum(${m}) AS ${m}`).join(', ')}
      FROM (${src.join(' UNION ALL ')}) s GROUP BY ${keys.join(', ')}
    )${ctes.length ? `, ${ctes.join(',\n    ')}` : ''}
    ${upsert(finest as Spec, 'd')};`;
}

function signedRows(table: string): (rows: string, sign: number) => string {
  const finest = [...ROLLUPS.filter((r) => r.table === table)].sort((a, b) => b.keys.length - a.keys.length)[0];
  return (rows, sign) =>
    `SELECT ${finest.keys.map(([k, e]) => `${e} AS ${k}`).join(', ')}, ${finest.measures
      .map(([m, e]) => `(${sign}) * (${e}) AS ${m}`)
      .join(', ')} FROM ${rows} r WHERE ${finest.where}`;
}

/** The trigger (and function) names this migration creates, per table: `rollups_<table>_<event>`. */
export const TRIGGERS = TABLES.flatMap((t) =>
  ['ins', 'del', 'upd'].map((e) => ({ table: t, trigger: `rollups_${t}_${e}` })),
);

export async function up(db: Kysely<unknown>): Promise<void> {
  const drops = ([...ROLLUPS, ...PERIOD_ROLLUPS] as Spec[]).flatMap((s) =>
    ['ins', 'del', 'upd'].map(
      (e) => `DROP TRIGGER IF EXISTS ${s.rollup}_${e} ON ${s.table}; DROP FUNCTION IF EXISTS ${s.rollup}_${e}();`,
    ),
  );
  const creates = TABLES.map((t) => {
    const rows = signedRows(t);
    const fn = (e: string, events: string[]) => `
CREATE OR REPLACE FUNCTION rollups_${t}_${e}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${applySql(t, rows, events)}
  RETURN NULL;
END $$;`;
    return `
DROP TRIGGER IF EXISTS rollups_${t}_ins ON ${t};
DROP TRIGGER IF EXISTS rollups_${t}_del ON ${t};
DROP TRIGGER IF EXISTS rollups_${t}_upd ON ${t};
${fn('ins', ['new_rows'])}
${fn('del', ['old_rows'])}
${fn('upd', ['new_rows', 'old_rows'])}
CREATE TRIGGER rollups_${t}_ins AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollups_${t}_ins();
CREATE TRIGGER rollups_${t}_del AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollups_${t}_del();
CREATE TRIGGER rollups_${t}_upd AFTER UPDATE ON ${t} REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollups_${t}_upd();`;
  });
  // Bucket statistics for raw aggregates: how many distinct periods (× touchpoints) a time
  // expression yields, so the planner sizes GROUP BY bucket right (006 covered answers by week and
  // day only). Filled by the next ANALYZE.
  const stats = [
    ['answers', 'submitted_at', ['month', 'quarter']],
    ['interactions', 'opened_at', ['day', 'week', 'month', 'quarter']],
    ['text_analyses', 'occurred_at', ['day', 'week', 'month', 'quarter']],
  ].flatMap(([t, col, gs]) =>
    (gs as string[]).map(
      (g) =>
        `CREATE STATISTICS IF NOT EXISTS ${t}_${g}_tp (ndistinct) ON (date_trunc('${g}', ${col} AT TIME ZONE 'UTC')), touchpoint_id FROM ${t};`,
    ),
  );
  await sql.raw(`${drops.join('\n')}\n${creates.join('\n')}\n${stats.join('\n')}`).execute(db);
}

import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { ROLLUPS } from '../migrations/002_analytics.js';
import { PERIOD_ROLLUPS } from '../migrations/006_analytics_speed.js';

export interface RollupDiff {
  rollup: string;
  /** Rollup rows whose measures differ from a recomputation from raw rows (missing rows count as zeros). */
  mismatches: number;
  rows: number;
}

interface AnyRollup {
  table: string;
  rollup: string;
  join?: string;
  keys: [string, string][];
  measures: [string, string][];
  where: string;
}

/** Every rollup: the daily ones (002) and the week/month ones (006). */
const ALL: AnyRollup[] = [...ROLLUPS, ...PERIOD_ROLLUPS];

function recompute(spec: AnyRollup, orgId: string) {
  const keys = spec.keys.map(([k, e]) => `${e} AS ${k}`).join(', ');
  const measures = spec.measures.map(([m, e]) => `sum(${e}) AS ${m}`).join(', ');
  return `SELECT ${keys}, ${measures} FROM ${spec.table} r ${spec.join ?? ''} WHERE r.org_id = '${orgId}'::uuid AND ${spec.where} GROUP BY ${spec.keys.map((_, i) => i + 1).join(', ')}`;
}

/**
 * Compares every rollup of an org with a recomputation from raw rows (the trigger maintenance
 * must equal a full rebuild). Float sums compare with a relative tolerance.
 */
export async function verifyRollups(db: Db, orgId: string): Promise<RollupDiff[]> {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error('orgId must be a UUID');
  const out: RollupDiff[] = [];
  for (const spec of ALL) {
    const keyCols = spec.keys.map(([k]) => k);
    const on = keyCols.map((k) => `a.${k} = b.${k}`).join(' AND ');
    const differs = spec.measures
      .map(([m]) => `abs(coalesce(a.${m}, 0) - coalesce(b.${m}, 0)) > 1e-6 * greatest(1, abs(coalesce(b.${m}, 0)))`)
      .join(' OR ');
    const q = `SELECT count(*) FILTER (WHERE ${differs})::int AS mismatches, count(*)::int AS rows
      FROM (SELECT * FROM ${spec.rollup} WHERE org_id = '${orgId}'::uuid) a
      FULL JOIN (${recompute(spec, orgId)}) b ON ${on}`;
    const r = await sql.raw<{ mismatches: number; rows: number }>(q).execute(db);
    out.push({ rollup: spec.rollup, ...r.rows[0] });
  }
  return out;
}

/** Rebuilds an org's rollups from raw rows (repair after a bulk load with triggers disabled). */
export async function rebuildRollups(db: Db, orgId: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error('orgId must be a UUID');
  for (const spec of ALL) {
    const cols = [...spec.keys.map(([k]) => k), ...spec.measures.map(([m]) => m)].join(', ');
    await sql.raw(`DELETE FROM ${spec.rollup} WHERE org_id = '${orgId}'::uuid`).execute(db);
    await sql.raw(`INSERT INTO ${spec.rollup} (${cols}) ${recompute(spec, orgId)}`).execute(db);
  }
}

/** The rollup tables, for bulk loads that disable their triggers (`ALTER TABLE … DISABLE TRIGGER`). */
export const ROLLUP_TRIGGERS: { table: string; trigger: string }[] = ALL.flatMap((s) =>
  ['ins', 'del', 'upd'].map((e) => ({ table: s.table, trigger: `${s.rollup}_${e}` })),
);

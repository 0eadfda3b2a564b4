import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { ROLLUPS } from '../migrations/002_analytics.js';
import { PERIOD_ROLLUPS } from '../migrations/006_analytics_speed.js';
import { TRIGGERS } from '../migrations/007_rollup_triggers.js';

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

/**
 * The finest rollup of the same source whose keys include all of `spec`'s dimensions (a coarser
 * rollup is exactly the sum of a finer one's rows), or null: computed from raw rows.
 */
function finerOf(spec: AnyRollup): AnyRollup | null {
  const dims = spec.keys.map(([k]) => k).filter((k) => k !== 'grain' && k !== 'period' && k !== 'day');
  const candidates = ROLLUPS.filter(
    (d) =>
      d !== spec &&
      d.table === spec.table &&
      d.where === spec.where &&
      dims.every((k) => d.keys.some(([dk]) => dk === k)) &&
      // A daily rollup from another daily one only when it drops a dimension.
      (spec.keys.some(([k]) => k === 'period') || d.keys.length > spec.keys.length),
  );
  candidates.sort((a, b) => a.keys.length - b.keys.length);
  return candidates[0] ?? null;
}

function fromFiner(spec: AnyRollup, finer: AnyRollup, orgId: string): string {
  const keys = spec.keys.map(([k]) =>
    k === 'grain'
      ? 'g.grain AS grain'
      : k === 'period'
        ? 'date_trunc(g.grain, f.day::timestamp)::date AS period'
        : `f.${k}`,
  );
  const measures = spec.measures.map(([m]) => `sum(f.${m}) AS ${m}`);
  return `SELECT ${keys.join(', ')}, ${measures.join(', ')} FROM ${finer.rollup} f ${spec.join ?? ''}
    WHERE f.org_id = '${orgId}'::uuid GROUP BY ${spec.keys.map((_, i) => i + 1).join(', ')}`;
}

/**
 * Rebuilds an org's rollups (repair after a bulk load with triggers disabled): the finest daily
 * rollup of each table from raw rows, every other one from a finer rollup (one scan of each raw
 * table instead of one per rollup). Run in one transaction when `db` is one.
 */
export async function rebuildRollups(db: Db, orgId: string): Promise<void> {
  if (!/^[0-9a-f-]{36}$/.test(orgId)) throw new Error('orgId must be a UUID');
  // Finer first: daily rollups by key count (most keys first), then the period ones.
  const order: AnyRollup[] = [...[...ROLLUPS].sort((a, b) => b.keys.length - a.keys.length), ...PERIOD_ROLLUPS];
  for (const spec of order) {
    const cols = [...spec.keys.map(([k]) => k), ...spec.measures.map(([m]) => m)].join(', ');
    const finer = finerOf(spec);
    await sql.raw(`DELETE FROM ${spec.rollup} WHERE org_id = '${orgId}'::uuid`).execute(db);
    await sql
      .raw(`INSERT INTO ${spec.rollup} (${cols}) ${finer ? fromFiner(spec, finer, orgId) : recompute(spec, orgId)}`)
      .execute(db);
  }
}

/**
 * The rollup triggers (one per table and event since migration 007), for bulk loads that disable
 * them (`ALTER TABLE … DISABLE TRIGGER`) and rebuild the rollups after.
 */
export const ROLLUP_TRIGGERS: { table: string; trigger: string }[] = TRIGGERS;

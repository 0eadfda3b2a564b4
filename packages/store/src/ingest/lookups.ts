import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import { type Db, type RecordProblem, RecordProblems, type WriteOutcome } from './types.js';

export interface TouchpointRef {
  id: string;
  departmentId: string;
  channel: string;
}

export async function loadTouchpoints(db: Db, orgId: string): Promise<Map<string, TouchpointRef>> {
  const rows = await db
    .selectFrom('touchpoints')
    .select(['id', 'key', 'department_id', 'channel'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [r.key, { id: r.id, departmentId: r.department_id, channel: r.channel }]));
}

/** Agents arrive from helpdesks by key; unknown keys are created, names and teams kept current. */
export async function upsertAgents(
  trx: Db,
  orgId: string,
  agents: { key: string; name?: string | undefined; team?: string | undefined }[],
): Promise<Map<string, string>> {
  const byKey = new Map<string, { name: string | null; team: string | null }>();
  for (const a of agents) {
    const prev = byKey.get(a.key);
    byKey.set(a.key, { name: a.name ?? prev?.name ?? null, team: a.team ?? prev?.team ?? null });
  }
  if (byKey.size === 0) return new Map();
  const keys = [...byKey.keys()].sort(); // a fixed order keeps concurrent batches from deadlocking
  const names = keys.map((k) => byKey.get(k)!.name);
  const teams = keys.map((k) => byKey.get(k)!.team);
  const ids = keys.map(() => uuidv7());
  const rows = await sql<{ id: string; key: string }>`
    INSERT INTO agents (org_id, id, key, name, team)
    SELECT ${orgId}::uuid, * FROM unnest(${ids}::uuid[], ${keys}::text[], ${names}::text[], ${teams}::text[])
    ON CONFLICT (org_id, key) DO UPDATE SET
      name = COALESCE(EXCLUDED.name, agents.name), team = COALESCE(EXCLUDED.team, agents.team)
    RETURNING id, key`.execute(trx);
  return new Map(rows.rows.map((r) => [r.key, r.id]));
}

/** Existing rows of `table` by a unique text column (idempotency_key or external_id). */
export async function existingByKey(
  trx: Db,
  table: 'interactions' | 'responses' | 'events',
  column: 'idempotency_key' | 'external_id',
  orgId: string,
  keys: string[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await sql<{ k: string; id: string }>`
    SELECT ${sql.ref(column)} AS k, id FROM ${sql.table(table)}
    WHERE org_id = ${orgId} AND ${sql.ref(column)} = ANY(${keys}::text[])`.execute(trx);
  return new Map(rows.rows.map((r) => [r.k, r.id]));
}

/** JSON with object keys sorted and undefined left out: the same record always reads the same. */
function canonical(v: unknown): string {
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** A digest of what a record says, its idempotency key aside: what a retry under that key must repeat. */
export function retryDigest(record: object): string {
  const { idempotency_key: _key, ...rest } = record as Record<string, unknown>;
  return createHash('sha256').update(canonical(rest)).digest('base64url').slice(0, 22);
}

export interface RetryOptions {
  /**
   * A known idempotency key with a different record is a problem (the API's retries: the IETF
   * Idempotency-Key draft's 422), not a duplicate; without it (the survey pages, which save one
   * response under one key as answers grow) it is a duplicate.
   */
  sameRecord?: boolean;
}

/**
 * The idempotency step shared by the writers: records whose key (or, for responses, external
 * id) is already stored are retries — answered with the stored id and not written again. Returns
 * the outcome arrays and the indexes still to write.
 */
export async function splitRetries(
  trx: Db,
  table: 'interactions' | 'responses' | 'events',
  orgId: string,
  records: { idempotency_key?: string; external_id?: string }[],
  alsoByExternalId = false,
  opts: RetryOptions = {},
): Promise<{ outcome: WriteOutcome; live: number[] }> {
  const n = records.length;
  const outcome: WriteOutcome = {
    ids: new Array(n),
    statuses: new Array(n),
    customerIds: new Array(n).fill(null),
  };
  const byKey = await existingByKey(
    trx,
    table,
    'idempotency_key',
    orgId,
    records.flatMap((r) => (r.idempotency_key ? [r.idempotency_key] : [])),
  );
  const byExternal = alsoByExternalId
    ? await existingByKey(
        trx,
        table,
        'external_id',
        orgId,
        records.flatMap((r) => (r.external_id ? [r.external_id] : [])),
      )
    : new Map<string, string>();
  const live: number[] = [];
  records.forEach((r, i) => {
    const id =
      (r.idempotency_key ? byKey.get(r.idempotency_key) : undefined) ??
      (r.external_id ? byExternal.get(r.external_id) : undefined);
    if (id) {
      outcome.ids[i] = id;
      outcome.statuses[i] = 'duplicate';
    } else live.push(i);
  });
  if (opts.sameRecord && byKey.size) {
    const keys = records.flatMap((r) => (r.idempotency_key && byKey.has(r.idempotency_key) ? [r.idempotency_key] : []));
    const rows = await sql<{ k: string; d: string | null }>`
      SELECT idempotency_key AS k, idempotency_digest AS d FROM ${sql.table(table)}
      WHERE org_id = ${orgId} AND idempotency_key = ANY(${keys}::text[])`.execute(trx);
    const stored = new Map(rows.rows.map((row) => [row.k, row.d]));
    const problems: RecordProblem[] = [];
    records.forEach((r, index) => {
      const d = r.idempotency_key ? stored.get(r.idempotency_key) : undefined;
      if (d && d !== retryDigest(r)) {
        problems.push({
          index,
          field: 'idempotency_key',
          reason: `'${r.idempotency_key}' was used for a different record: a retry must send the same record, a new record a new key`,
        });
      }
    });
    if (problems.length) throw new RecordProblems(problems);
  }
  return { outcome, live };
}

/** Problems for records naming a touchpoint the org does not have. */
export function checkTouchpoints(
  records: { touchpoint?: string }[],
  live: number[],
  touchpoints: Map<string, TouchpointRef>,
  problems: { index: number; field: string; reason: string }[],
): void {
  for (const i of live) {
    const tp = records[i].touchpoint;
    if (tp && !touchpoints.has(tp))
      problems.push({ index: i, field: 'touchpoint', reason: `unknown touchpoint '${tp}'` });
  }
}

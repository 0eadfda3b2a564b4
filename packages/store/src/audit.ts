import { sql } from 'kysely';
import { uuidv7 } from './ids.js';
import type { Db } from './ingest/types.js';

export interface AuditEntry {
  orgId: string;
  actorKind: 'user' | 'api_key';
  actorId: string | null;
  permission: string;
  method: string;
  route: string;
  path: string;
  status: number;
  /** What was changed, in words ("removed the user ana@example.com"). */
  summary?: string | null;
  /** Why a refused or failed attempt did not happen (the answer's detail). */
  reason?: string | null;
}

export interface AuditView {
  id: string;
  at: Date;
  actor: { kind: 'user' | 'api_key'; id: string | null; label: string };
  permission: string;
  method: string;
  route: string;
  path: string;
  status: number;
  summary: string | null;
  reason: string | null;
}

/**
 * Writes one entry, naming the actor as they are now: a user by name and email, an API key by
 * its name and prefix (both kept after the user or key is gone).
 */
export async function writeAudit(db: Db, e: AuditEntry): Promise<void> {
  await sql`
    INSERT INTO audit_log (org_id, id, actor_kind, actor_id, actor_label, permission, method, route, path, status,
      summary, reason)
    SELECT ${e.orgId}::uuid, ${uuidv7()}::uuid, ${e.actorKind}, ${e.actorId}::uuid,
      COALESCE(
        CASE WHEN ${e.actorKind} = 'user'
          THEN (SELECT CASE WHEN name IS NULL OR name = '' OR name = email THEN email ELSE name || ' (' || email || ')' END
                FROM users WHERE org_id = ${e.orgId}::uuid AND id = ${e.actorId}::uuid)
          ELSE (SELECT 'API key “' || name || '” (' || prefix || '…)' FROM api_keys WHERE org_id = ${e.orgId}::uuid AND id = ${e.actorId}::uuid)
        END,
        CASE WHEN ${e.actorKind} = 'user' THEN 'a user no longer in the organisation' ELSE 'an API key no longer in use' END),
      ${e.permission}, ${e.method}, ${e.route}, ${e.path.slice(0, 500)}, ${e.status},
      ${e.summary?.slice(0, 500) ?? null}, ${e.reason?.slice(0, 1000) ?? null}`.execute(db);
}

/** Newest first, a page at a time (`before`: the last id of the previous page). */
export async function listAudit(
  db: Db,
  orgId: string,
  f: { limit: number; before?: string | undefined; actor?: string | undefined },
): Promise<{ items: AuditView[]; next_before: string | null }> {
  const r = await sql<{
    id: string;
    at: Date;
    actor_kind: 'user' | 'api_key';
    actor_id: string | null;
    actor_label: string;
    permission: string;
    method: string;
    route: string;
    path: string;
    status: number;
    summary: string | null;
    reason: string | null;
  }>`
    SELECT id, at, actor_kind, actor_id, actor_label, permission, method, route, path, status, summary, reason
    FROM audit_log
    WHERE org_id = ${orgId}
      ${f.before ? sql`AND id < ${f.before}::uuid` : sql``}
      ${f.actor ? sql`AND actor_label = ${f.actor}` : sql``}
    ORDER BY id DESC LIMIT ${f.limit + 1}`.execute(db);
  const rows = r.rows.slice(0, f.limit);
  return {
    items: rows.map((x) => ({
      id: x.id,
      at: x.at,
      actor: { kind: x.actor_kind, id: x.actor_id, label: x.actor_label },
      permission: x.permission,
      method: x.method,
      route: x.route,
      path: x.path,
      status: x.status,
      summary: x.summary,
      reason: x.reason,
    })),
    next_before: r.rows.length > f.limit ? rows[rows.length - 1]!.id : null,
  };
}

import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import type { Db } from '../ingest/types.js';
import { type Cursor, encodeCursor, type Page } from '../read.js';

export interface WebhookRow {
  id: string;
  url: string;
  description: string | null;
  secret: string;
  events: string[];
  enabled: boolean;
  created_at: Date;
}

const hookCols = sql`id, url, description, secret, events, enabled, created_at`;

export async function createWebhook(
  db: Db,
  orgId: string,
  w: { url: string; description: string | null; secret: string; events: string[]; enabled: boolean },
): Promise<WebhookRow> {
  const r = await sql<WebhookRow>`INSERT INTO webhooks (org_id, id, url, description, secret, events, enabled)
    VALUES (${orgId}, ${uuidv7()}, ${w.url}, ${w.description}, ${w.secret}, ${w.events}::text[], ${w.enabled})
    RETURNING ${hookCols}`.execute(db);
  return r.rows[0];
}

export async function updateWebhook(
  db: Db,
  orgId: string,
  id: string,
  w: { url?: string; description?: string | null; events?: string[]; enabled?: boolean },
): Promise<WebhookRow | undefined> {
  const r = await sql<WebhookRow>`UPDATE webhooks SET
      url = coalesce(${w.url ?? null}, url),
      description = CASE WHEN ${w.description !== undefined} THEN ${w.description ?? null} ELSE description END,
      events = coalesce(${w.events ?? null}::text[], events),
      enabled = coalesce(${w.enabled ?? null}::boolean, enabled)
    WHERE org_id = ${orgId} AND id = ${id}::uuid RETURNING ${hookCols}`.execute(db);
  return r.rows[0];
}

export async function listWebhooks(db: Db, orgId: string): Promise<WebhookRow[]> {
  const r =
    await sql<WebhookRow>`SELECT ${hookCols} FROM webhooks WHERE org_id = ${orgId} ORDER BY created_at, id`.execute(db);
  return r.rows;
}

export async function getWebhook(db: Db, orgId: string, id: string): Promise<WebhookRow | undefined> {
  const r =
    await sql<WebhookRow>`SELECT ${hookCols} FROM webhooks WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

export async function deleteWebhook(db: Db, orgId: string, id: string): Promise<boolean> {
  const r = await sql`DELETE FROM webhooks WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Enabled webhooks that take an event type (or the named ones, when given). */
export async function webhooksFor(db: Db, orgId: string, eventType: string, ids?: string[]): Promise<WebhookRow[]> {
  const r = await sql<WebhookRow>`SELECT ${hookCols} FROM webhooks WHERE org_id = ${orgId} AND enabled
    ${ids ? sql`AND id = ANY(${ids}::uuid[])` : sql`AND ${eventType} = ANY(events)`} ORDER BY id`.execute(db);
  return r.rows;
}

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_type: string;
  payload: unknown;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

const delCols = sql`id, webhook_id, event_type, payload, status, attempts, last_status_code, last_error, last_attempt_at,
  delivered_at, created_at`;

/**
 * Logs messages as pending deliveries. A message for a webhook deleted meanwhile (a caller's
 * cached list may be seconds old) is skipped, not an error: returns the ids written, in input
 * order, with null for the skipped ones.
 */
export async function createDeliveries(
  db: Db,
  orgId: string,
  ds: { id?: string; webhookId: string; eventType: string; payload: unknown }[],
): Promise<(string | null)[]> {
  if (ds.length === 0) return [];
  const ids = ds.map((d) => d.id ?? uuidv7());
  const r = await sql<{
    id: string;
  }>`INSERT INTO webhook_deliveries (org_id, id, webhook_id, event_type, payload, status)
    SELECT ${orgId}::uuid, i, q.w, e, p::jsonb, 'pending' FROM unnest(${ids}::uuid[], ${ds.map((d) => d.webhookId)}::uuid[],
      ${ds.map((d) => d.eventType)}::text[], ${ds.map((d) => JSON.stringify(d.payload))}::text[]) AS q(i, w, e, p)
    WHERE EXISTS (SELECT 1 FROM webhooks h WHERE h.org_id = ${orgId}::uuid AND h.id = q.w)
    RETURNING id`.execute(db);
  const written = new Set(r.rows.map((x) => x.id));
  return ids.map((id) => (written.has(id) ? id : null));
}

export async function getDelivery(db: Db, orgId: string, id: string): Promise<DeliveryRow | undefined> {
  const r =
    await sql<DeliveryRow>`SELECT ${delCols} FROM webhook_deliveries WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(
      db,
    );
  return r.rows[0];
}

export interface DeliveryAttempt {
  orgId: string;
  id: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  final: boolean;
}

export async function recordAttempt(
  db: Db,
  orgId: string,
  id: string,
  a: { ok: boolean; statusCode: number | null; error: string | null; final: boolean },
): Promise<void> {
  await recordAttempts(db, [{ orgId, id, ...a }]);
}

/** Logs attempts of several deliveries in one statement (a sender batches what piles up while it writes). */
export async function recordAttempts(db: Db, as: DeliveryAttempt[]): Promise<void> {
  if (as.length === 0) return;
  await sql`UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
      last_status_code = q.code, last_error = q.err,
      status = CASE WHEN q.ok THEN 'delivered' WHEN q.final THEN 'failed' ELSE d.status END,
      delivered_at = CASE WHEN q.ok THEN coalesce(d.delivered_at, now()) ELSE d.delivered_at END
    FROM unnest(${as.map((a) => a.orgId)}::uuid[], ${as.map((a) => a.id)}::uuid[], ${as.map((a) => a.ok)}::boolean[],
      ${as.map((a) => a.statusCode)}::int[], ${as.map((a) => a.error?.slice(0, 1000) ?? null)}::text[],
      ${as.map((a) => a.final)}::boolean[]) AS q(org, id, ok, code, err, final)
    WHERE d.org_id = q.org AND d.id = q.id`.execute(db);
}

export async function resetDelivery(db: Db, orgId: string, id: string): Promise<void> {
  await sql`UPDATE webhook_deliveries SET status = 'pending' WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(db);
}

export async function listDeliveries(
  db: Db,
  orgId: string,
  f: { webhookId: string; status?: string; cursor?: Cursor | null; limit: number },
): Promise<Page<DeliveryRow>> {
  const r = await sql<DeliveryRow>`SELECT ${delCols} FROM webhook_deliveries WHERE org_id = ${orgId}
      AND webhook_id = ${f.webhookId}::uuid ${f.status ? sql`AND status = ${f.status}` : sql``}
      ${f.cursor ? sql`AND (created_at, id) < (${f.cursor.at}::timestamptz, ${f.cursor.id}::uuid)` : sql``}
    ORDER BY created_at DESC, id DESC LIMIT ${f.limit + 1}`.execute(db);
  const more = r.rows.length > f.limit;
  const items = more ? r.rows.slice(0, f.limit) : r.rows;
  const last = items.at(-1);
  return {
    items,
    next_cursor: more && last ? encodeCursor({ at: new Date(last.created_at).toISOString(), id: last.id }) : null,
  };
}

/** A delivery with its webhook's url, secret and state, in one round trip (the sender's hot path). */
export async function deliveryToSend(
  db: Db,
  orgId: string,
  id: string,
): Promise<(DeliveryRow & { url: string; secret: string; enabled: boolean }) | undefined> {
  const r = await sql<DeliveryRow & { url: string; secret: string; enabled: boolean }>`
    SELECT d.id, d.webhook_id, d.event_type, d.payload, d.status, d.attempts, d.last_status_code, d.last_error,
      d.last_attempt_at, d.delivered_at, d.created_at, w.url, w.secret, w.enabled
    FROM webhook_deliveries d JOIN webhooks w ON w.org_id = d.org_id AND w.id = d.webhook_id
    WHERE d.org_id = ${orgId} AND d.id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

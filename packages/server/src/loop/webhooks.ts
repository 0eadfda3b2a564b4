import { createHmac, randomBytes } from 'node:crypto';
import {
  type CaseRow,
  createDeliveries,
  type Db,
  deliveryToSend,
  listWebhooks,
  recordAttempt,
  type WebhookRow,
} from '@canopy/store';
import { enqueueMany, type JobHandler, RetryLater } from '../jobs/index.js';

/**
 * Outbound webhooks, signed per Standard Webhooks (standardwebhooks.com): headers webhook-id
 * (stable across retries: the receiver's idempotency key), webhook-timestamp (seconds) and
 * webhook-signature `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64
 * part of the `whsec_…` secret. Each message is a row in webhook_deliveries (the delivery log)
 * and a job in the durable queue (the retries).
 */
export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export const messageId = (deliveryId: string) => `msg_${deliveryId}`;

export function caseView(c: CaseRow) {
  const overdue = !['resolved', 'closed'].includes(c.status) && new Date(c.sla_due_at).getTime() < Date.now();
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    priority: c.priority,
    department: c.department,
    assignee: c.assignee,
    customer_id: c.customer_id,
    rule_id: c.rule_id,
    root_cause: c.root_cause,
    actions_taken: c.actions_taken ?? [],
    tags: c.tags ?? [],
    sla_due_at: c.sla_due_at,
    overdue,
    opened_at: c.opened_at,
    first_action_at: c.first_action_at,
    resolved_at: c.resolved_at,
    closed_at: c.closed_at,
    recovery: { status: c.recovery_status, at: c.recovery_at, evidence: c.recovery_evidence },
    trigger: c.trigger,
    updated_at: c.updated_at,
  };
}

/** The org's enabled webhooks, loaded once per batch. */
export async function loadHooks(db: Db, orgId: string): Promise<WebhookRow[]> {
  return (await listWebhooks(db, orgId)).filter((h) => h.enabled);
}

/**
 * Queues one message per subscribed webhook (or per named webhook) in `db`'s transaction:
 * a delivery row for the log and a job for the sending.
 */
export async function emit(
  db: Db,
  orgId: string,
  hooks: WebhookRow[] | null,
  type: string,
  data: unknown,
  only?: string[],
): Promise<string[]> {
  const all = hooks ?? (await loadHooks(db, orgId));
  const targets = only ? all.filter((h) => only.includes(h.id)) : all.filter((h) => h.events.includes(type));
  if (targets.length === 0) return [];
  const timestamp = new Date().toISOString();
  const ids = await createDeliveries(
    db,
    orgId,
    targets.map((h) => ({ webhookId: h.id, eventType: type, payload: { type, timestamp, data } })),
  );
  await enqueueMany(
    db,
    ids.map((id) => ({ orgId, type: 'webhook.deliver', payload: { deliveryId: id } })),
  );
  return ids;
}

export interface DeliverPayload {
  deliveryId: string;
  /** A replay sends again even when the message was delivered before. */
  replay?: boolean;
}

export function webhookHandler(timeoutMs: number): JobHandler<DeliverPayload> {
  return async (job, { store }) => {
    const orgId = job.orgId!;
    const d = await deliveryToSend(store.db, orgId, job.payload.deliveryId);
    if (!d || (d.status === 'delivered' && !job.payload.replay)) return;
    const hook = d;
    const final = job.attempt >= job.maxAttempts;
    if (!hook.enabled) {
      await recordAttempt(store.db, orgId, d.id, {
        ok: false,
        statusCode: null,
        error: 'webhook disabled',
        final: true,
      });
      return;
    }
    const body = JSON.stringify(d.payload);
    const id = messageId(d.id);
    const ts = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    let retryAfter: number | null = null;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Canopy-Webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': sign(hook.secret, id, ts, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      const ra = Number(res.headers.get('retry-after'));
      if ((status === 429 || status === 503) && Number.isFinite(ra) && ra > 0) retryAfter = Math.min(ra, 3600) * 1000;
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      error = (err as Error).cause ? String((err as Error).cause) : (err as Error).message;
    }
    await recordAttempt(store.db, orgId, d.id, { ok: error === null, statusCode: status, error, final });
    if (error !== null) {
      if (retryAfter !== null) throw new RetryLater(error, retryAfter);
      throw new Error(error);
    }
  };
}

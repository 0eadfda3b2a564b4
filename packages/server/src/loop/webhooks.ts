import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  type CaseRow,
  createDeliveries,
  type Db,
  type DeliveryAttempt,
  deliveryToSend,
  listWebhooks,
  recordAttempts,
  type Store,
  type WebhookRow,
} from '@canopy/store';
import { coalesce, enqueueMany, type JobHandler, type JobRunner, RetryLater } from '../jobs/index.js';
import { guardedLookup, InternalAddressError, isInternalAddress } from './url-guard.js';

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

/** One message to send: to every subscribed webhook, or to the named ones. */
export interface Message {
  type: string;
  data: unknown;
  only?: string[];
}

/**
 * Queues one message per subscribed webhook (or per named webhook) in `db`'s transaction:
 * a delivery row for the log and a job for the sending. With a running `runner`, the jobs take
 * the fast path: sent by this process right after the commit (still retried by the queue).
 */
export async function emit(
  db: Db,
  orgId: string,
  hooks: WebhookRow[] | null,
  type: string,
  data: unknown,
  only?: string[],
  runner?: JobRunner | null,
): Promise<string[]> {
  return emitMany(db, orgId, hooks, [{ type, data, only }], runner);
}

/** `emit` for several messages: one insert of deliveries and one of jobs for them all. */
export async function emitMany(
  db: Db,
  orgId: string,
  hooks: WebhookRow[] | null,
  messages: Message[],
  runner?: JobRunner | null,
): Promise<string[]> {
  if (messages.length === 0) return [];
  const all = hooks ?? (await loadHooks(db, orgId));
  const timestamp = new Date().toISOString();
  const out: { hook: WebhookRow; type: string; payload: unknown }[] = [];
  for (const m of messages) {
    const targets = m.only ? all.filter((h) => m.only!.includes(h.id)) : all.filter((h) => h.events.includes(m.type));
    for (const hook of targets) out.push({ hook, type: m.type, payload: { type: m.type, timestamp, data: m.data } });
  }
  if (out.length === 0) return [];
  const ids = await createDeliveries(
    db,
    orgId,
    out.map((o) => ({ webhookId: o.hook.id, eventType: o.type, payload: o.payload })),
  );
  const jobs = ids.flatMap((id, i) => {
    if (id === null) return []; // its webhook was deleted meanwhile
    const { hook, payload } = out[i];
    const hint: DeliveryHint = { url: hook.url, secret: hook.secret, enabled: hook.enabled, payload };
    return [{ orgId, type: 'webhook.deliver', payload: { deliveryId: id } satisfies DeliverPayload, hint }];
  });
  if (runner) await runner.enqueueNow(db, jobs);
  else await enqueueMany(db, jobs);
  return jobs.map((j) => j.payload.deliveryId);
}

/** What the fast path hands the sender so it need not read the delivery back. */
interface DeliveryHint {
  url: string;
  secret: string;
  enabled: boolean;
  payload: unknown;
}

/** Attempts are logged in batches: the deliveries that finish while one batch is written go in the next. */
const attemptWriters = new WeakMap<Store, (a: DeliveryAttempt) => Promise<void>>();
function attemptWriter(store: Store) {
  let w = attemptWriters.get(store);
  if (!w) {
    w = coalesce((as: DeliveryAttempt[]) => recordAttempts(store.db, as));
    attemptWriters.set(store, w);
  }
  return w;
}

export interface DeliverPayload {
  deliveryId: string;
  /** A replay sends again even when the message was delivered before. */
  replay?: boolean;
}

// Keep-alive connections per origin: a busy receiver takes many messages over a few sockets.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
};
const guardedAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 32, lookup: guardedLookup as never }),
  https: new https.Agent({ keepAlive: true, maxSockets: 32, lookup: guardedLookup as never }),
};

/**
 * One POST with node:http (lighter than fetch: fewer event-loop turns per request, which
 * matters when the loop is busy with an embedded database). Redirects are not followed.
 */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  allowPrivate: boolean,
): Promise<{ status: number; retryAfter: string | null }> {
  const u = new URL(url);
  const tls = u.protocol === 'https:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isInternalAddress(host))
    return Promise.reject(new InternalAddressError(`${host} is an internal address`));
  const agent = (allowPrivate ? agents : guardedAgents)[tls ? 'https' : 'http'];
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.on('error', reject);
        res.on('end', () => {
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, retryAfter: typeof ra === 'string' ? ra : null });
        });
        res.resume();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface SenderOptions {
  /** Per request (ms). */
  timeoutMs: number;
  /** Send to loopback and private addresses too (tests, single-machine setups). */
  allowPrivate?: boolean;
}

export function webhookHandler(opts: SenderOptions | number): JobHandler<DeliverPayload> {
  const { timeoutMs, allowPrivate = false } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  return async (job, { store }) => {
    const orgId = job.orgId!;
    const record = attemptWriter(store);
    // The fast path knows the message; a job claimed from the table reads it (and its state) back.
    const hint = job.hint as DeliveryHint | undefined;
    const d = hint
      ? { id: job.payload.deliveryId, ...hint }
      : await deliveryToSend(store.db, orgId, job.payload.deliveryId);
    if (!d || ('status' in d && d.status === 'delivered' && !job.payload.replay)) return;
    const hook = d;
    const final = job.attempt >= job.maxAttempts;
    if (!hook.enabled) {
      await record({ orgId, id: d.id, ok: false, statusCode: null, error: 'webhook disabled', final: true });
      return;
    }
    const body = JSON.stringify(d.payload);
    const id = messageId(d.id);
    const ts = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    let retryAfter: number | null = null;
    try {
      const res = await post(
        hook.url,
        {
          'content-type': 'application/json',
          'user-agent': 'Canopy-Webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': sign(hook.secret, id, ts, body),
        },
        body,
        timeoutMs,
        allowPrivate,
      );
      status = res.status;
      const ra = Number(res.retryAfter);
      if ((status === 429 || status === 503) && Number.isFinite(ra) && ra > 0) retryAfter = Math.min(ra, 3600) * 1000;
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      if (err instanceof InternalAddressError) {
        // Not a passing fault: the URL points inside. Logged as failed, not retried.
        await record({ orgId, id: d.id, ok: false, statusCode: null, error: err.message, final: true });
        return;
      }
      const e = err as Error & { code?: string };
      error = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : e.message;
    }
    await record({ orgId, id: d.id, ok: error === null, statusCode: status, error, final });
    if (error !== null) {
      if (retryAfter !== null) throw new RetryLater(error, retryAfter);
      throw new Error(error);
    }
  };
}

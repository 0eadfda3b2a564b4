import {
  createWebhook,
  decodeCursor,
  deleteWebhook,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
  resetDelivery,
  type Store,
  updateWebhook,
  type WebhookRow,
} from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import { enqueue } from '../jobs/index.js';
import { webhookInput, webhookPatch } from '../loop/schema.js';
import { webhookUrlProblem } from '../loop/url-guard.js';
import { messageId, newSecret } from '../loop/webhooks.js';
import { Problem } from '../problem.js';
import { apiRoute, limitParam } from '../route.js';
import { idParam, parseBody } from './rules.js';

const view = (h: WebhookRow, withSecret = false) => ({
  id: h.id,
  url: h.url,
  description: h.description,
  events: h.events,
  enabled: h.enabled,
  created_at: h.created_at,
  secret: withSecret ? h.secret : `${h.secret.slice(0, 10)}…`,
});

const deliveriesQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  cursor: z
    .string()
    .max(500)
    .transform((s, ctx) => {
      const c = decodeCursor(s);
      if (!c) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
        return z.NEVER;
      }
      return c;
    })
    .optional(),
  limit: limitParam(500, 50),
});

/** Webhooks (Standard Webhooks signatures), their delivery log, and replay. */
/** A URL the guard refuses is a 422 naming the field. */
async function checkUrl(url: string | undefined, allowPrivate: boolean): Promise<void> {
  if (url === undefined) return;
  const problem = await webhookUrlProblem(url, allowPrivate);
  if (problem)
    throw new Problem(422, 'Invalid fields', 'the webhook URL is not allowed; nothing was written', [
      { field: 'url', reason: problem },
    ]);
}

export function webhookRoutes(
  app: FastifyInstance,
  store: Store,
  auth: ApiKeyAuth,
  opts: { allowPrivate?: boolean; onChange?: (orgId: string) => void } = {},
): void {
  const allowPrivate = opts.allowPrivate ?? false;
  const changed = (orgId: string) => opts.onChange?.(orgId);
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/webhooks',
    summary: 'List webhooks (secrets are shown once, at creation)',
    tags: ['closed loop'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({
      items: (await listWebhooks(store.db, org.orgId)).map((h) => view(h)),
    }),
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/webhooks',
    permission: 'configure',
    summary: 'Create a webhook: {url, events?, description?}; answers with its signing secret (whsec_…)',
    tags: ['closed loop'],
    body: webhookInput,
    responses: { 201: 'the webhook, with its secret' },
    handler: async (req, reply, { org }) => {
      const w = parseBody(webhookInput, req.body);
      await checkUrl(w.url, allowPrivate);
      const row = await createWebhook(store.db, org.orgId, {
        url: w.url,
        description: w.description ?? null,
        secret: newSecret(),
        events: w.events,
        enabled: w.enabled,
      });
      changed(org.orgId);
      return reply.code(201).send(view(row, true));
    },
  });
  apiRoute(app, auth, {
    method: 'PATCH',
    url: '/api/v1/webhooks/{id}',
    permission: 'configure',
    summary: 'Change a webhook (url, events, description, enabled)',
    tags: ['closed loop'],
    body: webhookPatch,
    responses: { 200: 'the webhook' },
    handler: async (req, _reply, { org, params }) => {
      const id = idParam(params, 'webhook');
      const w = parseBody(webhookPatch, req.body);
      await checkUrl(w.url, allowPrivate);
      const row = await updateWebhook(store.db, org.orgId, id, w);
      if (!row) throw new Problem(404, 'Not found', `no webhook ${id} in this organisation`);
      changed(org.orgId);
      return view(row);
    },
  });
  apiRoute(app, auth, {
    method: 'DELETE',
    url: '/api/v1/webhooks/{id}',
    permission: 'configure',
    summary: 'Delete a webhook and its delivery log',
    tags: ['closed loop'],
    responses: { 204: 'deleted' },
    handler: async (_req, reply, { org, params }) => {
      const id = idParam(params, 'webhook');
      if (!(await deleteWebhook(store.db, org.orgId, id)))
        throw new Problem(404, 'Not found', `no webhook ${id} in this organisation`);
      changed(org.orgId);
      return reply.code(204).send();
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/webhooks/{id}/deliveries',
    summary: 'The delivery log of a webhook, newest first: status, attempts, last HTTP status or error',
    tags: ['closed loop'],
    query: deliveriesQuery,
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, params, query: q }) => {
      const id = idParam(params, 'webhook');
      if (!(await getWebhook(store.db, org.orgId, id)))
        throw new Problem(404, 'Not found', `no webhook ${id} in this organisation`);
      const page = await listDeliveries(store.db, org.orgId, {
        webhookId: id,
        status: q.status,
        cursor: q.cursor,
        limit: q.limit,
      });
      return { items: page.items.map((d) => ({ ...d, message_id: messageId(d.id) })), next_cursor: page.next_cursor };
    },
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay',
    permission: 'configure',
    summary: 'Send a message again (same webhook-id, so receivers can deduplicate)',
    tags: ['closed loop'],
    responses: { 202: 'queued' },
    handler: async (_req, reply, { org, params }) => {
      const id = idParam(params, 'webhook');
      const did = idParam(params, 'delivery', 'delivery_id');
      const d = await getDelivery(store.db, org.orgId, did);
      if (!d || d.webhook_id !== id) throw new Problem(404, 'Not found', `no delivery ${did} for webhook ${id}`);
      const job = await store.db.transaction().execute(async (trx) => {
        await resetDelivery(trx, org.orgId, did);
        return enqueue(trx, { orgId: org.orgId, type: 'webhook.deliver', payload: { deliveryId: did, replay: true } });
      });
      return reply.code(202).send({ delivery_id: did, message_id: messageId(did), job_id: job, status: 'pending' });
    },
  });
}

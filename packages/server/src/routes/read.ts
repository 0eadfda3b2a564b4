import {
  CHANNELS,
  EVENT_TYPES,
  email as emailField,
  INTERACTION_KINDS,
  INTERACTION_STATUSES,
  key,
  phone as phoneField,
  timestamp,
  uuid,
} from '@canopy/core';
import {
  type Cursor,
  customerSegments,
  customerTimeline,
  decodeCursor,
  eraseCustomer,
  getCustomer,
  listCustomers,
  listEvents,
  listInteractions,
  listResponses,
  recordTopicCounts,
  type Store,
  type TopicCount,
} from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import { Problem } from '../problem.js';
import { apiRoute, checkWindow, limitParam } from '../route.js';

const cursorParam = z
  .string()
  .max(500)
  .transform((s, ctx) => {
    const c = decodeCursor(s);
    if (!c) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
    return c as Cursor;
  });

const common = {
  from: timestamp.optional(),
  to: timestamp.optional(),
  cursor: cursorParam.optional(),
  limit: limitParam(500, 50),
  order: z.enum(['asc', 'desc']).default('desc'),
};

/** What interactions and responses can also be filtered by: owner, channel, segment, and what the text says. */
const textFilters = {
  department: key.optional(),
  channel: z.enum(CHANNELS).optional(),
  segment: key.optional(),
  topic: key.optional(),
  sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
  has_text: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  /** The support intent the org's trained intent model gave the text. */
  intent: z.string().min(1).max(200).optional(),
  /**
   * true: the answer also carries `topic_counts`, per top-level topic the records of the whole
   * filtered set (not the page) with a text that mentions it (with the sentiment filter's
   * sentiment); the topic filter is left out of them, and a child topic filter gets its own entry.
   */
  topic_counts: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
};

const interactionQuery = z.strictObject({
  ...common,
  ...textFilters,
  customer_id: uuid.optional(),
  touchpoint: key.optional(),
  agent: key.optional(),
  kind: z.enum(INTERACTION_KINDS).optional(),
  status: z.enum(INTERACTION_STATUSES).optional(),
});
const responseQuery = z.strictObject({
  ...common,
  ...textFilters,
  customer_id: uuid.optional(),
  touchpoint: key.optional(),
  agent: key.optional(),
  survey: key.optional(),
});
const eventQuery = z.strictObject({
  ...common,
  customer_id: uuid.optional(),
  touchpoint: key.optional(),
  type: z.enum(EVENT_TYPES).optional(),
});
const customerQuery = z.strictObject({
  email: emailField.optional(),
  phone: phoneField.optional(),
  external_id: z.string().min(1).max(200).optional(),
  segment: key.optional(),
  q: z.string().max(200).optional(),
  cursor: cursorParam.optional(),
  limit: limitParam(500, 50),
});
const segmentsQuery = z.strictObject({ limit: limitParam(500, 50) });
const timelineQuery = z.strictObject({
  cursor: cursorParam.optional(),
  limit: limitParam(500, 100),
  order: z.enum(['asc', 'desc']).default('asc'),
});

function customerIdParam(params: Record<string, string>): string {
  const r = uuid.safeParse(params.id);
  if (!r.success)
    throw new Problem(400, 'Invalid path', 'the customer id must be a UUID', [
      { field: 'id', reason: 'must be a UUID' },
    ]);
  return r.data;
}

type CommonQuery = z.infer<z.ZodObject<typeof common>>;
type TextFilterQuery = z.infer<z.ZodObject<typeof textFilters>>;

/** The window and page of a list query, in the store's words. */
function pageArgs(q: CommonQuery) {
  checkWindow(q.from, q.to);
  return { from: q.from, to: q.to, cursor: q.cursor, limit: q.limit, order: q.order };
}

/** The owner/channel/segment/text filters shared by interactions and responses. */
function textFilterArgs(q: TextFilterQuery & { customer_id?: string; touchpoint?: string; agent?: string }) {
  return {
    department: q.department,
    channel: q.channel,
    segment: q.segment,
    topic: q.topic,
    sentiment: q.sentiment,
    hasText: q.has_text,
    intent: q.intent,
    customerId: q.customer_id,
    touchpoint: q.touchpoint,
    agent: q.agent,
  };
}

/** A list page, with the topic counts of its whole filtered set when they were asked for. */
async function withTopicCounts<P>(page: Promise<P>, counts: Promise<TopicCount[]> | null) {
  const [p, c] = await Promise.all([page, counts]);
  return c ? { ...p, topic_counts: c } : p;
}

export function readRoutes(app: FastifyInstance, store: Store, auth: ApiKeyAuth): void {
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/interactions',
    summary: 'List interactions (newest first by default), filtered; each with its text analysis',
    tags: ['read'],
    query: interactionQuery,
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, query: q }) => {
      const f = { ...textFilterArgs(q), ...pageArgs(q), kind: q.kind, status: q.status };
      return withTopicCounts(
        listInteractions(store.db, org.orgId, f),
        q.topic_counts ? recordTopicCounts(store.db, org.orgId, 'interactions', f) : null,
      );
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/responses',
    summary: 'List survey responses with their answers and text analyses',
    tags: ['read'],
    query: responseQuery,
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, query: q }) => {
      const f = { ...textFilterArgs(q), ...pageArgs(q), survey: q.survey };
      return withTopicCounts(
        listResponses(store.db, org.orgId, f),
        q.topic_counts ? recordTopicCounts(store.db, org.orgId, 'responses', f) : null,
      );
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/events',
    summary: 'List engagement and business events',
    tags: ['read'],
    query: eventQuery,
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, query: q }) =>
      listEvents(store.db, org.orgId, {
        customerId: q.customer_id,
        touchpoint: q.touchpoint,
        type: q.type,
        ...pageArgs(q),
      }),
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/customers',
    summary: 'Find customers by identity, segment or a search text',
    tags: ['read'],
    query: customerQuery,
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, query: q }) =>
      listCustomers(store.db, org.orgId, {
        email: q.email,
        phone: q.phone,
        externalId: q.external_id,
        segment: q.segment,
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
      }),
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/customers/segments',
    summary:
      'The customers’ segments (lower case; the segment filter ignores case) with their sizes, largest first, and whether the list is complete',
    tags: ['read'],
    query: segmentsQuery,
    responses: { 200: '{items: [{segment, customers}], complete}' },
    handler: async (_req, _reply, { org, query: q }) => customerSegments(store.db, org.orgId, q.limit),
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/customers/{id}',
    summary: 'A customer profile with identities and attributes (a merged-away id answers with the merged profile)',
    tags: ['read'],
    responses: { 200: 'the customer' },
    handler: async (_req, _reply, { org, params }) => {
      const c = await getCustomer(store.db, org.orgId, customerIdParam(params));
      if (!c) throw new Problem(404, 'Not found', `no customer ${params.id} in this organisation`);
      return c;
    },
  });
  apiRoute(app, auth, {
    method: 'DELETE',
    url: '/api/v1/customers/{id}',
    summary:
      'Erase a customer (right to erasure): profile, identities, interactions, responses, events, analyses, cases, invitations; merged profiles too',
    tags: ['read'],
    permission: 'ingest',
    audit: true,
    responses: { 200: '{erased: {customers, interactions, …}}' },
    handler: async (_req, _reply, { org, params }) => {
      const erased = await eraseCustomer(store.db, org.orgId, customerIdParam(params));
      if (!erased) throw new Problem(404, 'Not found', `no customer ${params.id} in this organisation`);
      return { erased };
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/customers/{id}/export',
    summary: 'Everything Canopy holds on a customer, in one document (a data subject access request)',
    tags: ['read'],
    responses: { 200: '{customer, timeline, exported_at}' },
    handler: async (_req, reply, { org, params }) => {
      const c = await getCustomer(store.db, org.orgId, customerIdParam(params));
      if (!c) throw new Problem(404, 'Not found', `no customer ${params.id} in this organisation`);
      const items: unknown[] = [];
      let cursor: Cursor | undefined;
      // Every page of the timeline; a customer with more than 100k records is an integration bug.
      for (let i = 0; i < 200; i++) {
        const page = await customerTimeline(store.db, org.orgId, c.id, { limit: 500, order: 'asc', cursor });
        items.push(...page.items);
        if (!page.next_cursor) break;
        cursor = decodeCursor(page.next_cursor) ?? undefined;
      }
      reply.header('content-disposition', `attachment; filename="customer-${c.id}.json"`);
      return { exported_at: new Date().toISOString(), customer: c, timeline: items };
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/customers/{id}/timeline',
    summary: "The customer's interactions, responses and events in time order, cursor-paginated",
    tags: ['read'],
    query: timelineQuery,
    responses: { 200: '{customer_id, items, next_cursor}' },
    handler: async (_req, _reply, { org, params, query: q }) => {
      const c = await getCustomer(store.db, org.orgId, customerIdParam(params));
      if (!c) throw new Problem(404, 'Not found', `no customer ${params.id} in this organisation`);
      const page = await customerTimeline(store.db, org.orgId, c.id, q);
      return { customer_id: c.id, ...(c.id !== params.id ? { merged_from: params.id } : {}), ...page };
    },
  });
}

import { departmentInput, touchpointInput } from '@canopy/core';
import { type Store, upsertDepartments, upsertTouchpoints } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import { invalidFields, Problem, zodFieldErrors } from '../problem.js';
import { apiRoute } from '../route.js';

function parseList<T>(schema: z.ZodType<T>, body: unknown): T[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length > 1000) throw new Problem(413, 'Batch too large', 'at most 1000 items per request');
  // As for records: an empty list is a client's mistake, not a write of nothing.
  if (list.length === 0) throw new Problem(422, 'Empty batch', 'the batch has no items; nothing was written');
  const out: T[] = [];
  const errors = list.flatMap((item, index) => {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    // A single object is answered as one, without a batch index (as the record routes do).
    return r.success ? [] : zodFieldErrors(r.error, Array.isArray(body) ? index : undefined);
  });
  if (errors.length) throw invalidFields('Invalid records', errors);
  return out;
}

/** Departments, touchpoints and agents: the org's map of who owns which point of contact. */
export function configRoutes(app: FastifyInstance, store: Store, auth: ApiKeyAuth, onChange: () => void): void {
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/departments',
    summary: 'List departments',
    tags: ['config'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({
      items: await store.db
        .selectFrom('departments')
        .select(['key', 'name', 'function'])
        .where('org_id', '=', org.orgId)
        .orderBy('key')
        .execute(),
    }),
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/departments',
    permission: 'configure',
    summary: 'Create or update departments (by key)',
    tags: ['config'],
    body: z.union([departmentInput, z.array(departmentInput)]),
    responses: { 200: '{written}' },
    handler: async (req, _reply, { org }) => {
      const items = parseList(departmentInput, req.body);
      await store.db.transaction().execute((trx) => upsertDepartments(trx, org.orgId, items));
      onChange();
      return { written: items.length };
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/touchpoints',
    summary: 'List touchpoints with department, channel, journey stage',
    tags: ['config'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({
      items: (
        await sql<Record<string, unknown>>`
        SELECT t.key, t.name, d.key AS department, t.channel, t.journey_stage, t.planned, t.direct, t.description
        FROM touchpoints t JOIN departments d ON d.org_id = t.org_id AND d.id = t.department_id
        WHERE t.org_id = ${org.orgId} ORDER BY t.key`.execute(store.db)
      ).rows,
    }),
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/touchpoints',
    permission: 'configure',
    summary: 'Create or update touchpoints (by key); the department must exist',
    tags: ['config'],
    body: z.union([touchpointInput, z.array(touchpointInput)]),
    responses: { 200: '{written}' },
    handler: async (req, _reply, { org }) => {
      const items = parseList(touchpointInput, req.body);
      const unknown = await store.db.transaction().execute((trx) => upsertTouchpoints(trx, org.orgId, items));
      if (unknown.length) {
        const errors = items.flatMap((t, index) =>
          unknown.includes(t.key)
            ? [
                {
                  ...(Array.isArray(req.body) ? { index } : {}),
                  field: 'department',
                  reason: `unknown department '${t.department}'`,
                },
              ]
            : [],
        );
        throw invalidFields('Invalid records', errors);
      }
      onChange();
      return { written: items.length };
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/agents',
    summary: 'List agents (created as interactions name them)',
    tags: ['config'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({
      items: await store.db
        .selectFrom('agents')
        .select(['key', 'name', 'team'])
        .where('org_id', '=', org.orgId)
        .orderBy('key')
        .execute(),
    }),
  });
}

import { uuid } from '@canopy/core';
import { createRule, deleteRule, getRule, listRules, type RuleRow, type Store, updateRule } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import { resolveAssignee } from '../loop/assignee.js';
import type { RulesEngine } from '../loop/engine.js';
import { type RuleInput, ruleInput } from '../loop/schema.js';
import { loopTaxonomy, unknownTopic } from '../loop/taxonomy.js';
import { type FieldError, invalidFieldsDetail, Problem, zodFieldErrors } from '../problem.js';
import { apiRoute } from '../route.js';

export function idParam(params: Record<string, string>, what: string, name = 'id'): string {
  const r = uuid.safeParse(params[name]);
  if (!r.success) {
    throw new Problem(400, 'Invalid path', `the ${what} id must be a UUID`, [
      { field: name, reason: 'must be a UUID' },
    ]);
  }
  return r.data;
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new Problem(400, 'Invalid body', 'the body must be a JSON object');
  }
  const r = schema.safeParse(body);
  if (!r.success) {
    const errors = zodFieldErrors(r.error);
    throw new Problem(422, 'Invalid fields', invalidFieldsDetail(errors), errors);
  }
  return r.data;
}

const view = (r: RuleRow) => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  condition: r.condition,
  customer: r.customer_filter ?? undefined,
  actions: r.actions,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/**
 * Checks only the database can make: the departments, webhooks, topics and assignees a rule names
 * exist. Answers the rule as stored: an assignee given by email or in another case becomes the
 * user's name, as a case assigned by hand does (the name is what the case list shows).
 */
async function checkReferences(store: Store, orgId: string, rule: RuleInput): Promise<RuleInput> {
  const errors: FieldError[] = [];
  const depts = new Set(
    (await sql<{ key: string }>`SELECT key FROM departments WHERE org_id = ${orgId}`.execute(store.db)).rows.map(
      (r) => r.key,
    ),
  );
  const hooks = new Set(
    (await sql<{ id: string }>`SELECT id FROM webhooks WHERE org_id = ${orgId}`.execute(store.db)).rows.map(
      (r) => r.id,
    ),
  );
  const topic = 'topic' in rule.condition ? rule.condition.topic : undefined;
  if (topic) {
    const why = unknownTopic(await loopTaxonomy(store.db, orgId), topic);
    if (why) errors.push({ field: 'condition.topic', reason: why });
  }
  const actions: RuleInput['actions'] = [];
  for (const [i, a] of rule.actions.entries()) {
    if (a.type === 'open_case' && a.department && !depts.has(a.department)) {
      errors.push({ field: `actions[${i}].department`, reason: `unknown department '${a.department}'` });
    }
    if (a.type === 'webhook' && a.webhook_id && !hooks.has(a.webhook_id)) {
      errors.push({ field: `actions[${i}].webhook_id`, reason: `no webhook '${a.webhook_id}' in this organisation` });
    }
    if (a.type === 'open_case' && a.assignee !== undefined) {
      // A case opened for no one real waits for ever: the assignee is a user who may work cases.
      const who = await resolveAssignee(store.db, orgId, a.assignee, `actions[${i}].assignee`, 'leave it out');
      if (who.error) errors.push(who.error);
      const { assignee: _, ...rest } = a;
      actions.push(who.value ? { ...rest, assignee: who.value } : rest);
    } else actions.push(a);
  }
  if (errors.length)
    throw new Problem(422, 'Invalid fields', 'the rule names things that do not exist; nothing was written', errors);
  return { ...rule, actions };
}

const toWrite = (r: RuleInput) => ({
  name: r.name,
  enabled: r.enabled,
  condition: r.condition,
  customer_filter: r.customer ?? null,
  actions: r.actions,
});

/** Rules: conditions on incoming records and their analyses, with actions (case, webhook, email, tag). */
export function ruleRoutes(app: FastifyInstance, store: Store, auth: ApiKeyAuth, engine: RulesEngine): void {
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/rules',
    summary: 'List the rules of the organisation',
    tags: ['closed loop'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({ items: (await listRules(store.db, org.orgId)).map(view) }),
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/rules',
    permission: 'configure',
    summary:
      "Create a rule: {name, condition, customer?, actions}; evaluated on every ingested batch. An open_case action's assignee is one of the org's users who may work cases (GET /api/v1/assignees), by name or email",
    tags: ['closed loop'],
    body: ruleInput,
    responses: { 201: 'the rule' },
    handler: async (req, reply, { org }) => {
      const rule = await checkReferences(store, org.orgId, parseBody(ruleInput, req.body));
      const row = await createRule(store.db, org.orgId, toWrite(rule));
      engine.invalidate(org.orgId);
      return reply.code(201).send(view(row));
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/rules/{id}',
    summary: 'One rule',
    tags: ['closed loop'],
    responses: { 200: 'the rule' },
    handler: async (_req, _reply, { org, params }) => {
      const row = await getRule(store.db, org.orgId, idParam(params, 'rule'));
      if (!row) throw new Problem(404, 'Not found', `no rule ${params.id} in this organisation`);
      return view(row);
    },
  });
  apiRoute(app, auth, {
    method: 'PUT',
    url: '/api/v1/rules/{id}',
    permission: 'configure',
    summary: 'Replace a rule',
    tags: ['closed loop'],
    body: ruleInput,
    responses: { 200: 'the rule' },
    handler: async (req, _reply, { org, params }) => {
      const id = idParam(params, 'rule');
      const rule = await checkReferences(store, org.orgId, parseBody(ruleInput, req.body));
      const row = await updateRule(store.db, org.orgId, id, toWrite(rule));
      if (!row) throw new Problem(404, 'Not found', `no rule ${id} in this organisation`);
      engine.invalidate(org.orgId);
      return view(row);
    },
  });
  apiRoute(app, auth, {
    method: 'DELETE',
    url: '/api/v1/rules/{id}',
    permission: 'configure',
    summary: 'Delete a rule (its cases stay)',
    tags: ['closed loop'],
    responses: { 204: 'deleted' },
    handler: async (_req, reply, { org, params }) => {
      const id = idParam(params, 'rule');
      if (!(await deleteRule(store.db, org.orgId, id)))
        throw new Problem(404, 'Not found', `no rule ${id} in this organisation`);
      engine.invalidate(org.orgId);
      return reply.code(204).send();
    },
  });
}

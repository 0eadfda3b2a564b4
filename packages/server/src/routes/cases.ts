import { key, timestamp, uuid } from '@canopy/core';
import {
  addCaseEvents,
  CASE_PRIORITIES,
  CASE_STATUSES,
  type CaseChange,
  type CaseStatus,
  caseBoard,
  caseEvents,
  caseLinks,
  createCases,
  customerTimeline,
  decodeCursor,
  existingSubjects,
  getCase,
  getCustomer,
  listAssignees,
  listCases,
  recoveryCounts,
  type Store,
  updateCase,
} from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import type { JobRunner } from '../jobs/index.js';
import { CASE_WORKERS, resolveAssignee } from '../loop/assignee.js';
import { caseInput, caseNote, casePatch, SLA_HOURS, TRANSITIONS } from '../loop/schema.js';
import { loopTaxonomy, topicDepartment, unknownTopic } from '../loop/taxonomy.js';
import { caseView, emit } from '../loop/webhooks.js';
import { type FieldError, Problem } from '../problem.js';
import { apiRoute, checkWindow, limitParam } from '../route.js';
import { idParam, parseBody } from './rules.js';

const cursorParam = z
  .string()
  .max(500)
  .transform((s, ctx) => {
    const c = decodeCursor(s);
    if (!c) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
      return z.NEVER;
    }
    return c;
  });

const statusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(CASE_STATUSES, { error: `must be one of ${CASE_STATUSES.join(', ')}` })));

const listQuery = z.strictObject({
  department: key.optional(),
  status: statusList.optional(),
  assignee: z.string().min(1).max(200).optional(),
  priority: z.enum(CASE_PRIORITIES, { error: `must be one of ${CASE_PRIORITIES.join(', ')}` }).optional(),
  customer_id: uuid.optional(),
  overdue: z.enum(['true', 'false']).optional(),
  cursor: cursorParam.optional(),
  limit: limitParam(500, 50),
});
const boardQuery = z.strictObject({ per_department: limitParam(100, 20) });
const recoveryQuery = z.strictObject({ from: timestamp.optional(), to: timestamp.optional() });

const rate = (r: { recovered: number; not_recovered: number }) =>
  r.recovered + r.not_recovered ? Math.round((1000 * r.recovered) / (r.recovered + r.not_recovered)) / 10 : null;

/** Cases: the closed-loop follow-ups, their workflow, notes and recovery. */
export function caseRoutes(
  app: FastifyInstance,
  store: Store,
  auth: ApiKeyAuth,
  runner: JobRunner | null = null,
): void {
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/cases',
    summary:
      'List cases, newest first: filter by department, status (comma list), assignee, priority, customer, overdue',
    tags: ['closed loop'],
    query: listQuery,
    responses: { 200: '{items, next_cursor}' },
    handler: async (_req, _reply, { org, query: q }) => {
      const page = await listCases(store.db, org.orgId, {
        department: q.department,
        status: q.status as CaseStatus[] | undefined,
        assignee: q.assignee,
        priority: q.priority,
        customerId: q.customer_id,
        overdue: q.overdue === 'true',
        cursor: q.cursor,
        limit: q.limit,
      });
      return { items: page.items.map(caseView), next_cursor: page.next_cursor };
    },
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/cases',
    summary:
      'Open a case by hand: {title, department?, customer_id?, assignee?, priority?, sla_due_at?, root_cause?, tags?, links?, note?, author?}',
    tags: ['closed loop'],
    body: caseInput,
    responses: { 201: 'the case' },
    handler: async (req, reply, { org }) => {
      const p = parseBody(caseInput, req.body);
      const v = await store.db.transaction().execute(async (trx) => {
        const errors: FieldError[] = [];
        const tax = await loopTaxonomy(trx, org.orgId);
        if (p.root_cause) {
          const why = unknownTopic(tax, p.root_cause);
          if (why) errors.push({ field: 'root_cause', reason: why });
        }
        const department =
          p.department ?? (p.root_cause ? topicDepartment(tax, p.root_cause) : null) ?? ('service' as string);
        const d = await sql`SELECT 1 FROM departments WHERE org_id = ${org.orgId} AND key = ${department}`.execute(trx);
        if (d.rows.length === 0) {
          errors.push({
            field: 'department',
            reason: p.department
              ? `unknown department '${department}'`
              : `no department given, and the default '${department}' does not exist in this organisation`,
          });
        }
        const assignee = await resolveAssignee(trx, org.orgId, p.assignee);
        if (assignee.error) errors.push(assignee.error);
        if (p.customer_id && !(await getCustomer(trx, org.orgId, p.customer_id))) {
          errors.push({ field: 'customer_id', reason: `no customer ${p.customer_id} in this organisation` });
        }
        const found = await existingSubjects(trx, org.orgId, p.links);
        p.links.forEach((l, i) => {
          if (!found.has(`${l.kind}:${l.id}`))
            errors.push({ field: `links[${i}].id`, reason: `no ${l.kind} ${l.id} in this organisation` });
        });
        if (errors.length) throw new Problem(422, 'Invalid fields', 'the case names things that do not exist', errors);
        const opened = new Date();
        const [row] = await createCases(trx, org.orgId, [
          {
            title: p.title,
            ruleId: null,
            customerId: p.customer_id ?? null,
            department,
            assignee: assignee.value ?? null,
            priority: p.priority,
            slaDueAt: p.sla_due_at ?? new Date(opened.getTime() + SLA_HOURS[p.priority] * 3_600_000),
            rootCause: p.root_cause ?? null,
            tags: p.tags,
            trigger: {
              rule_type: 'manual',
              reason: 'opened by hand',
              at: opened.toISOString(),
              topic: p.root_cause ?? null,
            },
            openedAt: opened,
            links: p.links.map((l) => ({ kind: l.kind, id: l.id, reason: 'linked when opened' })),
            author: p.author ?? null,
          },
        ]);
        if (p.note) {
          await addCaseEvents(trx, org.orgId, [
            { caseId: row.id, kind: 'note', author: p.author ?? null, body: { text: p.note } },
          ]);
        }
        const view = caseView(row);
        await emit(trx, org.orgId, null, 'case.opened', { case: view }, undefined, runner);
        return view;
      });
      return reply.code(201).send(v);
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/assignees',
    summary:
      'Whom a case can be assigned to: the org’s users whose role may work cases (id, name, role, department; no emails)',
    tags: ['closed loop'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({ items: await listAssignees(store.db, org.orgId, CASE_WORKERS) }),
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/cases/board',
    summary: 'The case board: per department, counts by status, overdue, and open cases most urgent first',
    tags: ['closed loop'],
    query: boardQuery,
    responses: { 200: '{departments}' },
    handler: async (_req, _reply, { org, query: q }) => {
      const b = await caseBoard(store.db, org.orgId, q.per_department);
      const depts = new Map<
        string,
        { department: string; counts: Record<string, number>; overdue: number; open: unknown[] }
      >();
      const of = (d: string) => {
        let x = depts.get(d);
        if (!x) {
          x = { department: d, counts: Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])), overdue: 0, open: [] };
          depts.set(d, x);
        }
        return x;
      };
      for (const c of b.counts) {
        of(c.department).counts[c.status] = c.n;
        of(c.department).overdue += c.overdue;
      }
      for (const c of b.open) of(c.department).open.push(caseView(c));
      return { departments: [...depts.values()] };
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/cases/recovery',
    summary:
      'Recovery after closing: of cases closed in [from, to), how many customers came back better (next score, sentiment, renewal/repurchase) — per department and root cause',
    tags: ['closed loop'],
    query: recoveryQuery,
    responses: { 200: '{overall, by_department, by_root_cause}' },
    handler: async (_req, _reply, { org, query: q }) => {
      const to = q.to ?? new Date(Date.now() + 1000);
      const from = q.from ?? new Date(to.getTime() - 90 * 86_400_000);
      checkWindow(from, to);
      const rows = await recoveryCounts(store.db, org.orgId, from, to);
      const shape = (r: (typeof rows)[number]) => ({
        closed: r.closed,
        recovered: r.recovered,
        not_recovered: r.not_recovered,
        pending: r.pending,
        recovery_rate: rate(r),
      });
      const all = rows.find((r) => r.grouping === 'all');
      return {
        from,
        to,
        overall: all ? shape(all) : { closed: 0, recovered: 0, not_recovered: 0, pending: 0, recovery_rate: null },
        by_department: rows
          .filter((r) => r.grouping === 'department')
          .map((r) => ({ department: r.department, ...shape(r) })),
        by_root_cause: rows
          .filter((r) => r.grouping === 'root_cause')
          .map((r) => ({ root_cause: r.root_cause, ...shape(r) })),
      };
    },
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/cases/{id}',
    summary: 'A case with its history and notes, the records behind it, and the customer with their recent timeline',
    tags: ['closed loop'],
    responses: { 200: 'the case' },
    handler: async (_req, _reply, { org, params }) => {
      const id = idParam(params, 'case');
      const c = await getCase(store.db, org.orgId, id);
      if (!c) throw new Problem(404, 'Not found', `no case ${id} in this organisation`);
      const [events, links] = await Promise.all([
        caseEvents(store.db, org.orgId, id),
        caseLinks(store.db, org.orgId, id),
      ]);
      const customer = c.customer_id ? await getCustomer(store.db, org.orgId, c.customer_id) : undefined;
      const timeline = customer
        ? await customerTimeline(store.db, org.orgId, customer.id, { limit: 50, order: 'desc' })
        : null;
      return {
        ...caseView(c),
        links,
        history: events,
        notes: events
          .filter((e) => e.kind === 'note')
          .map((e) => ({ id: e.id, author: e.author, body: e.body.text, at: e.at })),
        customer: customer ?? null,
        timeline,
      };
    },
  });
  apiRoute(app, auth, {
    method: 'PATCH',
    url: '/api/v1/cases/{id}',
    summary:
      'Update a case: status (new → in_progress ⇄ waiting → resolved → closed; reopen to in_progress), assignee, priority, department, root cause, SLA, an action taken',
    tags: ['closed loop'],
    body: casePatch,
    responses: { 200: 'the case' },
    handler: async (req, _reply, { org, params }) => {
      const id = idParam(params, 'case');
      const p = parseBody(casePatch, req.body);
      return store.db.transaction().execute(async (trx) => {
        const c = await getCase(trx, org.orgId, id, true);
        if (!c) throw new Problem(404, 'Not found', `no case ${id} in this organisation`);
        if (p.root_cause) {
          const why = unknownTopic(await loopTaxonomy(trx, org.orgId), p.root_cause);
          if (why)
            throw new Problem(422, 'Invalid fields', 'nothing was changed', [{ field: 'root_cause', reason: why }]);
        }
        const assignee = await resolveAssignee(trx, org.orgId, p.assignee);
        if (assignee.error) throw new Problem(422, 'Invalid fields', 'nothing was changed', [assignee.error]);
        if (p.department !== undefined) {
          const d = await sql`SELECT 1 FROM departments WHERE org_id = ${org.orgId} AND key = ${p.department}`.execute(
            trx,
          );
          if (d.rows.length === 0) {
            throw new Problem(422, 'Invalid fields', 'nothing was changed', [
              { field: 'department', reason: `unknown department '${p.department}'` },
            ]);
          }
        }
        const change: CaseChange = {};
        const history: { kind: string; body: unknown }[] = [];
        if (p.status !== undefined && p.status !== c.status) {
          const allowed = TRANSITIONS[c.status] ?? [];
          if (!allowed.includes(p.status)) {
            throw new Problem(
              409,
              'Invalid transition',
              `a case cannot go from '${c.status}' to '${p.status}'; from '${c.status}' it can go to: ${allowed.join(', ')}`,
              [{ field: 'status', reason: `cannot go from '${c.status}' to '${p.status}'` }],
            );
          }
          change.status = p.status;
          // Closing the loop starts the watch for the customer's next signal; reopening stops it.
          if (p.status === 'resolved' || p.status === 'closed') {
            if (c.recovery_status === null) change.recovery = 'pending';
          } else change.recovery = null;
          history.push({ kind: 'status', body: { from: c.status, to: p.status } });
        }
        if (assignee.value !== undefined && assignee.value !== c.assignee) {
          change.assignee = assignee.value;
          history.push({ kind: 'assigned', body: { from: c.assignee, to: assignee.value } });
        }
        const edits: Record<string, unknown> = {};
        if (p.priority !== undefined && p.priority !== c.priority) edits.priority = change.priority = p.priority;
        if (p.department !== undefined && p.department !== c.department)
          edits.department = change.department = p.department;
        if (p.root_cause !== undefined && p.root_cause !== c.root_cause)
          edits.root_cause = change.rootCause = p.root_cause;
        if (p.sla_due_at !== undefined) {
          change.slaDueAt = p.sla_due_at;
          edits.sla_due_at = p.sla_due_at.toISOString();
        }
        if (p.action_taken !== undefined) {
          change.actionsTaken = [...(c.actions_taken ?? []), p.action_taken];
          edits.action_taken = p.action_taken;
        }
        if (Object.keys(edits).length) history.push({ kind: 'updated', body: edits });
        if (history.length === 0) return caseView(c);
        const row = await updateCase(trx, org.orgId, id, change);
        await addCaseEvents(
          trx,
          org.orgId,
          history.map((h) => ({ caseId: id, kind: h.kind, author: p.author ?? null, body: h.body })),
        );
        const v = caseView(row);
        await emit(trx, org.orgId, null, 'case.updated', { case: v, changes: history }, undefined, runner);
        return v;
      });
    },
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/cases/{id}/notes',
    summary: 'Add a note to a case',
    tags: ['closed loop'],
    body: caseNote,
    responses: { 201: 'the note' },
    handler: async (req, reply, { org, params }) => {
      const id = idParam(params, 'case');
      const n = parseBody(caseNote, req.body);
      const c = await getCase(store.db, org.orgId, id);
      if (!c) throw new Problem(404, 'Not found', `no case ${id} in this organisation`);
      await addCaseEvents(store.db, org.orgId, [
        { caseId: id, kind: 'note', author: n.author ?? null, body: { text: n.body } },
      ]);
      const events = await caseEvents(store.db, org.orgId, id);
      const e = events.filter((x) => x.kind === 'note').at(-1)!;
      return reply.code(201).send({ id: e.id, author: e.author, body: n.body, at: e.at });
    },
  });
}

import { email, key } from '@canopy/core';
import type { Store } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import { enqueueMany } from '../jobs/index.js';
import { buildDigest, renderDigest } from '../loop/digest.js';
import { Problem } from '../problem.js';
import { apiRoute } from '../route.js';
import { parseBody } from './rules.js';

const weekParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date YYYY-MM-DD (any day of the week)' })
  .transform((s) => new Date(`${s}T00:00:00Z`))
  .refine((d) => !Number.isNaN(d.getTime()), { error: 'is not a valid date' });

const digestQuery = z.strictObject({ week: weekParam.optional(), department: key.optional() });
const sendBody = z.strictObject({
  to: z.array(email).min(1, { error: 'name at least one recipient' }).max(50),
  week: weekParam.optional(),
  department: key.optional(),
});

/** Default week: the last complete one. */
const lastWeek = () => new Date(Date.now() - 7 * 86_400_000);

/** The weekly intelligence digest per department: JSON, and by email through the job queue. */
export function digestRoutes(
  app: FastifyInstance,
  store: Store,
  auth: ApiKeyAuth,
  opts: { emailConfigured?: boolean } = {},
): void {
  // Without SMTP the messages could only fail in the queue: say so before anything is queued.
  const emailConfigured = opts.emailConfigured ?? true;
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/digest',
    summary:
      'Weekly intelligence digest per department: top root causes by volume and revenue at risk, new/spiking topics, cases still open (unresolved.count: opened before the week’s end and not resolved or closed now; unresolved.overdue: those of them whose SLA was due before the week’s end, or before now in a week not over yet), verbatims',
    tags: ['closed loop'],
    query: digestQuery,
    responses: { 200: '{week, departments, email_configured}' },
    handler: async (_req, _reply, { org, query: q }) => ({
      ...(await buildDigest(store.db, org.orgId, q.week ?? lastWeek(), q.department)),
      email_configured: emailConfigured,
    }),
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/digest/send',
    summary: 'Email the digest (one message per department) to {to[], week?, department?}',
    tags: ['closed loop'],
    body: sendBody,
    responses: { 202: '{queued, departments}' },
    handler: async (req, reply, { org, query: _q }) => {
      const b = parseBody(sendBody, req.body);
      if (!emailConfigured) {
        throw new Problem(
          409,
          'Email is not configured',
          'this server has no SMTP settings (set CANOPY_SMTP_URL and restart); nothing was queued',
        );
      }
      const dg = await buildDigest(store.db, org.orgId, b.week ?? lastWeek(), b.department);
      if (dg.departments.length === 0) {
        throw new Problem(
          422,
          'Nothing to send',
          `no department has anything to report for the week of ${dg.week.from.slice(0, 10)}`,
        );
      }
      const name =
        (await sql<{ name: string }>`SELECT name FROM orgs WHERE id = ${org.orgId}`.execute(store.db)).rows[0]?.name ??
        '';
      const ids = await enqueueMany(
        store.db,
        dg.departments.map((d) => ({
          orgId: org.orgId,
          type: 'email.send',
          payload: { to: b.to, ...renderDigest(name, d) },
        })),
      );
      return reply
        .code(202)
        .send({ queued: ids.length, departments: dg.departments.map((d) => d.department), job_ids: ids });
    },
  });
}

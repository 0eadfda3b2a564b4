import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type AnswerMap,
  checkAnswers,
  chooseEnding,
  chooseLanguage,
  customerRefShape,
  hasCustomerRef,
  isStorableText,
  key,
  LIMITS,
  missingRequired,
  nextPage,
  oneClickQuestion,
  type SurveyDefinition,
  surveyDefinitionInput,
  surveySettingsInput,
  text,
  timestamp,
  uuid,
} from '@canopy/core';
import {
  addOptOut,
  customerByIdentity,
  customerEmail,
  findSurvey,
  getCustomer,
  insertInvitations,
  insertSurvey,
  interactionForSurvey,
  listInvitations,
  listOptOuts,
  listSurveys,
  type NewInvitation,
  removeOptOut,
  rotatePublicKey,
  type Store,
  type SurveyRow,
  setSurveyStatus,
  slugTaken,
  surveyFunnel,
  surveyResponseCounts,
  touchpointId,
  updateSurvey,
  writeSurveySettings,
} from '@canopy/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import type { TextAnalysisStep } from '../pipeline/analyse.js';
import { type IngestOptions, ingestBatch } from '../pipeline/ingest.js';
import { validateBatch } from '../pipeline/validate.js';
import { invalidFields, Problem, sendProblem, zodFieldErrors } from '../problem.js';
import { apiRoute, checkWindow, limitParam } from '../route.js';
import { SurveyDispatcher } from '../surveys/dispatcher.js';
import { identitySecret } from '../surveys/identity.js';
import { contentSecurityPolicy, endingPage, messagePage, optOutPage, surveyPage, ui } from '../surveys/pages.js';
import { type Opened, type OrgSurveySettings, parseDefinition, SurveyService } from '../surveys/service.js';
import { widgetRoutes } from '../surveys/widget.js';

const STATUSES = ['draft', 'active', 'paused', 'archived'] as const;

/** Settings as an admin reads them, with the widget's public key and the secret sites sign identities with. */
function settingsView(s: OrgSurveySettings) {
  return { ...s.settings, public_key: s.row.public_key, identity_secret: identitySecret(s.row.token_secret) };
}

const surveyBody = z.object({ status: z.enum(STATUSES).default('active') }).passthrough();

const invitationInput = z
  .strictObject({
    ...customerRefShape,
    interaction_id: uuid.optional(),
    interaction_external_id: text(LIMITS.shortText).optional(),
    touchpoint: key.optional(),
    agent: key.optional(),
    hidden: z.record(key, text(LIMITS.mediumText)).optional(),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: 'must be a language tag such as en or pt-BR' })
      .optional(),
    channel: z.enum(['email', 'link']).default('email'),
    send_at: timestamp.optional(),
  })
  .refine((r) => hasCustomerRef(r) || r.interaction_id || r.interaction_external_id, {
    path: ['customer_email'],
    error: 'an invitation must name its customer (customer_id, customer_email, …) or the interaction it rates',
  });

function slugify(s: string): string {
  const base = s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${base || 'survey'}-${randomBytes(4).toString('hex')}`;
}

function surveyView(s: SurveyRow, base: string) {
  return {
    id: s.id,
    key: s.key,
    slug: s.slug,
    name: s.name,
    status: s.status,
    version: s.version,
    url: `${base}/s/${s.slug}`,
    definition: s.definition,
    created_at: s.created_at,
    updated_at: s.updated_at,
  };
}

function requestBase(req: FastifyRequest, configured?: string): string {
  if (configured) return configured;
  if (process.env.CANOPY_PUBLIC_URL) return process.env.CANOPY_PUBLIC_URL.replace(/\/+$/, '');
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

/** Surveys: definitions, invitations, hosted pages, email one-click, the widget API and the funnel. */
export function surveyRoutes(
  app: FastifyInstance,
  store: Store,
  auth: ApiKeyAuth,
  analysis?: TextAnalysisStep,
  rules?: IngestOptions['rules'],
): void {
  const svc = new SurveyService(store, analysis, rules);
  let listenBase = 'http://localhost';
  const dispatcher = new SurveyDispatcher(
    svc,
    (configured) => configured ?? process.env.CANOPY_PUBLIC_URL?.replace(/\/+$/, '') ?? listenBase,
  );
  app.addHook('onListen', async () => {
    const a = app.server.address();
    if (a && typeof a === 'object')
      listenBase = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    dispatcher.start(Number(process.env.CANOPY_SURVEY_TICK_MS ?? 15_000));
  });
  app.addHook('onClose', async () => dispatcher.stop());
  const kick = () => setImmediate(() => dispatcher.tick().catch((err) => console.error('survey dispatcher:', err)));

  const loadSurvey = async (orgId: string, k: string) => {
    const s = await findSurvey(store.db, { orgId, key: k });
    if (!s) throw new Problem(404, 'Not found', `no survey '${k}'`);
    return s;
  };

  const checkDefinition = (raw: unknown): SurveyDefinition => {
    const r = surveyDefinitionInput.safeParse(raw);
    if (!r.success) {
      throw invalidFields(
        'Invalid survey',
        zodFieldErrors(r.error),
        'the survey definition is invalid; nothing was written',
      );
    }
    return r.data;
  };

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/surveys',
    permission: 'configure',
    summary: 'Create a survey (questions, follow-ups, languages, endings, triggers, widget)',
    tags: ['surveys'],
    body: surveyDefinitionInput,
    responses: { 201: 'Survey created' },
    handler: async (req, reply, { org }) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { status: rawStatus, ...rest } = body;
      const status = surveyBody.safeParse({ status: rawStatus });
      if (!status.success) throw invalidFields('Invalid survey', zodFieldErrors(status.error));
      const d = checkDefinition(rest);
      if (await findSurvey(store.db, { orgId: org.orgId, key: d.key })) {
        throw new Problem(
          409,
          'Conflict',
          `a survey '${d.key}' exists: PUT /api/v1/surveys/${d.key} makes a new version`,
          [{ field: 'key', reason: 'is taken' }],
        );
      }
      const slug = d.slug ?? slugify(d.key);
      if (await slugTaken(store.db, slug)) {
        throw new Problem(409, 'Conflict', `the slug '${slug}' is taken`, [{ field: 'slug', reason: 'is taken' }]);
      }
      const row = await insertSurvey(store.db, org.orgId, {
        key: d.key,
        slug,
        name: d.name,
        status: status.data.status,
        definition: { ...rest, slug },
        hasTriggers: d.triggers.length > 0,
      });
      if (!row) throw new Problem(409, 'Conflict', 'the survey key or slug was taken meanwhile');
      return reply.code(201).send(surveyView(row, requestBase(req)));
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/surveys',
    summary:
      'List surveys, each with its answers (responses, last_response_at); undefined: surveys known only from responses that name them, with their answers',
    tags: ['surveys'],
    responses: { 200: '{items, undefined}' },
    handler: async (req, _reply, { org }) => {
      const [rows, counts] = await Promise.all([
        listSurveys(store.db, org.orgId),
        surveyResponseCounts(store.db, org.orgId),
      ]);
      const answered = new Map(counts.map((c) => [c.survey, c]));
      const defined = new Set(rows.map((s) => s.key));
      return {
        items: rows.map((s) => ({
          ...surveyView(s, requestBase(req)),
          responses: answered.get(s.key)?.responses ?? 0,
          last_response_at: answered.get(s.key)?.last_at ?? null,
        })),
        undefined: counts
          .filter((c) => !defined.has(c.survey))
          .map((c) => ({
            key: c.survey,
            responses: c.responses,
            first_response_at: c.first_at,
            last_response_at: c.last_at,
          })),
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/surveys/{key}',
    summary: 'One survey, with its current definition',
    tags: ['surveys'],
    responses: { 200: 'Survey' },
    handler: async (req, _reply, { org, params }) =>
      surveyView(await loadSurvey(org.orgId, params.key), requestBase(req)),
  });

  apiRoute(app, auth, {
    method: 'PUT',
    url: '/api/v1/surveys/{key}',
    permission: 'configure',
    summary: 'Replace a survey definition (a new version; invitations already sent keep theirs)',
    tags: ['surveys'],
    body: surveyDefinitionInput,
    responses: { 200: 'Survey' },
    handler: async (req, _reply, { org, params }) => {
      const s = await loadSurvey(org.orgId, params.key);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const { status: rawStatus, ...rest } = body;
      const status = surveyBody.safeParse({ status: rawStatus ?? s.status });
      if (!status.success) throw invalidFields('Invalid survey', zodFieldErrors(status.error));
      const d = checkDefinition({ key: s.key, ...rest });
      if (d.key !== s.key) throw invalidFields('Invalid survey', [{ field: 'key', reason: `must stay '${s.key}'` }]);
      const slug = d.slug ?? s.slug;
      if (await slugTaken(store.db, slug, s.id)) {
        throw new Problem(409, 'Conflict', `the slug '${slug}' is taken`, [{ field: 'slug', reason: 'is taken' }]);
      }
      const row = await store.db.transaction().execute((trx) =>
        updateSurvey(trx, org.orgId, s.id, {
          slug,
          name: d.name,
          status: status.data.status,
          definition: { ...rest, key: s.key, slug },
          hasTriggers: d.triggers.length > 0,
        }),
      );
      return surveyView(row, requestBase(req));
    },
  });

  apiRoute(app, auth, {
    method: 'PATCH',
    url: '/api/v1/surveys/{key}',
    permission: 'configure',
    summary: 'Change a survey status: draft, active, paused, archived',
    tags: ['surveys'],
    body: z.strictObject({ status: z.enum(STATUSES) }),
    responses: { 200: 'Survey' },
    handler: async (req, _reply, { org, params }) => {
      const s = await loadSurvey(org.orgId, params.key);
      const r = z.strictObject({ status: z.enum(STATUSES) }).safeParse(req.body ?? {});
      if (!r.success) throw invalidFields('Invalid body', zodFieldErrors(r.error));
      await setSurveyStatus(store.db, org.orgId, s.id, r.data.status);
      return surveyView(await loadSurvey(org.orgId, params.key), requestBase(req));
    },
  });

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/surveys/{key}/invitations',
    summary:
      'Invite customers: by email (sent now or at send_at, under the contact rules) or as personal links (returned)',
    tags: ['surveys'],
    body: z.union([invitationInput, z.array(invitationInput).max(1000)]),
    responses: { 200: '{results}' },
    handler: async (req, _reply, { org, params }) => {
      const s = await loadSurvey(org.orgId, params.key);
      if (s.status !== 'active') {
        throw new Problem(409, 'Survey not active', `the survey is ${s.status}: activate it before inviting`);
      }
      const d = parseDefinition(s.definition);
      const body = req.body;
      const list = Array.isArray(body) ? body : [body];
      if (list.length > 1000) throw new Problem(413, 'Batch too large', 'at most 1000 invitations per request');
      const items: z.output<typeof invitationInput>[] = [];
      const errors = list.flatMap((item, index) => {
        const r = invitationInput.safeParse(item);
        if (!r.success) return zodFieldErrors(r.error, index);
        items.push(r.data);
        return Object.keys(r.data.hidden ?? {})
          .filter((h) => !d.hidden_fields.includes(h))
          .map((h) => ({
            index,
            field: `hidden.${h}`,
            reason: `is not a hidden field of this survey (${d.hidden_fields.join(', ')})`,
          }));
      });
      if (errors.length) throw invalidFields('Invalid invitations', errors);
      const now = new Date();
      const osettings = await svc.settings(org.orgId);
      // Identity resolution through the ingestion pipeline: a new address becomes a customer.
      const refs = items.map((it) => {
        const ref: Record<string, unknown> = {};
        for (const k of Object.keys(customerRefShape) as (keyof typeof customerRefShape)[]) {
          if (it[k] !== undefined) ref[k] = it[k];
        }
        return ref;
      });
      const withRef = refs.map((r, i) => (Object.keys(r).length ? i : -1)).filter((i) => i >= 0);
      const customerIds: (string | null)[] = items.map(() => null);
      if (withRef.length) {
        const v = validateBatch(
          'customers',
          withRef.map((i) => refs[i]),
        );
        const outcome = await ingestBatch(store, org.orgId, 'customers', v.records as never[]);
        withRef.forEach((i, j) => {
          customerIds[i] = outcome.customerIds[j] ?? outcome.ids[j];
        });
      }
      const problems: { index: number; field: string; reason: string }[] = [];
      const rows: (NewInvitation & { channel: 'email' | 'link'; expiresAt: Date })[] = [];
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        let interaction: Awaited<ReturnType<typeof interactionForSurvey>>;
        if (it.interaction_id || it.interaction_external_id) {
          interaction = await interactionForSurvey(store.db, org.orgId, {
            id: it.interaction_id,
            externalId: it.interaction_external_id,
          });
          const field = it.interaction_id ? 'interaction_id' : 'interaction_external_id';
          if (!interaction) {
            problems.push({
              index: i,
              field,
              reason: `no interaction '${it.interaction_id ?? it.interaction_external_id}'`,
            });
            continue;
          }
          if (customerIds[i] && customerIds[i] !== interaction.customer_id) {
            problems.push({ index: i, field, reason: 'the interaction belongs to another customer' });
            continue;
          }
          customerIds[i] = interaction.customer_id;
        }
        const tpKey = it.touchpoint ?? interaction?.touchpoint ?? d.touchpoint ?? null;
        const tpId = tpKey ? await touchpointId(store.db, org.orgId, tpKey) : null;
        if (tpKey && !tpId) {
          problems.push({ index: i, field: 'touchpoint', reason: `unknown touchpoint '${tpKey}'` });
          continue;
        }
        const email =
          it.customer_email ?? (customerIds[i] ? await customerEmail(store.db, org.orgId, customerIds[i]!) : null);
        const sendAt = it.send_at && it.send_at > now ? it.send_at : now;
        const base = {
          surveyId: s.id,
          version: s.version,
          channel: it.channel,
          customerId: customerIds[i],
          email: it.channel === 'email' ? email : null,
          touchpointId: tpId,
          interactionId: interaction?.id ?? null,
          agent: it.agent ?? interaction?.agent ?? null,
          language: it.language ?? null,
          hidden: it.hidden ?? {},
          triggerKey: null,
          expiresAt: new Date(sendAt.getTime() + d.token_ttl_days * 86_400_000),
        };
        if (it.channel === 'email') {
          rows.push(
            email
              ? { ...base, status: 'scheduled' as const, scheduledAt: sendAt }
              : { ...base, status: 'skipped' as const, reason: 'no_address', scheduledAt: null },
          );
        } else {
          const decision = await svc.decide(osettings, {
            now,
            channel: 'link',
            customerId: customerIds[i],
            touchpointId: tpId,
            touchpoint: tpKey,
            samplePercent: 100,
          });
          rows.push(
            decision.decision === 'skip'
              ? { ...base, status: 'skipped' as const, reason: decision.reason, scheduledAt: null }
              : { ...base, status: 'sent' as const, scheduledAt: null, sentAt: now },
          );
        }
      }
      if (problems.length) throw invalidFields('Invalid invitations', problems);
      const ids = await store.db.transaction().execute((trx) => insertInvitations(trx, org.orgId, rows));
      const b = requestBase(req, osettings.settings.public_url);
      const results = rows.map((r, index) => {
        const id = ids[index]!;
        const token = r.status === 'skipped' ? undefined : svc.token(osettings, { id, expires_at: r.expiresAt });
        return {
          index,
          id,
          channel: r.channel,
          status: r.status,
          ...('reason' in r && r.reason ? { reason: r.reason } : {}),
          customer_id: r.customerId,
          scheduled_at: r.scheduledAt,
          expires_at: r.expiresAt,
          ...(token ? { url: `${b}/s/${s.slug}?t=${token}` } : {}),
        };
      });
      if (rows.some((r) => r.status === 'scheduled' && r.scheduledAt && r.scheduledAt <= now)) kick();
      return { received: rows.length, results };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/surveys/{key}/invitations',
    summary: 'Invitations of a survey, newest first, with their funnel timestamps and partial answers',
    tags: ['surveys'],
    query: z.strictObject({
      status: z.enum(['scheduled', 'sending', 'sent', 'skipped', 'failed', 'cancelled']).optional(),
      limit: limitParam(1000, 100),
    }),
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org, params, query }) => {
      const s = await loadSurvey(org.orgId, params.key);
      const rows = await listInvitations(store.db, org.orgId, s.id, query);
      return {
        items: rows.map((r) => ({
          id: r.id,
          channel: r.channel,
          status: r.status,
          reason: r.reason,
          customer_id: r.customer_id,
          email: r.email,
          touchpoint: r.touchpoint,
          interaction_id: r.interaction_id,
          agent: r.agent,
          hidden: r.hidden,
          trigger: r.trigger_key,
          version: r.version,
          scheduled_at: r.scheduled_at,
          sent_at: r.sent_at,
          opened_at: r.opened_at,
          started_at: r.started_at,
          completed_at: r.completed_at,
          expires_at: r.expires_at,
          attempts: r.attempts,
          last_error: r.last_error,
          answers: r.answers,
          response_id: r.response_id,
        })),
      };
    },
  });

  const funnelQuery = z.strictObject({
    group_by: z
      .string()
      .regex(/^(channel|touchpoint)(,(channel|touchpoint))?$/, {
        error: 'must be channel, touchpoint or channel,touchpoint',
      })
      .optional(),
    from: timestamp.optional(),
    to: timestamp.optional(),
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/surveys/{key}/funnel',
    summary: 'Response rate and funnel (sent → opened → started → completed), by channel and/or touchpoint',
    tags: ['surveys'],
    query: funnelQuery,
    responses: { 200: '{total, groups}' },
    handler: async (_req, _reply, { org, params, query }) => {
      checkWindow(query.from, query.to);
      const s = await loadSurvey(org.orgId, params.key);
      const by = query.group_by?.split(',') ?? [];
      const rate = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 100 : null);
      const shape = (r: Awaited<ReturnType<typeof surveyFunnel>>[number], grouped = true) => ({
        ...(grouped && by.includes('channel') ? { channel: r.channel } : {}),
        ...(grouped && by.includes('touchpoint') ? { touchpoint: r.touchpoint } : {}),
        invited: r.invited,
        sent: r.sent,
        opened: r.opened,
        started: r.started,
        completed: r.completed,
        skipped: r.skipped,
        failed: r.failed,
        open_rate: rate(r.opened, r.sent),
        start_rate: rate(r.started, r.sent),
        response_rate: rate(r.completed, r.sent),
        completion_rate: rate(r.completed, r.started),
      });
      const f = { from: query.from, to: query.to };
      const [total] = await surveyFunnel(store.db, org.orgId, s.id, { byChannel: false, byTouchpoint: false, ...f });
      const groups = by.length
        ? await surveyFunnel(store.db, org.orgId, s.id, {
            byChannel: by.includes('channel'),
            byTouchpoint: by.includes('touchpoint'),
            ...f,
          })
        : [];
      const empty = {
        channel: null,
        touchpoint: null,
        invited: 0,
        sent: 0,
        opened: 0,
        started: 0,
        completed: 0,
        skipped: 0,
        failed: 0,
      };
      return { survey: s.key, total: shape(total ?? empty, false), groups: groups.map((g) => shape(g)) };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/survey-settings',
    summary: 'Contact rules (throttle days, quiet hours, quotas), widget origins, public key and identity secret',
    tags: ['surveys'],
    responses: { 200: 'Settings' },
    handler: async (_req, _reply, { org }) => {
      const s = await svc.settings(org.orgId);
      return settingsView(s);
    },
  });
  apiRoute(app, auth, {
    method: 'PUT',
    url: '/api/v1/survey-settings',
    permission: 'configure',
    summary: 'Replace the contact rules and widget settings',
    tags: ['surveys'],
    body: surveySettingsInput,
    responses: { 200: 'Settings' },
    handler: async (req, _reply, { org }) => {
      // A replacement, so an array, null or a number is not "all defaults": it is refused.
      if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
        throw new Problem(400, 'Invalid body', 'the body must be a JSON object');
      }
      // What GET returned may be sent back as it is: the read-only keys are not settings.
      const { public_key: _pk, identity_secret: _is, ...body } = req.body as Record<string, unknown>;
      const r = surveySettingsInput.safeParse(body);
      if (!r.success) throw invalidFields('Invalid settings', zodFieldErrors(r.error));
      await writeSurveySettings(store.db, org.orgId, r.data);
      return settingsView(await svc.settings(org.orgId));
    },
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/survey-settings/rotate-public-key',
    permission: 'configure',
    summary: 'Replace the widget public key (the old one stops working)',
    tags: ['surveys'],
    responses: { 200: '{public_key}' },
    handler: async (_req, _reply, { org }) => ({ public_key: await rotatePublicKey(store.db, org.orgId) }),
  });

  const optOutInput = z.strictObject({ ...customerRefShape }).refine(hasCustomerRef, {
    path: ['customer_email'],
    error: 'name the customer: customer_id, customer_email, customer_phone or customer_external_id',
  });
  /** The customer named, by identity; a customer_id this org does not have is a 422 (not a dangling opt-out). */
  const knownCustomer = async (orgId: string, id: string) => {
    const c = await getCustomer(store.db, orgId, id);
    if (c) return c.id;
    const errors = [{ field: 'customer_id', reason: `no customer ${id} in this organisation` }];
    throw invalidFields('Invalid body', errors);
  };
  const findCustomer = async (orgId: string, r: z.output<typeof optOutInput>) =>
    (r.customer_id ? await knownCustomer(orgId, r.customer_id) : null) ??
    (r.customer_email ? await customerByIdentity(store.db, orgId, 'email', r.customer_email) : null) ??
    (r.customer_phone ? await customerByIdentity(store.db, orgId, 'phone', r.customer_phone) : null) ??
    (r.customer_external_id ? await customerByIdentity(store.db, orgId, 'external', r.customer_external_id) : null);
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/survey-opt-outs',
    summary: 'Customers who asked not to be surveyed',
    tags: ['surveys'],
    query: z.strictObject({ limit: limitParam(10_000, 1000) }),
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org, query }) => ({ items: await listOptOuts(store.db, org.orgId, query.limit) }),
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/survey-opt-outs',
    summary: 'Record an opt-out (e.g. from your own preference centre); honoured on every channel',
    tags: ['surveys'],
    body: optOutInput,
    responses: { 200: '{customer_id, created}' },
    handler: async (req, _reply, { org }) => {
      const r = optOutInput.safeParse(req.body ?? {});
      if (!r.success) throw invalidFields('Invalid body', zodFieldErrors(r.error));
      let customerId = await findCustomer(org.orgId, r.data);
      if (!customerId) {
        const v = validateBatch('customers', [r.data]);
        customerId = (await ingestBatch(store, org.orgId, 'customers', v.records as never[])).ids[0];
      }
      return { customer_id: customerId, created: await addOptOut(store.db, org.orgId, customerId, 'api') };
    },
  });
  apiRoute(app, auth, {
    method: 'DELETE',
    url: '/api/v1/survey-opt-outs',
    summary: 'Remove an opt-out (the customer asked to hear from you again)',
    tags: ['surveys'],
    body: optOutInput,
    responses: { 200: '{removed}' },
    handler: async (req, _reply, { org }) => {
      const r = optOutInput.safeParse(req.body ?? {});
      if (!r.success) throw invalidFields('Invalid body', zodFieldErrors(r.error));
      const customerId = await findCustomer(org.orgId, r.data);
      return { removed: customerId ? await removeOptOut(store.db, org.orgId, customerId) : false };
    },
  });
  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/surveys/dispatch',
    permission: 'configure',
    summary: 'Run the survey scheduler now: turn triggers into invitations and send what is due',
    tags: ['surveys'],
    responses: { 200: 'What was done' },
    handler: async () => dispatcher.tick(),
  });

  hostedRoutes(app, store, svc);
  widgetRoutes(app, store, svc);
  app.get('/widget.js', async (_req, reply) => {
    const js = widgetScript();
    if (!js)
      return sendProblem(reply, new Problem(404, 'Not found', 'the widget has not been built: run npm run build'));
    return reply
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff')
      .type('text/javascript; charset=utf-8')
      .send(js);
  });
}

let widgetJs: Buffer | null | undefined;
function widgetScript(): Buffer | null {
  if (widgetJs === undefined || widgetJs === null) {
    const file = fileURLToPath(new URL('../../../../widget/dist/canopy.js', import.meta.url));
    widgetJs = existsSync(file) ? readFileSync(file) : null;
  }
  return widgetJs;
}

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Hosted pages under /s/: HTML for people, problem+json for clients that ask for JSON. */
function hostedRoutes(app: FastifyInstance, store: Store, svc: SurveyService): void {
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 256 * 1024 },
      (_req, body, done) => {
        // URLSearchParams turns a %-escape that is not UTF-8 into U+FFFD silently; refuse it instead.
        try {
          decodeURIComponent((body as string).replace(/\+/g, ' '));
        } catch {
          done(new Problem(400, 'Malformed form', 'the form is not valid percent-encoded UTF-8'), undefined);
          return;
        }
        done(null, new URLSearchParams(body as string));
      },
    );

    const wantsJson = (req: FastifyRequest) => {
      const a = String(req.headers.accept ?? '');
      return /json/.test(a) && !/text\/html/.test(a);
    };
    const html = (reply: FastifyReply, status: number, render: (nonce: string) => string) => {
      const nonce = randomBytes(12).toString('base64');
      return reply
        .code(status)
        .header('content-security-policy', contentSecurityPolicy(nonce))
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('x-content-type-options', 'nosniff')
        .type('text/html; charset=utf-8')
        .send(render(nonce));
    };
    const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
      if (!(err instanceof Problem)) throw err;
      if (wantsJson(req)) return sendProblem(reply, err, req.url);
      const lang = chooseLanguage(
        { default_language: 'en', questions: [] } as never,
        String(req.headers['accept-language'] ?? ''),
      );
      return html(reply, err.status, (n) => messagePage(lang, err.title, err.detail, n));
    };
    const q = (req: FastifyRequest) => (req.query ?? {}) as Record<string, string | undefined>;
    const form = (req: FastifyRequest) => (req.body instanceof URLSearchParams ? req.body : new URLSearchParams());

    const activeSurvey = async (slug: string): Promise<{ s: SurveyRow; d: SurveyDefinition }> => {
      // A slug no survey could have (a NUL …) is not looked up: the database would refuse it.
      const s = isStorableText(slug) ? await findSurvey(store.db, { slug }) : undefined;
      if (!s) throw new Problem(404, 'Survey not found', 'there is no survey at this address');
      if (s.status !== 'active') throw new Problem(410, 'Survey closed', 'this survey is no longer taking answers');
      return { s, d: parseDefinition(s.definition) };
    };
    /** A token's invitation, its survey must still be active. */
    const openToken = async (slug: string, token: string | undefined, now: Date): Promise<Opened> => {
      const o = await svc.open(token, now, slug);
      const s = await findSurvey(store.db, { orgId: o.invitation.org_id, id: o.invitation.survey_id });
      if (s?.status !== 'active') throw new Problem(410, 'Survey closed', 'this survey is no longer taking answers');
      return o;
    };
    const langOf = (req: FastifyRequest, d: SurveyDefinition, inv?: { language: string | null }) =>
      chooseLanguage(d, q(req).lang, inv?.language, String(req.headers['accept-language'] ?? ''));

    const renderPage = (
      _req: FastifyRequest,
      reply: FastifyReply,
      status: number,
      d: SurveyDefinition,
      page: number,
      answers: AnswerMap,
      carry: Record<string, string>,
      lang: string,
      errors?: Record<string, string>,
    ) =>
      html(reply, status, (nonce) =>
        surveyPage({
          d,
          lang,
          page,
          answers,
          carry,
          action: `/s/${d.slug}`,
          nonce,
          ...(errors ? { errors } : {}),
          languageHref: (l) => {
            const p = new URLSearchParams();
            if (carry.t) p.set('t', carry.t);
            p.set('page', String(page));
            p.set('lang', l);
            return `/s/${d.slug}?${p}`;
          },
        }),
      );

    scope.get('/s/:slug', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      const now = new Date();
      try {
        const t = q(req).t;
        if (!t) {
          const { d } = await activeSurvey(slug);
          if (!d.public_link) {
            throw new Problem(
              403,
              'Personal link needed',
              'this survey is answered from the personal link you were sent',
            );
          }
          const carry: Record<string, string> = {};
          for (const h of d.hidden_fields) {
            // A public link may say where it was shown, never which interaction it rates.
            const v = q(req)[h];
            if (v !== undefined && h !== 'interaction_id') carry[`h.${h}`] = String(v).slice(0, LIMITS.mediumText);
          }
          const lang = langOf(req, d);
          if (q(req).lang) carry.lang = lang;
          return renderPage(req, reply, 200, d, nextPage(d, {}, 1) ?? 1, {}, carry, lang);
        }
        const o = await openToken(slug, t, now);
        const d = o.definition;
        if (o.invitation.completed_at && d.single_use)
          throw new Problem(
            410,
            'Already answered',
            'this survey has already been answered with this link; thank you',
            undefined,
            'token-used',
          );
        await svc.markOpened(o, now);
        const lang = langOf(req, d, o.invitation);
        const wanted = Number(q(req).page);
        const page = Number.isInteger(wanted) && wanted >= 1 ? wanted : o.invitation.page;
        const shown = nextPage(d, o.invitation.answers ?? {}, page) ?? page;
        return renderPage(
          req,
          reply,
          200,
          d,
          shown,
          o.invitation.answers ?? {},
          { t, ...(q(req).lang ? { lang } : {}) },
          lang,
        );
      } catch (err) {
        return fail(req, reply, err);
      }
    });

    scope.post('/s/:slug', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      const now = new Date();
      const f = form(req);
      try {
        let o: Opened;
        const t = f.get('t') ?? q(req).t;
        if (t) o = await openToken(slug, t, now);
        else {
          const { s, d } = await activeSurvey(slug);
          if (!d.public_link) {
            throw new Problem(
              403,
              'Personal link needed',
              'this survey is answered from the personal link you were sent',
            );
          }
          const hidden: Record<string, string> = {};
          for (const h of d.hidden_fields) {
            const v = f.get(`h.${h}`);
            if (v && h !== 'interaction_id' && h !== 'touchpoint' && h !== 'agent')
              hidden[h] = v.slice(0, LIMITS.mediumText);
          }
          const tpKey = f.get('h.touchpoint') || d.touchpoint || null;
          const tpId = tpKey ? await touchpointId(store.db, s.org_id, tpKey) : null;
          const agent = f.get('h.agent');
          const org = await svc.settings(s.org_id);
          o = {
            org,
            definition: d,
            token: '',
            invitation: {
              org_id: s.org_id,
              id: '',
              survey_id: s.id,
              version: s.version,
              channel: 'link',
              customer_id: null,
              email: null,
              touchpoint_id: tpId,
              touchpoint: tpId ? tpKey : null,
              interaction_id: null,
              agent: agent && /^[\p{L}\p{N}][\p{L}\p{N}._:/ -]*$/u.test(agent) ? agent.slice(0, 200) : null,
              language: f.get('lang') ?? null,
              hidden,
              trigger_key: null,
              status: 'sent',
              reason: null,
              scheduled_at: null,
              attempts: 0,
              last_error: null,
              sent_at: null,
              opened_at: null,
              started_at: null,
              completed_at: null,
              expires_at: new Date(now.getTime() + d.token_ttl_days * 86_400_000),
              answers: {},
              page: 1,
              response_id: null,
              created_at: now,
            },
          };
        }
        const d = o.definition;
        const page = Number(f.get('page') ?? '1') || 1;
        const raw: Record<string, unknown> = {};
        for (const qu of d.questions) {
          if (qu.page !== page) continue;
          const vals = f.getAll(`a.${qu.id}`);
          raw[qu.id] = qu.type === 'multi_choice' ? vals : (vals[0] ?? '');
        }
        const lang = langOf(req, d, { language: f.get('lang') ?? o.invitation.language });
        try {
          if (!o.invitation.id) {
            // A visitor of a public link: the invitation is made on the first answer (nothing for mere views).
            const check = checkAnswers(d, raw);
            if (check.errors.length)
              throw new Problem(
                422,
                'Invalid answers',
                'some answers are not valid; nothing was saved',
                check.errors.map((e) => ({ field: `answers.${e.question}`, reason: e.reason })),
              );
            const missing = missingRequired(d, check.answers, [page]);
            if (missing.length)
              throw new Problem(
                422,
                'Invalid answers',
                'some required questions have no answer; nothing was saved',
                missing.map((e) => ({ field: `answers.${e.question}`, reason: e.reason })),
              );
            const inv = o.invitation;
            const [id] = await insertInvitations(store.db, inv.org_id, [
              {
                surveyId: inv.survey_id,
                version: inv.version,
                channel: 'link',
                customerId: null,
                email: null,
                touchpointId: inv.touchpoint_id,
                interactionId: null,
                agent: inv.agent,
                language: inv.language ? lang : null,
                hidden: inv.hidden,
                triggerKey: null,
                status: 'sent',
                scheduledAt: null,
                sentAt: now,
                openedAt: now,
                expiresAt: inv.expires_at,
              },
            ]);
            inv.id = id!;
            o.token = svc.token(o.org, inv);
          }
          const r = await svc.save(o, raw, { now, page });
          const p = new URLSearchParams({ t: o.token });
          if (f.get('lang')) p.set('lang', lang);
          if (r.completed) return reply.redirect(`/s/${slug}/done?${p}`, 303);
          p.set('page', String(r.nextPage ?? page));
          return reply.redirect(`/s/${slug}?${p}`, 303);
        } catch (err) {
          if (err instanceof Problem && err.status === 422 && err.errors && !wantsJson(req)) {
            const errors: Record<string, string> = {};
            for (const e of err.errors) errors[e.field.replace(/^answers\./, '')] = e.reason;
            const answers = { ...(o.invitation.answers ?? {}) } as AnswerMap;
            for (const [k, v] of Object.entries(raw))
              if (v !== '' && !(Array.isArray(v) && !v.length)) answers[k] = v as never;
            const carry: Record<string, string> = {};
            if (o.token) carry.t = o.token;
            for (const [k, v] of f.entries()) if (k.startsWith('h.') || k === 'lang') carry[k] = v;
            return renderPage(req, reply, 422, d, page, answers, carry, lang, errors);
          }
          throw err;
        }
      } catch (err) {
        return fail(req, reply, err);
      }
    });

    scope.get('/s/:slug/done', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      try {
        const o = await svc.open(q(req).t, new Date(), slug);
        const lang = langOf(req, o.definition, o.invitation);
        const ending = o.invitation.completed_at ? chooseEnding(o.definition, o.invitation.answers ?? {}) : undefined;
        return html(reply, 200, (n) => endingPage(o.definition, ending, lang, n));
      } catch (err) {
        return fail(req, reply, err);
      }
    });

    /** One click in an email: records the first question's score, then shows the rest of the survey. */
    scope.get('/s/:slug/answer', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      const now = new Date();
      try {
        const o = await openToken(slug, q(req).t, now);
        const d = o.definition;
        const first = oneClickQuestion(d);
        if (!first) throw new Problem(404, 'Not found', 'this survey has no one-click question');
        const only = d.questions.length === 1;
        const r = await svc.save(o, { [first.id]: q(req).v ?? '' }, { now, ...(only ? { page: first.page } : {}) });
        const p = new URLSearchParams({ t: o.token });
        if (r.completed) return reply.redirect(`/s/${slug}/done?${p}`, 303);
        p.set('page', String(first.page));
        return reply.redirect(`/s/${slug}?${p}`, 303);
      } catch (err) {
        return fail(req, reply, err);
      }
    });

    scope.get('/s/:slug/open.gif', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      try {
        const o = await svc.open(q(req).t, new Date(), slug);
        await svc.markOpened(o, new Date());
      } catch {}
      return reply.header('cache-control', 'no-store').type('image/gif').send(PIXEL);
    });

    scope.get('/s/:slug/opt-out', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      try {
        const t = q(req).t;
        const o = await svc.open(t, new Date(0), slug);
        const lang = langOf(req, o.definition, o.invitation);
        return html(reply, 200, (n) => optOutPage(lang, `/s/${slug}/opt-out`, t!, n));
      } catch (err) {
        return fail(req, reply, err);
      }
    });
    // RFC 8058 one-click unsubscribe posts here too (List-Unsubscribe-Post).
    scope.post('/s/:slug/opt-out', async (req, reply) => {
      const { slug } = req.params as { slug: string };
      try {
        // An opt-out link keeps working after the survey link expires.
        const o = await svc.open(form(req).get('t') ?? q(req).t, new Date(0), slug);
        if (o.invitation.customer_id) await addOptOut(store.db, o.invitation.org_id, o.invitation.customer_id, 'link');
        const lang = langOf(req, o.definition, o.invitation);
        if (wantsJson(req)) return reply.send({ opted_out: true });
        return html(reply, 200, (n) => messagePage(lang, ui(lang, 'optOutDone'), ui(lang, 'optOutDoneText'), n));
      } catch (err) {
        return fail(req, reply, err);
      }
    });
  });
}

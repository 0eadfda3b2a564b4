import {
  chooseEnding,
  chooseLanguage,
  customerRefShape,
  type Ending,
  key,
  pickText,
  questionScale,
  type SurveyDefinition,
  text,
} from '@canopy/core';
import {
  customerByIdentity,
  findSurvey,
  insertInvitations,
  listSurveys,
  type Store,
  settingsByPublicKey,
  touchpointId,
} from '@canopy/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { invalidFields, Problem, sendProblem, zodFieldErrors } from '../problem.js';
import { RateLimiter } from '../rate-limit.js';
import { apiRoute } from '../route.js';
import { identitySecret, signedIdentity, verifyUserHash } from './identity.js';
import { ui } from './pages.js';
import { type OrgSurveySettings, parseDefinition, parseSettings, type SurveyService } from './service.js';

/** ?key=<public key>: checked by the guard (a missing or unknown key is a 401). */
const widgetKeyQuery = z.object({ key: z.string().max(200).optional() });

/**
 * The widget's API: public (no API key), identified by the org's public widget key, allowed
 * only from the org's listed origins (CORS and an Origin check), and rate-limited per key and
 * visitor address. The key lets a page show the org's widget surveys and answer them; it reads
 * nothing else.
 */
const displayInput = z.strictObject({
  survey: text(100).min(1, { error: 'must not be empty' }),
  customer: z
    .strictObject({
      email: customerRefShape.customer_email,
      external_id: customerRefShape.customer_external_id,
      user_hash: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, { error: 'must be the 64 hex digits of an HMAC-SHA256' })
        .optional(),
    })
    .optional(),
  // Stored with the invitation: text the database can take (no NUL, no lone surrogate).
  lang: text(100).optional(),
  url: text(2000).optional(),
  touchpoint: key.optional(),
});

const answersInput = z.strictObject({
  token: text(200).min(1, { error: 'must not be empty' }),
  answers: z.record(key, z.union([z.number(), text(20_000), z.array(text(1000)).max(50)])),
  complete: z.boolean().default(false),
});

function localized(d: SurveyDefinition, lang: string) {
  const t = (x: Parameters<typeof pickText>[0]) => pickText(x, lang, d.default_language) || undefined;
  return {
    slug: d.slug,
    name: d.name,
    lang,
    position: d.widget?.position ?? 'bottom-right',
    questions: d.questions.map((q) => ({
      id: q.id,
      type: q.type,
      text: t(q.text),
      help: t(q.help),
      required: q.required,
      scale: questionScale(q),
      low_label: t(q.low_label),
      high_label: t(q.high_label),
      options:
        q.type === 'single_choice' || q.type === 'multi_choice'
          ? q.options.map((o) => ({ value: o.value, label: t(o.label) }))
          : undefined,
      max_choices: q.type === 'multi_choice' ? q.max_choices : undefined,
      multiline: q.type === 'text' ? q.multiline : undefined,
      max_length: q.type === 'text' ? q.max_length : undefined,
      show_if: q.show_if,
    })),
    labels: { next: ui(lang, 'next'), submit: ui(lang, 'submit'), close: '×', thanks: ui(lang, 'thanks') },
  };
}

function endingView(d: SurveyDefinition, e: Ending | undefined, lang: string) {
  const t = (x: Parameters<typeof pickText>[0]) => pickText(x, lang, d.default_language) || undefined;
  if (!e) return { title: ui(lang, 'thanks'), text: ui(lang, 'thanksText') };
  return { title: t(e.title), text: t(e.text), link_url: e.link_url, link_label: t(e.link_label) };
}

export function widgetRoutes(app: FastifyInstance, store: Store, svc: SurveyService): void {
  const limiter = new RateLimiter();

  /** The org of a widget request, after the origin and rate checks; sets the CORS headers. */
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<OrgSurveySettings> => {
    const publicKey = (req.query as Record<string, string | undefined>)?.key;
    if (!publicKey) throw new Problem(401, 'Unauthorized', 'the widget key is missing: add ?key=<public key>');
    const row = await settingsByPublicKey(store.db, publicKey);
    if (!row) throw new Problem(401, 'Unauthorized', 'the widget key is unknown or was rotated');
    const settings = parseSettings(row.settings);
    const origin = req.headers.origin;
    const own = `${req.protocol}://${req.headers.host}`;
    if (typeof origin === 'string' && origin !== own) {
      if (!settings.allowed_origins.includes(origin)) {
        throw new Problem(
          403,
          'Origin not allowed',
          `the widget may not be used from ${origin}: add it to allowed_origins`,
        );
      }
      reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    } else if (typeof origin !== 'string' && req.method !== 'GET') {
      throw new Problem(
        403,
        'Origin not allowed',
        'widget requests must come from a browser page on an allowed origin',
      );
    }
    const wait = limiter.take(`${publicKey}|${req.ip}`, settings.widget_rate_per_minute);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new Problem(429, 'Too many requests', `slow down: try again in ${wait} s`);
    }
    return { row, settings };
  };

  for (const path of ['/api/v1/widget/config', '/api/v1/widget/display', '/api/v1/widget/answers']) {
    app.options(path, async (req, reply) => {
      try {
        const publicKey = (req.query as Record<string, string | undefined>)?.key;
        const row = publicKey ? await settingsByPublicKey(store.db, publicKey) : undefined;
        const origin = req.headers.origin;
        if (!row || typeof origin !== 'string' || !parseSettings(row.settings).allowed_origins.includes(origin)) {
          throw new Problem(403, 'Origin not allowed', 'this origin may not use the widget');
        }
        return reply
          .code(204)
          .header('access-control-allow-origin', origin)
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', 'content-type')
          .header('access-control-max-age', '600')
          .header('vary', 'Origin')
          .send();
      } catch (err) {
        return sendProblem(reply, err as Problem, req.url);
      }
    });
  }

  apiRoute(app, {} as never, {
    method: 'GET',
    url: '/api/v1/widget/config',
    summary: 'Widget: the org’s widget surveys and their triggers (public key, allowed origins)',
    tags: ['widget'],
    auth: false,
    query: z.object({ key: z.string().max(200) }),
    responses: { 200: '{surveys, throttle_days}' },
    handler: async (req, reply) => {
      const org = await guard(req, reply);
      const surveys = (await listSurveys(store.db, org.row.org_id)).filter(
        (s) => s.status === 'active' && (s.definition as { widget?: unknown }).widget,
      );
      reply.header('cache-control', 'no-store');
      return {
        throttle_days: org.settings.throttle_days,
        surveys: surveys.map((s) => {
          const d = parseDefinition(s.definition);
          return { slug: d.slug, triggers: d.widget!.triggers, position: d.widget!.position };
        }),
      };
    },
  });

  apiRoute(app, {} as never, {
    method: 'POST',
    url: '/api/v1/widget/display',
    summary: 'Widget: a trigger fired — may this visitor be asked now? (contact rules, sampling); returns the survey',
    tags: ['widget'],
    auth: false,
    // The public key rides in the query (?key=), as for the config.
    query: widgetKeyQuery,
    body: displayInput,
    responses: { 200: '{show, identity, token, survey} or {show: false, reason, identity}' },
    handler: async (req, reply) => {
      const org = await guard(req, reply);
      const r = displayInput.safeParse(req.body ?? {});
      if (!r.success) throw invalidFields('Invalid body', zodFieldErrors(r.error));
      const s = await findSurvey(store.db, { slug: r.data.survey });
      if (!s || s.org_id !== org.row.org_id || s.status !== 'active') {
        throw new Problem(404, 'Not found', `no active survey '${r.data.survey}'`);
      }
      const d = parseDefinition(s.definition);
      if (!d.widget) throw new Problem(404, 'Not found', `survey '${r.data.survey}' is not a widget survey`);
      const orgId = org.row.org_id;
      // Only customers the org already knows are identified (a public key must not create customers),
      // and only by an identity the site signed, unless the org turned verification off.
      const c = r.data.customer;
      const claimed = c ? signedIdentity(c) : undefined;
      let identity: 'none' | 'verified' | 'trusted' | 'ignored' = 'none';
      let customerId: string | null = null;
      if (c && claimed && c.user_hash) {
        if (!verifyUserHash(identitySecret(org.row.token_secret), claimed.value, c.user_hash)) {
          throw new Problem(
            403,
            'Identity not verified',
            `user_hash is not the HMAC-SHA256 of the ${claimed.kind === 'external' ? 'external_id' : 'email (trimmed, lower-case)'} with this org's identity secret`,
            [{ field: 'customer.user_hash', reason: 'does not match the identity' }],
            'identity-invalid',
          );
        }
        identity = 'verified';
        customerId = await customerByIdentity(store.db, orgId, claimed.kind, claimed.value);
      } else if (c && claimed && org.settings.identity_verification === 'off') {
        identity = 'trusted';
        customerId =
          (c.email ? await customerByIdentity(store.db, orgId, 'email', c.email) : null) ??
          (c.external_id ? await customerByIdentity(store.db, orgId, 'external', c.external_id) : null);
      } else if (claimed) {
        identity = 'ignored';
      }
      const tpKey = r.data.touchpoint ?? d.touchpoint ?? null;
      const tpId = tpKey ? await touchpointId(store.db, orgId, tpKey) : null;
      const now = new Date();
      const decision = await svc.decide(org, {
        now,
        channel: 'widget',
        customerId,
        touchpointId: tpId,
        touchpoint: tpId ? tpKey : null,
        samplePercent: d.sample_percent,
      });
      if (decision.decision !== 'ask') return { show: false, reason: decision.reason, identity };
      const lang = chooseLanguage(d, r.data.lang, String(req.headers['accept-language'] ?? ''));
      const expiresAt = new Date(now.getTime() + 86_400_000);
      const [id] = await insertInvitations(store.db, orgId, [
        {
          surveyId: s.id,
          version: s.version,
          channel: 'widget',
          customerId,
          email: null,
          touchpointId: tpId,
          interactionId: null,
          agent: null,
          language: lang,
          hidden: r.data.url ? { url: r.data.url.slice(0, 1000) } : {},
          triggerKey: null,
          status: 'sent',
          scheduledAt: null,
          sentAt: now,
          openedAt: now,
          expiresAt,
        },
      ]);
      return {
        show: true,
        identity,
        token: svc.token(org, { id: id!, expires_at: expiresAt }),
        survey: localized(d, lang),
      };
    },
  });

  apiRoute(app, {} as never, {
    method: 'POST',
    url: '/api/v1/widget/answers',
    summary: 'Widget: save answers (each answer as it is given; complete: true at the end)',
    tags: ['widget'],
    auth: false,
    // The public key rides in the query (?key=), as for the config.
    query: widgetKeyQuery,
    body: answersInput,
    responses: { 200: '{completed, ending}' },
    handler: async (req, reply) => {
      const org = await guard(req, reply);
      const r = answersInput.safeParse(req.body ?? {});
      if (!r.success) throw invalidFields('Invalid body', zodFieldErrors(r.error));
      const o = await svc.open(r.data.token, new Date());
      if (o.invitation.org_id !== org.row.org_id || o.invitation.channel !== 'widget') {
        throw new Problem(403, 'Invalid link', 'this token does not belong to this widget', undefined, 'token-invalid');
      }
      const res = await svc.save(o, r.data.answers, { now: new Date(), complete: r.data.complete });
      const lang = o.invitation.language ?? o.definition.default_language;
      return {
        saved: true,
        completed: res.completed,
        ...(res.completed ? { ending: endingView(o.definition, chooseEnding(o.definition, res.answers), lang) } : {}),
      };
    },
  });
}

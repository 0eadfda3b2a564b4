import { can, isStorableText, NOT_STORABLE_TEXT, type Permission, type UserRole, withoutPii } from '@canopy/core';
import { writeAudit } from '@canopy/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditReason, auditSummary } from './audit-words.js';
import type { ApiKeyAuth, OrgContext } from './auth.js';
import { type FieldError, invalidFieldsDetail, Problem, zodFieldErrors } from './problem.js';

/** What the OpenAPI document is built from: the same zod schemas that validate requests. */
export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  auth: boolean;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Status → description of success answers. */
  responses: Record<number, string>;
  /** What a signed-in user's role must allow (API keys may do everything). Default: read for GET, else write. */
  permission?: Permission;
  /** The answer holds only the caller's own data (their session): nothing to redact. */
  ownDataOnly?: boolean;
  /** Written to the audit log (default: changes needing configure or manage_users). */
  audit?: boolean;
}

const docs = new WeakMap<FastifyInstance, RouteDoc[]>();

/** The routes registered on an app, for its OpenAPI document. */
export function routeDocs(app: FastifyInstance): RouteDoc[] {
  let list = docs.get(app);
  if (!list) {
    list = [];
    docs.set(app, list);
  }
  return list;
}

export interface RouteContext<Q> {
  org: OrgContext;
  query: Q;
  params: Record<string, string>;
}

const PERMISSION_WORDS: Record<Permission, string> = {
  read: 'read this',
  read_pii: 'see personal data',
  write: 'change anything',
  configure: 'change settings, rules, surveys or text models',
  ingest: 'send or import customer data',
  manage_users: 'manage users',
};

/**
 * Query parameters whose %-escapes are not UTF-8 (a Latin-1 "%E9t%E9"): the query parser keeps
 * them as literal text, so a search would silently look for "%E9t%E9".
 */
function undecodableParams(url: string): FieldError[] {
  const at = url.indexOf('?');
  if (at < 0) return [];
  const out: FieldError[] = [];
  for (const pair of url.slice(at + 1).split('&')) {
    const [k = '', v = ''] = pair.split('=', 2);
    const decode = (x: string) => decodeURIComponent(x.replace(/\+/g, ' '));
    let field = k;
    try {
      field = decode(k);
      decode(v);
    } catch {
      out.push({ field, reason: 'is not valid percent-encoded UTF-8' });
    }
  }
  return out;
}

/**
 * Path and query values the database could not take (a NUL, a lone surrogate): refused here for
 * every route, by name, instead of failing in a query (a 500) or matching nothing silently.
 */
function unstorableValues(values: unknown): FieldError[] {
  const out: FieldError[] = [];
  if (!values || typeof values !== 'object') return out;
  for (const [field, v] of Object.entries(values)) {
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x === 'string' && !isStorableText(x))) out.push({ field, reason: NOT_STORABLE_TEXT });
  }
  return out;
}

const NO_QUERY = z.strictObject({});
const QUERY_OUTCOME = 'fix the query string';

/** Who asked, for the answer's last step (PII redaction) after the handler has run. */
const askedBy = new WeakMap<FastifyRequest, OrgContext>();
/** An audited request in words, named before its handler runs (a removed user keeps their name). */
const auditedAs = new WeakMap<FastifyRequest, string>();

/** Signed-in users whose role may not see personal data get every answer through withoutPii. */
function hidesPii(org: OrgContext | undefined): boolean {
  return !!org?.role && !can(org.role as UserRole, 'read_pii');
}

/**
 * The one wrapper every API endpoint goes through (after Formbricks' route wrapper):
 * authentication by API key or session, the role's permission, query validation with precise
 * field errors, problem+json on every failure, PII redaction for roles without read_pii (in
 * one place, so no endpoint can forget it), and an entry in the OpenAPI document.
 */
export function apiRoute<Q = Record<string, never>>(
  app: FastifyInstance,
  auth: ApiKeyAuth,
  def: Omit<RouteDoc, 'auth'> & {
    auth?: boolean;
    query?: z.ZodType<Q>;
    handler: (req: FastifyRequest, reply: FastifyReply, ctx: RouteContext<Q>) => Promise<unknown>;
  },
): void {
  const needsAuth = def.auth ?? true;
  const permission = def.permission ?? (def.method === 'GET' ? 'read' : 'write');
  const audited =
    needsAuth && (def.audit ?? (def.method !== 'GET' && (permission === 'configure' || permission === 'manage_users')));
  routeDocs(app).push({ ...def, auth: needsAuth, permission });
  app.route({
    method: def.method,
    url: def.url.replace(/\{(\w+)\}/g, ':$1'),
    preSerialization: (req, _reply, payload, done) => {
      done(null, !def.ownDataOnly && hidesPii(askedBy.get(req)) ? withoutPii(payload) : payload);
    },
    // Written before the answer is sent, so a client that reads the audit log right after a
    // change sees it (written after, a quick re-read could miss it); a failed write is logged and
    // never fails the request it records.
    onSend: async (req, reply, payload) => {
      const org = askedBy.get(req);
      if (audited && org?.orgId) {
        await writeAudit(auth.store.db, {
          orgId: org.orgId,
          actorKind: org.userId ? 'user' : 'api_key',
          actorId: org.userId ?? (org.keyId || null),
          permission,
          method: def.method,
          route: def.url,
          path: req.url.split('?')[0] ?? req.url,
          status: reply.statusCode,
          summary: auditedAs.get(req) ?? null,
          reason: auditReason(reply.statusCode, payload),
        }).catch((err) => req.log.error({ err }, 'audit log write failed'));
      }
      return payload;
    },
    handler: async (req, reply) => {
      const org = needsAuth ? await auth.authenticate(req) : ({ orgId: '', keyId: '' } as OrgContext);
      if (needsAuth) {
        askedBy.set(req, org);
        if (audited) {
          auditedAs.set(
            req,
            await auditSummary(
              auth.store.db,
              org.orgId,
              def.method,
              def.url,
              (req.params ?? {}) as Record<string, string>,
              req.body,
            ),
          );
        }
        if (auth.ratePerMinute > 0) {
          const caller = org.userId ? `u:${org.userId}` : `k:${org.keyId}`;
          const wait = auth.limiter.take(caller, auth.ratePerMinute);
          reply.header('ratelimit-limit', String(auth.ratePerMinute));
          reply.header('ratelimit-remaining', String(auth.limiter.remaining(caller)));
          if (wait > 0) {
            reply.header('retry-after', String(wait));
            throw new Problem(
              429,
              'Too many requests',
              `more than ${auth.ratePerMinute} requests a minute: try again in ${wait} s (send records in batches)`,
            );
          }
        }
      }
      if (org.role && !can(org.role as UserRole, permission)) {
        throw new Problem(403, 'Forbidden', `your role (${org.role}) may not ${PERMISSION_WORDS[permission]}`);
      }
      const badPath = unstorableValues(req.params);
      if (badPath.length) throw new Problem(400, 'Invalid path', `${badPath[0].field}: ${NOT_STORABLE_TEXT}`, badPath);
      const badQuery = [...undecodableParams(req.url), ...unstorableValues(req.query)];
      if (badQuery.length)
        throw new Problem(400, 'Invalid query', invalidFieldsDetail(badQuery, QUERY_OUTCOME), badQuery);
      // A route without query parameters refuses any: a misspelt filter is not silently ignored.
      const r = (def.query ?? NO_QUERY).safeParse(req.query ?? {});
      if (!r.success) {
        const errors = zodFieldErrors(r.error);
        throw new Problem(400, 'Invalid query', invalidFieldsDetail(errors, QUERY_OUTCOME), errors);
      }
      const query = (def.query ? r.data : {}) as Q;
      return def.handler(req, reply, { org, query, params: (req.params ?? {}) as Record<string, string> });
    },
  });
}

/** Query-string numbers arrive as text. */
export const limitParam = (max: number, dflt: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` })
    .default(dflt);

/** A time window's ends in order, after any defaults: from before to, or a 400 naming from. */
export function checkWindow(from: Date | undefined, to: Date | undefined): void {
  if (from && to && from.getTime() >= to.getTime()) {
    throw new Problem(400, 'Invalid query', 'from must be before to', [{ field: 'from', reason: 'must be before to' }]);
  }
}

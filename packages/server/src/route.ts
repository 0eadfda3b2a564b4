import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth, OrgContext } from './auth.js';
import { Problem, zodFieldErrors } from './problem.js';

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

/**
 * The one wrapper every API endpoint goes through (after Formbricks' route wrapper):
 * authentication by API key, query validation with precise field errors, problem+json on
 * every failure, and an entry in the OpenAPI document.
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
  routeDocs(app).push({ ...def, auth: needsAuth });
  app.route({
    method: def.method,
    url: def.url.replace(/\{(\w+)\}/g, ':$1'),
    handler: async (req, reply) => {
      const org = needsAuth ? await auth.authenticate(req) : ({ orgId: '', keyId: '' } as OrgContext);
      let query = {} as Q;
      if (def.query) {
        const r = def.query.safeParse(req.query ?? {});
        if (!r.success) {
          throw new Problem(400, 'Invalid query', 'the query string has invalid parameters', zodFieldErrors(r.error));
        }
        query = r.data;
      }
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

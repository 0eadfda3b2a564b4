import { randomBytes } from 'node:crypto';
import { PERMISSIONS, permissionsOf, text, type UserRole } from '@canopy/core';
import { type Store, setPassword, verifyPassword } from '@canopy/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { type ApiKeyAuth, hashSessionToken, readCookie, SESSION_COOKIE } from '../auth.js';
import { Problem, zodFieldErrors } from '../problem.js';
import { apiRoute } from '../route.js';
import { newPassword } from './users.js';

/** How long a dashboard session lasts. */
export const SESSION_DAYS = 14;
const SESSION_SECONDS = SESSION_DAYS * 86_400;

const signIn = z.strictObject({
  // Looked up in the database: text it can take (a NUL would fail the query).
  email: text(320).trim().min(1, { error: 'is required' }),
  password: z.string().min(1, { error: 'is required' }).max(1000),
});

// A hash of a password nobody has: unknown emails cost the same scrypt as known ones, so the
// answer time does not tell which emails have accounts.
const DUMMY_HASH = 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/** Failed sign-ins per email and per address, over a sliding window: guessing is slowed, not free. */
class Throttle {
  private fails = new Map<string, number[]>();
  constructor(
    private readonly max = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}
  blocked(key: string): boolean {
    const now = Date.now();
    const list = (this.fails.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.fails.set(key, list);
    else this.fails.delete(key);
    return list.length >= this.max;
  }
  fail(key: string): void {
    if (this.fails.size > 50_000) this.fails.clear();
    const list = this.fails.get(key) ?? [];
    list.push(Date.now());
    this.fails.set(key, list);
  }
  clear(key: string): void {
    this.fails.delete(key);
  }
}

/** Secure only where the browser reached us over https (directly, or via a proxy that says so). */
function isHttps(req: FastifyRequest): boolean {
  if (req.protocol === 'https') return true;
  const fwd = req.headers['x-forwarded-proto'];
  return typeof fwd === 'string' && fwd.split(',')[0]?.trim() === 'https';
}

function sessionCookie(req: FastifyRequest, value: string, maxAge: number): string {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`];
  if (isHttps(req)) parts.push('Secure');
  return parts.join('; ');
}

const passwordChange = z.strictObject({
  current_password: z.string().min(1, { error: 'is required' }).max(1000),
  new_password: newPassword,
});

/** Who is signed in: the user, their role and department, and the org. */
async function describe(store: Store, orgId: string, userId: string) {
  const r = await sql<{
    id: string;
    email: string;
    name: string;
    role: string;
    department: string | null;
    org_id: string;
    org_slug: string;
    org_name: string;
  }>`
    SELECT u.id, u.email, u.name, u.role, d.key AS department, o.id AS org_id, o.slug AS org_slug, o.name AS org_name
    FROM users u JOIN orgs o ON o.id = u.org_id
    LEFT JOIN departments d ON d.org_id = u.org_id AND d.id = u.department_id
    WHERE u.org_id = ${orgId} AND u.id = ${userId}`.execute(store.db);
  const u = r.rows[0];
  if (!u) return undefined;
  return {
    user: {
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      department: u.department,
      // So the dashboard shows only what this person may do (the API checks again).
      permissions: permissionsOf(u.role as UserRole),
    },
    org: { id: u.org_id, slug: u.org_slug, name: u.org_name },
  };
}

/** Dashboard sign-in: a session cookie for a store user, stored hashed in `sessions`. */
export function sessionRoutes(app: FastifyInstance, store: Store, auth: ApiKeyAuth): void {
  const throttle = new Throttle();

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/session',
    summary: 'Sign in with email and password; sets an HttpOnly session cookie',
    tags: ['session'],
    auth: false,
    body: signIn,
    responses: { 200: '{user, org}' },
    handler: async (req, reply) => {
      const parsed = signIn.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new Problem(400, 'Invalid sign-in', 'send {"email", "password"}', zodFieldErrors(parsed.error));
      }
      const email = parsed.data.email.toLowerCase();
      const keys = [`e:${email}`, `a:${req.ip}`];
      if (keys.some((k) => throttle.blocked(k))) {
        reply.header('retry-after', '900');
        throw new Problem(429, 'Too many attempts', 'too many failed sign-ins: wait 15 minutes and try again');
      }
      const user = await store.db
        .selectFrom('users')
        .select(['org_id', 'id', 'password_hash'])
        .where(sql<string>`lower(email)`, '=', email)
        .executeTakeFirst();
      const ok = await verifyPassword(parsed.data.password, user?.password_hash ?? DUMMY_HASH);
      if (!user || !ok) {
        for (const k of keys) throttle.fail(k);
        throw new Problem(401, 'Sign-in failed', 'the email or password is wrong');
      }
      throttle.clear(`e:${email}`);
      const token = randomBytes(32).toString('base64url');
      await sql`DELETE FROM sessions WHERE org_id = ${user.org_id} AND user_id = ${user.id} AND expires_at < now()`.execute(
        store.db,
      );
      await store.db
        .insertInto('sessions')
        .values({
          org_id: user.org_id,
          id_hash: hashSessionToken(token),
          user_id: user.id,
          expires_at: new Date(Date.now() + SESSION_SECONDS * 1000),
        })
        .execute();
      reply.header('set-cookie', sessionCookie(req, token, SESSION_SECONDS));
      reply.header('cache-control', 'no-store');
      return describe(store, user.org_id, user.id);
    },
  });

  apiRoute(app, auth, {
    method: 'DELETE',
    url: '/api/v1/session',
    summary: 'Sign out: ends the session and clears its cookie',
    tags: ['session'],
    auth: false,
    responses: { 204: 'signed out' },
    handler: async (req, reply) => {
      const token = readCookie(req, SESSION_COOKIE);
      if (token) await sql`DELETE FROM sessions WHERE id_hash = ${hashSessionToken(token)}`.execute(store.db);
      reply.header('set-cookie', sessionCookie(req, '', 0));
      return reply.code(204).send();
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/me',
    summary: 'Who is signed in (session) or which org an API key belongs to',
    tags: ['session'],
    responses: { 200: '{user, org, via, permissions}' },
    ownDataOnly: true,
    handler: async (_req, reply: FastifyReply, { org }) => {
      reply.header('cache-control', 'no-store');
      if (org.userId) {
        const me = await describe(store, org.orgId, org.userId);
        if (!me) throw new Problem(401, 'Unauthorized', 'the signed-in user no longer exists');
        return { ...me, via: 'session' };
      }
      const o = await store.db
        .selectFrom('orgs')
        .select(['id', 'slug', 'name'])
        .where('id', '=', org.orgId)
        .executeTakeFirstOrThrow();
      return { user: null, org: o, via: 'api_key', permissions: [...PERMISSIONS] };
    },
  });

  apiRoute(app, auth, {
    method: 'PUT',
    url: '/api/v1/me/password',
    summary: 'Change your own password (signed in); other sessions of yours are signed out',
    tags: ['session'],
    body: passwordChange,
    permission: 'read',
    ownDataOnly: true,
    audit: true,
    responses: { 204: 'changed' },
    handler: async (req, reply, { org }) => {
      if (!org.userId) throw new Problem(400, 'Not a user', 'an API key has no password: sign in as the user');
      const r = passwordChange.safeParse(req.body ?? {});
      if (!r.success) throw new Problem(422, 'Invalid password change', 'nothing was changed', zodFieldErrors(r.error));
      const u = await store.db
        .selectFrom('users')
        .select('password_hash')
        .where('org_id', '=', org.orgId)
        .where('id', '=', org.userId)
        .executeTakeFirstOrThrow();
      if (!(await verifyPassword(r.data.current_password, u.password_hash))) {
        throw new Problem(403, 'Wrong password', 'the current password is wrong', [
          { field: 'current_password', reason: 'does not match' },
        ]);
      }
      const current = readCookie(req, SESSION_COOKIE);
      await setPassword(store.db, org.orgId, org.userId, r.data.new_password, current && hashSessionToken(current));
      return reply.code(204).send();
    },
  });
}

import { createHash } from 'node:crypto';
import type { Store } from '@canopy/store';
import { findApiKey } from '@canopy/store';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Problem } from './problem.js';
import { RateLimiter } from './rate-limit.js';

export interface OrgContext {
  orgId: string;
  /** The API key's id; empty when the request is signed in with a session. */
  keyId: string;
  /** Set when the request carries a browser session: who is signed in. */
  userId?: string;
  role?: string;
  departmentId?: string | null;
}

/** Name of the browser session cookie (HttpOnly, SameSite=Lax; see routes/session.ts). */
export const SESSION_COOKIE = 'canopy_session';

/** Sessions are stored by a SHA-256 of their random token, never the token itself. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The value of one cookie from a Cookie header (no dependency needed for one name). */
export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(v);
      } catch {
        return v;
      }
    }
  }
  return undefined;
}

/**
 * Resolves the org of a request from its API key (`Authorization: Bearer <key>` or
 * `X-Api-Key`) or, for the dashboard, from its session cookie. Key lookups are cached briefly:
 * ingestion sends many requests per second with the same key, and a revoked key stops working
 * within the cache lifetime. Sessions are looked up every time (one primary-key read), so
 * signing out takes effect at once.
 */
export class ApiKeyAuth {
  private cache = new Map<string, { ctx: OrgContext | null; until: number }>();
  /** Requests per caller (API key or user), checked by the route wrapper. */
  readonly limiter = new RateLimiter();
  readonly ratePerMinute: number;
  private readonly ttlMs: number;
  constructor(
    readonly store: Store,
    opts: { ttlMs?: number; ratePerMinute?: number } = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    const rate = opts.ratePerMinute ?? 3000;
    this.ratePerMinute = Number.isFinite(rate) && rate > 0 ? rate : 0;
  }

  async authenticate(req: FastifyRequest): Promise<OrgContext> {
    const header = req.headers.authorization;
    let key: string | undefined;
    if (typeof header === 'string' && /^bearer\s+/i.test(header)) key = header.replace(/^bearer\s+/i, '').trim();
    else if (typeof req.headers['x-api-key'] === 'string') key = req.headers['x-api-key'].trim();
    if (!key) {
      const token = readCookie(req, SESSION_COOKIE);
      if (token) return this.fromSession(req, token);
      throw new Problem(
        401,
        'Unauthorized',
        'an API key is required: send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>", or sign in',
      );
    }
    const now = Date.now();
    let hit = this.cache.get(key);
    if (!hit || hit.until < now) {
      const found = await findApiKey(this.store.db, key);
      hit = { ctx: found ?? null, until: now + this.ttlMs };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, hit);
    }
    if (!hit.ctx) throw new Problem(401, 'Unauthorized', 'the API key is unknown or revoked');
    return hit.ctx;
  }

  /** The signed-in user of a session token, or undefined when it is unknown or expired. */
  async session(token: string): Promise<OrgContext | undefined> {
    const r = await sql<{ org_id: string; user_id: string; role: string; department_id: string | null }>`
      SELECT s.org_id, s.user_id, u.role, u.department_id
      FROM sessions s JOIN users u ON u.org_id = s.org_id AND u.id = s.user_id
      WHERE s.id_hash = ${hashSessionToken(token)} AND s.expires_at > now()`.execute(this.store.db);
    const row = r.rows[0];
    if (!row) return undefined;
    return { orgId: row.org_id, keyId: '', userId: row.user_id, role: row.role, departmentId: row.department_id };
  }

  private async fromSession(req: FastifyRequest, token: string): Promise<OrgContext> {
    // A cookie rides along with cross-site requests; SameSite=Lax already drops it on
    // cross-site POSTs, and a write must also come from our own origin when the browser says.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const origin = req.headers.origin;
      if (typeof origin === 'string' && origin !== 'null') {
        let host = '';
        try {
          host = new URL(origin).host;
        } catch {}
        if (host !== req.headers.host) throw new Problem(403, 'Forbidden', 'cross-origin writes need an API key');
      }
    }
    const ctx = await this.session(token);
    if (!ctx) throw new Problem(401, 'Unauthorized', 'the session has expired or was signed out: sign in again');
    return ctx;
  }

  forget(): void {
    this.cache.clear();
  }
}

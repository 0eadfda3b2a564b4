import type { Store } from '@canopy/store';
import { findApiKey } from '@canopy/store';
import type { FastifyRequest } from 'fastify';
import { Problem } from './problem.js';

export interface OrgContext {
  orgId: string;
  keyId: string;
}

/**
 * Resolves the org of a request from its API key (`Authorization: Bearer <key>` or
 * `X-Api-Key`). Lookups are cached briefly: ingestion sends many requests per second with
 * the same key, and a revoked key stops working within the cache lifetime.
 */
export class ApiKeyAuth {
  private cache = new Map<string, { ctx: OrgContext | null; until: number }>();
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 10_000,
  ) {}

  async authenticate(req: FastifyRequest): Promise<OrgContext> {
    const header = req.headers.authorization;
    let key: string | undefined;
    if (typeof header === 'string' && /^bearer\s+/i.test(header)) key = header.replace(/^bearer\s+/i, '').trim();
    else if (typeof req.headers['x-api-key'] === 'string') key = req.headers['x-api-key'].trim();
    if (!key) {
      throw new Problem(
        401,
        'Unauthorized',
        'an API key is required: send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>"',
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

  forget(): void {
    this.cache.clear();
  }
}

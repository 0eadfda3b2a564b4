import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { createApiKey, createOrg, openStore, type Store, upsertDepartments, upsertTouchpoints } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { defaultAnalyser } from '../src/analyser.js';
import { type AppOptions, buildApp } from '../src/app.js';
import { freshPgDatabase } from './loop-util.js';

/**
 * Runs a suite once per store: embedded PGlite (in memory), and PostgreSQL when
 * TEST_DATABASE_URL is set (CI sets it) — each file gets a fresh database there, dropped after.
 */
export interface TestEnv {
  store: Store;
  app: FastifyInstance;
  base: string;
  /** A new org with departments and touchpoints; returns its API key. */
  newOrg(): Promise<{ orgId: string; key: string }>;
  api(
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer>;
}

export interface ApiAnswer {
  status: number;
  contentType: string;
  body: any;
  headers: Headers;
}

export const STORES: { name: string; url?: string }[] = [
  { name: 'pglite' },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', url: process.env.TEST_DATABASE_URL }] : []),
];

// One store (and server) per store kind per test file: PGlite takes seconds to start, and
// every test makes its own org, so tests stay independent.
const envs = new Map<string, Promise<{ env: TestEnv; close: () => Promise<void> }>>();

async function makeEnv(s: { name: string; url?: string }, appOptions: Omit<AppOptions, 'store'>) {
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (s.url) {
    const db = await freshPgDatabase(s.url);
    url = db.url;
    drop = db.drop;
  }
  const store = await openStore(url ? { databaseUrl: url, poolSize: 4 } : {});
  const app = await buildApp({ store, analyser: defaultAnalyser(), ...appOptions });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const env: TestEnv = {
    store,
    app,
    base,
    async newOrg() {
      const slug = `org-${randomBytes(5).toString('hex')}`;
      const org = await createOrg(store.db, slug, `Org ${slug}`);
      await upsertDepartments(store.db, org.id, [
        { key: 'service', name: 'Customer service', function: 'service' },
        { key: 'delivery', name: 'Delivery', function: 'delivery' },
        { key: 'billing', name: 'Billing', function: 'billing' },
      ]);
      await upsertTouchpoints(store.db, org.id, [
        {
          key: 'support-chat',
          name: 'Support chat',
          department: 'service',
          channel: 'chat',
          journey_stage: 'support',
          planned: false,
          direct: true,
        },
        {
          key: 'delivery',
          name: 'Delivery',
          department: 'delivery',
          channel: 'field',
          journey_stage: 'purchase',
          planned: true,
          direct: true,
        },
        {
          key: 'invoice',
          name: 'Invoice',
          department: 'billing',
          channel: 'email',
          journey_stage: 'use',
          planned: true,
          direct: true,
        },
      ]);
      const { key } = await createApiKey(store.db, org.id, 'test');
      return { orgId: org.id, key };
    },
    async api(method, path, key, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (key) h.authorization = `Bearer ${key}`;
      let payload: string | Buffer | undefined;
      if (body !== undefined) {
        payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
        h['content-type'] ??= 'application/json';
      }
      const res = await fetch(base + path, { method, headers: h, body: payload });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {}
      return {
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body: parsed,
        headers: res.headers,
      };
    },
  };
  return {
    env,
    close: async () => {
      await app.close();
      await store.close();
      await drop?.();
    },
  };
}

after(async () => {
  for (const e of envs.values()) await (await e).close();
});

export function eachStore(
  title: string,
  body: (env: () => TestEnv) => void,
  appOptions: Omit<AppOptions, 'store'> = {},
): void {
  for (const s of STORES) {
    describe(`${title} [${s.name}]`, () => {
      let env: TestEnv;
      before(async () => {
        // Suites with their own app options get their own server.
        const k = `${s.name}:${JSON.stringify(Object.keys(appOptions))}`;
        if (!envs.has(k)) envs.set(k, makeEnv(s, appOptions));
        env = (await envs.get(k)!).env;
      });
      body(() => env);
    });
  }
}

/** Row counts of every customer-data table for one org: "nothing was written" is checked against these. */
export async function countRows(store: Store, orgId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'customers',
    'customer_identities',
    'customer_attributes',
    'interactions',
    'responses',
    'answers',
    'answer_outcomes',
    'events',
    'agents',
    'text_analyses',
  ] as const) {
    const r = await store.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

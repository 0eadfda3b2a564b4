import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createApiKey, createOrg, openStore, type Store, upsertDepartments, upsertTouchpoints } from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { defaultAnalyser } from '../src/analyser.js';
import { buildApp } from '../src/app.js';
import { eachStore, STORES } from './harness.js';
import { freePort, freshPgDatabase, Receiver, verifySignature, waitFor } from './loop-util.js';

const receivers: Receiver[] = [];
after(async () => {
  for (const r of receivers) await r.stop();
});

const detractor = (email: string) => ({
  customer_email: email,
  touchpoint: 'delivery',
  submitted_at: new Date(Date.now() - 1000).toISOString(),
  answers: [
    { field: 'nps', type: 'nps', value: 2 },
    { field: 'why', type: 'text', value: 'Late again.' },
  ],
});

eachStore(
  'webhook delivery',
  (env) => {
    it('survives the receiver being down: retried with backoff, no loss, one webhook-id per message; replay resends it', async () => {
      const { key } = await env().newOrg();
      const port = await freePort();
      const rx = new Receiver();
      receivers.push(rx);
      const hook = await env().api('POST', '/api/v1/webhooks', key, { url: `http://127.0.0.1:${port}/hook` });
      await env().api('POST', '/api/v1/rules', key, {
        name: 'Detractors',
        condition: { type: 'nps' },
        actions: [{ type: 'open_case' }, { type: 'webhook' }],
      });
      const emails = ['a@example.com', 'b@example.com', 'c@example.com'];
      for (const e of emails)
        assert.equal((await env().api('POST', '/api/v1/responses', key, detractor(e))).status, 201);
      // Nothing listens: attempts fail and are logged.
      await waitFor(
        async () => {
          const log = await env().api('GET', `/api/v1/webhooks/${hook.body.id}/deliveries`, key);
          return log.body.items.length === 3 && log.body.items.every((d: { attempts: number }) => d.attempts >= 2);
        },
        10_000,
        'failed attempts',
      );
      const log1 = await env().api('GET', `/api/v1/webhooks/${hook.body.id}/deliveries?status=pending`, key);
      assert.equal(log1.body.items.length, 3);
      assert.match(log1.body.items[0].last_error, /ECONNREFUSED|fetch failed/);
      // The receiver comes up (answering 500 first, then 200).
      rx.status = 500;
      await rx.start(port);
      await waitFor(() => rx.got.length >= 3, 10_000, 'attempts reaching the receiver');
      rx.status = 200;
      await waitFor(
        async () =>
          (await env().api('GET', `/api/v1/webhooks/${hook.body.id}/deliveries?status=delivered`, key)).body.items
            .length === 3,
        15_000,
        'deliveries',
      );
      const ok = rx.got.filter((r) => r.at >= 0);
      const ids = new Set(ok.map((r) => r.headers['webhook-id']));
      assert.equal(ids.size, 3, 'every message arrived, each under its own stable id');
      for (const r of ok) assert.ok(verifySignature(hook.body.secret, r.headers, r.body));
      const customers = new Set(ok.map((r) => r.json.data.customer_id));
      assert.equal(customers.size, 3);
      const log2 = await env().api('GET', `/api/v1/webhooks/${hook.body.id}/deliveries`, key);
      for (const d of log2.body.items) {
        assert.equal(d.status, 'delivered');
        assert.equal(d.last_status_code, 200);
        assert.ok(d.attempts >= 3, `attempts ${d.attempts}`);
      }
      // Replay: the same message again, under the same id.
      const d0 = log2.body.items[0];
      const before = rx.got.length;
      const rp = await env().api('POST', `/api/v1/webhooks/${hook.body.id}/deliveries/${d0.id}/replay`, key);
      assert.equal(rp.status, 202, JSON.stringify(rp.body));
      await waitFor(() => rx.got.length === before + 1, 5000, 'replay');
      assert.equal(rx.got.at(-1)!.headers['webhook-id'], d0.message_id);
      assert.equal(
        (await env().api('POST', `/api/v1/webhooks/${hook.body.id}/deliveries/${hook.body.id}/replay`, key)).status,
        404,
      );
    });
  },
  {
    loop: {
      jobs: { pollMs: 200, backoff: { baseMs: 100, maxMs: 400 } },
      webhookTimeoutMs: 2000,
      webhookAllowPrivate: true,
    },
  },
);

for (const s of STORES) {
  describe(`webhook delivery across a restart [${s.name}]`, () => {
    it('a delivery pending when Canopy stops completes after a new app starts on the same store', async () => {
      let dir: string | undefined;
      let url: string | undefined;
      let drop: (() => Promise<void>) | undefined;
      if (s.url) {
        const db = await freshPgDatabase(s.url);
        url = db.url;
        drop = db.drop;
      } else dir = mkdtempSync(join(tmpdir(), 'canopy-loop-'));
      const open = () => openStore(url ? { databaseUrl: url, poolSize: 4 } : { dataDir: dir });
      const start = async (store: Store): Promise<{ app: FastifyInstance; base: string }> => {
        const app = await buildApp({
          store,
          analyser: defaultAnalyser(),
          loop: {
            jobs: { pollMs: 200, backoff: { baseMs: 150, maxMs: 300 } },
            webhookTimeoutMs: 2000,
            webhookAllowPrivate: true,
          },
        });
        await app.listen({ port: 0, host: '127.0.0.1' });
        const a = app.server.address();
        return { app, base: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` };
      };
      const port = await freePort();
      const rx = new Receiver();
      receivers.push(rx);
      let store1: Store | null = await open();
      try {
        const org = await createOrg(store1.db, `o-${randomBytes(4).toString('hex')}`, 'Restart org');
        await upsertDepartments(store1.db, org.id, [{ key: 'delivery', name: 'Delivery', function: 'delivery' }]);
        await upsertTouchpoints(store1.db, org.id, [
          {
            key: 'delivery',
            name: 'Delivery',
            department: 'delivery',
            channel: 'field',
            journey_stage: 'purchase',
            planned: true,
            direct: true,
          },
        ]);
        const { key } = await createApiKey(store1.db, org.id, 'k');
        const h = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
        const a1 = await start(store1);
        const post = (base: string, path: string, body: unknown) =>
          fetch(base + path, { method: 'POST', headers: h, body: JSON.stringify(body) }).then(async (r) => ({
            status: r.status,
            body: (await r.json()) as any,
          }));
        const hook = await post(a1.base, '/api/v1/webhooks', { url: `http://127.0.0.1:${port}/hook` });
        assert.equal(hook.status, 201);
        await post(a1.base, '/api/v1/rules', {
          name: 'Detractors',
          condition: { type: 'nps' },
          actions: [{ type: 'webhook' }],
        });
        const r = await post(a1.base, '/api/v1/responses', detractor('r@example.com'));
        assert.equal(r.status, 201);
        await waitFor(
          async () => {
            const x = await store1!.db
              .selectFrom('jobs' as never)
              .selectAll()
              .execute();
            return (x as { attempts: number; type: string }[]).some(
              (j) => j.type === 'webhook.deliver' && j.attempts >= 1,
            );
          },
          5000,
          'a failed attempt',
        );
        await a1.app.close();
        await store1.close();
        store1 = null;
        await rx.start(port);
        assert.equal(rx.got.length, 0);

        const store2 = await open();
        try {
          const a2 = await start(store2);
          try {
            await waitFor(() => rx.got.length >= 1, 10_000, 'the delivery after restart');
            await new Promise((res) => setTimeout(res, 300));
            assert.equal(rx.got.length, 1, 'delivered once');
            assert.ok(verifySignature(hook.body.secret, rx.got[0].headers, rx.got[0].body));
            assert.equal(rx.got[0].json.data.subjects[0].id, r.body.id);
          } finally {
            await a2.app.close();
          }
        } finally {
          await store2.close();
        }
      } finally {
        if (store1) await store1.close();
        await drop?.();
        if (dir) rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

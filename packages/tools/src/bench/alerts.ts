import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, defaultAnalyser } from '@canopy/server';
import { createApiKey, createOrg, upsertDepartments, upsertTouchpoints } from '@canopy/store';
import pg from 'pg';
import type { BenchOptions, BenchResult } from './report.js';
import { percentile } from './report.js';
import { PG_URL, rng, scratchStore } from './scratch.js';

/**
 * Alert latency: from the start of the ingest request that carries a detractor to the signed
 * webhook arriving at a receiver on loopback (rule evaluated in the ingest transaction, case
 * opened, delivery and its job — pre-claimed by this node's runner — written in the same
 * commit, whose NOTIFY tells the runner to POST it at once; retries go through the queue).
 * Load: survey responses at a steady 500 records/s (batches of 25 every 50 ms, open loop, at
 * most 8 requests in flight) for 60 s (`--quick`: 10 s); ~10% detractors, half with a verbatim.
 * Baseline, same run: the ingest request's own latency (request start → response).
 */
const RATE = 500;
const BATCH = 25;

const BAD = [
  'The courier was late again and the box was damaged.',
  'Charged twice on my invoice, nobody answers.',
  'Support kept me on hold for 40 minutes.',
];
const GOOD = ['Quick delivery, thanks!', 'Friendly support, sorted it fast.', 'Great value.'];

async function runStore(kind: 'pglite' | 'postgres', seconds: number) {
  const { store, drop } = await scratchStore(kind, 'alerts');
  const received = new Map<string, number>();
  let webhookPosts = 0;
  const rx = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      webhookPosts++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const id = body?.data?.subjects?.[0]?.id;
        if (id && !received.has(id)) received.set(id, at);
      } catch {}
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
  const rxPort = (rx.address() as AddressInfo).port;
  const app = await buildApp({ store, analyser: defaultAnalyser(), loop: { webhookAllowPrivate: true } });
  try {
    const org = await createOrg(store.db, `bench-${randomBytes(3).toString('hex')}`, 'Bench');
    await upsertDepartments(store.db, org.id, [{ key: 'delivery', name: 'Delivery', function: 'delivery' }]);
    await upsertTouchpoints(store.db, org.id, [
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
    const { key } = await createApiKey(store.db, org.id, 'bench');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address() as AddressInfo;
    const base = `http://127.0.0.1:${addr.port}`;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const call = <T = unknown>(path: string, body: unknown): Promise<T> =>
      fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) }).then(async (r) => {
        if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
        return r.json() as Promise<T>;
      });
    await call('/api/v1/webhooks', { url: `http://127.0.0.1:${rxPort}/hook` });
    await call('/api/v1/rules', {
      name: 'Detractors',
      condition: { type: 'nps', max: 6 },
      actions: [{ type: 'open_case' }, { type: 'webhook' }],
    });

    const r = rng(kind === 'pglite' ? 1 : 2);
    const sentAt = new Map<string, number>(); // detractor response id → request start
    const requestMs: number[] = [];
    let inFlight = 0;
    let skipped = 0;
    let records = 0;
    let n = 0;
    const pending: Promise<void>[] = [];
    const t0 = performance.now();
    const ticks = Math.round((seconds * RATE) / BATCH);
    const interval = (1000 * BATCH) / RATE;
    for (let i = 0; i < ticks; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      if (inFlight >= 8) {
        skipped++;
        continue;
      }
      const batch = Array.from({ length: BATCH }, () => {
        n++;
        const detractor = r() < 0.1;
        const score = detractor ? Math.floor(r() * 7) : 7 + Math.floor(r() * 4);
        const answers: unknown[] = [{ field: 'nps', type: 'nps', value: score }];
        if (r() < 0.5) {
          const list = detractor ? BAD : GOOD;
          answers.push({ field: 'why', type: 'text', value: list[Math.floor(r() * list.length)] });
        }
        return {
          customer_external_id: `c${n}`,
          touchpoint: 'delivery',
          submitted_at: new Date().toISOString(),
          answers,
          detractor,
        };
      });
      const flags = batch.map((b) => b.detractor);
      const body = batch.map(({ detractor: _d, ...rest }) => rest);
      const start = performance.now();
      inFlight++;
      pending.push(
        call<{ results: { id: string }[] }>('/api/v1/responses', body)
          .then((res: { results: { id: string }[] }) => {
            requestMs.push(performance.now() - start);
            records += BATCH;
            res.results.forEach((x, j) => {
              if (flags[j]) sentAt.set(x.id, start);
            });
          })
          .finally(() => {
            inFlight--;
          }),
      );
    }
    await Promise.all(pending);
    const elapsed = (performance.now() - t0) / 1000;
    // Let the last alerts arrive.
    const end = performance.now() + 15_000;
    while (performance.now() < end && [...sentAt.keys()].some((id) => !received.has(id))) {
      await new Promise((res) => setTimeout(res, 50));
    }
    const lat: number[] = [];
    let lost = 0;
    for (const [id, s] of sentAt) {
      const at = received.get(id);
      if (at === undefined) lost++;
      else lat.push(at - s);
    }
    return {
      rate: records / elapsed,
      alerts: sentAt.size,
      lost,
      skipped,
      webhookPosts,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      reqP50: percentile(requestMs, 50),
      reqP99: percentile(requestMs, 99),
    };
  } finally {
    await app.close();
    await new Promise<void>((res) => rx.close(() => res()));
    await store.close();
    await drop();
  }
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const seconds = opts.quick ? 10 : 60;
  const figures: Record<string, number> = {};
  const baselines: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  const notes: Record<string, string | number> = {
    load: `${RATE} responses/s target in batches of ${BATCH} for ${seconds} s, ~10% detractors (NPS ≤ 6 → case + webhook)`,
    latency: 'ingest request start → signed webhook received on loopback, ms',
    path: 'fast path: sent by the ingesting node right after the commit (pre-claimed job named by the NOTIFY)',
    baseline: 'ingest request latency (start → response), ms',
  };
  const kinds: ('pglite' | 'postgres')[] = ['pglite'];
  if (await pgReachable()) kinds.push('postgres');
  else notes.postgres = `skipped: ${PG_URL} not reachable`;
  for (const kind of kinds) {
    const x = await runStore(kind, seconds);
    figures[`${kind}_alert_p50_ms`] = x.p50;
    figures[`${kind}_alert_p99_ms`] = x.p99;
    figures[`${kind}_records_per_s`] = x.rate;
    figures[`${kind}_alerts`] = x.alerts;
    figures[`${kind}_alerts_lost`] = x.lost;
    baselines[`${kind}_ingest_request_p50_ms`] = x.reqP50;
    baselines[`${kind}_ingest_request_p99_ms`] = x.reqP99;
    ratios[`${kind}_alert_p50_vs_request_p50`] = x.p50 / x.reqP50;
    notes[`${kind}_batches_skipped_backpressure`] = x.skipped;
    notes[`${kind}_webhook_posts`] = x.webhookPosts;
  }
  return { name: 'alerts', figures, baselines, ratios, notes };
}

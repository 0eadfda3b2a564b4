import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildApp, defaultAnalyser, importFile, TextAnalysisStep } from '@canopy/server';
import { createApiKey, createOrg, type Store, upsertDepartments, upsertTouchpoints, uuidv7 } from '@canopy/store';
import copyStreams from 'pg-copy-streams';
import type { BenchOptions, BenchResult } from './report.js';
import { median } from './report.js';
import { rng, scratchStore } from './scratch.js';

/**
 * Ingestion throughput, each figure next to its baseline measured in the same run:
 * - API: batched POST /api/v1/events and /api/v1/responses (with verbatims, text analysis on)
 *   over HTTP with two concurrent clients, vs raw COPY of the same rows into the same tables.
 * - Import: `canopy import` of a CSV of responses with verbatims, vs raw COPY of those rows.
 */
const T0 = Date.UTC(2025, 0, 1);

const OPENERS = [
  'The delivery',
  'Support',
  'The app',
  'My last invoice',
  'The coffee',
  'Your agent',
  'Checkout',
  'The refund',
];
const GOOD = [
  'was quick and friendly',
  'sorted it quickly',
  'arrived a day early',
  'was really helpful, thanks!',
  'tastes great 😊',
];
const BAD = [
  'was late again',
  'charged me twice',
  'kept me on hold for 40 minutes',
  'crashes every time',
  'never got back to me',
];
const TAILS = [
  '',
  ' Overall happy with the subscription.',
  ' I am thinking about cancelling.',
  ' Please call me on +44 7700 900123.',
  ' Would recommend to friends.',
];

function verbatim(r: () => number, score: number): string {
  const o = OPENERS[Math.floor(r() * OPENERS.length)];
  const list = score >= 7 ? GOOD : BAD;
  return `${o} ${list[Math.floor(r() * list.length)]}.${TAILS[Math.floor(r() * TAILS.length)]}`;
}

interface Env {
  name: string;
  store: Store;
  base: string;
  key: string;
  orgId: string;
  close: () => Promise<void>;
}

async function openEnv(kind: 'pglite' | 'postgres'): Promise<Env> {
  const { store, drop } = await scratchStore(kind, 'ingest');
  const org = await createOrg(store.db, `bench-${randomBytes(3).toString('hex')}`, 'Bench');
  await upsertDepartments(store.db, org.id, [{ key: 'service', name: 'Service', function: 'service' }]);
  await upsertTouchpoints(store.db, org.id, [
    {
      key: 'support',
      name: 'Support',
      department: 'service',
      channel: 'chat',
      journey_stage: 'support',
      planned: false,
      direct: true,
    },
  ]);
  const { key } = await createApiKey(store.db, org.id, 'bench');
  const app = await buildApp({ store, analyser: defaultAnalyser() });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    name: kind,
    store,
    base,
    key,
    orgId: org.id,
    close: async () => {
      await app.close();
      await store.close();
      await drop();
    },
  };
}

/** Posts batches with `clients` concurrent senders; returns records/s. */
async function post(env: Env, path: string, batches: string[], clients = 2): Promise<number> {
  let next = 0;
  let records = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const res = await fetch(env.base + path, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.key}`, 'content-type': 'application/json' },
          body,
        });
        const out = (await res.json()) as { created?: number; detail?: string };
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(out).slice(0, 300)}`);
        records += out.created ?? 0;
      }
    }),
  );
  return records / ((performance.now() - started) / 1000);
}

/** Raw COPY of CSV text into a table: the ceiling the database allows for these rows. */
async function copy(env: Env, table: string, columns: string[], csv: string): Promise<number> {
  const rows = csv.length ? csv.split('\n').length - 1 : 0;
  const started = performance.now();
  const cols = columns.join(', ');
  if (env.store.pgPool) {
    const client = await env.store.pgPool.connect();
    try {
      const s = client.query(copyStreams.from(`COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv)`));
      await pipeline(Readable.from([csv]), s);
    } finally {
      client.release();
    }
  } else {
    await env.store.pglite!.withConnection((db) =>
      db.query(`COPY ${table} (${cols}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) }),
    );
  }
  return rows / ((performance.now() - started) / 1000);
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function runStore(
  kind: 'pglite' | 'postgres',
  sizes: Sizes,
  figures: Record<string, number>,
  baselines: Record<string, number>,
) {
  const r = rng(kind === 'postgres' ? 7 : 11);
  const customers = Array.from({ length: sizes.customers }, (_, i) => `cust-${i}`);
  const env = await openEnv(kind);
  try {
    // Customers first: event ingestion then resolves known identities, as in steady state.
    const custBatches: string[] = [];
    for (let i = 0; i < customers.length; i += 5000) {
      custBatches.push(
        JSON.stringify(customers.slice(i, i + 5000).map((c) => ({ customer_external_id: c, segment: 'consumer' }))),
      );
    }
    figures[`${kind}.api_customers_per_s`] = await post(env, '/api/v1/customers', custBatches);

    const evTypes = ['page_view', 'email_open', 'email_click', 'app_action'];
    const eventBatch = (n: number) =>
      JSON.stringify(
        Array.from({ length: n }, () => ({
          customer_external_id: customers[Math.floor(r() * customers.length)],
          type: evTypes[Math.floor(r() * evTypes.length)],
          occurred_at: new Date(T0 + Math.floor(r() * 3e10)).toISOString(),
          idempotency_key: uuidv7(),
        })),
      );
    const evRuns: number[] = [];
    for (let run = 0; run < sizes.runs; run++) {
      const batches = Array.from({ length: sizes.events / 5000 }, () => eventBatch(5000));
      evRuns.push(await post(env, '/api/v1/events', batches));
    }
    figures[`${kind}.api_events_per_s`] = median(evRuns);

    // COPY baseline: the same kind of rows (ids, customer, type, time, key) into the same table.
    const ids = await env.store.db.selectFrom('customers').select('id').where('org_id', '=', env.orgId).execute();
    const copyRuns: number[] = [];
    for (let run = 0; run < sizes.runs; run++) {
      let csv = '';
      for (let i = 0; i < sizes.events; i++) {
        csv += `${env.orgId},${uuidv7()},${ids[Math.floor(r() * ids.length)].id},${evTypes[i % 4]},${new Date(T0 + Math.floor(r() * 3e10)).toISOString()},${uuidv7()}\n`;
      }
      copyRuns.push(
        await copy(env, 'events', ['org_id', 'id', 'customer_id', 'type', 'occurred_at', 'idempotency_key'], csv),
      );
    }
    baselines[`${kind}.copy_events_per_s`] = median(copyRuns);

    // Responses with verbatims, text analysis on.
    const respBatch = (n: number) =>
      JSON.stringify(
        Array.from({ length: n }, () => {
          const score = Math.floor(r() * 11);
          return {
            customer_external_id: customers[Math.floor(r() * customers.length)],
            touchpoint: 'support',
            submitted_at: new Date(T0 + Math.floor(r() * 3e10)).toISOString(),
            idempotency_key: uuidv7(),
            answers: [
              { field: 'nps', type: 'nps', value: score },
              { field: 'reason', type: 'text', value: verbatim(r, score) },
            ],
          };
        }),
      );
    const rsRuns: number[] = [];
    for (let run = 0; run < sizes.runs; run++) {
      const batches = Array.from({ length: sizes.responses / 2000 }, () => respBatch(2000));
      rsRuns.push(await post(env, '/api/v1/responses', batches));
    }
    figures[`${kind}.api_responses_with_verbatims_per_s`] = median(rsRuns);

    // CSV import of responses with verbatims (one run: the file is the size the issue names).
    const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-csv-'));
    const file = join(dir, 'responses.csv');
    let csv = 'customer_external_id,submitted_at,touchpoint,nps,reason\n';
    const parts: string[] = [];
    for (let i = 0; i < sizes.importRows; i++) {
      const score = Math.floor(r() * 11);
      parts.push(
        `${customers[Math.floor(r() * customers.length)]},${new Date(T0 + Math.floor(r() * 3e10)).toISOString()},support,${score},${csvCell(`${verbatim(r, score)} #${i}`)}`,
      );
      if (parts.length === 50_000) {
        csv += `${parts.join('\n')}\n`;
        parts.length = 0;
      }
    }
    csv += parts.length ? `${parts.join('\n')}\n` : '';
    writeFileSync(file, csv);
    csv = '';
    const s = await importFile(env.store, {
      file,
      kind: 'responses',
      orgId: env.orgId,
      analysis: new TextAnalysisStep(defaultAnalyser()),
    });
    if (s.rejected || s.fatal) throw new Error(`import rejected rows: ${JSON.stringify(s)}`);
    figures[`${kind}.import_responses_per_s`] = s.rows / s.seconds;
    figures[`${kind}.import_seconds`] = s.seconds;
    rmSync(dir, { recursive: true, force: true });

    // COPY baseline for the import: the response rows themselves.
    let rcsv = '';
    for (let i = 0; i < sizes.importRows; i++) {
      rcsv += `${env.orgId},${uuidv7()},${ids[Math.floor(r() * ids.length)].id},import,${new Date(T0 + Math.floor(r() * 3e10)).toISOString()},${uuidv7()}\n`;
    }
    baselines[`${kind}.copy_responses_per_s`] = await copy(
      env,
      'responses',
      ['org_id', 'id', 'customer_id', 'source', 'submitted_at', 'idempotency_key'],
      rcsv,
    );
  } finally {
    await env.close();
  }
}

interface Sizes {
  customers: number;
  events: number;
  responses: number;
  importRows: number;
  runs: number;
}

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const stores = opts.args.includes('--pglite-only')
    ? ['pglite']
    : opts.args.includes('--pg-only')
      ? ['postgres']
      : ['postgres', 'pglite'];
  const figures: Record<string, number> = {};
  const baselines: Record<string, number> = {};
  const sizes = (kind: string): Sizes =>
    opts.quick
      ? { customers: 5000, events: 20_000, responses: 6000, importRows: kind === 'postgres' ? 30_000 : 15_000, runs: 1 }
      : { customers: 50_000, events: 200_000, responses: 40_000, importRows: 1_000_000, runs: Math.min(opts.runs, 3) };
  for (const kind of stores as ('pglite' | 'postgres')[]) {
    console.error(`ingest bench: ${kind} …`);
    await runStore(kind, sizes(kind), figures, baselines);
  }
  const ratios: Record<string, number> = {};
  for (const kind of stores) {
    ratios[`${kind}.api_events_vs_copy`] = figures[`${kind}.api_events_per_s`] / baselines[`${kind}.copy_events_per_s`];
    ratios[`${kind}.import_responses_vs_copy`] =
      figures[`${kind}.import_responses_per_s`] / baselines[`${kind}.copy_responses_per_s`];
  }
  return {
    name: 'ingest',
    figures,
    baselines,
    ratios,
    notes: {
      sizes: JSON.stringify(sizes('postgres')),
      api: 'two concurrent HTTP clients, batches of 5000 events / 2000 responses, text analysis on for responses',
      copy: 'COPY of the same kind of rows into the same, fully indexed table, same run',
    },
  };
}

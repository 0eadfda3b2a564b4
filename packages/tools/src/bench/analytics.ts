import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ingestBatch, validateBatch } from '@canopy/server';
import {
  aggregate,
  createOrg,
  loyaltyCounts,
  openStore,
  ROLLUP_TRIGGERS,
  rebuildRollups,
  type Store,
  topicDriverStats,
  upsertAgents,
  upsertDepartments,
  upsertTouchpoints,
} from '@canopy/store';
import { sql } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { BenchOptions, BenchResult } from './report.js';
import { median } from './report.js';

/**
 * Analytics benchmark: generated answers (NPS), interactions and events, loaded with COPY
 * (rollup triggers on), then the dashboard and ad-hoc queries of the metrics API, each the
 * median of 5 warm runs, from rollups and from raw rows, with DuckDB on the same rows as the
 * yardstick. Args: --responses=N (default 10M on PostgreSQL, 1M on PGlite; --quick: 200k / 50k;
 * interactions = N, events = 2N, customers = N/10), --stores=postgres,pglite, --no-duckdb,
 * --load=notrig (default: COPY with the rollup triggers disabled, then one rebuild from raw rows —
 * what a bulk import does) | trig (COPY with the triggers on), --trigger-batches=N (trigger cost
 * on ingestion: N batches of 200 responses × 3 answers through ingestBatch, with and without the
 * rollup triggers, and with only 002's daily ones; default 20; --trigger-days=N: the answers' time
 * spread, default 2 — streaming ingestion), --keep (keep the database), --db=name. BENCH_DATABASE_URL as in
 * the other benchmarks.
 */
const DAY = 86_400_000;
const END = Date.parse('2026-11-01T00:00:00Z');
const START = END - 730 * DAY;
const DEPTS = ['marketing', 'sales', 'service', 'billing', 'product', 'delivery'];
const STAGES = ['awareness', 'consideration', 'purchase', 'onboarding', 'use', 'support', 'renewal', 'advocacy'];
const TPS = Array.from({ length: 30 }, (_, i) => ({
  key: `tp${i}`,
  name: `Touchpoint ${i}`,
  department: DEPTS[i % DEPTS.length],
  channel: ['web', 'email', 'phone', 'chat', 'field'][i % 5],
  journey_stage: STAGES[i % STAGES.length],
}));
const AGENTS = Array.from({ length: 20 }, (_, i) => ({ key: `agent${i}`, name: `Agent ${i}`, team: `team${i % 4}` }));
const OUTCOMES = ['resolved', 'resolved', 'resolved', 'late', 'billing_error', 'explained'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Sizes {
  responses: number;
  interactions: number;
  events: number;
  customers: number;
}

interface Ids {
  org: string;
  customers: string[];
  tps: string[];
  agents: string[];
  deptOfTp: string[];
}

/** Writes CSV chunks (≤ 32 MB) of one table; `row(i)` returns a CSV line. */
function* chunks(n: number, row: (i: number) => string): Generator<string> {
  let buf: string[] = [];
  let size = 0;
  for (let i = 0; i < n; i++) {
    const line = row(i);
    buf.push(line);
    size += line.length;
    if (size > 32e6) {
      yield buf.join('');
      buf = [];
      size = 0;
    }
  }
  if (buf.length) yield buf.join('');
}

async function copyInto(
  store: Store,
  table: string,
  cols: string,
  data: Iterable<string>,
  files: string[],
  dir: string,
) {
  let k = 0;
  for (const csv of data) {
    const f = join(dir, `${table}-${k++}.csv`);
    writeFileSync(f, csv);
    files.push(f);
    if (store.pgPool) {
      const client = await store.pgPool.connect();
      try {
        await pipeline(
          Readable.from([csv]),
          client.query(copyStreams.from(`COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv)`)),
        );
      } finally {
        client.release();
      }
    } else {
      await store.pglite?.withConnection((db) =>
        db.query(`COPY ${table} (${cols}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) }),
      );
    }
  }
}

/** Customers with a latent problem rate: NPS answers fall with late deliveries and billing errors. */
async function setTriggers(store: Store, on: boolean) {
  for (const t of new Set(ROLLUP_TRIGGERS.map((x) => x.table))) {
    await sql.raw(`ALTER TABLE ${t} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER USER`).execute(store.db);
  }
}

async function load(
  store: Store,
  s: Sizes,
  dir: string,
  triggers: boolean,
): Promise<{ ids: Ids; files: Record<string, string[]>; seconds: number; rows: number; rebuildSeconds: number }> {
  const org = await createOrg(store.db, `bench-${randomUUID().slice(0, 8)}`, 'Bench');
  await upsertDepartments(store.db, org.id, DEPTS.map((k) => ({ key: k, name: k, function: k })) as never);
  await upsertTouchpoints(store.db, org.id, TPS.map((t) => ({ ...t, planned: true, direct: true })) as never);
  await upsertAgents(store.db, org.id, AGENTS);
  const tpRows = await sql<{
    id: string;
    key: string;
    dept: string;
  }>`SELECT tp.id, tp.key, d.key AS dept FROM touchpoints tp
    JOIN departments d ON d.org_id = tp.org_id AND d.id = tp.department_id WHERE tp.org_id = ${org.id}::uuid`.execute(
    store.db,
  );
  const agRows = await sql<{
    id: string;
    key: string;
  }>`SELECT id, key FROM agents WHERE org_id = ${org.id}::uuid`.execute(store.db);
  const byKey = new Map(tpRows.rows.map((r) => [r.key, r]));
  const tps = TPS.map((t) => byKey.get(t.key)?.id as string);
  const deptOfTp = TPS.map((t) => byKey.get(t.key)?.dept as string);
  const agentIds = AGENTS.map((a) => agRows.rows.find((r) => r.key === a.key)?.id as string);
  const customers = Array.from({ length: s.customers }, () => randomUUID());
  const r = rng(42);
  const late = new Uint8Array(s.customers).map(() => (r() < 0.12 ? 1 : 0));
  const billing = new Uint8Array(s.customers).map(() => (r() < 0.08 ? 1 : 0));
  const acq = Float64Array.from({ length: s.customers }, () => START - 365 * DAY + r() * 900 * DAY);
  const iso = (t: number) => new Date(t).toISOString();
  const files: Record<string, string[]> = { customers: [], answers: [], interactions: [], events: [] };
  if (!triggers) await setTriggers(store, false);
  const started = performance.now();
  await copyInto(
    store,
    'customers',
    'org_id, id, segment, acquired_at',
    chunks(
      s.customers,
      (i) => `${org.id},${customers[i]},${['consumer', 'smb', 'enterprise'][i % 3]},${iso(acq[i])}\n`,
    ),
    files.customers,
    dir,
  );
  await copyInto(
    store,
    'answers',
    'org_id, response_id, field, type, value_num, customer_id, touchpoint_id, agent_id, submitted_at',
    chunks(s.responses, (i) => {
      const c = Math.floor(r() * s.customers);
      const t = Math.floor(r() * tps.length);
      const base = 8.2 - 2.2 * late[c] - 2.6 * billing[c] + (r() - 0.5) * 4;
      const v = Math.max(0, Math.min(10, Math.round(base)));
      const ag = t % 3 === 0 ? agentIds[i % agentIds.length] : '';
      return `${org.id},${randomUUID()},nps,nps,${v},${customers[c]},${tps[t]},${ag},${iso(START + r() * 730 * DAY)}\n`;
    }),
    files.answers,
    dir,
  );
  await copyInto(
    store,
    'interactions',
    'org_id, id, customer_id, touchpoint_id, agent_id, kind, outcome, opened_at, first_response_at, resolved_at',
    chunks(s.interactions, (i) => {
      const c = Math.floor(r() * s.customers);
      const t = Math.floor(r() * tps.length);
      const at = START + r() * 730 * DAY;
      const outcome =
        late[c] && r() < 0.3 ? 'late' : billing[c] && r() < 0.3 ? 'billing_error' : OUTCOMES[i % 3 === 0 ? 5 : 0];
      return `${org.id},${randomUUID()},${customers[c]},${tps[t]},${agentIds[i % agentIds.length]},ticket,${outcome},${iso(at)},${iso(at + r() * 3600_000)},${r() < 0.8 ? iso(at + r() * 86400_000) : ''}\n`;
    }),
    files.interactions,
    dir,
  );
  const types = ['email_open', 'email_open', 'page_view', 'purchase', 'app_action', 'referral_made', 'cancellation'];
  await copyInto(
    store,
    'events',
    'org_id, id, customer_id, type, occurred_at, value',
    chunks(s.events, (i) => {
      const c = Math.floor(r() * s.customers);
      let type = types[i % types.length];
      if (type === 'cancellation' && r() > 0.05 + 0.2 * (late[c] + billing[c])) type = 'page_view';
      return `${org.id},${randomUUID()},${customers[c]},${type},${iso(START + r() * 730 * DAY)},${type === 'purchase' ? (20 + r() * 80).toFixed(2) : ''}\n`;
    }),
    files.events,
    dir,
  );
  const seconds = (performance.now() - started) / 1000;
  let rebuildSeconds = 0;
  if (!triggers) {
    const t = performance.now();
    await rebuildRollups(store.db, org.id);
    rebuildSeconds = (performance.now() - t) / 1000;
    await setTriggers(store, true);
  }
  // As autovacuum would: statistics, and visibility maps for index-only scans.
  await sql`VACUUM ANALYZE`.execute(store.db);
  return {
    ids: { org: org.id, customers, tps, agents: agentIds, deptOfTp },
    files,
    seconds,
    rows: s.customers + s.responses + s.interactions + s.events,
    rebuildSeconds,
  };
}

async function timed(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

function queries(store: Store, org: string) {
  const to = new Date(END);
  const from2y = new Date(END - 728 * DAY);
  const from90 = new Date(END - 90 * DAY);
  const q1 = (useRollups: boolean) => () =>
    aggregate(store.db, org, {
      family: 'answers',
      type: 'nps',
      from: from2y,
      to,
      filter: {},
      groupBy: 'touchpoint',
      granularity: 'week',
      useRollups,
    });
  const q2 = (useRollups: boolean) => () =>
    aggregate(store.db, org, {
      family: 'answers',
      type: 'nps',
      from: from90,
      to,
      filter: { department: ['delivery'] },
      groupBy: 'touchpoint',
      granularity: 'day',
      useRollups,
    });
  const loyalty = () =>
    loyaltyCounts(store.db, org, {
      type: 'nps',
      from: new Date(END - 365 * DAY),
      to: new Date(END - 300 * DAY),
      filter: {},
      horizonDays: 180,
      now: to,
    });
  const drivers = () =>
    topicDriverStats(store.db, org, {
      outcome: 'nps',
      from: from90,
      to,
      filter: {},
      lookbackDays: 90,
      maxDrivers: 12,
      minCoverage: 0.005,
      source: 'outcomes',
    });
  return { q1, q2, loyalty, drivers };
}

async function duck(files: Record<string, string[]>, ids: Ids): Promise<Record<string, number> | null> {
  let mod: typeof import('@duckdb/node-api');
  try {
    mod = await import('@duckdb/node-api');
  } catch {
    return null;
  }
  const inst = await mod.DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await inst.connect();
  const list = (fs: string[]) => `[${fs.map((f) => `'${f}'`).join(',')}]`;
  await c.run(
    `CREATE TABLE answers AS SELECT * FROM read_csv(${list(files.answers)}, header=false, columns={'org_id':'UUID','response_id':'UUID','field':'VARCHAR','type':'VARCHAR','value_num':'DOUBLE','customer_id':'UUID','touchpoint_id':'UUID','agent_id':'UUID','submitted_at':'TIMESTAMPTZ'})`,
  );
  await c.run(
    `CREATE TABLE interactions AS SELECT * FROM read_csv(${list(files.interactions)}, header=false, columns={'org_id':'UUID','id':'UUID','customer_id':'UUID','touchpoint_id':'UUID','agent_id':'UUID','kind':'VARCHAR','outcome':'VARCHAR','opened_at':'TIMESTAMPTZ','first_response_at':'TIMESTAMPTZ','resolved_at':'TIMESTAMPTZ'})`,
  );
  await c.run(
    `CREATE TABLE events AS SELECT * FROM read_csv(${list(files.events)}, header=false, columns={'org_id':'UUID','id':'UUID','customer_id':'UUID','type':'VARCHAR','occurred_at':'TIMESTAMPTZ','value':'DOUBLE'})`,
  );
  await c.run(`CREATE TABLE touchpoints (id UUID, key VARCHAR, dept VARCHAR)`);
  await c.run(
    `INSERT INTO touchpoints VALUES ${ids.tps.map((t, i) => `('${t}', 'tp${i}', '${ids.deptOfTp[i]}')`).join(',')}`,
  );
  await c.run(`SET TimeZone = 'UTC'`);
  const to = new Date(END).toISOString();
  const hist = Array.from({ length: 11 }, (_, i) => `count(*) FILTER (WHERE round(value_num) = ${i})`).join(', ');
  const q1 = `SELECT date_trunc('week', f.submitted_at) AS b, tp.key, count(*), ${hist} FROM answers f LEFT JOIN touchpoints tp ON tp.id = f.touchpoint_id
    WHERE f.org_id = '${ids.org}' AND f.type = 'nps' AND f.submitted_at >= TIMESTAMPTZ '${new Date(END - 728 * DAY).toISOString()}' AND f.submitted_at < TIMESTAMPTZ '${to}' GROUP BY 1, 2`;
  const q2 = `SELECT date_trunc('day', f.submitted_at) AS b, tp.key, count(*), ${hist} FROM answers f LEFT JOIN touchpoints tp ON tp.id = f.touchpoint_id
    WHERE f.org_id = '${ids.org}' AND f.type = 'nps' AND tp.dept = 'delivery' AND f.submitted_at >= TIMESTAMPTZ '${new Date(END - 90 * DAY).toISOString()}' AND f.submitted_at < TIMESTAMPTZ '${to}' GROUP BY 1, 2`;
  const a = new Date(END - 365 * DAY).toISOString();
  const b = new Date(END - 300 * DAY).toISOString();
  const loyalty = `WITH last AS (SELECT customer_id, arg_max(submitted_at, submitted_at) AS t, arg_max(round(value_num), submitted_at)::int AS box FROM answers
      WHERE org_id = '${ids.org}' AND type = 'nps' AND submitted_at >= TIMESTAMPTZ '${a}' AND submitted_at < TIMESTAMPTZ '${b}' GROUP BY customer_id),
    o AS (SELECT l.box, bool_or(e.type = 'cancellation') AS cancelled, bool_or(e.type = 'purchase') AS purchased, bool_or(e.type = 'referral_made') AS referred
      FROM last l LEFT JOIN events e ON e.customer_id = l.customer_id AND e.occurred_at > l.t AND e.occurred_at <= l.t + INTERVAL 180 DAY GROUP BY l.customer_id, l.box)
    SELECT box, count(*), count(*) FILTER (WHERE NOT coalesce(cancelled, false)), count(*) FILTER (WHERE purchased), count(*) FILTER (WHERE referred) FROM o GROUP BY box`;
  const run = (q: string) => async () => {
    await c.runAndReadAll(q);
  };
  const out = {
    nps_week_touchpoint_2y: await timed(run(q1)),
    nps_dept_90d: await timed(run(q2)),
    loyalty_by_box: await timed(run(loyalty)),
  };
  c.closeSync?.();
  return out;
}

/**
 * Trigger cost on ingestion: `batches` batches of 200 responses (nps, csat, ces answers) through
 * ingestBatch (identity resolution, idempotency, persist) with the rollup triggers on, then the
 * same volume with them disabled; answers per second both ways.
 */
async function triggerCost(store: Store, ids: Ids, batches: number, days: number) {
  const r = rng(7);
  const make = (b: number, tag: string) =>
    validateBatch(
      'responses',
      Array.from({ length: 200 }, (_, i) => ({
        customer_email: `trig-${tag}-${(b * 200 + i) % 5000}@example.com`,
        touchpoint: TPS[Math.floor(r() * TPS.length)].key,
        agent: i % 3 ? AGENTS[i % AGENTS.length].key : undefined,
        submitted_at: new Date(END - r() * days * DAY).toISOString(),
        answers: [
          { field: 'nps', type: 'nps', value: Math.floor(r() * 11) },
          { field: 'csat', type: 'csat', value: 1 + Math.floor(r() * 5) },
          { field: 'effort', type: 'ces', value: 1 + Math.floor(r() * 7) },
        ],
      })),
    ).records;
  const runOnce = async (tag: string) => {
    const data = Array.from({ length: batches }, (_, b) => make(b, tag));
    const t = performance.now();
    for (const recs of data) await ingestBatch(store, ids.org, 'responses', recs as never);
    return (performance.now() - t) / 1000;
  };
  await runOnce('warm');
  const on1 = await runOnce('on1');
  await setTriggers(store, false);
  const off1 = await runOnce('off1');
  await setTriggers(store, true);
  const on2 = await runOnce('on2');
  await setTriggers(store, false);
  const off2 = await runOnce('off2');
  await setTriggers(store, true);
  // Only 002's daily rollups (the week/month ones of 006 disabled): what 006 adds.
  const p006 = ROLLUP_TRIGGERS.filter((t) => /_period_/.test(t.trigger));
  for (const t of p006) await sql.raw(`ALTER TABLE ${t.table} DISABLE TRIGGER ${t.trigger}`).execute(store.db);
  const daily = await runOnce('daily');
  for (const t of p006) await sql.raw(`ALTER TABLE ${t.table} ENABLE TRIGGER ${t.trigger}`).execute(store.db);
  await rebuildRollups(store.db, ids.org);
  const answers = batches * 200 * 3;
  const on = (on1 + on2) / 2;
  const off = (off1 + off2) / 2;
  return {
    on_answers_per_s: answers / on,
    off_answers_per_s: answers / off,
    batch_ms_on: (on * 1000) / batches,
    batch_ms_off: (off * 1000) / batches,
    overhead: on / off - 1,
    batch_ms_daily_only: (daily * 1000) / batches,
  };
}

async function freshPg(url: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropPg(url: string, name: string) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

function arg(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const figures: Record<string, number> = {};
  const baselines: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  const notes: Record<string, string | number> = {};
  const stores = (arg(opts.args, 'stores') ?? 'postgres,pglite').split(',');
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const useDuck = !opts.args.includes('--no-duckdb');
  for (const kind of stores) {
    const n = Number(
      arg(opts.args, 'responses') ??
        (opts.quick ? (kind === 'postgres' ? 200_000 : 50_000) : kind === 'postgres' ? 10_000_000 : 1_000_000),
    );
    const sizes: Sizes = {
      responses: n,
      interactions: n,
      events: 2 * n,
      customers: Math.max(1000, Math.floor(n / 10)),
    };
    const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-analytics-'));
    const dbName = arg(opts.args, 'db') ?? 'canopy_bench_analytics';
    const keep = opts.args.includes('--keep');
    let store: Store | undefined;
    try {
      store =
        kind === 'postgres'
          ? await openStore({ databaseUrl: await freshPg(url, dbName), poolSize: 2 })
          : await openStore({});
      const triggers = arg(opts.args, 'load') === 'trig';
      const loaded = await load(store, sizes, dir, triggers);
      const p = kind;
      figures[`${p}_load_rows_per_s`] = Math.round(loaded.rows / loaded.seconds);
      if (!triggers) figures[`${p}_rollup_rebuild_s`] = loaded.rebuildSeconds;
      notes[`${p}_load`] = triggers ? 'COPY, triggers on' : 'COPY, triggers off, then rebuildRollups';
      notes[`${p}_rows`] =
        `${sizes.responses} answers, ${sizes.interactions} interactions, ${sizes.events} events, ${sizes.customers} customers`;
      const q = queries(store, loaded.ids.org);
      figures[`${p}_nps_week_touchpoint_2y_rollup_ms`] = await timed(q.q1(true));
      figures[`${p}_nps_week_touchpoint_2y_raw_ms`] = await timed(q.q1(false));
      figures[`${p}_nps_dept_90d_rollup_ms`] = await timed(q.q2(true));
      figures[`${p}_nps_dept_90d_raw_ms`] = await timed(q.q2(false));
      figures[`${p}_loyalty_by_box_ms`] = await timed(q.loyalty);
      figures[`${p}_key_drivers_90d_ms`] = await timed(q.drivers, 3);
      const tb = Number(arg(opts.args, 'trigger-batches') ?? 20);
      if (tb > 0) {
        const days = Number(arg(opts.args, 'trigger-days') ?? 2);
        notes[`${p}_ingest`] = `${tb} batches × 200 responses × 3 answers, submitted over the last ${days} day(s)`;
        const tc = await triggerCost(store, loaded.ids, tb, days);
        figures[`${p}_ingest_batch_ms_daily_rollups_only`] = tc.batch_ms_daily_only;
        figures[`${p}_ingest_answers_per_s_triggers_on`] = Math.round(tc.on_answers_per_s);
        figures[`${p}_ingest_answers_per_s_triggers_off`] = Math.round(tc.off_answers_per_s);
        figures[`${p}_ingest_batch_ms_triggers_on`] = tc.batch_ms_on;
        figures[`${p}_ingest_batch_ms_triggers_off`] = tc.batch_ms_off;
        ratios[`${p}_ingest_trigger_overhead`] = tc.overhead;
      }
      ratios[`${p}_nps_week_touchpoint_2y_rollup_vs_raw`] =
        figures[`${p}_nps_week_touchpoint_2y_rollup_ms`] / figures[`${p}_nps_week_touchpoint_2y_raw_ms`];
      ratios[`${p}_nps_dept_90d_rollup_vs_raw`] =
        figures[`${p}_nps_dept_90d_rollup_ms`] / figures[`${p}_nps_dept_90d_raw_ms`];
      if (useDuck) {
        const d = await duck(loaded.files, loaded.ids);
        if (d) {
          for (const [k, v] of Object.entries(d)) baselines[`${p}_duckdb_${k}_ms`] = v;
          ratios[`${p}_nps_week_touchpoint_2y_raw_vs_duckdb`] =
            figures[`${p}_nps_week_touchpoint_2y_raw_ms`] / d.nps_week_touchpoint_2y;
          ratios[`${p}_nps_week_touchpoint_2y_rollup_vs_duckdb`] =
            figures[`${p}_nps_week_touchpoint_2y_rollup_ms`] / d.nps_week_touchpoint_2y;
          ratios[`${p}_nps_dept_90d_raw_vs_duckdb`] = figures[`${p}_nps_dept_90d_raw_ms`] / d.nps_dept_90d;
          ratios[`${p}_loyalty_by_box_vs_duckdb`] = figures[`${p}_loyalty_by_box_ms`] / d.loyalty_by_box;
        } else notes.duckdb = 'not installed';
      }
    } finally {
      await store?.close();
      if (kind === 'postgres' && !keep) await dropPg(url, dbName).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  notes.method =
    'median of 5 warm runs (drivers: 3); DuckDB reads the same CSVs; trigger overhead = ingestBatch time with rollup triggers / without − 1 (200 responses × 3 answers per batch)';
  notes.load_average = (await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  return { name: 'analytics', figures, baselines, ratios, notes };
}

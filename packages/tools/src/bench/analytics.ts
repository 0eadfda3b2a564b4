import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ingestBatch, validateBatch } from '@canopy/server';
import {
  ANSWER_STATE_TRIGGERS,
  aggregate,
  createOrg,
  loyaltyCounts,
  openStore,
  ROLLUP_TRIGGERS,
  rebuildAnswerState,
  rebuildRollups,
  type Store,
  topicDriverStats,
  upsertAgents,
  upsertDepartments,
  upsertTouchpoints,
  verifyRollups,
} from '@canopy/store';
import { sql } from 'kysely';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { BenchOptions, BenchResult } from './report.js';
import { median, repoRoot } from './report.js';

/**
 * Analytics benchmark: N NPS answers, N interactions, 2N events and N/10 customers of one org,
 * generated inside the database (`INSERT … SELECT … FROM generate_series`, deterministic: every
 * value is a hash of the row number), then the dashboard and ad-hoc queries of the metrics API,
 * each the median of 5 warm runs, from rollups and from raw rows, with DuckDB on the same rows
 * (exported with COPY) as the yardstick.
 *
 * Loading: secondary indexes, primary keys and rollup triggers are dropped first and rebuilt
 * after (what a bulk import would do), rows are generated in two concurrent statements, the
 * rollups are filled by the app's own rebuild (`rebuildRollups`), then VACUUM ANALYZE. The data
 * stays (PostgreSQL database `canopy_bench_<size>`, PGlite folder under the cache dir, DuckDB
 * file beside it) and a later run reuses it when its generator version and row counts match.
 *
 * Args: --responses=N (default 10M on PostgreSQL, 1M on PGlite; --quick: 200k / 50k),
 * --stores=postgres,pglite, --no-duckdb, --reload (regenerate), --db=name, --trigger-batches=N
 * (trigger cost on ingestion through ingestBatch, default 20; --trigger-days=N spreads the
 * answers' times, default 2), --cache=dir (default $TMPDIR-independent /var/tmp/canopy-bench).
 * BENCH_DATABASE_URL as in the other benchmarks. Results of a store not run this time are kept
 * from bench/results/analytics.json, so PostgreSQL and PGlite can be measured in separate runs.
 */
const DAY = 86_400_000;
const END = Date.parse('2026-11-01T00:00:00Z');
const START = END - 730 * DAY;
/** Bump when the generated data changes: kept databases with another version are regenerated. */
const DATA_VERSION = 3;
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
  tps: string[];
  agents: string[];
  deptOfTp: string[];
}

/** SQL access that works on both stores: plain statements on one connection. */
interface Conn {
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  /** Writes the CSV of `select` to `file`. */
  copyOut(select: string, file: string): Promise<void>;
  release(): Promise<void>;
}

async function connect(store: Store): Promise<Conn> {
  if (store.pgPool) {
    const client = await store.pgPool.connect();
    return {
      query: (t) => client.query(t),
      async copyOut(select, file) {
        await pipeline(
          client.query(copyStreams.to(`COPY (${select}) TO STDOUT WITH (FORMAT csv)`)),
          createWriteStream(file),
        );
      },
      async release() {
        // Session settings of a load must not leak into the measured queries' connections.
        await client.query('RESET ALL');
        client.release();
      },
    };
  }
  const p = store.pglite;
  if (!p) throw new Error('no store connection');
  return {
    query: (t) => p.withConnection((db) => db.query(t) as Promise<{ rows: Record<string, unknown>[] }>),
    async copyOut(select, file) {
      const r = await p.withConnection((db) => db.query(`COPY (${select}) TO '/dev/blob' WITH (FORMAT csv)`));
      const blob = (r as { blob?: Blob }).blob;
      writeFileSync(file, blob ? Buffer.from(await blob.arrayBuffer()) : '');
    },
    async release() {},
  };
}

/** Uniform [0, 1) from a row number and a stream number: deterministic, no state. */
const R = (i: string, k: number) => `((hashint8extended((${i})::int8, ${k}) & 2147483647)::float8 / 2147483648.0)`;
const ts = (seconds: string) => `to_timestamp(${seconds})`;
const START_S = START / 1000;
/** Row i of n at a time that grows with i (volume grows ~3× over two years): rows arrive in time order. */
const timeOf = (i: string, n: number, k: number) =>
  ts(`${START_S} + ${730 * 86400} * (sqrt(1 + 3 * ((${i} + ${R(i, k)}) / ${n}.0)) - 1)`);
/** Touchpoint index, skewed: tp0 gets ~12% of the traffic, tp29 ~2%. */
const tpOf = (i: string, k: number) => `floor(30 * ${R(i, k)} ^ 1.6)::int`;
/** Customers' latent problems (what the drivers should find): late deliveries, billing errors. */
const late = (c: string) => `(${R(c, 1)} < 0.12)::int`;
const billing = (c: string) => `(${R(c, 2)} < 0.08)::int`;
const cust = (c: string) => `md5('c' || ${c})::uuid`;

function generators(ids: Ids, s: Sizes) {
  const tps = `(ARRAY[${ids.tps.map((t) => `'${t}'`).join(',')}]::uuid[])`;
  const agents = `(ARRAY[${ids.agents.map((t) => `'${t}'`).join(',')}]::uuid[])`;
  // A few touchpoints score lower (the touchpoint drivers to find).
  const penalty = `(ARRAY[${TPS.map((_, i) => (i % 7 === 3 ? 0.8 : 0)).join(',')}]::float8[])`;
  const org = `'${ids.org}'::uuid`;
  const nc = s.customers;
  return {
    customers: (a: number, b: number) => `
      INSERT INTO customers (org_id, id, segment, acquired_at)
      SELECT ${org}, ${cust('c')},
        CASE WHEN ${R('c', 3)} < 0.7 THEN 'consumer' WHEN ${R('c', 3)} < 0.95 THEN 'smb' ELSE 'enterprise' END,
        ${ts(`${START_S - 365 * 86400} + ${R('c', 4)} * ${900 * 86400}`)}
      FROM generate_series(${a}, ${b - 1}) c`,
    answers: (a: number, b: number) => `
      INSERT INTO answers (org_id, response_id, field, type, value_num, customer_id, touchpoint_id, agent_id, submitted_at)
      SELECT ${org}, md5('r' || i)::uuid, 'nps', 'nps',
        greatest(0, least(10, round(8.2 - 2.2 * ${late('c')} - 2.6 * ${billing('c')} - ${penalty}[t + 1]
          + (${R('i', 13)} - 0.5) * 4))),
        ${cust('c')}, ${tps}[t + 1], CASE WHEN t % 3 = 0 THEN ${agents}[i % 20 + 1] END, ${timeOf('i', s.responses, 14)}
      FROM (SELECT i, floor(${R('i', 11)} * ${nc})::int AS c, ${tpOf('i', 12)} AS t FROM generate_series(${a}, ${b - 1}) i) g`,
    interactions: (a: number, b: number) => `
      INSERT INTO interactions (org_id, id, customer_id, touchpoint_id, agent_id, kind, outcome, opened_at, first_response_at, resolved_at)
      SELECT ${org}, md5('i' || i)::uuid, ${cust('c')}, ${tps}[t + 1], ${agents}[i % 20 + 1],
        (ARRAY['ticket','email','call','chat','visit'])[t % 5 + 1],
        CASE WHEN ${late('c')} = 1 AND ${R('i', 23)} < 0.3 THEN 'late'
          WHEN ${billing('c')} = 1 AND ${R('i', 24)} < 0.3 THEN 'billing_error'
          WHEN i % 3 = 0 THEN 'explained' ELSE 'resolved' END,
        at, at + ${R('i', 25)} * interval '1 hour',
        CASE WHEN ${R('i', 26)} < 0.8 THEN at + ${R('i', 27)} * interval '1 day' END
      FROM (SELECT i, floor(${R('i', 21)} * ${nc})::int AS c, ${tpOf('i', 22)} AS t, ${timeOf('i', s.interactions, 28)} AS at
        FROM generate_series(${a}, ${b - 1}) i) g`,
    events: (a: number, b: number) => `
      INSERT INTO events (org_id, id, customer_id, type, occurred_at, value)
      SELECT ${org}, md5('e' || i)::uuid, ${cust('c')}, type, ${timeOf('i', s.events, 33)},
        CASE WHEN type = 'purchase' THEN round((20 + ${R('i', 34)} * 80)::numeric, 2)::float8 END
      FROM (SELECT i, c, CASE WHEN k = 6 AND ${R('i', 32)} > 0.05 + 0.2 * (${late('c')} + ${billing('c')}) THEN 'page_view'
          ELSE (ARRAY['email_open','email_open','page_view','purchase','app_action','referral_made','cancellation'])[k + 1] END AS type
        FROM (SELECT i, floor(${R('i', 31)} * ${nc})::int AS c, (i % 7)::int AS k FROM generate_series(${a}, ${b - 1}) i) x) g`,
  };
}

const TABLES = ['customers', 'answers', 'interactions', 'events'] as const;

/**
 * The indexes and primary keys of the big tables, to drop before a bulk load and rebuild after
 * (customers keep theirs: other tables' foreign keys need its primary key).
 */
async function indexDefs(c: Conn): Promise<{ table: string; name: string; def: string; constraint: boolean }[]> {
  const r = await c.query(`
    SELECT t.relname AS table, i.relname AS name, pg_get_indexdef(i.oid) AS def, k.conname IS NOT NULL AS constraint,
      coalesce(pg_get_constraintdef(k.oid), '') AS condef
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    LEFT JOIN pg_constraint k ON k.conindid = i.oid AND k.contype IN ('p', 'u')
    WHERE t.relname IN ('answers', 'interactions', 'events') AND t.relnamespace = 'public'::regnamespace`);
  return r.rows.map((x) => ({
    table: String(x.table),
    name: String(x.name),
    def: x.constraint ? `ALTER TABLE ${x.table} ADD CONSTRAINT ${x.name} ${x.condef}` : String(x.def),
    constraint: !!x.constraint,
  }));
}

/** Runs statements on up to `width` connections at once (PGlite: one after another). */
async function parallel(store: Store, width: number, stmts: string[], settings: string[] = []): Promise<void> {
  const queue = [...stmts];
  const worker = async () => {
    const c = await connect(store);
    try {
      for (const s of settings) await c.query(s);
      for (let q = queue.shift(); q !== undefined; q = queue.shift()) await c.query(q);
    } finally {
      await c.release();
    }
  };
  await Promise.all(Array.from({ length: store.pgPool ? width : 1 }, worker));
}

async function setTriggers(store: Store, on: boolean) {
  for (const t of new Set([...ROLLUP_TRIGGERS, ...ANSWER_STATE_TRIGGERS].map((x) => x.table))) {
    await sql.raw(`ALTER TABLE ${t} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER USER`).execute(store.db);
  }
}

interface Meta {
  version: number;
  sizes: Sizes;
  org: string;
  load_s: number;
  rows_per_s: number;
  index_s: number;
  rollup_s: number;
  /** Filling answer_outcomes and answer_drivers (015, 016); absent in data kept from before them, which the migrations filled. */
  outcomes_s?: number;
  vacuum_s: number;
}

async function readMeta(store: Store): Promise<Meta | null> {
  try {
    const r = await sql<{ meta: Meta }>`SELECT meta FROM bench_meta`.execute(store.db);
    return r.rows[0]?.meta ?? null;
  } catch {
    return null;
  }
}

async function orgIds(store: Store, org: string): Promise<Ids> {
  const tpRows = await sql<{
    id: string;
    key: string;
    dept: string;
  }>`SELECT tp.id, tp.key, d.key AS dept FROM touchpoints tp
    JOIN departments d ON d.org_id = tp.org_id AND d.id = tp.department_id WHERE tp.org_id = ${org}::uuid`.execute(
    store.db,
  );
  const agRows = await sql<{ id: string; key: string }>`SELECT id, key FROM agents WHERE org_id = ${org}::uuid`.execute(
    store.db,
  );
  const byKey = new Map(tpRows.rows.map((r) => [r.key, r]));
  return {
    org,
    tps: TPS.map((t) => byKey.get(t.key)?.id as string),
    deptOfTp: TPS.map((t) => byKey.get(t.key)?.dept as string),
    agents: AGENTS.map((a) => agRows.rows.find((r) => r.key === a.key)?.id as string),
  };
}

/** Row counts of the bench org: a kept database is reused only when they match. */
async function counts(store: Store, org: string): Promise<Sizes> {
  const n = async (t: string) =>
    Number(
      (
        await sql
          .raw<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${t} WHERE org_id = '${org}'::uuid`)
          .execute(store.db)
      ).rows[0].n,
    );
  return {
    responses: await n('answers'),
    interactions: await n('interactions'),
    events: await n('events'),
    customers: await n('customers'),
  };
}

const log = (m: string) => console.error(`[analytics ${new Date().toISOString().slice(11, 19)}] ${m}`);

/** Generates the data set (or finds it already there); returns the org and load figures. */
async function ensureLoaded(store: Store, s: Sizes): Promise<{ ids: Ids; meta: Meta; reused: boolean }> {
  const old = await readMeta(store);
  // Compared field by field: jsonb does not keep the keys' order.
  const same = (a: Sizes, b: Sizes) => (Object.keys(b) as (keyof Sizes)[]).every((k) => a[k] === b[k]);
  if (old && old.version === DATA_VERSION && same(old.sizes, s)) {
    const have = await counts(store, old.org);
    if (same(have, s)) {
      // Statistics a newer migration may have added (CREATE STATISTICS) are empty until ANALYZE.
      await sql`ANALYZE`.execute(store.db);
      return { ids: await orgIds(store, old.org), meta: old, reused: true };
    }
    log(`kept data has ${JSON.stringify(have)}, want ${JSON.stringify(s)}: regenerating`);
  }
  // Anything else in the store (another data set, a load cut short) is dropped by the caller.
  const orgs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM orgs`.execute(store.db);
  if (old || orgs.rows[0].n > 0) throw new Error('the store holds another data set: open a fresh one');
  const org = await createOrg(store.db, `bench-${randomUUID().slice(0, 8)}`, 'Bench');
  await upsertDepartments(store.db, org.id, DEPTS.map((k) => ({ key: k, name: k, function: k })) as never);
  await upsertTouchpoints(store.db, org.id, TPS.map((t) => ({ ...t, planned: true, direct: true })) as never);
  await upsertAgents(store.db, org.id, AGENTS);
  const ids = await orgIds(store, org.id);
  const c = await connect(store);
  const defs = await indexDefs(c);
  await c.release();
  await setTriggers(store, false);
  for (const d of defs.filter((x) => !x.constraint)) await sql.raw(`DROP INDEX ${d.name}`).execute(store.db);
  for (const d of defs.filter((x) => x.constraint))
    await sql.raw(`ALTER TABLE ${d.table} DROP CONSTRAINT ${d.name}`).execute(store.db);
  const g = generators(ids, s);
  const pieces = (n: number, f: (a: number, b: number) => string) => {
    // Pieces of ≤ 1M rows: two connections share them, and each statement's memory stays small.
    const k = Math.max(2, Math.ceil(n / 1_000_000));
    return Array.from({ length: k }, (_, j) => f(Math.floor((j * n) / k), Math.floor(((j + 1) * n) / k)));
  };
  const settings = store.pgPool ? ['SET synchronous_commit = off', 'SET jit = off'] : [];
  let t = performance.now();
  for (const table of TABLES) {
    log(`generating ${table}`);
    const n = table === 'customers' ? s.customers : table === 'answers' ? s.responses : s[table];
    await parallel(store, 2, pieces(n, g[table]), settings);
  }
  const load_s = (performance.now() - t) / 1000;
  const rows = s.customers + s.responses + s.interactions + s.events;
  log(`generated ${rows} rows in ${load_s.toFixed(0)} s; building ${defs.length} indexes`);
  t = performance.now();
  // Primary keys first (a constraint's ALTER TABLE locks the table), then the rest two at a time.
  await parallel(
    store,
    2,
    defs.filter((d) => d.constraint).map((d) => d.def),
    store.pgPool ? ["SET maintenance_work_mem = '1GB'"] : [],
  );
  await parallel(
    store,
    2,
    defs.filter((d) => !d.constraint).map((d) => d.def),
    store.pgPool ? ["SET maintenance_work_mem = '1GB'"] : [],
  );
  const index_s = (performance.now() - t) / 1000;
  log(`indexes in ${index_s.toFixed(0)} s; filling the rollups`);
  t = performance.now();
  await rebuildRollups(store.db, org.id);
  const rollup_s = (performance.now() - t) / 1000;
  log(`rollups in ${rollup_s.toFixed(0)} s; the answers' outcomes and drivers`);
  t = performance.now();
  // Statistics first: without them the fills probe an index per answer (~15 min at 10M rows).
  await sql`ANALYZE`.execute(store.db);
  await rebuildAnswerState(store.db, org.id);
  await setTriggers(store, true);
  const outcomes_s = (performance.now() - t) / 1000;
  log(`answer outcomes and drivers in ${outcomes_s.toFixed(0)} s; VACUUM ANALYZE`);
  t = performance.now();
  // As autovacuum would: statistics, and visibility maps for index-only scans.
  await sql`VACUUM ANALYZE`.execute(store.db);
  const vacuum_s = (performance.now() - t) / 1000;
  const meta: Meta = {
    version: DATA_VERSION,
    sizes: s,
    org: org.id,
    load_s,
    rows_per_s: Math.round(rows / load_s),
    index_s,
    rollup_s,
    outcomes_s,
    vacuum_s,
  };
  await sql.raw(`CREATE TABLE bench_meta (org_id uuid PRIMARY KEY, meta jsonb NOT NULL)`).execute(store.db);
  await sql`INSERT INTO bench_meta VALUES (${org.id}::uuid, ${JSON.stringify(meta)}::jsonb)`.execute(store.db);
  return { ids, meta, reused: false };
}

/** Median of `runs` timed runs after `warm` untimed ones. */
async function timed(fn: () => Promise<unknown>, runs = 5, warm = 1): Promise<number> {
  for (let i = 0; i < warm; i++) await fn();
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
  // Loyalty and drivers read the per-answer state (015, 016); `sorted`/`raw` are the paths without
  // it (each customer's last answer by sorting; drivers by joining the interactions), and `dept`
  // the same questions filtered to one department (ad hoc: sorting, filtered state rows).
  const loyalty =
    (filter: { department?: string[] } = {}, useNextAnswer = true) =>
    () =>
      loyaltyCounts(store.db, org, {
        type: 'nps',
        from: new Date(END - 365 * DAY),
        to: new Date(END - 300 * DAY),
        filter,
        horizonDays: 180,
        now: to,
        useNextAnswer,
      });
  const drivers =
    (filter: { department?: string[] } = {}, useState = true, useRollup = true) =>
    () =>
      topicDriverStats(store.db, org, {
        outcome: 'nps',
        from: from90,
        to,
        filter,
        lookbackDays: 90,
        maxDrivers: 12,
        minCoverage: 0.005,
        source: 'outcomes',
        useState,
        useRollup,
      });
  return { q1, q2, loyalty, drivers };
}

/**
 * DuckDB on the same rows: each table exported with COPY (CSV) and loaded into a DuckDB file kept
 * beside the data (reused while the generator version and sizes match), then the raw queries.
 */
async function duck(store: Store, ids: Ids, s: Sizes, dir: string): Promise<Record<string, number> | null> {
  let mod: typeof import('@duckdb/node-api');
  try {
    mod = await import('@duckdb/node-api');
  } catch {
    return null;
  }
  const file = join(dir, 'duck.db');
  const stamp = join(dir, 'duck.json');
  const want = JSON.stringify({ version: DATA_VERSION, sizes: s, org: ids.org });
  const fresh = !(existsSync(stamp) && readFileSync(stamp, 'utf8') === want);
  if (fresh) rmSync(file, { force: true });
  const inst = await mod.DuckDBInstance.create(file, { threads: '2' });
  const c = await inst.connect();
  await c.run(`SET TimeZone = 'UTC'`);
  if (fresh) {
    log('DuckDB: exporting the rows');
    const pgc = await connect(store);
    const org = `org_id = '${ids.org}'::uuid`;
    const tables: [string, string, string][] = [
      [
        'answers',
        `SELECT customer_id, touchpoint_id, agent_id, type, value_num, submitted_at FROM answers WHERE ${org}`,
        `{'customer_id':'UUID','touchpoint_id':'UUID','agent_id':'UUID','type':'VARCHAR','value_num':'DOUBLE','submitted_at':'TIMESTAMPTZ'}`,
      ],
      [
        'interactions',
        `SELECT customer_id, touchpoint_id, outcome, opened_at FROM interactions WHERE ${org}`,
        `{'customer_id':'UUID','touchpoint_id':'UUID','outcome':'VARCHAR','opened_at':'TIMESTAMPTZ'}`,
      ],
      [
        'events',
        `SELECT customer_id, type, occurred_at, value FROM events WHERE ${org}`,
        `{'customer_id':'UUID','type':'VARCHAR','occurred_at':'TIMESTAMPTZ','value':'DOUBLE'}`,
      ],
    ];
    try {
      for (const [t, select, cols] of tables) {
        const csv = join(dir, `${t}.csv`);
        await pgc.copyOut(select, csv);
        await c.run(`CREATE TABLE ${t} AS SELECT * FROM read_csv('${csv}', header=false, columns=${cols})`);
        rmSync(csv, { force: true });
      }
    } finally {
      await pgc.release();
    }
    await c.run(`CREATE TABLE touchpoints (id UUID, key VARCHAR, dept VARCHAR)`);
    await c.run(
      `INSERT INTO touchpoints VALUES ${ids.tps.map((t, i) => `('${t}', 'tp${i}', '${ids.deptOfTp[i]}')`).join(',')}`,
    );
    await c.run('CHECKPOINT');
    writeFileSync(stamp, want);
  }
  const to = new Date(END).toISOString();
  const from90 = new Date(END - 90 * DAY).toISOString();
  const hist = Array.from({ length: 11 }, (_, i) => `count(*) FILTER (WHERE round(value_num) = ${i})`).join(', ');
  const q1 = `SELECT date_trunc('week', f.submitted_at) AS b, tp.key, count(*), sum(value_num), sum(value_num ^ 2), ${hist}
    FROM answers f LEFT JOIN touchpoints tp ON tp.id = f.touchpoint_id
    WHERE f.type = 'nps' AND f.value_num IS NOT NULL AND f.submitted_at >= TIMESTAMPTZ '${new Date(END - 728 * DAY).toISOString()}'
      AND f.submitted_at < TIMESTAMPTZ '${to}' GROUP BY 1, 2`;
  const q2 = `SELECT date_trunc('day', f.submitted_at) AS b, tp.key, count(*), sum(value_num), sum(value_num ^ 2), ${hist}
    FROM answers f LEFT JOIN touchpoints tp ON tp.id = f.touchpoint_id
    WHERE f.type = 'nps' AND f.value_num IS NOT NULL AND tp.dept = 'delivery'
      AND f.submitted_at >= TIMESTAMPTZ '${from90}' AND f.submitted_at < TIMESTAMPTZ '${to}' GROUP BY 1, 2`;
  const a = new Date(END - 365 * DAY).toISOString();
  const b = new Date(END - 300 * DAY).toISOString();
  const loyalty = `WITH last AS (SELECT customer_id, max(submitted_at) AS t, arg_max(round(value_num), submitted_at)::int AS box FROM answers
      WHERE type = 'nps' AND value_num IS NOT NULL AND customer_id IS NOT NULL
        AND submitted_at >= TIMESTAMPTZ '${a}' AND submitted_at < TIMESTAMPTZ '${b}' GROUP BY customer_id),
    o AS (SELECT l.box, bool_or(e.type = 'cancellation') AS cancelled, bool_or(e.type = 'purchase') AS purchased,
        bool_or(e.type = 'referral_made') AS referred
      FROM last l LEFT JOIN events e ON e.customer_id = l.customer_id AND e.occurred_at > l.t AND e.occurred_at <= l.t + INTERVAL 180 DAY
        AND e.type IN ('cancellation', 'purchase', 'referral_made')
      GROUP BY l.customer_id, l.box)
    SELECT box, count(*), count(*) FILTER (WHERE NOT coalesce(cancelled, false)), count(*) FILTER (WHERE purchased),
      count(*) FILTER (WHERE referred) FROM o GROUP BY box`;
  // topicDriverStats(source: outcomes): per NPS answer, the touchpoint:outcome pairs of the
  // customer's interactions in the 90 days before; sums for the correlation matrix.
  const drivers = `WITH y AS (SELECT row_number() OVER () AS rid, customer_id, submitted_at - INTERVAL 90 DAY AS t0, submitted_at AS t1, value_num AS y
      FROM answers WHERE type = 'nps' AND value_num IS NOT NULL AND customer_id IS NOT NULL
        AND submitted_at >= TIMESTAMPTZ '${from90}' AND submitted_at < TIMESTAMPTZ '${to}'),
    m AS (SELECT DISTINCT y.rid, y.y, tp.key || ':' || i.outcome AS topic FROM y
      JOIN interactions i ON i.customer_id = y.customer_id AND i.opened_at >= y.t0 AND i.opened_at <= y.t1 AND i.outcome IS NOT NULL
      JOIN touchpoints tp ON tp.id = i.touchpoint_id),
    tot AS (SELECT count(*) AS n, coalesce(sum(y), 0) AS s, coalesce(sum(y * y), 0) AS s2 FROM y),
    top AS (SELECT topic, count(*) AS n, sum(y) AS s FROM m, tot GROUP BY topic, tot.n, tot.s, tot.s2
      HAVING count(*) >= greatest(5, 0.005 * tot.n)
      ORDER BY abs((tot.n * sum(y) - count(*) * tot.s) / nullif(sqrt((tot.n * count(*) - count(*) ^ 2) * (tot.n * tot.s2 - tot.s ^ 2)), 0)) DESC NULLS LAST, topic
      LIMIT 12)
    SELECT 'total', NULL, NULL, n, s FROM tot
    UNION ALL SELECT 'driver', topic, NULL, n, s FROM top
    UNION ALL SELECT 'pair', m1.topic, m2.topic, count(*), 0 FROM m m1 JOIN m m2 ON m2.rid = m1.rid AND m1.topic < m2.topic
      WHERE m1.topic IN (SELECT topic FROM top) AND m2.topic IN (SELECT topic FROM top) GROUP BY m1.topic, m2.topic`;
  const run = (q: string) => async () => {
    await c.runAndReadAll(q);
  };
  const out = {
    nps_week_touchpoint_2y: await timed(run(q1)),
    nps_dept_90d: await timed(run(q2)),
    loyalty_by_box: await timed(run(loyalty)),
    key_drivers_90d: await timed(run(drivers)),
  };
  c.closeSync?.();
  inst.closeSync?.();
  return out;
}

/**
 * Trigger cost on ingestion: `batches` batches of 200 responses (nps, csat, ces answers) through
 * ingestBatch (identity resolution, idempotency, persist) with the rollup triggers on, then the
 * same volume with them disabled; answers per second both ways.
 */
async function triggerCost(store: Store, batches: number, days: number) {
  // An org of its own, in the loaded database (the tables' size is what the triggers work
  // against): the kept bench org stays as generated.
  const org = await createOrg(store.db, `bench-trig-${randomUUID().slice(0, 8)}`, 'Bench triggers');
  await upsertDepartments(store.db, org.id, DEPTS.map((k) => ({ key: k, name: k, function: k })) as never);
  await upsertTouchpoints(store.db, org.id, TPS.map((t) => ({ ...t, planned: true, direct: true })) as never);
  await upsertAgents(store.db, org.id, AGENTS);
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
    for (const recs of data) await ingestBatch(store, org.id, 'responses', recs as never);
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
  await rebuildRollups(store.db, org.id);
  const diffs = await verifyRollups(store.db, org.id);
  if (diffs.some((d) => d.mismatches)) throw new Error(`rollups differ from raw rows: ${JSON.stringify(diffs)}`);
  // The runs with triggers off left answers without outcome and driver rows.
  await rebuildAnswerState(store.db, org.id);
  const answers = batches * 200 * 3;
  const on = (on1 + on2) / 2;
  const off = (off1 + off2) / 2;
  return {
    on_answers_per_s: answers / on,
    off_answers_per_s: answers / off,
    batch_ms_on: (on * 1000) / batches,
    batch_ms_off: (off * 1000) / batches,
    overhead: on / off - 1,
  };
}

const adminUrl = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Opens the kept database (created when missing). */
async function openPg(url: string, name: string, drop: boolean): Promise<Store> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  await admin(url, async (c) => {
    if (drop) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!r.rowCount) await c.query(`CREATE DATABASE ${name}`);
  });
  return openStore({ databaseUrl: adminUrl(url, name), poolSize: 2 });
}

function arg(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const label = (n: number) =>
  n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}m` : n >= 1e3 ? `${Math.round(n / 1e3)}k` : `${n}`;

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const figures: Record<string, number> = {};
  const baselines: Record<string, number> = {};
  const ratios: Record<string, number> = {};
  const notes: Record<string, string | number> = {};
  const stores = (arg(opts.args, 'stores') ?? 'postgres,pglite').split(',');
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const useDuck = !opts.args.includes('--no-duckdb');
  const reload = opts.args.includes('--reload');
  const cache = arg(opts.args, 'cache') ?? '/var/tmp/canopy-bench';
  for (const kind of stores) {
    if (kind !== 'postgres' && kind !== 'pglite') throw new Error(`unknown store ${kind}`);
    const n = Number(
      arg(opts.args, 'responses') ??
        (opts.quick ? (kind === 'postgres' ? 200_000 : 50_000) : kind === 'postgres' ? 10_000_000 : 1_000_000),
    );
    if (!Number.isInteger(n) || n < 1000) throw new Error('--responses must be a whole number ≥ 1000');
    const sizes: Sizes = {
      responses: n,
      interactions: n,
      events: 2 * n,
      customers: Math.max(1000, Math.floor(n / 10)),
    };
    const name = arg(opts.args, 'db') ?? `canopy_bench_${label(n)}`;
    const dir = join(cache, `${kind}-${label(n)}`);
    mkdirSync(dir, { recursive: true });
    const open = async (fresh: boolean): Promise<Store> => {
      if (kind === 'postgres') return openPg(url, name, fresh);
      if (fresh) rmSync(join(dir, 'pglite'), { recursive: true, force: true });
      return openStore({ dataDir: join(dir, 'pglite'), durable: false });
    };
    let store = await open(reload);
    try {
      let loaded: Awaited<ReturnType<typeof ensureLoaded>>;
      try {
        loaded = await ensureLoaded(store, sizes);
      } catch (err) {
        if (!/another data set/.test(String(err))) throw err;
        await store.close();
        store = await open(true);
        loaded = await ensureLoaded(store, sizes);
      }
      const p = kind;
      const m = loaded.meta;
      figures[`${p}_generate_rows_per_s`] = m.rows_per_s;
      figures[`${p}_generate_s`] = m.load_s;
      figures[`${p}_index_build_s`] = m.index_s;
      figures[`${p}_rollup_rebuild_s`] = m.rollup_s;
      if (m.outcomes_s !== undefined) figures[`${p}_answer_outcomes_rebuild_s`] = m.outcomes_s;
      figures[`${p}_vacuum_analyze_s`] = m.vacuum_s;
      notes[`${p}_load`] =
        `generated in the database (INSERT … SELECT generate_series, ${kind === 'postgres' ? '2 connections' : 'one connection'}), indexes and keys dropped and rebuilt, rollups by rebuildRollups${loaded.reused ? '; this run reused the data kept from an earlier one' : ''}`;
      notes[`${p}_rows`] =
        `${sizes.responses} answers, ${sizes.interactions} interactions, ${sizes.events} events, ${sizes.customers} customers`;
      log('timing queries');
      const q = queries(store, loaded.ids.org);
      // Dashboard queries take milliseconds: a server answering them runs warm (JIT-compiled result
      // handling), which the first few calls of a fresh process are not.
      figures[`${p}_nps_week_touchpoint_2y_rollup_ms`] = await timed(q.q1(true), 15, 10);
      figures[`${p}_nps_week_touchpoint_2y_raw_ms`] = await timed(q.q1(false));
      figures[`${p}_nps_dept_90d_rollup_ms`] = await timed(q.q2(true), 15, 10);
      figures[`${p}_nps_dept_90d_raw_ms`] = await timed(q.q2(false));
      figures[`${p}_loyalty_by_box_ms`] = await timed(q.loyalty());
      figures[`${p}_loyalty_by_box_sorted_ms`] = await timed(q.loyalty({}, false));
      figures[`${p}_loyalty_by_box_dept_ms`] = await timed(q.loyalty({ department: ['delivery'] }));
      figures[`${p}_key_drivers_90d_ms`] = await timed(q.drivers());
      figures[`${p}_key_drivers_90d_driver_rows_ms`] = await timed(q.drivers({}, true, false));
      figures[`${p}_key_drivers_90d_dept_ms`] = await timed(q.drivers({ department: ['delivery'] }));
      figures[`${p}_key_drivers_90d_raw_ms`] = await timed(q.drivers({}, false), 3);
      ratios[`${p}_nps_week_touchpoint_2y_rollup_vs_raw`] =
        figures[`${p}_nps_week_touchpoint_2y_rollup_ms`] / figures[`${p}_nps_week_touchpoint_2y_raw_ms`];
      ratios[`${p}_nps_dept_90d_rollup_vs_raw`] =
        figures[`${p}_nps_dept_90d_rollup_ms`] / figures[`${p}_nps_dept_90d_raw_ms`];
      if (useDuck) {
        const d = await duck(store, loaded.ids, sizes, dir);
        if (d) {
          for (const [k, v] of Object.entries(d)) baselines[`${p}_duckdb_${k}_ms`] = v;
          ratios[`${p}_nps_week_touchpoint_2y_raw_vs_duckdb`] =
            figures[`${p}_nps_week_touchpoint_2y_raw_ms`] / d.nps_week_touchpoint_2y;
          ratios[`${p}_nps_week_touchpoint_2y_rollup_vs_duckdb`] =
            figures[`${p}_nps_week_touchpoint_2y_rollup_ms`] / d.nps_week_touchpoint_2y;
          ratios[`${p}_nps_dept_90d_raw_vs_duckdb`] = figures[`${p}_nps_dept_90d_raw_ms`] / d.nps_dept_90d;
          ratios[`${p}_loyalty_by_box_vs_duckdb`] = figures[`${p}_loyalty_by_box_ms`] / d.loyalty_by_box;
          ratios[`${p}_key_drivers_90d_vs_duckdb`] = figures[`${p}_key_drivers_90d_ms`] / d.key_drivers_90d;
        } else notes.duckdb = 'not installed';
      }
      const tb = Number(arg(opts.args, 'trigger-batches') ?? (opts.quick ? 5 : 20));
      if (tb > 0) {
        log('trigger cost');
        const days = Number(arg(opts.args, 'trigger-days') ?? 2);
        notes[`${p}_ingest`] =
          `${tb} batches × 200 responses × 3 answers through ingestBatch, submitted over the last ${days} day(s), into a small org of the loaded database`;
        const tc = await triggerCost(store, tb, days);
        figures[`${p}_ingest_answers_per_s_triggers_on`] = Math.round(tc.on_answers_per_s);
        figures[`${p}_ingest_answers_per_s_triggers_off`] = Math.round(tc.off_answers_per_s);
        figures[`${p}_ingest_batch_ms_triggers_on`] = tc.batch_ms_on;
        figures[`${p}_ingest_batch_ms_triggers_off`] = tc.batch_ms_off;
        ratios[`${p}_ingest_trigger_overhead`] = tc.overhead;
      }
    } finally {
      await store.close();
    }
  }
  notes.method =
    'median of 5 runs per query after one warm-up (rollup queries: 15 after 10; key drivers without the kept driver rows: 3); key drivers read the daily driver pair sums (017) where the request fits them, `_driver_rows` the kept driver rows (016), `_raw` neither; DuckDB reads the same rows (COPY export) with 2 threads; trigger overhead = ingestBatch time with the rollup and answer-state triggers / without − 1 (200 responses × 3 answers per batch); the 2-core machine was shared with other work';
  notes.load_average = (await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  // Keep the figures of stores not measured this time (PostgreSQL and PGlite run separately).
  const prevFile = join(repoRoot, 'bench', 'results', 'analytics.json');
  if (existsSync(prevFile) && stores.length < 2) {
    try {
      const prev = JSON.parse(readFileSync(prevFile, 'utf8')) as BenchResult & { when?: string };
      const other = (k: string) => !stores.some((s) => k.startsWith(`${s}_`)) && /^(postgres|pglite)_/.test(k);
      for (const [dst, src] of [
        [figures, prev.figures],
        [baselines, prev.baselines],
        [ratios, prev.ratios],
        [notes, prev.notes ?? {}],
      ] as [Record<string, unknown>, Record<string, unknown>][]) {
        for (const [k, v] of Object.entries(src ?? {})) if (other(k) && !(k in dst)) dst[k] = v;
      }
      if (prev.when) notes[`kept_from_${prev.when}`] = 'figures of the other store, from that earlier run';
    } catch {
      // An unreadable earlier result is simply replaced.
    }
  }
  return { name: 'analytics', figures, baselines, ratios, notes };
}

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations/index.js';
import { PGlitePool } from './pglite-pool.js';
import type { Database } from './schema.js';

export interface StoreConfig {
  /** PostgreSQL URL (postgres://…). When absent, the embedded PGlite store is used. */
  databaseUrl?: string;
  /** PGlite data folder; `memory://` (or undefined with `memory: true`) keeps it in memory. */
  dataDir?: string;
  /**
   * PGlite only (default true): a commit is acknowledged after its WAL is fsynced. PGlite's own
   * default is fsync=off, and its file layer never fsyncs at all, so Canopy syncs the WAL itself.
   */
  durable?: boolean;
  /** pg only: pool size. */
  poolSize?: number;
}

export interface Store {
  kind: 'pglite' | 'postgres';
  db: Kysely<Database>;
  /** Where the data lives, for logs ("PGlite at ./.canopy-data", "PostgreSQL at host/db"). */
  location: string;
  pglite?: PGlitePool;
  pgPool?: pg.Pool;
  close(): Promise<void>;
}

// int8 (counts, sums of integers) and numeric come back as strings from pg: parse them to
// numbers on both drivers so results agree. Counts stay far below 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));
pg.types.setTypeParser(1700, (v: string) => Number(v));

export async function openStore(config: StoreConfig = {}): Promise<Store> {
  const store = config.databaseUrl ? openPostgres(config.databaseUrl, config.poolSize ?? 10) : await openPGlite(config);
  await migrate(store.db);
  await refreshStatistics(store);
  return store;
}

function openPostgres(url: string, poolSize: number): Store {
  // jit=off: JIT compilation costs more than it saves on the short analytical queries we run.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' });
  // An idle connection closed by the server (a restart, a dropped database) is an 'error' event on
  // the pool; unhandled it would crash the process. The pool replaces the connection on next use.
  pool.on('error', (err) => console.error(`canopy: an idle database connection was closed: ${err.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const u = new URL(url);
  return {
    kind: 'postgres',
    db,
    pgPool: pool,
    location: `PostgreSQL at ${u.host}${u.pathname}`,
    close: () => db.destroy(),
  };
}

async function openPGlite(config: StoreConfig): Promise<Store> {
  const memory = !config.dataDir || config.dataDir.startsWith('memory://');
  const dataDir = memory ? undefined : resolve(config.dataDir!);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const durable = config.durable ?? true;
  const defaults = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? [];
  // '-F' is fsync=off; dropping it makes a commit wait for its WAL to be on disk.
  const startParams = [
    ...defaults.filter((p) => !(durable && p === '-F')),
    '-c',
    'max_wal_size=256MB',
    '-c',
    'min_wal_size=32MB',
  ];
  const pglite = await PGlite.create({
    dataDir,
    startParams,
    parsers: { 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
  });
  const pool = new PGlitePool(pglite, dataDir && durable ? join(dataDir, 'pg_wal') : undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    db,
    pglite: pool,
    location: dataDir ? `PGlite at ${dataDir}` : 'PGlite in memory',
    close: () => db.destroy(),
  };
}

/**
 * PGlite runs PostgreSQL in single-user mode, where autovacuum never runs: after a bulk load
 * the planner has no statistics and picks nested loops over thousands of rows (a filtered list
 * took seconds instead of milliseconds). Call this after bulk writes; a no-op on PostgreSQL,
 * whose autovacuum keeps statistics current.
 */
export async function refreshStatistics(store: Store): Promise<void> {
  if (store.kind === 'pglite') await sql`ANALYZE`.execute(store.db);
}

export async function migrate(db: Kysely<Database>): Promise<void> {
  // Migrations are independent of each other's order (each adds its own tables), and parallel
  // work can land a lower number after a higher one was applied: allow that rather than refuse.
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: 'canopy_migrations',
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
}

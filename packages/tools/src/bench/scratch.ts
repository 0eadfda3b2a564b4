import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRng } from '@canopy/core';
import { openStore, type Store } from '@canopy/store';
import pg from 'pg';

/** Where benches make their scratch PostgreSQL databases (the server CI and dev machines run). */
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Deterministic uniform [0,1) numbers, so a bench's data is the same every run. */
export const rng = seededRng;

export interface ScratchStore {
  store: Store;
  /** PostgreSQL only: the scratch database's URL (for COPY baselines on their own connection). */
  url?: string;
  /** Removes the database or data folder; call after `store.close()`. */
  drop: () => Promise<void>;
}

/** A fresh, empty store of the given kind, migrated: a new database on PostgreSQL, a temp folder for PGlite. */
export async function scratchStore(kind: 'pglite' | 'postgres', prefix: string): Promise<ScratchStore> {
  if (kind === 'postgres') {
    const db = `canopy_bench_${prefix}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.pathname = `/${db}`;
    const store = await openStore({ databaseUrl: u.toString(), poolSize: 8 });
    return {
      store,
      url: u.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `canopy-bench-${prefix}-`));
  const store = await openStore({ dataDir: dir });
  return { store, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiKey, createOrg, openStore } from '@canopy/store';
import pg from 'pg';
import { STORES } from './harness.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', CANOPY_DEMO: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`server exited: ${log}`));
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        if (r.ok) return resolve({ child, port });
      } catch {}
      if (Date.now() > deadline) return reject(new Error(`server did not start: ${log}`));
      setTimeout(poll, 200);
    };
    void poll();
  });
}

for (const s of STORES) {
  describe(`durability [${s.name}]`, () => {
    it('every acknowledged record survives kill -9 of the server mid-ingestion', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'canopy-kill-'));
      let env: Record<string, string> = { CANOPY_DATA_DIR: dir };
      let dropDb = async () => {};
      if (s.url) {
        const name = `canopy_kill_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: s.url });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const u = new URL(s.url);
        u.pathname = `/${name}`;
        env = { DATABASE_URL: u.toString() };
        dropDb = async () => {
          const c = new pg.Client({ connectionString: s.url });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        };
      }
      const open = () => openStore(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: dir });
      try {
        let store = await open();
        const org = await createOrg(store.db, 'kill', 'Kill test');
        const { key } = await createApiKey(store.db, org.id, 'k');
        await store.close();

        const { child, port } = await startServer(env);
        const acked: string[] = [];
        let batch = 0;
        const send = async () => {
          const b = batch++;
          const records = Array.from({ length: 200 }, (_, i) => ({
            idempotency_key: `b${b}-${i}`,
            customer_external_id: `c${i % 50}`,
            type: 'page_view',
            occurred_at: '2026-01-01T00:00:00Z',
          }));
          const r = await fetch(`http://127.0.0.1:${port}/api/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(records),
          });
          if (r.status === 200) acked.push(...records.map((x) => x.idempotency_key));
        };
        // Two senders in flight; the kill lands while requests are being written.
        const senders = [0, 1].map(async () => {
          try {
            for (;;) await send();
          } catch {
            // connection refused/reset once the server is gone
          }
        });
        while (acked.length < 3000) await new Promise((r) => setTimeout(r, 20));
        child.kill('SIGKILL');
        await Promise.all(senders);
        // The child may be gone already (its exit event fired before we listen): wait only if not.
        if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));

        // Reopening takes over the dead process's data-folder lock and recovers from the WAL.
        store = await open();
        const rows = await store.db
          .selectFrom('events')
          .select('idempotency_key')
          .where('org_id', '=', org.id)
          .execute();
        await store.close();
        const have = new Set(rows.map((r) => r.idempotency_key));
        const lost = acked.filter((k) => !have.has(k));
        assert.equal(lost.length, 0, `${lost.length} acknowledged records lost of ${acked.length}`);
        assert.ok(rows.length >= acked.length);
      } finally {
        await dropDb();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJob, openStore, type Store } from '@canopy/store';
import { enqueue, JobRunner, RetryLater } from '../src/jobs/index.js';
import { STORES } from './harness.js';
import { freshPgDatabase, waitFor } from './loop-util.js';

for (const s of STORES) {
  describe(`durable job queue [${s.name}]`, () => {
    let store: Store;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      if (s.url) {
        const db = await freshPgDatabase(s.url);
        drop = db.drop;
        store = await openStore({ databaseUrl: db.url, poolSize: 4 });
      } else store = await openStore({});
    });
    after(async () => {
      await store.close();
      await drop?.();
    });

    it('runs a job enqueued in a committed transaction, not one rolled back', async () => {
      const seen: unknown[] = [];
      const runner = new JobRunner(store, { pollMs: 5000 }).register('t.ok', async (job) => {
        seen.push(job.payload);
      });
      await runner.start();
      try {
        await store.db
          .transaction()
          .execute(async (trx) => {
            await enqueue(trx, { orgId: null, type: 't.ok', payload: { n: 0 } });
            throw new Error('rollback');
          })
          .catch(() => undefined);
        const t0 = Date.now();
        const id = await store.db
          .transaction()
          .execute((trx) => enqueue(trx, { orgId: null, type: 't.ok', payload: { n: 1 } }));
        await waitFor(async () => (await getJob(store.db, id))?.status === 'done', 3000);
        // Woken by NOTIFY at commit, not by the 5 s poll.
        assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
        assert.deepEqual(seen, [{ n: 1 }]);
      } finally {
        await runner.stop();
      }
    });

    it('retries with backoff until the handler succeeds, and fails for good after max attempts', async () => {
      let calls = 0;
      const times: number[] = [];
      const runner = new JobRunner(store, { pollMs: 200, backoff: { baseMs: 40 } })
        .register('t.flaky', async () => {
          calls++;
          times.push(Date.now());
          if (calls < 3) throw new Error(`boom ${calls}`);
        })
        .register('t.never', async () => {
          throw new RetryLater('nope', 10);
        });
      await runner.start();
      try {
        const a = await enqueue(store.db, { orgId: null, type: 't.flaky', payload: {} });
        const b = await enqueue(store.db, { orgId: null, type: 't.never', payload: {}, maxAttempts: 3 });
        await waitFor(async () => (await getJob(store.db, a))?.status === 'done', 5000);
        await waitFor(async () => (await getJob(store.db, b))?.status === 'failed', 5000);
        assert.equal(calls, 3);
        assert.ok(times[2] - times[1] >= 60, `second retry waits ~80 ms (${times[2] - times[1]} ms)`);
        const jb = await getJob(store.db, b);
        assert.equal(jb?.attempts, 3);
        assert.equal(jb?.last_error, 'nope');
      } finally {
        await runner.stop();
      }
    });

    it('waits for a delayed job, and a job left by a stopped runner runs on the next one', async () => {
      const seen: string[] = [];
      const id = await enqueue(store.db, {
        orgId: null,
        type: 't.later',
        payload: {},
        runAt: new Date(Date.now() + 400),
      });
      const r1 = new JobRunner(store, { pollMs: 100 }).register('t.later', async (job) => {
        seen.push(job.id);
      });
      await r1.start();
      await new Promise((r) => setTimeout(r, 150));
      assert.equal((await getJob(store.db, id))?.status, 'queued');
      await r1.stop();
      const r2 = new JobRunner(store, { pollMs: 100 }).register('t.later', async (job) => {
        seen.push(job.id);
      });
      await r2.start();
      try {
        await waitFor(async () => (await getJob(store.db, id))?.status === 'done', 3000);
        assert.deepEqual(seen, [id]);
      } finally {
        await r2.stop();
      }
    });
  });
}

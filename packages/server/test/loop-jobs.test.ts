import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJob, openStore, type Store } from '@canopy/store';
import { coalesce, enqueue, type Job, JobRunner, RetryLater } from '../src/jobs/index.js';
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

    it('fast path: jobs enqueued with enqueueNow run at commit with their hint, not on rollback; a failure retries through the queue', async () => {
      const seen: Job[] = [];
      let fail = true;
      const runner = new JobRunner(store, { pollMs: 5000, backoff: { baseMs: 50, maxMs: 100 } })
        .register('t.now', async (job) => {
          seen.push(job);
        })
        .register('t.now-flaky', async (job) => {
          seen.push(job);
          if (fail) {
            fail = false;
            throw new Error('first try fails');
          }
        });
      await runner.start();
      try {
        let rolledBack: string[] = [];
        await store.db
          .transaction()
          .execute(async (trx) => {
            rolledBack = await runner.enqueueNow(trx, [{ orgId: null, type: 't.now', payload: { n: 0 }, hint: 'x' }]);
            throw new Error('rollback');
          })
          .catch(() => undefined);
        const t0 = Date.now();
        const ids = await store.db.transaction().execute(async (trx) => {
          // Two calls in one transaction: one notification, both run.
          const a = await runner.enqueueNow(trx, [
            { orgId: null, type: 't.now', payload: { n: 1 }, hint: { url: 'u' } },
          ]);
          const b = await runner.enqueueNow(trx, [{ orgId: null, type: 't.now', payload: { n: 2 } }]);
          // Inside the transaction the jobs are not run yet.
          await new Promise((r) => setTimeout(r, 50));
          assert.equal(seen.length, 0, 'nothing runs before the commit');
          return [...a, ...b];
        });
        await waitFor(
          async () => (await Promise.all(ids.map((id) => getJob(store.db, id)))).every((j) => j?.status === 'done'),
          3000,
        );
        assert.ok(Date.now() - t0 < 1500, `ran at commit, not at the 5 s poll (${Date.now() - t0} ms)`);
        assert.deepEqual(
          seen.map((j) => [j.payload, j.hint, j.attempt]),
          [
            [{ n: 1 }, { url: 'u' }, 1],
            [{ n: 2 }, undefined, 1],
          ],
        );
        assert.equal(await getJob(store.db, rolledBack[0]), undefined, 'the rolled-back job does not exist');

        // A failed fast attempt is retried by the queue (claimed from the table: no hint).
        seen.length = 0;
        const [f] = await store.db
          .transaction()
          .execute((trx) => runner.enqueueNow(trx, [{ orgId: null, type: 't.now-flaky', payload: {}, hint: 'h' }]));
        await waitFor(async () => (await getJob(store.db, f))?.status === 'done', 5000, 'the retry');
        assert.deepEqual(
          seen.map((j) => [j.attempt, j.hint]),
          [
            [1, 'h'],
            [2, undefined],
          ],
        );
        assert.equal((await getJob(store.db, f))?.attempts, 2);
      } finally {
        await runner.stop();
      }
    });

    it('fast path: a job committed while its runner stops goes back to the queue and runs on the next runner', async () => {
      const seen: string[] = [];
      const r1 = new JobRunner(store, { pollMs: 100, leaseMs: 500 }).register('t.handover', async (job) => {
        seen.push(`r1 ${job.id}`);
      });
      await r1.start();
      let stopping: Promise<void> | null = null;
      const [id] = await store.db.transaction().execute(async (trx) => {
        const ids = await r1.enqueueNow(trx, [{ orgId: null, type: 't.handover', payload: {} }]);
        stopping = r1.stop();
        return ids;
      });
      await stopping;
      if (!s.url) {
        // One connection: the release runs after the commit, deterministically. (On PostgreSQL
        // it may run before the commit is visible; then the short lease hands the job over.)
        const j = await getJob(store.db, id);
        assert.equal(j?.status, 'queued', 'released, not left leased to a runner that is gone');
        assert.equal(j?.attempts, 0);
      }
      const r2 = new JobRunner(store, { pollMs: 100 }).register('t.handover', async (job) => {
        seen.push(`r2 ${job.id}`);
      });
      await r2.start();
      try {
        await waitFor(async () => (await getJob(store.db, id))?.status === 'done', 3000);
        assert.deepEqual(seen, [`r2 ${id}`]);
      } finally {
        await r2.stop();
      }
    });
  });
}

it('coalesce: items arriving while a flush writes go in the next flush, in order; errors reach their callers', async () => {
  const flushes: number[][] = [];
  const write = coalesce(async (xs: number[]) => {
    flushes.push(xs);
    await new Promise((r) => setTimeout(r, 10));
    if (xs.includes(99)) throw new Error('bad batch');
  });
  await Promise.all([write(1), write(2), write(3)]);
  assert.deepEqual(flushes, [[1], [2, 3]]);
  const bad = write(99);
  await assert.rejects(bad, /bad batch/);
  await write(4);
  assert.deepEqual(flushes.at(-1), [4]);
});

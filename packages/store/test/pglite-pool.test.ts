import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PGlitePool, readOnlyWith } from '../src/pglite-pool.js';

it('PGlite pool: one holder at a time, first come first served, and the event loop gets a turn between holders', async () => {
  const pool = new PGlitePool(await PGlite.create());
  try {
    const order: string[] = [];
    const first = await pool.connect();
    const waiters = [1, 2, 3].map((n) =>
      pool.connect().then(async (c) => {
        order.push(`start ${n}`);
        // Work that becomes ready while this holder runs (a socket read, a timer) …
        if (n === 1) setImmediate(() => order.push('io'));
        await c.query('SELECT 1', []);
        order.push(`end ${n}`);
        c.release();
      }),
    );
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(order, [], 'nobody runs while the first holder has the connection');
    first.release();
    await Promise.all(waiters);
    // … runs before the next holder starts, not after the whole queue has drained.
    assert.deepEqual(order, ['start 1', 'end 1', 'io', 'start 2', 'end 2', 'start 3', 'end 3']);
  } finally {
    await pool.end();
  }
});

describe('WAL fsync after autocommit statements', () => {
  it('skips read-only WITH queries and keeps it for any modifying one', () => {
    assert.equal(readOnlyWith('with', 'WITH w AS (SELECT 1) SELECT * FROM w'), true);
    assert.equal(readOnlyWith('with', 'WITH w AS (SELECT updated_at FROM t) SELECT * FROM w'), true);
    assert.equal(readOnlyWith('with', 'WITH d AS (DELETE FROM t RETURNING id) SELECT count(*) FROM d'), false);
    assert.equal(readOnlyWith('with', 'with x as (select 1) insert into t select * from x'), false);
    assert.equal(readOnlyWith('with', 'WITH u AS (UPDATE t SET a = 1 RETURNING *) SELECT 1'), false);
    assert.equal(readOnlyWith('insert', 'INSERT INTO t VALUES (1)'), false);
  });
});

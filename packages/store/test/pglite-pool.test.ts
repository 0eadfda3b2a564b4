import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { PGlitePool } from '../src/pglite-pool.js';

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

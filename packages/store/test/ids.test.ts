import assert from 'node:assert/strict';
import { it } from 'node:test';
import { uuidv7 } from '../src/ids.js';

it('uuidv7 ids are valid v7 UUIDs, unique, and sort in creation order', () => {
  const ids = Array.from({ length: 20_000 }, () => uuidv7());
  for (const id of ids.slice(0, 100))
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  // The first 48 bits are the millisecond timestamp.
  const t = Date.now() + 86_400_000; // ids never go back in time, so take one ahead of now
  const id = uuidv7(t);
  assert.equal(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), t);
});

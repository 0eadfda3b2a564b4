import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { verifyAnswerDrivers, verifyAnswerOutcomes } from '@canopy/store';
import { loadDemo } from '../src/demo.js';
import { ingestBatch } from '../src/pipeline/ingest.js';
import { validateBatch } from '../src/pipeline/validate.js';
import { eachStore } from './harness.js';

/**
 * A demo loaded into a store that other orgs use (`canopy demo` beside a running server) must not
 * switch off the answer-state triggers, which is table-wide: another org's answers written during
 * the load would get no loyalty or driver state. The first start's demo (an empty store) may.
 */
eachStore('demo load into a shared store', (env) => {
  it('keeps the triggers on, so another org writing meanwhile keeps its loyalty and driver state', async () => {
    const other = await env().newOrg();
    const batch = (i: number) =>
      validateBatch('responses', [
        {
          customer_email: `meanwhile-${i}@example.com`,
          submitted_at: `2026-0${(i % 8) + 1}-10T10:00:00Z`,
          answers: [
            { field: 'nps', type: 'nps', value: i % 11 },
            { field: 'why', type: 'text', value: 'the delivery was late and the box was damaged' },
          ],
        },
      ]).records;
    const writes: Promise<unknown>[] = [];
    let i = 0;
    const d = await loadDemo(env().store, {
      customers: 30,
      seed: 2,
      now: '2026-11-01T00:00:00Z',
      slug: `demo-${randomBytes(4).toString('hex')}`,
      // Another org's ingestion while the demo is being written.
      onProgress: () => {
        writes.push(ingestBatch(env().store, other.orgId, 'responses', batch(i++) as never, {}));
      },
    });
    await Promise.all(writes);
    assert.equal(d.bulk, false, 'another org shares the store: no bulk mode');
    assert.ok(i >= 1, 'the other org wrote during the load');
    const o = await verifyAnswerOutcomes(env().store.db, other.orgId);
    assert.equal(o.mismatches, 0, `${o.mismatches} of the other org's outcome rows differ from a recomputation`);
    assert.ok(o.rows >= i, `${o.rows} outcome rows for ${i} answers`);
    const dr = await verifyAnswerDrivers(env().store.db, other.orgId);
    assert.equal(dr.mismatches, 0, `${dr.mismatches} of the other org's driver rows differ`);
    const own = await verifyAnswerOutcomes(env().store.db, d.orgId);
    assert.equal(own.mismatches, 0, 'the demo org’s own state is kept by the triggers too');
    assert.ok(own.rows > 0);
  });
});

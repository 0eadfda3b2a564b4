import assert from 'node:assert/strict';
import { it } from 'node:test';
import { seededRng as rng } from '@canopy/core';
import {
  loyaltyCounts,
  rebuildAnswerDrivers,
  rebuildAnswerOutcomes,
  rebuildDriverRollup,
  topicDriverStats,
  verifyAnswerDrivers,
  verifyAnswerOutcomes,
  verifyDriverRollup,
} from '@canopy/store';
import { eachStore } from './harness.js';

/**
 * The answers' next-outcome times (migration 015) and drivers (016) are kept by triggers on
 * answers, events, customers, interactions and texts. After every kind of write — answers before
 * or after their events and interactions, new referrals, changed acquisition dates, texts with
 * negative topics, a customer merge, an erasure, concurrent batches — both tables must equal a
 * recomputation from the rows, and key drivers read from them must equal the raw join.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-02-01T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

type Db = Parameters<typeof verifyAnswerOutcomes>[0];

async function assertCurrent(db: Db, orgId: string, step: string, min = 1) {
  const v = await verifyAnswerOutcomes(db, orgId);
  assert.equal(v.mismatches, 0, `${step}: ${v.mismatches} of ${v.rows} outcome rows differ from a recomputation`);
  assert.ok(v.rows >= min, `${step}: ${v.rows} rows`);
  const d = await verifyAnswerDrivers(db, orgId);
  assert.equal(d.mismatches, 0, `${step}: ${d.mismatches} driver rows differ from a recomputation (${d.rows} kept)`);
  const p = await verifyDriverRollup(db, orgId);
  assert.equal(
    p.mismatches,
    0,
    `${step}: ${p.mismatches} daily driver pair sums differ from a recomputation (${p.rows} kept)`,
  );
}

/** Key drivers from the kept rows equal the raw join, for both sources, with and without a filter. */
async function assertDriversAgree(db: Db, orgId: string, step: string) {
  for (const source of ['outcomes', 'topics'] as const) {
    for (const filter of [{}, { department: ['delivery'] }, { touchpoint: ['invoice'] }]) {
      const q = {
        outcome: 'nps' as const,
        from: new Date(T0),
        to: new Date(T0 + 90 * DAY),
        filter,
        lookbackDays: 90,
        maxDrivers: 10,
        minCoverage: 0,
        source,
      };
      const rollup = await topicDriverStats(db, orgId, q);
      const kept = await topicDriverStats(db, orgId, { ...q, useRollup: false });
      const raw = await topicDriverStats(db, orgId, { ...q, useState: false });
      assert.deepEqual(kept, raw, `${step}: ${source} ${JSON.stringify(filter)}`);
      assert.deepEqual(rollup, raw, `${step}: ${source} ${JSON.stringify(filter)}, daily pair sums`);
    }
  }
}

eachStore('answer outcomes kept by triggers', (env) => {
  it('follows answers, outcome events, referrals, merges and erasure', async () => {
    const { orgId, key } = await env().newOrg();
    const db = env().store.db;
    const post = async (path: string, body: unknown) => {
      const r = await env().api('POST', path, key, body);
      assert.ok(r.status < 300, JSON.stringify(r.body).slice(0, 400));
      return r.body;
    };
    // Events first: the answers' trigger finds them.
    await post('/api/v1/events', [
      { customer_email: 'ana@example.com', type: 'purchase', occurred_at: iso(T0 + 10 * DAY) },
      { customer_email: 'ana@example.com', type: 'cancellation', occurred_at: iso(T0 + 50 * DAY) },
      { customer_email: 'bo@example.com', type: 'referral_made', occurred_at: iso(T0 + 3 * DAY) },
    ]);
    await post('/api/v1/interactions', [
      {
        customer_email: 'ana@example.com',
        kind: 'ticket',
        touchpoint: 'delivery',
        outcome: 'late',
        opened_at: iso(T0),
      },
      {
        customer_email: 'bo@example.com',
        kind: 'ticket',
        touchpoint: 'invoice',
        outcome: 'billing_error',
        opened_at: iso(T0 + DAY),
      },
    ]);
    await post('/api/v1/responses', [
      {
        customer_email: 'ana@example.com',
        touchpoint: 'delivery',
        submitted_at: iso(T0 + DAY),
        answers: [{ field: 'nps', type: 'nps', value: 9 }],
      },
      {
        customer_email: 'ana@example.com',
        submitted_at: iso(T0 + 20 * DAY),
        answers: [
          { field: 'nps', type: 'nps', value: 6 },
          { field: 'sat', type: 'csat', value: 2 },
        ],
      },
      {
        customer_email: 'bo@example.com',
        touchpoint: 'invoice',
        submitted_at: iso(T0 + 2 * DAY),
        answers: [
          { field: 'nps', type: 'nps', value: 10 },
          { field: 'why', type: 'text', value: 'great' },
        ],
      },
      {
        customer_phone: '+351912345678',
        submitted_at: iso(T0 + 4 * DAY),
        answers: [{ field: 'nps', type: 'nps', value: 3 }],
      },
      { submitted_at: iso(T0 + 4 * DAY), answers: [{ field: 'nps', type: 'nps', value: 8 }] },
    ]);
    // Scored answers of known customers only: 5 rows (no text answer, no anonymous response);
    // Ana's two NPS answers and Bo's follow their earlier interactions.
    assert.equal((await verifyAnswerDrivers(db, orgId)).rows, 3, 'the earlier interactions are drivers');
    await assertCurrent(db, orgId, 'answers after events', 5);
    assert.equal((await verifyAnswerOutcomes(db, orgId)).rows, 5);

    // Events after the answers: an earlier purchase than the one known moves the next purchase.
    await post('/api/v1/events', [
      { customer_email: 'ana@example.com', type: 'purchase', occurred_at: iso(T0 + 5 * DAY) },
      { customer_email: 'ana@example.com', type: 'page_view', occurred_at: iso(T0 + 6 * DAY) },
      { customer_phone: '+351912345678', type: 'cancellation', occurred_at: iso(T0 + 30 * DAY) },
    ]);
    await assertCurrent(db, orgId, 'events after answers');

    // Interactions and negative texts after the answers: the drivers of later answers change.
    await post('/api/v1/interactions', [
      {
        customer_email: 'ana@example.com',
        kind: 'ticket',
        touchpoint: 'delivery',
        outcome: 'damaged',
        opened_at: iso(T0 + 15 * DAY),
      },
      {
        customer_phone: '+351912345678',
        kind: 'call',
        touchpoint: 'support-chat',
        outcome: 'resolved',
        opened_at: iso(T0 + 2 * DAY),
      },
      { customer_email: 'bo@example.com', kind: 'ticket', touchpoint: 'invoice', opened_at: iso(T0 + DAY) },
    ]);
    await post('/api/v1/responses', [
      {
        customer_email: 'ana@example.com',
        touchpoint: 'delivery',
        submitted_at: iso(T0 + 12 * DAY),
        answers: [{ field: 'why', type: 'text', value: 'The parcel arrived two weeks late and the courier was rude.' }],
      },
      {
        customer_email: 'ana@example.com',
        touchpoint: 'invoice',
        submitted_at: iso(T0 + 25 * DAY),
        answers: [
          { field: 'nps', type: 'nps', value: 4 },
          { field: 'why', type: 'text', value: 'I was charged twice and the refund never came.' },
        ],
      },
    ]);
    await assertCurrent(db, orgId, 'interactions and texts after the answers');
    const topics = await db
      .selectFrom('answer_drivers')
      .select(['driver', 'submitted_at'])
      .where('org_id', '=', orgId)
      .where('source', '=', 'topics')
      .execute();
    assert.ok(topics.length > 0, 'negative topics of the texts are drivers of the later answer');
    assert.ok(
      topics.every((t) => new Date(t.submitted_at as never).getTime() >= T0 + 12 * DAY),
      'only the answers after the texts',
    );
    await assertDriversAgree(db, orgId, 'before the merge');

    // A referred customer: Bo's next referral is the earlier of their event and the acquisition.
    await post('/api/v1/customers', {
      customer_email: 'cy@example.com',
      referred_by_email: 'bo@example.com',
      acquired_at: iso(T0 + 2.5 * DAY),
    });
    await assertCurrent(db, orgId, 'referral by acquisition');
    const boBox = await loyaltyCounts(db, orgId, {
      type: 'nps',
      from: new Date(T0 + 2 * DAY),
      to: new Date(T0 + 3 * DAY),
      filter: {},
      horizonDays: 1,
      now: new Date(T0 + 400 * DAY),
    });
    assert.deepEqual(
      boBox.map((b) => [b.box, b.n, b.referred]),
      [[10, 1, 1]],
      'referred within a day: Cy was acquired 12 hours after Bo answered',
    );
    // A later acquisition date moves it back to Bo's own referral event (day 3).
    await post('/api/v1/customers', { customer_email: 'cy@example.com', acquired_at: iso(T0 + 40 * DAY) });
    await assertCurrent(db, orgId, 'acquisition date changed');

    // Merge: the phone-only customer (answer, cancellation) becomes Ana.
    await post('/api/v1/customers', { customer_email: 'ana@example.com', customer_phone: '+351912345678' });
    await assertCurrent(db, orgId, 'after a merge');
    await assertDriversAgree(db, orgId, 'after the merge');
    // A rebuild (after a bulk load) gives the same rows as the triggers.
    const state = async () => [
      await verifyAnswerOutcomes(db, orgId),
      await verifyAnswerDrivers(db, orgId),
      await verifyDriverRollup(db, orgId),
    ];
    const before = await state();
    await rebuildAnswerOutcomes(db, orgId);
    await rebuildAnswerDrivers(db, orgId);
    await rebuildDriverRollup(db, orgId);
    await assertCurrent(db, orgId, 'after a rebuild');
    assert.deepEqual(await state(), before);

    // Erasure removes the customer's answers and events: Ana's rows go, Bo's stay current.
    const ana = (await env().api('GET', '/api/v1/customers?email=ana@example.com', key)).body.items[0].id;
    assert.equal((await env().api('DELETE', `/api/v1/customers/${ana}`, key)).status, 200);
    await assertCurrent(db, orgId, 'after erasure', 1);
    assert.equal((await verifyAnswerOutcomes(db, orgId)).rows, 1);
  });

  // On PostgreSQL the batches' transactions interleave (pool of 4); PGlite runs them one by one.
  it('stays current under concurrent batches of answers and outcome events for the same customers', async () => {
    const { orgId, key } = await env().newOrg();
    const r = rng(7);
    const emails = Array.from({ length: 12 }, (_, i) => `k${i}@example.com`);
    const pick = () => emails[Math.floor(r() * emails.length)];
    const at = () => iso(T0 + Math.floor(r() * 60 * DAY));
    const batches: [string, unknown][] = [];
    for (let b = 0; b < 24; b++) {
      if (b % 2)
        batches.push([
          '/api/v1/events',
          Array.from({ length: 10 }, () => ({
            customer_email: pick(),
            type: ['purchase', 'cancellation', 'referral_made'][Math.floor(r() * 3)],
            occurred_at: at(),
          })),
        ]);
      else
        batches.push([
          '/api/v1/responses',
          Array.from({ length: 10 }, () => ({
            customer_email: pick(),
            submitted_at: at(),
            answers: [{ field: 'nps', type: 'nps', value: Math.floor(r() * 11) }],
          })),
        ]);
    }
    const results = await Promise.all(batches.map(([p, body]) => env().api('POST', p, key, body)));
    for (const res of results) assert.ok(res.status < 300, JSON.stringify(res.body).slice(0, 300));
    await assertCurrent(env().store.db, orgId, 'concurrent batches', 120);
  });
});

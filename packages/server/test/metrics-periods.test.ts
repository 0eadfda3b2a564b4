import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachStore } from './harness.js';
import { DAY, iso, post, postDeliveryTickets, TODAY } from './metrics-fixtures.js';

/**
 * Figures a first-time user read wrong: engagement figures for a period without data, an
 * engagement score that ignored the period, a driver that lowers churn classed "fix first", and
 * a period too thin for drivers answered with an error.
 */
eachStore('engagement: only from the period asked for', (env) => {
  it('a period without data has no engagement figures, and the score depends on the period', async () => {
    const { key } = await env().newOrg();
    await post(
      env().api,
      key,
      '/api/v1/customers',
      Array.from({ length: 10 }, (_, i) => ({
        customer_email: `e${i}@example.com`,
        acquired_at: iso(TODAY - 200 * DAY),
      })),
    );
    // Customers 0–4: three page views 60 days ago; 5–9: one 5 days ago.
    await post(env().api, key, '/api/v1/events', [
      ...Array.from({ length: 15 }, (_, j) => ({
        customer_email: `e${j % 5}@example.com`,
        type: 'page_view',
        occurred_at: iso(TODAY - 60 * DAY + j * 60_000),
      })),
      ...Array.from({ length: 5 }, (_, j) => ({
        customer_email: `e${5 + j}@example.com`,
        type: 'page_view',
        occurred_at: iso(TODAY - 5 * DAY),
      })),
    ]);
    const eng = async (from: string, to: string) => {
      const r = await env().api('GET', `/api/v1/metrics/overview?from=${from}&to=${to}`, key);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.engagement;
    };
    const none = await eng('2030-01-01T00:00:00Z', '2030-02-01T00:00:00Z');
    for (const k of ['engagement_score', 'retention', 'churn', 'repeat_purchase', 'referral_rate']) {
      assert.equal(none[k].value, null, `${k}: ${JSON.stringify(none[k])}`);
      assert.equal(none[k].n, 0, k);
    }
    const d30 = await eng(iso(TODAY - 30 * DAY), iso(TODAY + DAY));
    const d90 = await eng(iso(TODAY - 90 * DAY), iso(TODAY + DAY));
    assert.equal(d30.engagement_score.n, 10);
    assert.equal(d90.engagement_score.n, 10);
    // 30 days: only 5–9 engaged, all alike, so half score 100 and half 0.
    assert.ok(Math.abs(d30.engagement_score.value - 50) < 0.01, JSON.stringify(d30.engagement_score));
    assert.notEqual(d90.engagement_score.value, d30.engagement_score.value, 'the 90 days count the older views');
    assert.equal(d30.retention.value, 100);
  });
});

eachStore('drivers: direction of the effect and thin periods', (env) => {
  it('a driver that lowers churn is not fixed first; one that raises it can be', async () => {
    const { key } = await env().newOrg();
    const t0 = TODAY - 30 * DAY;
    await post(
      env().api,
      key,
      '/api/v1/customers',
      Array.from({ length: 60 }, (_, i) => ({
        customer_email: `c${i}@example.com`,
        acquired_at: iso(TODAY - 200 * DAY),
      })),
    );
    // Even customers waited and nearly all stay; odd ones mostly leave, every damaged one.
    const outcome = (i: number) => (i % 2 === 0 ? 'waited' : i % 10 === 3 ? 'damaged' : null);
    const leaves = (i: number) => (i % 2 === 0 ? i % 20 === 0 : i % 4 === 1 || i % 10 === 3);
    await postDeliveryTickets(env().api, key, t0, outcome);
    await post(
      env().api,
      key,
      '/api/v1/events',
      Array.from({ length: 60 }, (_, i) => i)
        .filter(leaves)
        .map((i) => ({
          customer_email: `c${i}@example.com`,
          type: 'cancellation',
          occurred_at: iso(t0 + (i % 20) * DAY + DAY),
        })),
    );
    const r = await env().api(
      'GET',
      `/api/v1/metrics/drivers?outcome=churn&drivers=outcomes&from=${iso(t0)}&to=${iso(TODAY + DAY)}`,
      key,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const d = r.body;
    const waited = d.drivers.find((x: { key: string }) => x.key === 'delivery:waited');
    assert.ok(waited, JSON.stringify(d.drivers));
    assert.ok(waited.signed_weight < 0, `waiting lowers churn: ${JSON.stringify(waited)}`);
    assert.equal(waited.quadrant, 'maintain', JSON.stringify(d.drivers));
    assert.ok(![...d.fix_first, ...d.fix_first_not_significant].includes('delivery:waited'));
    for (const k of [...d.fix_first, ...d.fix_first_not_significant]) {
      const x = d.drivers.find((y: { key: string }) => y.key === k);
      assert.ok(x.signed_weight > 0, `fixed first, so it raises churn: ${JSON.stringify(x)}`);
    }
    assert.equal(d.not_enough_data, null);
  });

  it('a period with too little data answers 200 with an explicit empty state', async () => {
    const { key } = await env().newOrg();
    for (const q of ['outcome=nps', 'outcome=churn', 'outcome=nps&drivers=touchpoints']) {
      const r = await env().api(
        'GET',
        `/api/v1/metrics/drivers?${q}&from=${iso(TODAY - 30 * DAY)}&to=${iso(TODAY)}`,
        key,
      );
      assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.drivers, []);
      assert.deepEqual(r.body.fix_first, []);
      assert.equal(r.body.r2, null);
      assert.ok(['no_drivers', 'too_few_rows', 'constant_outcome'].includes(r.body.not_enough_data?.code), q);
    }
    // Touchpoint drivers of churn remain a wrong question, not a thin period.
    const bad = await env().api('GET', '/api/v1/metrics/drivers?outcome=churn&drivers=touchpoints', key);
    assert.equal(bad.status, 400);
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachStore } from './harness.js';

/**
 * What a first-time user's review of the dashboard found in the API: money figures without a
 * currency, a doubled reason for a bad webhook URL, and 422s whose detail did not say which field.
 */
eachStore('first-use review: API answers', (env) => {
  it('says the currency of the overview money figures (the one the purchases carry most)', async () => {
    const { key } = await env().newOrg();
    const day = 86_400_000;
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const iso = (t: number) => new Date(t).toISOString();
    const events = [
      ...[1, 2, 3].map((i) => ({
        customer_email: 'ana@example.com',
        type: 'purchase',
        occurred_at: iso(t0 + i * day),
        value: 10 * i,
        currency: 'EUR',
      })),
      { customer_email: 'ben@example.com', type: 'purchase', occurred_at: iso(t0 + day), value: 5, currency: 'GBP' },
    ];
    const w = await env().api('POST', '/api/v1/events', key, events);
    assert.ok(w.status < 300, JSON.stringify(w.body));
    const q = `from=${iso(t0)}&to=${iso(t0 + 30 * day)}`;
    const ov = await env().api('GET', `/api/v1/metrics/overview?${q}`, key);
    assert.equal(ov.status, 200, JSON.stringify(ov.body));
    for (const k of ['revenue_per_customer', 'ltv']) {
      const f = ov.body.engagement[k];
      assert.equal(f.unit, 'currency');
      assert.equal(f.currency, 'EUR', `${k} names the currency most purchases carry`);
      assert.ok(f.flags.includes('mixed_currencies'), `${k} is flagged: its sum mixes EUR and GBP`);
    }
    // Figures that are not money say nothing about a currency.
    assert.equal(ov.body.engagement.retention.currency, undefined);

    // A period without purchases still says the org's currency (its latest purchase's).
    const later = `from=${iso(t0 + 200 * day)}&to=${iso(t0 + 230 * day)}`;
    const ov2 = await env().api('GET', `/api/v1/metrics/overview?${later}`, key);
    assert.equal(ov2.status, 200, JSON.stringify(ov2.body));
    assert.ok(['EUR', 'GBP'].includes(ov2.body.engagement.revenue_per_customer.currency));
    assert.ok(!ov2.body.engagement.revenue_per_customer.flags.includes('mixed_currencies'));
  });

  it('gives a bad webhook URL one reason, and a detail that names the field', async () => {
    const { key } = await env().newOrg();
    for (const url of ['not a url', 'ftp://example.com/hook', '/relative/path']) {
      const r = await env().api('POST', '/api/v1/webhooks', key, { url, events: ['alert.fired'] });
      assert.equal(r.status, 422, `${url}: ${JSON.stringify(r.body)}`);
      const onUrl = r.body.errors.filter((e: { field: string }) => e.field === 'url');
      assert.equal(onUrl.length, 1, `${url}: one reason, not two: ${JSON.stringify(r.body.errors)}`);
      assert.equal(onUrl[0].reason, 'must be an absolute http or https URL');
      assert.match(r.body.detail, /^url: must be an absolute http or https URL; nothing was written$/);
      assert.doesNotMatch(r.body.detail, /the body has invalid fields/);
    }
  });

  it('names the refused fields of a rule in the detail, not "the body has invalid fields"', async () => {
    const { key } = await env().newOrg();
    const r = await env().api('POST', '/api/v1/rules', key, {
      name: 'Angry texts',
      condition: { type: 'negative_sentiment', max_score: 'abc' },
      actions: [{ type: 'open_case' }],
    });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.errors.map((e: { field: string }) => e.field),
      ['condition.max_score'],
    );
    assert.match(r.body.detail, /^condition\.max_score: .+; nothing was written$/);

    const many = await env().api('POST', '/api/v1/rules', key, {
      name: '',
      condition: { type: 'repeat_contact', count: 1, days: 0 },
      actions: [{ type: 'open_case', sla_hours: -1 }],
    });
    assert.equal(many.status, 422, JSON.stringify(many.body));
    assert.ok(many.body.errors.length >= 4, JSON.stringify(many.body.errors));
    // The first three, then how many more.
    assert.match(
      many.body.detail,
      /^name: .+; condition\.count: .+; condition\.days: .+ and \d+ more; nothing was written$/,
    );
  });
});

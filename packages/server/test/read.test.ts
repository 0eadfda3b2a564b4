import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eachStore } from './harness.js';

eachStore('read filters', (env) => {
  it('filters responses and interactions by department, channel, segment, topic (with children) and sentiment', async () => {
    const { key } = await env().newOrg();
    await env().api('POST', '/api/v1/customers', key, [
      { customer_email: 'vip@x.io', segment: 'gold' },
      { customer_email: 'std@x.io', segment: 'basic' },
    ]);
    const rs = await env().api('POST', '/api/v1/responses', key, [
      {
        customer_email: 'vip@x.io',
        touchpoint: 'delivery',
        submitted_at: '2026-03-01T10:00:00Z',
        answers: [
          { field: 'nps', type: 'nps', value: 2 },
          { field: 'why', type: 'text', value: 'The parcel arrived late and damaged, terrible.' },
        ],
      },
      {
        customer_email: 'std@x.io',
        touchpoint: 'invoice',
        submitted_at: '2026-03-02T10:00:00Z',
        answers: [
          { field: 'nps', type: 'nps', value: 10 },
          { field: 'why', type: 'text', value: 'Love it, great value and friendly staff!' },
        ],
      },
      {
        customer_email: 'std@x.io',
        submitted_at: '2026-03-03T10:00:00Z',
        answers: [{ field: 'nps', type: 'nps', value: 8 }],
      },
    ]);
    assert.equal(rs.status, 200, JSON.stringify(rs.body));
    const ids = (q: string) =>
      env()
        .api('GET', `/api/v1/responses?order=asc&${q}`, key)
        .then((r) => {
          assert.equal(r.status, 200, JSON.stringify(r.body));
          return r.body.items.map(
            (i: { answers: { field: string; value: number }[] }) => i.answers.find((a) => a.field === 'nps')!.value,
          );
        });
    assert.deepEqual(await ids('department=delivery'), [2]);
    assert.deepEqual(await ids('department=billing'), [10]);
    assert.deepEqual(await ids('channel=email'), [10]);
    assert.deepEqual(await ids('segment=gold'), [2]);
    assert.deepEqual(await ids('segment=basic'), [10, 8]);
    assert.deepEqual(await ids('sentiment=negative'), [2]);
    assert.deepEqual(await ids('sentiment=positive'), [10]);
    assert.deepEqual(await ids('has_text=true'), [2, 10]);
    assert.deepEqual(await ids('topic=delivery'), [2], 'a parent topic matches its children');
    assert.deepEqual(await ids('topic=nothing_like_this'), []);
    const bad = await env().api('GET', '/api/v1/responses?sentiment=angry&channel=pigeon', key);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['channel', 'sentiment']);

    await env().api('POST', '/api/v1/interactions', key, [
      {
        customer_email: 'vip@x.io',
        kind: 'chat',
        touchpoint: 'support-chat',
        opened_at: '2026-03-01T09:00:00Z',
        text: 'Still waiting for my refund, this is unacceptable',
      },
      {
        customer_email: 'std@x.io',
        kind: 'email',
        touchpoint: 'invoice',
        opened_at: '2026-03-01T09:00:00Z',
        text: 'Thanks, sorted it quickly',
      },
    ]);
    const neg = await env().api('GET', '/api/v1/interactions?sentiment=negative&department=service', key);
    assert.deepEqual(
      neg.body.items.map((i: { kind: string }) => i.kind),
      ['chat'],
    );
    const gold = await env().api('GET', '/api/v1/interactions?segment=gold&channel=chat', key);
    assert.equal(gold.body.items.length, 1);
  });
});

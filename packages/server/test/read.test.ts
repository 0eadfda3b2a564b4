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

  it('counts, per top-level topic, the records of the whole filtered set that mention it (topic_counts=true)', async () => {
    const { key } = await env().newOrg();
    const said = [
      'The parcel arrived late and damaged, terrible.',
      'Delivery was late again, the courier never called.',
      'Great value, friendly staff, quick delivery!',
      'I was charged twice on my invoice, a billing error.',
      'The invoice was wrong and support was rude.',
      'Lovely staff, very helpful.',
    ];
    const rs = await env().api(
      'POST',
      '/api/v1/responses',
      key,
      said.map((text, i) => ({
        customer_email: `c${i}@x.io`,
        touchpoint: 'delivery',
        submitted_at: `2026-03-0${i + 1}T10:00:00Z`,
        answers: [
          { field: 'nps', type: 'nps', value: i },
          { field: 'why', type: 'text', value: text },
        ],
      })),
    );
    assert.equal(rs.status, 200, JSON.stringify(rs.body));
    type Item = { analysis: { sentiment: { label: string }; topics: { topic: string }[] }[] };
    // What the list would show for each topic, counted from every record (one page holds them all).
    const expected = async (q: string) => {
      const all = await env().api('GET', `/api/v1/responses?limit=500&${q}`, key);
      const sentiment = new URLSearchParams(q).get('sentiment');
      const m = new Map<string, number>();
      for (const r of all.body.items as Item[]) {
        const tops = new Set(
          r.analysis
            .filter((a) => !sentiment || a.sentiment.label === sentiment)
            .flatMap((a) => a.topics.map((t) => t.topic.split('.')[0]!)),
        );
        for (const t of tops) m.set(t, (m.get(t) ?? 0) + 1);
      }
      return Object.fromEntries([...m].sort());
    };
    const counts = async (q: string) => {
      const r = await env().api('GET', `/api/v1/responses?limit=1&topic_counts=true&${q}`, key);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.items.length, 1, 'the page is still a page');
      const c: { topic: string; records: number }[] = r.body.topic_counts;
      const tops = c.filter((x) => !x.topic.includes('.'));
      for (let i = 1; i < tops.length; i++) assert.ok(tops[i - 1]!.records >= tops[i]!.records, 'most mentioned first');
      return c;
    };
    const whole = await counts('has_text=true');
    const byTopic = Object.fromEntries(whole.map((c) => [c.topic, c.records]).sort());
    assert.ok(whole.length >= 2 && whole[0]!.records >= 2, JSON.stringify(whole));
    assert.deepEqual(byTopic, await expected('has_text=true'));
    // With a sentiment, only texts of that sentiment count.
    const neg = Object.fromEntries((await counts('sentiment=negative')).map((c) => [c.topic, c.records]).sort());
    assert.deepEqual(neg, await expected('sentiment=negative'));
    assert.ok(Object.keys(neg).length > 0);
    // A topic filter narrows the page but not the counts (each is what picking that topic lists);
    // a picked child topic gets an entry of its own.
    const top = whole[0]!.topic;
    const picked = await counts(`topic=${top}`);
    assert.deepEqual(
      picked.filter((c) => !c.topic.includes('.')),
      whole,
    );
    const child = ((await env().api('GET', `/api/v1/responses?limit=500&topic=${top}`, key)).body.items as Item[])
      .flatMap((r) => r.analysis.flatMap((a) => a.topics.map((t) => t.topic)))
      .find((t) => t.includes('.'));
    if (child) {
      const withChild = await counts(`topic=${child}`);
      const own = withChild.find((c) => c.topic === child);
      const listed = await env().api('GET', `/api/v1/responses?limit=500&topic=${child}`, key);
      assert.equal(own?.records, listed.body.items.length, JSON.stringify(withChild));
    }
    // Without the parameter, the answer is the plain page.
    const plain = await env().api('GET', '/api/v1/responses?limit=1', key);
    assert.equal(plain.body.topic_counts, undefined);
    const ix = await env().api('GET', '/api/v1/interactions?topic_counts=true', key);
    assert.deepEqual(ix.body.topic_counts, []);
    const bad = await env().api('GET', '/api/v1/responses?topic_counts=yes', key);
    assert.equal(bad.status, 400);
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { countRows, eachStore } from './harness.js';

const intents = (n: number) => {
  const out: { text: string; labels: string[] }[] = [];
  const refund = ['I want my money back', 'please refund my order', 'how do I get a refund', 'refund the charge'];
  const track = [
    'where is my parcel',
    'track my order please',
    'my package has not arrived',
    'when will it be delivered',
  ];
  const cancel = ['cancel my subscription', 'I want to cancel', 'please close my account', 'stop my plan now'];
  for (let i = 0; i < n; i++) {
    out.push({ text: `${refund[i % 4]} ${i}`, labels: ['refund'] });
    out.push({ text: `${track[i % 4]} ${i}`, labels: ['track_order'] });
    out.push({ text: `${cancel[i % 4]} ${i}`, labels: ['cancel'] });
  }
  return out;
};

eachStore('text analytics API', (env) => {
  it('serves the default taxonomy until the org saves its own, then analyses with it', async () => {
    const { key } = await env().newOrg();
    const def = await env().api('GET', '/api/v1/taxonomy', key);
    assert.equal(def.status, 200, JSON.stringify(def.body));
    assert.equal(def.body.source, 'default');
    assert.ok(def.body.topics.some((t: { key: string }) => t.key === 'delivery.late'));

    const topics = [
      ...def.body.topics,
      {
        key: 'grooming',
        label: 'Grooming',
        parent: null,
        sevenP: 'process',
        department: 'service',
        phrases: ['Grooming', 'nail clipping'],
      },
      {
        key: 'grooming.nails',
        label: 'Nail clipping',
        parent: 'grooming',
        sevenP: 'people',
        department: 'service',
        phrases: ['nails clipped', 'claws'],
      },
    ];
    const put = await env().api('PUT', '/api/v1/taxonomy', key, { version: 'pets-1', topics });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.source, 'org');
    const got = await env().api('GET', '/api/v1/taxonomy', key);
    assert.equal(got.body.source, 'org');
    assert.equal(got.body.version, 'pets-1');
    assert.deepEqual(got.body.topics.at(-2).phrases, ['grooming', 'nail clipping'], 'phrases lower-cased');

    const a = await env().api('POST', '/api/v1/analyse', key, {
      text: 'The grooming was lovely but they cut the claws too short',
    });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    const found = a.body.items[0].topics.map((t: { topic: string }) => t.topic);
    assert.ok(found.includes('grooming.nails'), JSON.stringify(found));

    // Ingestion uses the org's taxonomy from now on; another org keeps the default.
    const rs = await env().api('POST', '/api/v1/responses', key, {
      customer_email: 'pet@example.com',
      survey: 'visit',
      submitted_at: '2026-03-01T12:00:00Z',
      answers: [{ field: 'why', type: 'text', value: 'Great grooming, the dog loved it' }],
    });
    assert.equal(rs.status, 201, JSON.stringify(rs.body));
    const tl = await env().api('GET', `/api/v1/customers/${rs.body.customer_id}/timeline`, key);
    const an = tl.body.items[0].analysis[0];
    assert.ok(
      an.topics.some((t: { topic: string }) => t.topic === 'grooming'),
      JSON.stringify(an),
    );
    const other = await env().newOrg();
    const b = await env().api('POST', '/api/v1/analyse', other.key, { text: 'the claws were clipped' });
    assert.ok(!b.body.items[0].topics.some((t: { topic: string }) => t.topic.startsWith('grooming')));
  });

  it('rejects a taxonomy that is not a valid tree, with the field and reason', async () => {
    const { key } = await env().newOrg();
    const t = (key: string, parent: string | null, extra: Record<string, unknown> = {}) => ({
      key,
      label: key,
      parent,
      sevenP: 'product',
      department: 'product',
      phrases: ['x'],
      ...extra,
    });
    const bad = await env().api('PUT', '/api/v1/taxonomy', key, {
      topics: [t('a', null), t('a', null), t('b', 'nope'), t('c', 'd'), t('d', 'c')],
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.match(bad.contentType, /problem\+json/);
    const fields = bad.body.errors.map((e: { field: string }) => e.field);
    assert.ok(fields.includes('topics[1].key'), JSON.stringify(bad.body));
    assert.ok(fields.includes('topics[2].parent'));
    assert.ok(fields.includes('topics[3].parent'));
    const enumBad = await env().api('PUT', '/api/v1/taxonomy', key, {
      topics: [t('a', null, { sevenP: 'vibes', department: 'moon' })],
    });
    assert.equal(enumBad.status, 422);
    assert.deepEqual(enumBad.body.errors.map((e: { field: string }) => e.field).sort(), [
      'topics[0].department',
      'topics[0].sevenP',
    ]);
    const bare = await env().api('PUT', '/api/v1/taxonomy', key, { topics: [t('a', null, { phrases: ['ok', '~ '] })] });
    assert.equal(bare.status, 422);
    assert.deepEqual(
      bare.body.errors.map((e: { field: string; reason: string }) => [e.field, e.reason]),
      [['topics[0].phrases[1]', 'a "~" qualifier needs words after it, e.g. ~nice']],
    );
    // zod's default messages come out in the API's words.
    const words = await env().api('PUT', '/api/v1/taxonomy', key, {
      topics: [t('a', null, { label: '', phrases: ['x'.repeat(201)] }), t('b', null, { sevenP: 'vibes' })],
    });
    assert.deepEqual(
      words.body.errors.map((e: { field: string; reason: string }) => [e.field, e.reason]),
      [
        ['topics[0].label', 'must not be empty'],
        ['topics[0].phrases[0]', 'must be at most 200 characters'],
        ['topics[1].sevenP', 'must be one of product, price, place, promotion, process, people, physical_evidence'],
      ],
    );
    const keyBad = await env().api('PUT', '/api/v1/taxonomy', key, { topics: [t('Bad Key', null)] });
    assert.equal(keyBad.status, 422);
    assert.equal((await env().api('PUT', '/api/v1/taxonomy', key, { topics: [] })).status, 422);
    assert.equal((await env().api('PUT', '/api/v1/taxonomy', key, '{"topics":')).status, 400);
    assert.equal((await env().api('PUT', '/api/v1/taxonomy', null, { topics: [t('a', null)] })).status, 401);
    const still = await env().api('GET', '/api/v1/taxonomy', key);
    assert.equal(still.body.source, 'default', 'nothing was saved');
  });

  it('refuses a save made from an out-of-date copy (If-Match), so two editors cannot overwrite each other', async () => {
    const { key } = await env().newOrg();
    const def = await env().api('GET', '/api/v1/taxonomy', key);
    assert.equal(def.body.revision, 0);
    assert.equal(def.headers.get('etag'), '"0"');
    const topic = (phrase: string) => ({
      key: 'app',
      label: 'App',
      parent: null,
      sevenP: 'place',
      department: 'product',
      phrases: [phrase],
    });
    // Two people loaded the default (revision 0); the first save lands, the second is refused.
    const first = await env().api(
      'PUT',
      '/api/v1/taxonomy',
      key,
      { topics: [topic('app crashes')] },
      { 'if-match': '"0"' },
    );
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.revision, 1);
    assert.equal(first.headers.get('etag'), '"1"');
    const second = await env().api('PUT', '/api/v1/taxonomy', key, { topics: [topic('login')] }, { 'if-match': '"0"' });
    assert.equal(second.status, 412, JSON.stringify(second.body));
    assert.match(second.contentType, /problem\+json/);
    assert.match(second.body.detail, /since revision 0 \(now revision 1, saved /);
    assert.deepEqual(second.body.errors, [
      { field: 'If-Match', reason: 'revision 0 is no longer the current one (1)' },
    ]);
    let got = await env().api('GET', '/api/v1/taxonomy', key);
    assert.deepEqual(got.body.topics[0].phrases, ['app crashes'], 'the refused save changed nothing');
    // Made from revision 1 (weak ETags too), it lands; without If-Match the save always wins.
    const third = await env().api(
      'PUT',
      '/api/v1/taxonomy',
      key,
      { topics: [topic('login')] },
      { 'if-match': 'W/"1"' },
    );
    assert.equal(third.status, 200, JSON.stringify(third.body));
    assert.equal(third.body.revision, 2);
    const blind = await env().api('PUT', '/api/v1/taxonomy', key, { topics: [topic('sign in')] });
    assert.equal(blind.body.revision, 3);
    assert.equal(
      (await env().api('PUT', '/api/v1/taxonomy', key, { topics: [topic('x')] }, { 'if-match': '*' })).body.revision,
      4,
    );
    // Concurrent saves from the same revision: exactly one lands.
    const race = await Promise.all(
      ['a', 'b', 'c', 'd'].map((p) =>
        env().api('PUT', '/api/v1/taxonomy', key, { topics: [topic(p)] }, { 'if-match': '"4"' }),
      ),
    );
    assert.deepEqual(race.map((r) => r.status).sort(), [200, 412, 412, 412]);
    got = await env().api('GET', '/api/v1/taxonomy', key);
    assert.equal(got.body.revision, 5);
    // An If-Match that is not one ETag is refused before anything else, naming the header.
    for (const bad of ['1', '"one"', '"1", "2"', `"${'9'.repeat(12)}"`]) {
      const r = await env().api('PUT', '/api/v1/taxonomy', key, { topics: [topic('y')] }, { 'if-match': bad });
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.errors[0].field, 'If-Match');
    }
    // Another org's revision is its own.
    const other = await env().newOrg();
    assert.equal((await env().api('GET', '/api/v1/taxonomy', other.key)).body.revision, 0);
    assert.equal(
      (await env().api('PUT', '/api/v1/taxonomy', other.key, { topics: [topic('z')] }, { 'if-match': '"5"' })).status,
      412,
    );
  });

  it('offers industry packs, says what each would add, and analyses with one once saved', async () => {
    const { key } = await env().newOrg();
    const packs = await env().api('GET', '/api/v1/taxonomy/packs', key);
    assert.equal(packs.status, 200, JSON.stringify(packs.body));
    assert.deepEqual(
      packs.body.items.map((p: { id: string }) => p.id),
      ['telecom', 'insurance', 'travel', 'software', 'utilities'],
    );
    const telecom = packs.body.items[0];
    assert.deepEqual(
      telecom.adds,
      telecom.topics.map((t: { key: string }) => t.key),
      'a new org lacks them all',
    );
    const before = await env().api('POST', '/api/v1/analyse', key, {
      text: 'No signal at home and calls keep dropping.',
    });
    assert.ok(!before.body.items[0].topics.some((t: { topic: string }) => t.topic.startsWith('telecom')));
    const def = await env().api('GET', '/api/v1/taxonomy', key);
    const put = await env().api('PUT', '/api/v1/taxonomy', key, { topics: [...def.body.topics, ...telecom.topics] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = await env().api('GET', '/api/v1/taxonomy/packs', key);
    assert.deepEqual(after.body.items[0].adds, [], 'all there now');
    assert.ok(after.body.items[1].adds.length > 0, 'insurance still to add');
    const a = await env().api('POST', '/api/v1/analyse', key, { text: 'No signal at home and calls keep dropping.' });
    assert.deepEqual(
      a.body.items[0].topics.map((t: { topic: string; sentiment: { label: string } }) => [t.topic, t.sentiment.label]),
      [['telecom.coverage', 'negative']],
    );
    assert.equal((await env().api('GET', '/api/v1/taxonomy/packs', null)).status, 401);
  });

  it('trains an intent model in a worker, lists it, and uses it for analysis', async () => {
    const { key } = await env().newOrg();
    const tr = await env().api('POST', '/api/v1/text-models', key, { kind: 'intents', examples: intents(20) });
    assert.equal(tr.status, 201, JSON.stringify(tr.body));
    assert.equal(tr.body.kind, 'intents');
    assert.equal(tr.body.active, true);
    assert.equal(tr.body.examples, 60);
    assert.deepEqual([...tr.body.labels].sort(), ['cancel', 'refund', 'track_order']);
    assert.ok(tr.body.metrics.holdout_accuracy > 0.8, JSON.stringify(tr.body.metrics));
    const a = await env().api('POST', '/api/v1/analyse', key, {
      texts: ['please refund my money', 'where is my parcel'],
    });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.items[0].intents[0].label, 'refund');
    assert.equal(a.body.items[1].intents[0].label, 'track_order');
    const again = await env().api('POST', '/api/v1/text-models', key, { kind: 'intents', examples: intents(10) });
    assert.equal(again.status, 201);
    const list = await env().api('GET', '/api/v1/text-models', key);
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 2);
    assert.deepEqual(
      list.body.items.map((m: { id: string; active: boolean }) => [m.id, m.active]),
      [
        [again.body.id, true],
        [tr.body.id, false],
      ],
    );
    assert.equal(list.body.items[0].model, undefined, 'weights are not listed');
    // Another org sees none.
    const other = await env().newOrg();
    assert.deepEqual((await env().api('GET', '/api/v1/text-models', other.key)).body.items, []);

    // Ingested texts get the intent stored with their analysis, and lists filter by it.
    for (const [i, text] of ['please refund my money now', 'where is my parcel, no tracking'].entries()) {
      const ix = await env().api('POST', '/api/v1/interactions', key, {
        customer_email: `intent-${i}@example.com`,
        kind: 'ticket',
        touchpoint: 'support-chat',
        text,
        opened_at: '2026-11-01T10:00:00Z',
      });
      assert.equal(ix.status, 201, JSON.stringify(ix.body));
    }
    const stored = await env().api('GET', '/api/v1/interactions', key);
    assert.deepEqual(
      stored.body.items
        .map((x: { analysis: { intent: { label: string } | null }[] }) => x.analysis[0]!.intent?.label)
        .sort(),
      ['refund', 'track_order'],
    );
    assert.ok(stored.body.items[0].analysis[0].intent.score > 0);
    const refunds = await env().api('GET', '/api/v1/interactions?intent=refund', key);
    assert.deepEqual(
      refunds.body.items.map((x: { text: string }) => x.text),
      ['please refund my money now'],
    );
    // An org without an intent model stores none.
    await env().api('POST', '/api/v1/interactions', other.key, {
      customer_email: 'x@example.com',
      kind: 'ticket',
      touchpoint: 'support-chat',
      text: 'please refund my money now',
      opened_at: '2026-11-01T10:00:00Z',
    });
    assert.equal((await env().api('GET', '/api/v1/interactions', other.key)).body.items[0].analysis[0].intent, null);
  });

  it('a trained sentiment model and topic model are used by ingestion', async () => {
    const { key, orgId } = await env().newOrg();
    const ex: { text: string; labels: string[] }[] = [];
    for (let i = 0; i < 15; i++) {
      ex.push({ text: `the widget was zorblax ${i}`, labels: ['positive'] });
      ex.push({ text: `totally glimmick again ${i}`, labels: ['negative'] });
      ex.push({ text: `it is a widget number ${i}`, labels: ['neutral'] });
    }
    const s = await env().api('POST', '/api/v1/text-models', key, { kind: 'sentiment', examples: ex });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const topicEx: { text: string; labels: string[] }[] = [];
    for (let i = 0; i < 12; i++) {
      topicEx.push({ text: `the flux capacitor hummed ${i}`, labels: ['product.defect'] });
      topicEx.push({ text: `my invoice looked odd ${i}`, labels: ['billing'] });
    }
    const t = await env().api('POST', '/api/v1/text-models', key, { kind: 'topics', examples: topicEx });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    const ix = await env().api('POST', '/api/v1/interactions', key, {
      customer_external_id: 'c-1',
      kind: 'chat',
      text: 'the flux capacitor was zorblax',
      opened_at: '2026-03-01T10:00:00Z',
    });
    assert.equal(ix.status, 201, JSON.stringify(ix.body));
    const tl = await env().api('GET', `/api/v1/customers/${ix.body.customer_id}/timeline`, key);
    const an = tl.body.items[0].analysis[0];
    assert.equal(an.sentiment.label, 'positive', JSON.stringify(an));
    const found = an.topics.find((x: { topic: string }) => x.topic === 'product.defect');
    // The classifier gives no span: the mention covers the text and says who found it.
    assert.deepEqual(
      { start: found?.start, end: found?.end, by: found?.detected_by },
      { start: 0, end: 'the flux capacitor was zorblax'.length, by: 'org-topic-model' },
      JSON.stringify(an),
    );
    const tried = await env().api('POST', '/api/v1/analyse', key, { text: 'the flux capacitor hummed' });
    assert.equal(
      tried.body.items[0].topics.find((x: { topic: string }) => x.topic === 'product.defect')?.detectedBy,
      'org-topic-model',
    );
    const rows = await countRows(env().store, orgId);
    assert.equal(rows.text_analyses, 1);
  });

  it('rejects bad training sets with clear 422s', async () => {
    const { key } = await env().newOrg();
    const post = (body: unknown) => env().api('POST', '/api/v1/text-models', key, body);
    const few = await post({ kind: 'intents', examples: intents(2) });
    assert.equal(few.status, 422);
    assert.equal(few.body.errors[0].field, 'examples');
    assert.match(few.body.errors[0].reason, /at least 20/);
    const one = await post({ kind: 'intents', examples: intents(10).map((e) => ({ ...e, labels: ['same'] })) });
    assert.equal(one.status, 422);
    assert.match(JSON.stringify(one.body.errors), /two different labels/);
    const multi = await post({ kind: 'intents', examples: intents(10).map((e) => ({ ...e, labels: ['a', 'b'] })) });
    assert.equal(multi.status, 422);
    assert.equal(multi.body.errors[0].field, 'examples[0].labels');
    const sent = await post({ kind: 'sentiment', examples: intents(10) });
    assert.equal(sent.status, 422);
    assert.match(sent.body.errors[0].reason, /not one of negative, neutral, positive/);
    const kind = await post({ kind: 'vibes', examples: intents(10) });
    assert.equal(kind.status, 422);
    assert.equal(kind.body.errors[0].field, 'kind');
    const empty = await post({ kind: 'topics', examples: [{ text: '', labels: ['x'] }] });
    assert.equal(empty.status, 422);
    const extra = await post({ kind: 'topics', examples: intents(10), epochs: 3 });
    assert.equal(extra.status, 422);
    assert.ok(extra.body.errors.some((e: { field: string }) => e.field === 'epochs'));
    assert.equal((await env().api('POST', '/api/v1/text-models', null, { kind: 'intents' })).status, 401);
    assert.deepEqual((await env().api('GET', '/api/v1/text-models', key)).body.items, []);
  });

  it('rejects bad analyse requests', async () => {
    const { key } = await env().newOrg();
    assert.equal((await env().api('POST', '/api/v1/analyse', key, { texts: [] })).status, 422);
    assert.equal((await env().api('POST', '/api/v1/analyse', key, { text: 5 })).status, 422);
    assert.equal(
      (await env().api('POST', '/api/v1/analyse', key, { texts: Array.from({ length: 1001 }, () => 'x') })).status,
      422,
    );
    const ok = await env().api('POST', '/api/v1/analyse', key, { text: 'Call me on +44 20 7946 0958, I am furious' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.items[0].redacted_text, 'Call me on [phone], I am furious');
  });

  it('analyses a big batch in the worker pool, in the batch transaction', async () => {
    const { key, orgId } = await env().newOrg();
    const texts = [
      'The courier was late again and the box was crushed',
      'Lovely staff, sorted my refund in minutes',
      'Charged twice for one order, furious',
      'Great value, arrived early',
    ];
    const batch = Array.from({ length: 600 }, (_, i) => ({
      customer_external_id: `c-${i % 50}`,
      survey: 'nps',
      submitted_at: '2026-03-01T12:00:00Z',
      answers: [
        { field: 'nps', type: 'nps', value: i % 11 },
        { field: 'why', type: 'text', value: `${texts[i % 4]} (${i})` },
      ],
    }));
    const r = await env().api('POST', '/api/v1/responses', key, batch);
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
    const rows = await countRows(env().store, orgId);
    assert.equal(rows.text_analyses, 600);
    // Same result as inline analysis of the same text.
    const single = await env().api('POST', '/api/v1/analyse', key, { text: `${texts[2]} (2)` });
    assert.equal(single.body.items[0].sentiment.label, 'negative');
  });

  it("reads only the customer's words: an outbound interaction (an invoice, a welcome email) is not analysed", async () => {
    const { key, orgId } = await env().newOrg();
    const at = '2026-03-02T09:00:00Z';
    const w = await env().api('POST', '/api/v1/interactions', key, [
      { customer_external_id: 'c1', kind: 'invoice', direction: 'outbound', subject: 'Invoice €12.50', opened_at: at },
      {
        customer_external_id: 'c1',
        kind: 'email',
        direction: 'outbound',
        subject: 'Welcome, Ann! Great to have you',
        opened_at: at,
      },
      { customer_external_id: 'c1', kind: 'email', subject: 'Charged twice, furious', opened_at: at },
      {
        customer_external_id: 'c1',
        kind: 'ticket',
        external_id: 'T-9',
        text: 'Still waiting for my refund',
        opened_at: at,
      },
    ]);
    assert.equal(w.status, 200, JSON.stringify(w.body));
    assert.equal(
      (await countRows(env().store, orgId)).text_analyses,
      2,
      'the inbound email subject and the ticket text',
    );
    const list = await env().api('GET', '/api/v1/interactions?limit=10', key);
    const byKind = new Map(
      list.body.items.map((x: { subject: string | null; direction: string }) => [x.subject, x.direction]),
    );
    assert.equal(byKind.get('Invoice €12.50'), 'outbound');
    assert.equal(byKind.get('Charged twice, furious'), 'inbound', 'inbound is the default');
    // A ticket restated as the organisation's own (same external_id) loses its analysis.
    const again = await env().api('POST', '/api/v1/interactions', key, {
      customer_external_id: 'c1',
      kind: 'ticket',
      external_id: 'T-9',
      direction: 'outbound',
      opened_at: at,
    });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((await countRows(env().store, orgId)).text_analyses, 1);
    const bad = await env().api('POST', '/api/v1/interactions', key, {
      customer_external_id: 'c1',
      kind: 'ticket',
      direction: 'sideways',
      opened_at: at,
    });
    assert.equal(bad.status, 422);
    assert.match(JSON.stringify(bad.body), /direction/);
  });
});

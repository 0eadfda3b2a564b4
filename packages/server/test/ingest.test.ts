import assert from 'node:assert/strict';
import { it } from 'node:test';
import { countRows, eachStore } from './harness.js';

const t0 = '2026-03-01T09:00:00Z';

eachStore('ingestion → timeline', (env) => {
  it('round-trips a customer journey through the API into the timeline, in time order', async () => {
    const { key } = await env().newOrg();
    const ix = await env().api('POST', '/api/v1/interactions', key, {
      customer_email: 'Ana.Silva@Example.com',
      kind: 'chat',
      touchpoint: 'support-chat',
      agent: 'agent-7',
      agent_name: 'Kim',
      external_id: 'T-1',
      text: 'My parcel is late again, still waiting',
      opened_at: '2026-03-01T10:00:00Z',
      first_response_at: '2026-03-01T10:05:00Z',
      resolved_at: '2026-03-01T11:00:00Z',
    });
    assert.equal(ix.status, 201, JSON.stringify(ix.body));
    assert.equal(ix.body.status, 'created');
    const customerId = ix.body.customer_id;

    const rs = await env().api('POST', '/api/v1/responses', key, {
      customer_email: 'ana.silva@example.com',
      interaction_external_id: 'T-1',
      survey: 'csat-after-chat',
      submitted_at: '2026-03-01T12:00:00Z',
      answers: [
        { field: 'csat', type: 'csat', value: 4 },
        { field: 'reason', type: 'text', value: 'Kim sorted it quickly 🙂' },
        { field: 'topics', type: 'choice', value: ['speed', 'friendliness'] },
      ],
    });
    assert.equal(rs.status, 201, JSON.stringify(rs.body));
    assert.equal(rs.body.customer_id, customerId, 'the email matches case-insensitively');

    const ev = await env().api('POST', '/api/v1/events', key, [
      {
        customer_email: 'ana.silva@example.com',
        type: 'purchase',
        value: 42.5,
        currency: 'EUR',
        occurred_at: '2026-02-01T08:00:00Z',
      },
      { customer_email: 'ana.silva@example.com', type: 'email_open', occurred_at: '2026-03-02T08:00:00Z' },
    ]);
    assert.equal(ev.status, 200, JSON.stringify(ev.body));
    assert.equal(ev.body.created, 2);

    const tl = await env().api('GET', `/api/v1/customers/${customerId}/timeline`, key);
    assert.equal(tl.status, 200, JSON.stringify(tl.body));
    assert.deepEqual(
      tl.body.items.map((i: { record_type: string }) => i.record_type),
      ['event', 'interaction', 'response', 'event'],
    );
    const [purchase, chat, response] = tl.body.items;
    assert.equal(purchase.value, 42.5);
    assert.equal(chat.touchpoint, 'support-chat');
    assert.equal(chat.department, 'service');
    assert.equal(chat.agent, 'agent-7');
    assert.equal(chat.status, 'resolved');
    // Agent credit: the response inherits the agent who handled the rated interaction.
    assert.equal(response.agent, 'agent-7');
    assert.equal(response.interaction_id, ix.body.id);
    assert.deepEqual(response.answers.find((a: { field: string }) => a.field === 'topics').value, [
      'speed',
      'friendliness',
    ]);
    assert.equal(response.answers.find((a: { field: string }) => a.field === 'csat').value, 4);
    // Every text is analysed on the way in, and the analysis comes back with the record.
    assert.equal(chat.analysis[0].sentiment.label, 'negative');
    assert.ok(
      chat.analysis[0].topics.some((t: { topic: string }) => t.topic.startsWith('delivery')),
      JSON.stringify(chat.analysis),
    );
    assert.equal(response.analysis[0].field, 'reason');
    assert.equal(response.analysis[0].sentiment.label, 'positive');

    // Cursor pagination walks the same items without gaps or repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; next_cursor: string | null } } = await env().api(
        'GET',
        `/api/v1/customers/${customerId}/timeline?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        key,
      );
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      tl.body.items.map((i: { id: string }) => i.id),
    );
  });

  it('updates an interaction seen again by its external id instead of duplicating it', async () => {
    const { key } = await env().newOrg();
    const first = await env().api('POST', '/api/v1/interactions', key, {
      customer_external_id: 'U1',
      kind: 'ticket',
      external_id: 'ZD-9',
      status: 'open',
      opened_at: t0,
    });
    const again = await env().api('POST', '/api/v1/interactions', key, {
      customer_external_id: 'U1',
      kind: 'ticket',
      external_id: 'ZD-9',
      resolved_at: '2026-03-02T09:00:00Z',
      opened_at: t0,
    });
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'updated');
    assert.equal(again.body.id, first.body.id);
    const list = await env().api('GET', '/api/v1/interactions?customer_id=' + first.body.customer_id, key);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].status, 'resolved');
    // A new text replaces the old analysis and its topic mentions, leaving no orphans.
    for (const text of ['The parcel was late and the box damaged', 'Billing charged me twice, refund please']) {
      const r = await env().api('POST', '/api/v1/interactions', key, {
        customer_external_id: 'U1',
        kind: 'ticket',
        external_id: 'ZD-9',
        opened_at: t0,
        text,
      });
      assert.equal(r.body.status, 'updated');
    }
    const org = (
      await env()
        .store.db.selectFrom('interactions')
        .select('org_id')
        .where('id', '=', first.body.id)
        .executeTakeFirstOrThrow()
    ).org_id;
    const analyses = await env()
      .store.db.selectFrom('text_analyses')
      .select('id')
      .where('org_id', '=', org)
      .where('subject_id', '=', first.body.id)
      .execute();
    assert.equal(analyses.length, 1);
    const topics = await env()
      .store.db.selectFrom('text_topics')
      .select(['analysis_id', 'topic'])
      .where('org_id', '=', org)
      .execute();
    assert.ok(topics.length > 0);
    assert.ok(
      topics.every((t) => t.analysis_id === analyses[0].id),
      JSON.stringify(topics),
    );
    assert.ok(
      topics.every((t) => !t.topic.startsWith('delivery')),
      "the old text's topics are gone",
    );
  });
});

eachStore('identity resolution', (env) => {
  it('links identities named together and merges two known customers into the older one', async () => {
    const { key, orgId } = await env().newOrg();
    const a = await env().api('POST', '/api/v1/events', key, {
      customer_email: 'a@x.io',
      type: 'page_view',
      occurred_at: t0,
    });
    const b = await env().api('POST', '/api/v1/events', key, {
      customer_phone: '+351 912-345-678',
      type: 'page_view',
      occurred_at: t0,
    });
    assert.notEqual(a.body.customer_id, b.body.customer_id);
    // One record names both: the customers are one person.
    const m = await env().api('POST', '/api/v1/customers', key, {
      customer_email: 'A@X.io',
      customer_phone: '+351912345678',
      name: 'Ana',
      segment: 'gold',
      attributes: { plan: 'pro', seats: 3 },
    });
    assert.equal(m.status, 200, JSON.stringify(m.body));
    assert.equal(m.body.customer_id, a.body.customer_id, 'the older customer survives');
    // The merged-away id still answers, with the surviving profile and both events.
    const old = await env().api('GET', `/api/v1/customers/${b.body.customer_id}`, key);
    assert.equal(old.body.id, a.body.customer_id);
    assert.deepEqual(old.body.identities.map((i: { kind: string }) => i.kind).sort(), ['email', 'phone']);
    assert.deepEqual(old.body.attributes, { plan: 'pro', seats: 3 });
    const tl = await env().api('GET', `/api/v1/customers/${b.body.customer_id}/timeline`, key);
    assert.equal(tl.body.items.length, 2);
    assert.equal(tl.body.merged_from, b.body.customer_id);
    const rows = await countRows(env().store, orgId);
    assert.equal(rows.customer_identities, 2);
    const found = await env().api('GET', '/api/v1/customers?phone=%2B351912345678', key);
    assert.equal(found.body.items.length, 1);
    assert.equal(found.body.items[0].name, 'Ana');
  });

  it('gives records of one batch that share a new identity one new customer', async () => {
    const { key, orgId } = await env().newOrg();
    const r = await env().api('POST', '/api/v1/events', key, [
      { customer_email: 'new@x.io', type: 'page_view', occurred_at: t0 },
      { customer_email: 'new@x.io', customer_external_id: 'crm-1', type: 'email_open', occurred_at: t0 },
      { customer_external_id: 'crm-1', type: 'email_click', occurred_at: t0 },
    ]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const ids = new Set(r.body.results.map((x: { customer_id: string }) => x.customer_id));
    assert.equal(ids.size, 1);
    assert.equal((await countRows(env().store, orgId)).customers, 1);
  });
});

eachStore('idempotency', (env) => {
  it('answers a retried batch (Idempotency-Key) from its first write, never duplicating', async () => {
    const { key, orgId } = await env().newOrg();
    const batch = Array.from({ length: 50 }, (_, i) => ({
      customer_external_id: `c${i % 7}`,
      submitted_at: t0,
      answers: [{ field: 'nps', type: 'nps', value: i % 11 }],
    }));
    const first = await env().api('POST', '/api/v1/responses', key, batch, { 'idempotency-key': 'batch-42' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.created, 50);
    const before = await countRows(env().store, orgId);
    const retry = await env().api('POST', '/api/v1/responses', key, batch, { 'idempotency-key': 'batch-42' });
    assert.equal(retry.body.duplicates, 50);
    assert.deepEqual(
      retry.body.results.map((r: { id: string }) => r.id),
      first.body.results.map((r: { id: string }) => r.id),
    );
    assert.deepEqual(await countRows(env().store, orgId), before);
  });

  it('deduplicates per-record keys across requests, and concurrent retries race safely', async () => {
    const { key, orgId } = await env().newOrg();
    const rec = (i: number) => ({
      idempotency_key: `evt-${i}`,
      customer_email: `u${i % 3}@x.io`,
      type: 'app_action',
      occurred_at: t0,
    });
    const batch = Array.from({ length: 20 }, (_, i) => rec(i));
    const answers = await Promise.all([1, 2, 3, 4].map(() => env().api('POST', '/api/v1/events', key, batch)));
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
    const rows = await countRows(env().store, orgId);
    assert.equal(rows.events, 20);
    assert.equal(rows.customers, 3);
  });
});

eachStore('bad input', (env) => {
  const bad = async (path: string, body: unknown, headers: Record<string, string> = {}, key?: string) => {
    const org = await env().newOrg();
    const before = await countRows(env().store, org.orgId);
    const r = await env().api('POST', path, key === undefined ? org.key : key, body, headers);
    assert.match(r.contentType, /application\/problem\+json/);
    assert.deepEqual(await countRows(env().store, org.orgId), before, 'nothing was written');
    return r;
  };

  it('malformed JSON → 400', async () => {
    const r = await bad('/api/v1/events', '{"type": "page_view", ');
    assert.equal(r.status, 400);
    assert.equal(r.body.title, 'Malformed JSON');
  });

  it('invalid UTF-8 bytes → 400', async () => {
    const r = await bad('/api/v1/events', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]));
    assert.equal(r.status, 400);
    assert.match(r.body.detail, /UTF-8/);
  });

  it('lone surrogates and NUL characters → 422 naming the field', async () => {
    const r = await bad(
      '/api/v1/interactions',
      '[{"customer_email":"a@x.io","kind":"chat","opened_at":"2026-03-01T09:00:00Z","text":"bad \\ud800 text"},' +
        '{"customer_email":"a@x.io","kind":"chat","opened_at":"2026-03-01T09:00:00Z","subject":"nul \\u0000"}]',
    );
    assert.equal(r.status, 422);
    assert.deepEqual(
      r.body.errors.map((e: { index: number; field: string }) => [e.index, e.field]),
      [
        [0, 'text'],
        [1, 'subject'],
      ],
    );
  });

  it('wrong types, unknown fields, out-of-range scores: every bad record listed, none written', async () => {
    const good = { customer_email: 'a@x.io', submitted_at: t0, answers: [{ field: 'nps', type: 'nps', value: 9 }] };
    const r = await bad('/api/v1/responses', [
      good,
      { ...good, answers: [{ field: 'nps', type: 'nps', value: 11 }] },
      { ...good, submitted_at: 'yesterday' },
      { ...good, colour: 'blue' },
      { ...good, answers: [{ field: 'csat', type: 'csat', value: '5' }] },
      { ...good, customer_email: 'not-an-email' },
      {
        ...good,
        answers: [
          { field: 'x', type: 'nps', value: 3 },
          { field: 'x', type: 'csat', value: 3 },
        ],
      },
      'just a string',
    ]);
    assert.equal(r.status, 422);
    const got = r.body.errors.map((e: { index: number; field: string }) => `${e.index}:${e.field}`);
    assert.deepEqual(got, [
      '1:answers[0].value',
      '2:submitted_at',
      '3:colour',
      '4:answers[0].value',
      '5:customer_email',
      '6:answers[1].field',
      '7:(record)',
    ]);
    assert.match(r.body.detail, /7 of 8 records are invalid; nothing was written/);
    assert.equal(r.body.errors[2].reason, 'unknown field');
    assert.equal(r.body.errors[0].reason, 'must be at most 10');
    assert.equal(r.body.errors[3].reason, 'must be a number');
  });

  it('a record without a customer, and a local time without a zone, are refused precisely', async () => {
    const r = await bad('/api/v1/events', { type: 'page_view', occurred_at: '2026-03-01T09:00:00' });
    assert.equal(r.status, 422);
    const fields = r.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['customer_email', 'occurred_at']);
    assert.equal(r.body.errors[0].index, undefined, 'a single record has no index');
  });

  it('duplicate idempotency keys and external ids within one batch → 422', async () => {
    const rec = { customer_email: 'a@x.io', kind: 'ticket', opened_at: t0 };
    const r = await bad('/api/v1/interactions', [
      { ...rec, idempotency_key: 'k1' },
      { ...rec, idempotency_key: 'k1' },
      { ...rec, external_id: 'T-1' },
      { ...rec, external_id: 'T-1' },
    ]);
    assert.equal(r.status, 422);
    assert.deepEqual(
      r.body.errors.map((e: { index: number; field: string; reason: string }) => [e.index, e.field, e.reason]),
      [
        [1, 'idempotency_key', 'duplicate of record 0 in this batch'],
        [3, 'external_id', 'duplicate of record 2 in this batch'],
      ],
    );
  });

  it('references the database must check (touchpoint, customer id, interaction) reject the whole batch', async () => {
    const r = await bad('/api/v1/responses', [
      { customer_email: 'ok@x.io', submitted_at: t0, answers: [{ field: 'nps', type: 'nps', value: 10 }] },
      {
        customer_email: 'b@x.io',
        touchpoint: 'nowhere',
        submitted_at: t0,
        answers: [{ field: 'nps', type: 'nps', value: 1 }],
      },
      {
        customer_id: '0190a0a0-0000-7000-8000-000000000000',
        submitted_at: t0,
        answers: [{ field: 'nps', type: 'nps', value: 1 }],
      },
      {
        customer_email: 'c@x.io',
        interaction_external_id: 'nope',
        submitted_at: t0,
        answers: [{ field: 'nps', type: 'nps', value: 1 }],
      },
    ]);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.errors.map((e: { index: number; field: string }) => [e.index, e.field]),
      [
        [1, 'touchpoint'],
        [2, 'customer_id'],
        [3, 'interaction_external_id'],
      ],
    );
  });

  it('oversize: a batch over 10,000 records → 413, a body over the byte limit → 413, a text over its limit → 422', async () => {
    const many = Array.from({ length: 10_001 }, () => ({
      customer_email: 'a@x.io',
      type: 'page_view',
      occurred_at: t0,
    }));
    const r1 = await bad('/api/v1/events', many);
    assert.equal(r1.status, 413);
    assert.match(r1.body.detail, /10001 records; at most 10000/);
    const huge = JSON.stringify([
      { customer_email: 'a@x.io', type: 'review', occurred_at: t0, text: 'x'.repeat(33 * 1024 * 1024) },
    ]);
    const r2 = await bad('/api/v1/events', huge);
    assert.equal(r2.status, 413);
    const pii = await env().api('POST', '/api/v1/events', (await env().newOrg()).key, {
      customer_email: 'a@x.io',
      type: 'review',
      occurred_at: t0,
      text: 'Call me on +44 7700 900123 or mail jo@x.io, card 4111 1111 1111 1111',
    });
    assert.equal(pii.status, 201);
    const r3 = await bad('/api/v1/events', {
      customer_email: 'a@x.io',
      type: 'review',
      occurred_at: t0,
      text: 'é'.repeat(20_001),
    });
    assert.equal(r3.status, 422);
    assert.equal(r3.body.errors[0].field, 'text');
  });

  it('no key, an unknown key → 401; wrong media type → 415; empty batch → 422', async () => {
    const rec = { customer_email: 'a@x.io', type: 'page_view', occurred_at: t0 };
    assert.equal((await bad('/api/v1/events', rec, {}, '')).status, 401);
    assert.equal((await bad('/api/v1/events', rec, {}, 'cnp_deadbeef_nope')).status, 401);
    assert.equal((await bad('/api/v1/events', 'type=page_view', { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await bad('/api/v1/events', [])).status, 422);
  });

  it('bad query parameters → 400 naming the parameter', async () => {
    const { key } = await env().newOrg();
    const r = await env().api('GET', '/api/v1/events?limit=0&type=nope&cursor=zzz&colour=1', key);
    assert.equal(r.status, 400);
    assert.deepEqual(r.body.errors.map((e: { field: string }) => e.field).sort(), [
      'colour',
      'cursor',
      'limit',
      'type',
    ]);
  });
});

eachStore('org isolation', (env) => {
  it("a key of org A never reads or writes org B's data", async () => {
    const a = await env().newOrg();
    const b = await env().newOrg();
    const bx = await env().api('POST', '/api/v1/interactions', b.key, {
      customer_email: 'shared@x.io',
      kind: 'call',
      external_id: 'SAME',
      opened_at: t0,
      text: 'secret of B',
    });
    const ax = await env().api('POST', '/api/v1/interactions', a.key, {
      customer_email: 'shared@x.io',
      kind: 'call',
      external_id: 'SAME',
      opened_at: t0,
      text: 'A',
    });
    assert.equal(ax.body.status, 'created', 'same external id in another org is another interaction');
    assert.notEqual(ax.body.customer_id, bx.body.customer_id, 'same email in another org is another customer');
    // A cannot read B's customer, timeline, or lists.
    assert.equal((await env().api('GET', `/api/v1/customers/${bx.body.customer_id}`, a.key)).status, 404);
    assert.equal((await env().api('GET', `/api/v1/customers/${bx.body.customer_id}/timeline`, a.key)).status, 404);
    const list = await env().api('GET', '/api/v1/interactions', a.key);
    assert.deepEqual(
      list.body.items.map((i: { text: string }) => i.text),
      ['A'],
    );
    // A cannot write into B by naming B's customer id or interaction.
    const w = await env().api('POST', '/api/v1/responses', a.key, {
      customer_id: bx.body.customer_id,
      submitted_at: t0,
      answers: [{ field: 'nps', type: 'nps', value: 0 }],
    });
    assert.equal(w.status, 422);
    const w2 = await env().api('POST', '/api/v1/responses', a.key, {
      customer_email: 'x@x.io',
      interaction_id: bx.body.id,
      submitted_at: t0,
      answers: [{ field: 'nps', type: 'nps', value: 0 }],
    });
    assert.equal(w2.status, 422);
    const bRows = await countRows(env().store, b.orgId);
    assert.equal(bRows.responses, 0);
  });
});

eachStore('service endpoints', (env) => {
  it('answers /health and serves an OpenAPI document covering every endpoint', async () => {
    const h = await env().api('GET', '/health', null);
    assert.equal(h.status, 200);
    assert.equal(h.body.status, 'ok');
    const doc = await env().api('GET', '/api/openapi.json', null);
    assert.equal(doc.body.openapi, '3.1.0');
    for (const p of ['/api/v1/responses', '/api/v1/customers/{id}/timeline', '/api/v1/touchpoints']) {
      assert.ok(doc.body.paths[p], `${p} documented`);
    }
    const body = doc.body.paths['/api/v1/responses'].post.requestBody.content['application/json'].schema;
    assert.ok(JSON.stringify(body).includes('submitted_at'));
    const nf = await env().api('GET', '/api/v1/nothing', null);
    assert.equal(nf.status, 404);
    assert.match(nf.contentType, /problem\+json/);
  });
});

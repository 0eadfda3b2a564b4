import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { it } from 'node:test';
import type { Store } from '@canopy/store';
import { sql } from 'kysely';
import { countRows, eachStore } from './harness.js';

// What a sweep of every endpoint with ugly input found: each answer is a 4xx problem naming the
// field (never a 500), and nothing is written.

const NUL_REASON = 'must be valid Unicode text without NUL characters';

async function count(store: Store, table: 'cases' | 'case_events' | 'webhooks', orgId: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE org_id = ${orgId}`.execute(store.db);
  return Number(r.rows[0].n);
}

eachStore('input sweep: queries and paths', (env) => {
  it('a NUL or a lone surrogate in a query parameter → 400 naming it (the database would have failed: a 500)', async () => {
    const { key } = await env().newOrg();
    for (const url of [
      '/api/v1/customers?q=%00',
      '/api/v1/customers?external_id=a%00b',
      '/api/v1/interactions?intent=%00',
      '/api/v1/cases?assignee=%00',
      '/api/v1/metrics/overview?segment=%00',
      '/api/v1/audit?actor=%00',
    ]) {
      const r = await env().api('GET', url, key);
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.match(r.contentType, /application\/problem\+json/);
      const field = url.split('?')[1].split('=')[0];
      assert.deepEqual(r.body.errors, [{ field, reason: NUL_REASON }], url);
    }
  });

  it('a hosted survey form whose %-escapes are not UTF-8 → 400, no answer saved (it was saved as U+FFFD)', async () => {
    const { key } = await env().newOrg();
    const s = await env().api('POST', '/api/v1/surveys', key, {
      key: 'open',
      name: 'Open',
      public_link: true,
      questions: [{ id: 'why', text: 'Why?', type: 'text' }],
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const post = (body: string) =>
      fetch(`${env().base}/s/${s.body.slug}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
      });
    const bad = await post('page=1&a.why=%ED%A0%80%FF');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { title: string }).title, 'Malformed form');
    assert.deepEqual((await env().api('GET', '/api/v1/responses?survey=open', key)).body.items, []);
    const good = await post(`page=1&a.why=${encodeURIComponent('Zoë 😀 fine')}`);
    assert.ok(good.status < 400, String(good.status));
  });

  it('a query parameter whose %-escapes are not UTF-8 (Latin-1) → 400 naming it, not a search for the literal text', async () => {
    const { key } = await env().newOrg();
    const r = await env().api('GET', '/api/v1/customers?q=%E9t%E9&limit=5', key);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.deepEqual(r.body.errors, [{ field: 'q', reason: 'is not valid percent-encoded UTF-8' }]);
    assert.equal((await env().api('GET', `/api/v1/customers?q=${encodeURIComponent('été')}`, key)).status, 200);
  });

  it('a NUL in a path segment → 400 naming it; a path that does not decode → 400 problem+json; a hosted survey → 404', async () => {
    const { key } = await env().newOrg();
    for (const url of ['/api/v1/surveys/%00', '/api/v1/surveys/%00/funnel', '/api/v1/surveys/%00/invitations']) {
      const r = await env().api('GET', url, key);
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.errors, [{ field: 'key', reason: NUL_REASON }]);
    }
    const patch = await env().api('PATCH', '/api/v1/surveys/%00', key, { status: 'paused' });
    assert.equal(patch.status, 400);
    const undecodable = await env().api('GET', '/api/v1/surveys/%ED%A0%80', key);
    assert.equal(undecodable.status, 400);
    assert.match(undecodable.contentType, /application\/problem\+json/);
    assert.match(undecodable.body.detail, /not valid percent-encoded UTF-8/);
    const hosted = await env().api('GET', '/s/%00', null, undefined, { accept: 'application/json' });
    assert.equal(hosted.status, 404);
  });

  it('what the HTTP parser refuses (headers over 16 KB, a request line that is not HTTP) is problem+json too', async () => {
    const { key } = await env().newOrg();
    const long = await env().api('GET', `/api/v1/customers?q=${'a'.repeat(100_000)}`, key);
    assert.equal(long.status, 431);
    assert.match(long.contentType, /application\/problem\+json/);
    assert.equal(long.body.title, 'Headers too large');
    const port = new URL(env().base).port;
    const raw = await new Promise<string>((done, fail) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE\r\n\r\n'));
      let got = '';
      socket.on('data', (d) => {
        got += d.toString();
      });
      socket.on('close', () => done(got));
      socket.on('error', fail);
    });
    assert.match(raw, /^HTTP\/1\.1 400 Bad request\r\n/);
    assert.match(raw, /content-type: application\/problem\+json/i);
    assert.match(raw, /"detail":"the request is not valid HTTP"/);
  });

  it('a query parameter on a route that takes none → 400 naming it (a misspelt filter is not silently ignored)', async () => {
    const { key } = await env().newOrg();
    for (const url of ['/api/v1/departments?zzz=1', '/api/v1/surveys?status=paused', '/api/v1/webhooks?limit=5']) {
      const r = await env().api('GET', url, key);
      assert.equal(r.status, 400, url);
      const field = url.split('?')[1].split('=')[0];
      assert.deepEqual(r.body.errors, [{ field, reason: 'unknown field' }], url);
      assert.equal(r.body.detail, `${field}: unknown field; fix the query string`);
    }
    const post = await env().api('POST', '/api/v1/events?dry_run=true', key, {
      customer_email: 'a@x.io',
      type: 'page_view',
      occurred_at: '2026-03-01',
    });
    assert.equal(post.status, 400);
    assert.deepEqual(post.body.errors, [{ field: 'dry_run', reason: 'unknown field' }]);
  });

  it('from after to → 400 naming from, on the record lists, case recovery and a survey funnel as on the metrics', async () => {
    const { key } = await env().newOrg();
    const s = await env().api('POST', '/api/v1/surveys', key, {
      key: 'sweep',
      name: 'Sweep',
      questions: [{ id: 'q1', text: 'How likely?', type: 'nps' }],
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    for (const url of [
      '/api/v1/interactions?from=2026-03-01&to=2026-01-01',
      '/api/v1/responses?from=2026-03-01&to=2026-03-01',
      '/api/v1/events?from=2026-03-01&to=2026-01-01',
      '/api/v1/cases/recovery?from=2026-05-01&to=2026-01-01',
      '/api/v1/cases/recovery?from=2099-01-01',
      '/api/v1/surveys/sweep/funnel?from=2026-05-01&to=2026-01-01',
    ]) {
      const r = await env().api('GET', url, key);
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.errors, [{ field: 'from', reason: 'must be before to' }], url);
    }
    assert.equal((await env().api('GET', '/api/v1/interactions?from=2026-01-01&to=2026-03-01', key)).status, 200);
  });
});

eachStore('input sweep: bodies', (env) => {
  it('cases, notes and webhooks: NUL, lone surrogates, blank authors and bad dates → 422 naming the field, nothing written', async () => {
    const { orgId, key } = await env().newOrg();
    const c = await env().api('POST', '/api/v1/cases', key, { title: 'Parcel lost' });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const wh = await env().api('POST', '/api/v1/webhooks', key, { url: 'https://example.com/hook' });
    assert.equal(wh.status, 201, JSON.stringify(wh.body));
    const before = {
      cases: await count(env().store, 'cases', orgId),
      events: await count(env().store, 'case_events', orgId),
      webhooks: await count(env().store, 'webhooks', orgId),
    };
    const refused: [string, string, Record<string, unknown>, string, string][] = [
      ['POST', '/api/v1/cases', { title: 'a\u0000b' }, 'title', NUL_REASON],
      ['POST', '/api/v1/cases', { title: '\ud800 lost' }, 'title', NUL_REASON],
      ['POST', '/api/v1/cases', { title: 't', note: 'n\u0000' }, 'note', NUL_REASON],
      ['POST', '/api/v1/cases', { title: 't', assignee: 'x\u0000' }, 'assignee', NUL_REASON],
      ['POST', '/api/v1/cases', { title: 't', author: '   ' }, 'author', 'must not be empty'],
      ['POST', '/api/v1/cases', { title: 't', sla_due_at: '2026-02-30' }, 'sla_due_at', ''],
      ['POST', '/api/v1/cases', { title: 't', sla_due_at: '2026-03-01T10:00:00' }, 'sla_due_at', ''],
      ['POST', '/api/v1/cases', { title: 't', sla_due_at: 12 }, 'sla_due_at', ''],
      ['PATCH', `/api/v1/cases/${c.body.id}`, { action_taken: 'called \ud800' }, 'action_taken', NUL_REASON],
      ['PATCH', `/api/v1/cases/${c.body.id}`, { assignee: 'x\u0000' }, 'assignee', NUL_REASON],
      ['PATCH', `/api/v1/cases/${c.body.id}`, { sla_due_at: null }, 'sla_due_at', ''],
      ['POST', `/api/v1/cases/${c.body.id}/notes`, { body: 'b\u0000' }, 'body', NUL_REASON],
      ['POST', `/api/v1/cases/${c.body.id}/notes`, { body: 'b', author: '\ud800' }, 'author', NUL_REASON],
      ['POST', '/api/v1/webhooks', { url: 'https://example.com/x', description: 'd\u0000' }, 'description', NUL_REASON],
      ['PATCH', `/api/v1/webhooks/${wh.body.id}`, { description: '\udfff' }, 'description', NUL_REASON],
    ];
    for (const [method, path, body, field, reason] of refused) {
      const r = await env().api(method, path, key, body);
      const what = `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`;
      assert.equal(r.status, 422, what);
      assert.match(r.contentType, /application\/problem\+json/);
      assert.equal(r.body.errors[0].field, field, what);
      if (reason) assert.equal(r.body.errors[0].reason, reason, what);
    }
    assert.deepEqual(
      {
        cases: await count(env().store, 'cases', orgId),
        events: await count(env().store, 'case_events', orgId),
        webhooks: await count(env().store, 'webhooks', orgId),
      },
      before,
      'nothing was written',
    );
    const read = await env().api('GET', `/api/v1/cases/${c.body.id}`, key);
    assert.equal(read.body.title, 'Parcel lost');
  });

  it('rules: a NUL or lone surrogate in the name, an action assignee or an attribute value → 422 naming it, no rule written', async () => {
    const { key } = await env().newOrg();
    const rule = { name: 'r', condition: { type: 'churn_threat' }, actions: [{ type: 'tag', tag: 'x' }] };
    for (const [body, field] of [
      [{ ...rule, name: 'a\u0000b' }, 'name'],
      [{ ...rule, name: '\ud800' }, 'name'],
      [{ ...rule, actions: [{ type: 'open_case', assignee: 'x\u0000' }] }, 'actions[0].assignee'],
      [{ ...rule, customer: { attribute: { key: 'plan', equals: '\u0000' } } }, 'customer.attribute.equals'],
    ] as const) {
      const r = await env().api('POST', '/api/v1/rules', key, body);
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.deepEqual(r.body.errors, [{ field, reason: NUL_REASON }]);
    }
    assert.deepEqual((await env().api('GET', '/api/v1/rules', key)).body.items, []);
  });

  it('taxonomy: a NUL or lone surrogate in a label, phrase or version, or a blank label → 422 naming it; the taxonomy is unchanged', async () => {
    const { key } = await env().newOrg();
    const before = await env().api('GET', '/api/v1/taxonomy', key);
    const topics = before.body.topics.map(({ key: k, label, parent, sevenP, department, phrases }: any) => ({
      key: k,
      label,
      parent,
      sevenP,
      department,
      phrases,
    }));
    const with0 = (change: (t: any) => void) => {
      const copy = structuredClone(topics);
      change(copy[0]);
      return { topics: copy };
    };
    for (const [body, field, reason] of [
      [with0((t) => (t.label = 'a\u0000b')), 'topics[0].label', NUL_REASON],
      [with0((t) => (t.label = '\ud800')), 'topics[0].label', NUL_REASON],
      [with0((t) => (t.label = '   ')), 'topics[0].label', 'must not be empty'],
      [with0((t) => (t.phrases = ['late \u0000'])), 'topics[0].phrases[0]', NUL_REASON],
      [{ version: 'v\u0000', topics }, 'version', NUL_REASON],
    ] as const) {
      const r = await env().api('PUT', '/api/v1/taxonomy', key, body);
      assert.equal(r.status, 422, JSON.stringify(r.body).slice(0, 300));
      assert.deepEqual(r.body.errors, [{ field, reason }]);
    }
    assert.deepEqual((await env().api('GET', '/api/v1/taxonomy', key)).body, before.body);
  });

  it('widget: a NUL or lone surrogate in the survey, language, page address or token → 422 naming it, no invitation', async () => {
    const { key } = await env().newOrg();
    const site = 'http://shop.test';
    const settings = await env().api('PUT', '/api/v1/survey-settings', key, {
      throttle_days: 0,
      allowed_origins: [site],
      identity_verification: 'off',
    });
    const survey = await env().api('POST', '/api/v1/surveys', key, {
      key: 'pulse',
      name: 'Pulse',
      questions: [{ id: 'csat', type: 'csat', text: 'How was it?' }],
      widget: { triggers: [{ on: 'page_view' }] },
    });
    assert.equal(survey.status, 201, JSON.stringify(survey.body));
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${env().base}/api/v1/widget/${path}?key=${settings.body.public_key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: site },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: (await r.json()) as any };
    };
    const who = { email: 'ana@x.io' };
    for (const [path, body, field] of [
      ['display', { survey: 'a\u0000b' }, 'survey'],
      ['display', { survey: survey.body.slug, customer: who, lang: '\u0000' }, 'lang'],
      ['display', { survey: survey.body.slug, customer: who, url: 'https://shop.test/\u0000' }, 'url'],
      ['display', { survey: survey.body.slug, customer: who, url: '\ud800' }, 'url'],
      ['answers', { token: '\u0000', answers: {} }, 'token'],
    ] as const) {
      const r = await post(path, body);
      assert.equal(r.status, 422, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.errors, [{ field, reason: NUL_REASON }]);
    }
    assert.deepEqual((await env().api('GET', '/api/v1/surveys/pulse/invitations', key)).body.items, []);
    assert.equal((await post('display', { survey: survey.body.slug, customer: who, lang: 'en' })).body.show, true);
  });

  it('survey settings: a body that is not an object → 400; a sender that is not an address → 422; nothing changes', async () => {
    const { key } = await env().newOrg();
    const ok = await env().api('PUT', '/api/v1/survey-settings', key, {
      throttle_days: 12,
      email_from: 'Brightleaf <feedback@brightleaf.example>',
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (const body of ['[]', 'null', '7', '"x"']) {
      const r = await env().api('PUT', '/api/v1/survey-settings', key, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.detail, 'the body must be a JSON object');
    }
    for (const from of ['   ', 'NaN', 'a@b.io\r\nBcc: x@y.io', 'Shop <a\u0000@b.io>', 'Shop <not an address>']) {
      const r = await env().api('PUT', '/api/v1/survey-settings', key, { email_from: from });
      assert.equal(r.status, 422, JSON.stringify(from));
      assert.equal(r.body.errors[0].field, 'email_from');
    }
    const after = await env().api('GET', '/api/v1/survey-settings', key);
    assert.equal(after.body.throttle_days, 12);
    assert.equal(after.body.email_from, 'Brightleaf <feedback@brightleaf.example>');
  });

  it('sign-in with a NUL in the email → 400 naming it, not a 500', async () => {
    const r = await env().api('POST', '/api/v1/session', null, { email: 'a\u0000@x.io', password: 'whatever-123' });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.deepEqual(r.body.errors, [{ field: 'email', reason: NUL_REASON }]);
  });

  it("an opt-out for another org's customer id (or none) → 422 naming customer_id; no opt-out is written", async () => {
    const a = await env().newOrg();
    const b = await env().newOrg();
    const ix = await env().api('POST', '/api/v1/interactions', a.key, {
      customer_email: 'ana@x.io',
      kind: 'chat',
      opened_at: '2026-03-01T09:00:00Z',
    });
    assert.equal(ix.status, 201, JSON.stringify(ix.body));
    for (const id of [ix.body.customer_id, '01a23cc5-1720-7000-a863-ab743431d43b']) {
      for (const method of ['POST', 'DELETE']) {
        const r = await env().api(method, '/api/v1/survey-opt-outs', b.key, { customer_id: id });
        assert.equal(r.status, 422, `${method}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body.errors, [{ field: 'customer_id', reason: `no customer ${id} in this organisation` }]);
      }
    }
    assert.deepEqual((await env().api('GET', '/api/v1/survey-opt-outs', b.key)).body.items, []);
    const own = await env().api('POST', '/api/v1/survey-opt-outs', a.key, { customer_id: ix.body.customer_id });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.created, true);
  });

  it('a 422\'s detail names the field and reason, not only "nothing was written"', async () => {
    const { key } = await env().newOrg();
    const cases: [string, string, unknown, RegExp][] = [
      [
        'POST',
        '/api/v1/users',
        { email: 'x@y.io', name: 'X', role: 'boss', password: 'long-enough-1' },
        /^role: must be one of /,
      ],
      [
        'PUT',
        '/api/v1/survey-settings',
        { throttle_days: -1 },
        /^throttle_days: must be at least 0; nothing was written$/,
      ],
      [
        'POST',
        '/api/v1/departments',
        [{ key: 'ops', name: '' }],
        /^\[0\]\.name: must not be empty; nothing was written$/,
      ],
      ['POST', '/api/v1/survey-opt-outs', {}, /^customer_email: name the customer/],
      [
        'POST',
        '/api/v1/events',
        { customer_email: 'a@x.io', type: 'nope', occurred_at: '2026-03-01' },
        /^type: must be one of /,
      ],
      [
        'POST',
        '/api/v1/events',
        [{ customer_email: 'a@x.io', type: 'page_view', occurred_at: '2026-02-30' }],
        /^\[0\]\.occurred_at: must be an ISO 8601 .*; 1 of 1 records are invalid; nothing was written$/,
      ],
      [
        'POST',
        '/api/v1/interactions',
        { customer_id: '01a23cc5-1720-7000-a863-ab743431d43b', kind: 'chat', opened_at: '2026-03-01' },
        /^\[0\]\.customer_id: no customer 01a23cc5-1720-7000-a863-ab743431d43b in this organisation; /,
      ],
    ];
    for (const [method, path, body, detail] of cases) {
      const r = await env().api(method, path, key, body);
      assert.equal(r.status, 422, `${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.detail, detail, path);
    }
  });

  it('a value that fits none of a union\'s forms is named by them, not "Invalid input"', async () => {
    const { key } = await env().newOrg();
    const rs = await env().api('POST', '/api/v1/responses', key, {
      customer_email: 'a@x.io',
      submitted_at: '2026-03-01',
      answers: [
        { field: 'c', type: 'choice', value: { a: 1 } },
        { field: 's', type: 'ces', value: 3, scale_max: 6 },
      ],
    });
    assert.equal(rs.status, 422);
    assert.deepEqual(rs.body.errors, [
      { field: 'answers[0].value', reason: 'must be a string or an array, not object' },
      { field: 'answers[1].scale_max', reason: 'must be 5 or 7' },
    ]);
    const ev = await env().api('POST', '/api/v1/events', key, {
      customer_email: 'a@x.io',
      type: 'page_view',
      occurred_at: '2026-03-01',
      properties: { cart: { items: 3 } },
    });
    assert.equal(ev.status, 422);
    assert.deepEqual(ev.body.errors, [
      { field: 'properties.cart', reason: 'must be a string, a number, a boolean or null, not object' },
    ]);
    const nul = await env().api('POST', '/api/v1/analyse', key, { texts: ['fine', 'a\u0000b'] });
    assert.equal(nul.status, 422);
    assert.deepEqual(nul.body.errors, [{ field: 'texts[1]', reason: NUL_REASON }]);
    const an = await env().api('POST', '/api/v1/analyse', key, { texts: 'one text' });
    assert.equal(an.status, 422);
    assert.match(
      an.body.errors[0].reason,
      /^matches none of the accepted forms \(.*texts: must be an array, not string\)$/,
    );
  });

  it('a single department or touchpoint is answered without a batch index; a survey definition and a password are named too', async () => {
    const { key } = await env().newOrg();
    const one = await env().api('POST', '/api/v1/touchpoints', key, {
      key: 'kiosk',
      name: 'Kiosk',
      department: 'nowhere',
      channel: 'field',
      journey_stage: 'purchase',
    });
    assert.equal(one.status, 422, JSON.stringify(one.body));
    assert.deepEqual(one.body.errors, [{ field: 'department', reason: "unknown department 'nowhere'" }]);
    const many = await env().api('POST', '/api/v1/departments', key, [{ key: 'ops', name: 'Ops' }, { key: 'x' }]);
    assert.deepEqual(many.body.errors, [{ index: 1, field: 'name', reason: 'is required' }]);
    const survey = await env().api('POST', '/api/v1/surveys', key, { key: 's', name: 'S', questions: [] });
    assert.equal(survey.status, 422);
    assert.match(survey.body.detail, /^questions: must have at least one question; the survey definition is invalid/);
    const user = await env().api('POST', '/api/v1/users', key, {
      email: 'nul@x.io',
      name: 'Nul',
      role: 'viewer',
      password: 'long enough \u0000 password',
    });
    assert.equal(user.status, 422);
    assert.deepEqual(user.body.errors, [{ field: 'password', reason: NUL_REASON }]);
  });

  it('a retry under a known idempotency key must send the same record: a different one → 422 naming the key, nothing written', async () => {
    const { orgId, key } = await env().newOrg();
    const ev = {
      customer_email: 'a@x.io',
      type: 'purchase',
      occurred_at: '2026-03-01T09:00:00Z',
      value: 20,
      properties: { sku: 'A-1', qty: 2 },
    };
    const first = await env().api('POST', '/api/v1/events', key, [ev], { 'idempotency-key': 'order-77' });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // The same record again (its map's keys in another order): a duplicate, answered with the first id.
    const same = await env().api('POST', '/api/v1/events', key, [{ ...ev, properties: { qty: 2, sku: 'A-1' } }], {
      'idempotency-key': 'order-77',
    });
    assert.equal(same.status, 200);
    assert.equal(same.body.results[0].status, 'duplicate');
    assert.equal(same.body.results[0].id, first.body.results[0].id);
    const before = await countRows(env().store, orgId);
    const changed = await env().api('POST', '/api/v1/events', key, [{ ...ev, value: 200 }], {
      'idempotency-key': 'order-77',
    });
    assert.equal(changed.status, 422, JSON.stringify(changed.body));
    assert.equal(changed.body.errors[0].index, 0);
    assert.equal(changed.body.errors[0].field, 'idempotency_key');
    assert.match(changed.body.errors[0].reason, /^'order-77#0' was used for a different record/);
    const own = { ...ev, idempotency_key: 'evt-9' };
    assert.equal((await env().api('POST', '/api/v1/events', key, own)).status, 201);
    assert.equal((await env().api('POST', '/api/v1/events', key, own)).body.status, 'duplicate');
    const other = await env().api('POST', '/api/v1/events', key, { ...own, value: 21 });
    assert.equal(other.status, 422);
    assert.deepEqual(
      other.body.errors.map((e: { field: string }) => e.field),
      ['idempotency_key'],
    );
    const after = await countRows(env().store, orgId);
    assert.equal(after.events, before.events + 1, 'only evt-9 was written');
  });

  it('an empty list of departments or touchpoints → 422 (as an empty batch of records)', async () => {
    const { key } = await env().newOrg();
    for (const path of ['/api/v1/departments', '/api/v1/touchpoints']) {
      const r = await env().api('POST', path, key, []);
      assert.equal(r.status, 422, path);
      assert.equal(r.body.title, 'Empty batch');
    }
  });
});

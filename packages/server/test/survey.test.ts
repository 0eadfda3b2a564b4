import assert from 'node:assert/strict';
import { it } from 'node:test';
import { encodeToken } from '@canopy/core';
import { surveySettings } from '@canopy/store';
import { macFor } from '../src/surveys/service.js';
import { countRows, eachStore } from './harness.js';
import { form, page, SURVEY } from './survey-helpers.js';

process.env.CANOPY_SURVEY_TICK_MS = '0';

eachStore('surveys: definitions', (env) => {
  it('creates, versions and lists surveys; invalid definitions get precise errors', async () => {
    const { key } = await env().newOrg();
    const bad = await env().api('POST', '/api/v1/surveys', key, {
      ...SURVEY,
      questions: [
        { id: 'nps', type: 'nps', text: 'Recommend?' },
        { id: 'why', type: 'text', text: 'Why?', show_if: { question: 'nps', min: 0, max: 12 } },
      ],
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.contentType, 'application/problem+json; charset=utf-8');
    const reasons = bad.body.errors.map((e: { field: string; reason: string }) => `${e.field}: ${e.reason}`);
    assert.ok(reasons.includes("questions[1].show_if.max: must be within nps's scale 0–10"), reasons.join('\n'));
    const badType = await env().api('POST', '/api/v1/surveys', key, {
      ...SURVEY,
      questions: [{ id: 'x', type: 'stars', text: 'Stars?' }],
    });
    assert.match(badType.body.errors[0].reason, /^type must be one of nps, csat/);
    assert.equal(badType.body.errors[0].field, 'questions[0].type');

    const created = await env().api('POST', '/api/v1/surveys', key, SURVEY);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.version, 1);
    assert.match(created.body.slug, /^after-chat-[0-9a-f]{8}$/);
    assert.equal(created.body.url, `${env().base}/s/${created.body.slug}`);
    const dup = await env().api('POST', '/api/v1/surveys', key, SURVEY);
    assert.equal(dup.status, 409);

    const v2 = await env().api('PUT', '/api/v1/surveys/after-chat', key, { ...SURVEY, name: 'How was your chat?' });
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    assert.equal(v2.body.version, 2);
    assert.equal(v2.body.slug, created.body.slug, 'the public address stays');
    const list = await env().api('GET', '/api/v1/surveys', key);
    assert.deepEqual(
      list.body.items.map((s: { key: string; name: string }) => [s.key, s.name]),
      [['after-chat', 'How was your chat?']],
    );
    const paused = await env().api('PATCH', '/api/v1/surveys/after-chat', key, { status: 'paused' });
    assert.equal(paused.body.status, 'paused');
    const closed = await page(env(), `/s/${created.body.slug}`);
    assert.equal(closed.status, 410);
    assert.match(closed.text, /Survey closed/);
    const openapi = await env().api('GET', '/api/openapi.json', null);
    assert.ok(openapi.body.paths['/api/v1/surveys/{key}/funnel'], 'documented');
  });
});

eachStore('surveys: hosted link with per-recipient tokens', (env) => {
  it('answers page by page: partial answers kept as one response, agent credit, text analysis, single use', async () => {
    const { orgId, key } = await env().newOrg();
    await env().api('POST', '/api/v1/surveys', key, SURVEY);
    const ix = await env().api('POST', '/api/v1/interactions', key, {
      customer_email: 'ana@example.com',
      kind: 'chat',
      touchpoint: 'support-chat',
      agent: 'kim',
      external_id: 'CH-1',
      opened_at: '2026-03-01T10:00:00Z',
      resolved_at: '2026-03-01T10:30:00Z',
    });
    const inv = await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, {
      interaction_external_id: 'CH-1',
      channel: 'link',
      hidden: { order_id: 'nope' },
    });
    assert.equal(inv.status, 422);
    assert.equal(inv.body.errors[0].field, 'hidden.order_id');
    const ok = await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, {
      interaction_external_id: 'CH-1',
      channel: 'link',
      language: 'pt',
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const [r] = ok.body.results;
    assert.equal(r.status, 'sent');
    assert.equal(r.customer_id, ix.body.customer_id);
    const url = new URL(r.url);
    const token = url.searchParams.get('t')!;

    const first = await page(env(), url.pathname + url.search);
    assert.equal(first.status, 200);
    assert.match(first.type, /text\/html/);
    assert.match(first.text, /<html lang="pt">/);
    assert.match(first.text, /Qual a probabilidade de nos recomendar\?/);
    assert.match(first.text, /<legend>/);

    // A required answer missing: the page comes back with the error and nothing is written.
    const before = await countRows(env().store, orgId);
    const missing = await form(env(), url.pathname, [
      ['t', token],
      ['page', '1'],
    ]);
    assert.equal(missing.status, 422);
    assert.match(missing.text, /role="alert"/);
    assert.match(missing.text, /aria-invalid="true"/);
    assert.deepEqual(await countRows(env().store, orgId), before);

    const p1 = await form(env(), url.pathname, [
      ['t', token],
      ['page', '1'],
      ['a.nps', '4'],
      ['a.reason', 'The agent was rude and the refund took weeks'],
    ]);
    assert.equal(p1.status, 303, p1.text);
    assert.match(p1.location!, /page=2/);
    // The partial answers are a response already, credited to the agent who handled the chat.
    let list = await env().api('GET', '/api/v1/responses?survey=after-chat', key);
    assert.equal(list.body.items.length, 1);
    const resp = list.body.items[0];
    assert.equal(resp.agent, 'kim');
    assert.equal(resp.touchpoint, 'support-chat');
    assert.equal(resp.interaction_id, ix.body.id);
    assert.equal(resp.source, 'link');
    assert.equal(resp.language, 'pt');
    assert.deepEqual(
      resp.answers.map((a: { field: string; value: unknown }) => [a.field, a.value]),
      [
        ['nps', 4],
        ['reason', 'The agent was rude and the refund took weeks'],
      ],
    );
    assert.equal(resp.analysis[0].field, 'reason');
    assert.equal(resp.analysis[0].sentiment.label, 'negative');

    const p2 = await form(env(), url.pathname, [
      ['t', token],
      ['page', '2'],
      ['a.expect', '2'],
      ['a.contact', 'chat'],
      ['a.contact', 'email'],
    ]);
    assert.equal(p2.status, 303);
    assert.match(p2.location!, /\/done\?/);
    const done = await page(env(), p2.location!);
    assert.match(done.text, /Thank you for helping us improve/);
    list = await env().api('GET', '/api/v1/responses?survey=after-chat', key);
    assert.equal(list.body.items.length, 1, 'still one response');
    assert.deepEqual(list.body.items[0].answers.find((a: { field: string }) => a.field === 'contact').value, [
      'chat',
      'email',
    ]);

    // Single use: the spent token gets a clear error and writes nothing.
    const spent = await countRows(env().store, orgId);
    const again = await form(
      env(),
      url.pathname,
      [
        ['t', token],
        ['page', '1'],
        ['a.nps', '10'],
      ],
      'application/json',
    );
    assert.equal(again.status, 410);
    assert.equal(again.type, 'application/problem+json; charset=utf-8');
    assert.equal(JSON.parse(again.text).type, 'https://canopy.dev/problems/token-used');
    const againHtml = await page(env(), url.pathname + url.search);
    assert.equal(againHtml.status, 410);
    assert.match(againHtml.text, /Already answered/);
    assert.deepEqual(await countRows(env().store, orgId), spent);

    const funnel = await env().api('GET', '/api/v1/surveys/after-chat/funnel?group_by=channel,touchpoint', key);
    assert.equal(funnel.status, 200);
    assert.deepEqual(funnel.body.total, {
      invited: 1,
      sent: 1,
      opened: 1,
      started: 1,
      completed: 1,
      skipped: 0,
      failed: 0,
      open_rate: 100,
      start_rate: 100,
      response_rate: 100,
      completion_rate: 100,
    });
    assert.equal(funnel.body.groups[0].channel, 'link');
    assert.equal(funnel.body.groups[0].touchpoint, 'support-chat');
  });

  it('refuses forged, tampered, expired and foreign tokens with clear errors and writes nothing', async () => {
    const { orgId, key } = await env().newOrg();
    const other = await env().newOrg();
    const s = await env().api('POST', '/api/v1/surveys', key, SURVEY);
    await env().api('POST', '/api/v1/surveys', other.key, { ...SURVEY, slug: undefined });
    const ok = await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, {
      customer_email: 'bo@example.com',
      channel: 'link',
    });
    const good = new URL(ok.body.results[0].url).searchParams.get('t')!;
    const inv = ok.body.results[0].id;
    const settings = await surveySettings(env().store.db, orgId);
    const expired = encodeToken(
      { orgId, invitationId: inv, expiresAt: new Date(Date.now() - 1000) },
      macFor(settings.token_secret),
    );
    const [p, m] = good.split('.');
    const tampered = `${p.slice(0, 25)}${p[25] === 'A' ? 'B' : 'A'}${p.slice(26)}.${m}`;
    const otherSecret = await surveySettings(env().store.db, other.orgId);
    const foreign = encodeToken(
      { orgId, invitationId: inv, expiresAt: new Date(Date.now() + 86_400_000) },
      macFor(otherSecret.token_secret),
    );
    const before = await countRows(env().store, orgId);
    const cases: [string, string, number, string][] = [
      ['garbage', 'not-a-token', 403, 'token-invalid'],
      ['tampered', tampered, 403, 'token-invalid'],
      ['signed by another org', foreign, 403, 'token-invalid'],
      ['expired', expired, 410, 'token-expired'],
    ];
    for (const [name, t, status, type] of cases) {
      const json = await form(
        env(),
        `/s/${s.body.slug}`,
        [
          ['t', t],
          ['page', '1'],
          ['a.nps', '9'],
        ],
        'application/json',
      );
      assert.equal(json.status, status, name);
      assert.equal(JSON.parse(json.text).type, `https://canopy.dev/problems/${type}`, name);
      const click = await page(env(), `/s/${s.body.slug}/answer?t=${encodeURIComponent(t)}&v=9`);
      assert.equal(click.status, status, name);
      assert.match(click.text, status === 410 ? /Link expired/ : /Invalid link/, name);
    }
    // A real token on another survey's page is not valid there.
    const wrongPage = await page(env(), `/s/not-this-survey/answer?t=${good}&v=9`);
    assert.equal(wrongPage.status, 403);
    assert.deepEqual(await countRows(env().store, orgId), before);
    const invs = await env().api('GET', '/api/v1/surveys/after-chat/invitations', key);
    assert.equal(invs.body.items[0].started_at, null);
    // Without a token, a survey that is not public asks for the personal link.
    const anon = await page(env(), `/s/${s.body.slug}`);
    assert.equal(anon.status, 403);
    assert.match(anon.text, /Personal link needed/);
  });

  it('takes anonymous answers on a public link, with hidden fields from the address', async () => {
    const { key } = await env().newOrg();
    const s = await env().api('POST', '/api/v1/surveys', key, {
      ...SURVEY,
      key: 'public-nps',
      public_link: true,
      hidden_fields: ['touchpoint', 'agent', 'campaign'],
    });
    const view = await page(env(), `/s/${s.body.slug}?touchpoint=delivery&campaign=spring&agent=ann`);
    assert.equal(view.status, 200);
    assert.match(view.text, /name="h.campaign" value="spring"/);
    const p1 = await form(env(), `/s/${s.body.slug}`, [
      ['h.touchpoint', 'delivery'],
      ['h.campaign', 'spring'],
      ['h.agent', 'ann'],
      ['page', '1'],
      ['a.nps', '10'],
    ]);
    assert.equal(p1.status, 303, p1.text);
    const list = await env().api('GET', '/api/v1/responses?survey=public-nps', key);
    assert.equal(list.body.items[0].touchpoint, 'delivery');
    assert.equal(list.body.items[0].agent, 'ann');
    assert.equal(list.body.items[0].customer_id, null);
    const invs = await env().api('GET', '/api/v1/surveys/public-nps/invitations', key);
    assert.deepEqual(invs.body.items[0].hidden, { campaign: 'spring' });
  });
});

eachStore('surveys: contact rules', (env) => {
  it('throttles per customer across surveys, honours opt-outs and touchpoint quotas', async () => {
    const { key } = await env().newOrg();
    const bad = await env().api('PUT', '/api/v1/survey-settings', key, { throttle_days: -1, timezone: 'Mars/Olympus' });
    assert.equal(bad.status, 422);
    assert.deepEqual(
      bad.body.errors.map((e: { field: string }) => e.field),
      ['throttle_days', 'timezone'],
    );
    const set = await env().api('PUT', '/api/v1/survey-settings', key, {
      throttle_days: 30,
      touchpoint_quotas: { delivery: { max: 1, period_days: 1 } },
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.match(set.body.public_key, /^pk_/);
    await env().api('POST', '/api/v1/surveys', key, SURVEY);
    await env().api('POST', '/api/v1/surveys', key, { ...SURVEY, key: 'second', touchpoint: 'delivery' });
    const invite = (survey: string, email: string) =>
      env().api('POST', `/api/v1/surveys/${survey}/invitations`, key, { customer_email: email, channel: 'link' });
    const a = await invite('after-chat', 'cy@example.com');
    assert.equal(a.body.results[0].status, 'sent');
    const b = await invite('second', 'cy@example.com');
    assert.equal(b.body.results[0].status, 'skipped');
    assert.equal(b.body.results[0].reason, 'throttled');
    assert.equal(b.body.results[0].url, undefined);

    const q1 = await invite('second', 'di@example.com');
    assert.equal(q1.body.results[0].status, 'sent');
    const q2 = await invite('second', 'ed@example.com');
    assert.equal(q2.body.results[0].reason, 'quota_full');

    const out = await env().api('POST', '/api/v1/survey-opt-outs', key, { customer_email: 'fay@example.com' });
    assert.equal(out.body.created, true);
    const c = await invite('after-chat', 'fay@example.com');
    assert.equal(c.body.results[0].reason, 'opted_out');
    const list = await env().api('GET', '/api/v1/survey-opt-outs', key);
    assert.deepEqual(
      list.body.items.map((o: { email: string }) => o.email),
      ['fay@example.com'],
    );
    await env().api('DELETE', '/api/v1/survey-opt-outs', key, { customer_email: 'fay@example.com' });
    const d = await invite('after-chat', 'fay@example.com');
    assert.equal(d.body.results[0].status, 'sent');

    const funnel = await env().api('GET', '/api/v1/surveys/second/funnel', key);
    assert.equal(funnel.body.total.invited, 3);
    assert.equal(funnel.body.total.sent, 1);
    assert.equal(funnel.body.total.skipped, 2);
  });
});

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { eachStore, type TestEnv } from './harness.js';
import { form, page, SURVEY } from './survey-helpers.js';

process.env.CANOPY_SURVEY_TICK_MS = '0';

interface Mail {
  to: string[];
  raw: string;
  body: string;
}
const inbox: Mail[] = [];
let smtp: SMTPServer;

/** Quoted-printable soft breaks and escapes undone: enough to read links out of a message. */
const unqp = (s: string) =>
  s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16)));

before(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, body: unqp(raw) });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const addr = smtp.server.address();
  process.env.CANOPY_SMTP_URL = `smtp://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

async function mailFor(to: string, timeoutMs = 5000): Promise<Mail> {
  const t0 = Date.now();
  for (;;) {
    const m = inbox.find((x) => x.to.includes(to));
    if (m) return m;
    if (Date.now() - t0 > timeoutMs) throw new Error(`no mail to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function links(m: Mail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, href] of m.body.matchAll(/(?:href|src)="([^"]+)"/g)) {
    const u = new URL(href.replace(/&amp;/g, '&'));
    const v = u.searchParams.get('v');
    out[v !== null ? `v${v}` : u.pathname.split('/').pop()!] = u.pathname + u.search;
  }
  return out;
}

async function setup(env: TestEnv, settings: object = { throttle_days: 0 }) {
  // Each store's suite runs in this one process: start every test with an empty inbox.
  inbox.length = 0;
  const org = await env.newOrg();
  const put = await env.api('PUT', '/api/v1/survey-settings', org.key, { ...settings, public_url: env.base });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  return org;
}

eachStore('surveys: email over SMTP', (env) => {
  it('one click in the email records the score once; a second click updates it', async () => {
    const { key, orgId } = await setup(env());
    const s = await env().api('POST', '/api/v1/surveys', key, SURVEY);
    const inv = await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, {
      customer_email: 'gus@example.com',
      agent: 'lee',
    });
    assert.equal(inv.body.results[0].status, 'scheduled');
    await env().api('POST', '/api/v1/surveys/dispatch', key);
    const mail = await mailFor('gus@example.com');
    assert.match(mail.raw, /^Subject: How did we do\?/m);
    assert.match(
      mail.raw.replace(/\r\n /g, ' '),
      /^List-Unsubscribe: <http:\/\/127\.0\.0\.1:\d+\/s\/[^>]+\/opt-out\?t=/m,
    );
    assert.match(mail.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    const l = links(mail);
    for (let v = 0; v <= 10; v++) assert.ok(l[`v${v}`], `a link for ${v}`);
    assert.ok(l['opt-out'] && l['open.gif']);

    const pixel = await fetch(env().base + l['open.gif']);
    assert.equal(pixel.headers.get('content-type'), 'image/gif');

    const click = await page(env(), l.v3);
    assert.equal(click.status, 303);
    assert.match(click.location!, new RegExp(`^/s/${s.body.slug}\\?t=.*page=1`));
    const shown = await page(env(), click.location!);
    assert.match(shown.text, /value="3" checked/);
    assert.match(shown.text, /What is the main reason for your score\?/);
    let list = await env().api('GET', '/api/v1/responses?survey=after-chat', key);
    assert.equal(list.body.items.length, 1);
    const id = list.body.items[0].id;
    assert.equal(list.body.items[0].source, 'email');
    assert.equal(list.body.items[0].agent, 'lee');
    assert.deepEqual(list.body.items[0].answers, [
      { field: 'nps', type: 'nps', value: 3, scale_min: 0, scale_max: 10 },
    ]);

    // Second click (and a repeat of it): the same response, updated, never duplicated.
    await page(env(), l.v9);
    await page(env(), l.v9);
    list = await env().api('GET', '/api/v1/responses?survey=after-chat', key);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].id, id);
    assert.equal(list.body.items[0].answers[0].value, 9);
    // The daily rollup behind the dashboards holds one NPS answer, worth 9.
    const roll = await sql<{ n: number; s: number }>`SELECT sum(n)::int AS n, sum(sum)::float8 AS s
      FROM rollup_answers_daily WHERE org_id = ${orgId} AND type = 'nps'`.execute(env().store.db);
    assert.deepEqual(roll.rows[0], { n: 1, s: 9 });

    // Finish the survey; the link is then spent.
    const token = new URL(env().base + l.v9).searchParams.get('t')!;
    const p1 = await form(env(), `/s/${s.body.slug}`, [
      ['t', token],
      ['page', '1'],
      ['a.nps', '9'],
    ]);
    const p2 = await form(env(), `/s/${s.body.slug}`, [
      ['t', token],
      ['page', '2'],
      ['a.expect', '4'],
    ]);
    assert.match(p1.location!, /page=2/);
    const done = await page(env(), p2.location!);
    assert.match(done.text, /Would you leave us a review\?/);
    const late = await page(env(), l.v0);
    assert.equal(late.status, 410);
    assert.match(late.text, /Already answered/);
    list = await env().api('GET', '/api/v1/responses?survey=after-chat', key);
    assert.equal(list.body.items[0].answers.find((a: { field: string }) => a.field === 'nps').value, 9);

    const funnel = await env().api('GET', '/api/v1/surveys/after-chat/funnel?group_by=channel', key);
    assert.deepEqual(
      [
        funnel.body.groups[0].channel,
        funnel.body.groups[0].sent,
        funnel.body.groups[0].opened,
        funnel.body.groups[0].completed,
      ],
      ['email', 1, 1, 1],
    );
  });

  it('honours the opt-out link on later sends', async () => {
    const { key } = await setup(env());
    await env().api('POST', '/api/v1/surveys', key, SURVEY);
    await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, { customer_email: 'hal@example.com' });
    await env().api('POST', '/api/v1/surveys/dispatch', key);
    const l = links(await mailFor('hal@example.com'));
    const confirm = await page(env(), l['opt-out']);
    assert.equal(confirm.status, 200);
    assert.match(confirm.text, /<button type="submit">Unsubscribe<\/button>/);
    // RFC 8058 one-click: a POST to the List-Unsubscribe address.
    const res = await fetch(env().base + l['opt-out'], {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.status, 200);
    const again = await env().api('POST', '/api/v1/surveys/after-chat/invitations', key, {
      customer_email: 'hal@example.com',
    });
    await env().api('POST', '/api/v1/surveys/dispatch', key);
    const invs = await env().api('GET', '/api/v1/surveys/after-chat/invitations', key);
    const second = invs.body.items.find((i: { id: string }) => i.id === again.body.results[0].id);
    assert.equal(second.status, 'skipped');
    assert.equal(second.reason, 'opted_out');
    assert.equal(inbox.filter((m) => m.to.includes('hal@example.com')).length, 1);
  });

  it('schedules a survey after a resolved interaction or a purchase, with agent credit; quiet hours defer', async () => {
    const { key } = await setup(env());
    await env().api('POST', '/api/v1/surveys', key, {
      ...SURVEY,
      key: 'after-resolve',
      touchpoint: undefined,
      triggers: [{ on: 'interaction_resolved', touchpoints: ['support-chat'], delay_minutes: 0 }],
    });
    await env().api('POST', '/api/v1/surveys', key, {
      ...SURVEY,
      key: 'after-purchase',
      touchpoint: undefined,
      triggers: [{ on: 'event', types: ['purchase', 'renewal'], delay_minutes: 120 }],
    });
    const now = Date.now();
    await env().api('POST', '/api/v1/interactions', key, {
      customer_email: 'ivy@example.com',
      kind: 'chat',
      touchpoint: 'support-chat',
      agent: 'max',
      opened_at: new Date(now - 600_000).toISOString(),
      resolved_at: new Date(now - 1000).toISOString(),
    });
    await env().api('POST', '/api/v1/interactions', key, {
      customer_email: 'old@example.com',
      kind: 'chat',
      touchpoint: 'support-chat',
      opened_at: '2025-01-01T00:00:00Z',
      resolved_at: '2025-01-01T01:00:00Z',
    });
    await env().api('POST', '/api/v1/events', key, {
      customer_email: 'jo@example.com',
      type: 'purchase',
      value: 20,
      occurred_at: new Date(now - 1000).toISOString(),
    });
    const r = await env().api('POST', '/api/v1/surveys/dispatch', key);
    assert.equal(r.status, 200);
    assert.ok(r.body.scheduled >= 2, JSON.stringify(r.body));
    const mail = await mailFor('ivy@example.com');
    assert.ok(mail);
    const resolved = await env().api('GET', '/api/v1/surveys/after-resolve/invitations', key);
    assert.equal(resolved.body.items.length, 1, 'history (an old import) is not surveyed');
    assert.equal(resolved.body.items[0].agent, 'max');
    assert.equal(resolved.body.items[0].touchpoint, 'support-chat');
    assert.equal(resolved.body.items[0].status, 'sent');
    const purchase = await env().api('GET', '/api/v1/surveys/after-purchase/invitations', key);
    assert.equal(purchase.body.items[0].status, 'scheduled');
    assert.ok(new Date(purchase.body.items[0].scheduled_at).getTime() > now + 7_000_000);
    // Running again schedules nothing twice.
    const again = await env().api('POST', '/api/v1/surveys/dispatch', key);
    assert.equal(again.body.scheduled, 0);

    // Quiet hours around now: an email waits until they end.
    const hh = (d: Date) => d.toISOString().slice(11, 16);
    const { key: k2 } = await setup(env(), {
      throttle_days: 0,
      timezone: 'UTC',
      quiet_hours: { start: hh(new Date(now - 3_600_000)), end: hh(new Date(now + 3_600_000)) },
    });
    await env().api('POST', '/api/v1/surveys', k2, { ...SURVEY, slug: undefined });
    await env().api('POST', '/api/v1/surveys/after-chat/invitations', k2, { customer_email: 'kay@example.com' });
    await env().api('POST', '/api/v1/surveys/dispatch', k2);
    const q = await env().api('GET', '/api/v1/surveys/after-chat/invitations', k2);
    assert.equal(q.body.items[0].status, 'scheduled');
    assert.equal(q.body.items[0].reason, 'quiet_hours');
    assert.equal(hh(new Date(q.body.items[0].scheduled_at)), hh(new Date(now + 3_600_000)));
    assert.equal(inbox.filter((m) => m.to.includes('kay@example.com')).length, 0);
  });
});

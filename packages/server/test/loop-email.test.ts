import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, it } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eachStore } from './harness.js';
import { waitFor } from './loop-util.js';

// A real SMTP server on loopback (not a mock): every message is parsed as a mail client would.
const inbox: { envelopeTo: string[]; mail: ParsedMail }[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, session, cb) {
    simpleParser(stream)
      .then((mail) => {
        inbox.push({ envelopeTo: (session.envelope.rcptTo ?? []).map((r) => r.address), mail });
        cb();
      })
      .catch(cb);
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
const smtpPort = (smtp.server.address() as AddressInfo).port;
after(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

const DAY = 86_400_000;

eachStore(
  'notifications and digest by email',
  (env) => {
    it('a rule’s email action sends through SMTP; the weekly digest ranks root causes by volume and revenue at risk and is emailed', async () => {
      const { key } = await env().newOrg();
      const rule = await env().api('POST', '/api/v1/rules', key, {
        name: 'Churn threat',
        condition: { type: 'churn_threat' },
        actions: [{ type: 'open_case' }, { type: 'email', to: ['cx-lead@example.com'] }],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      await env().api('POST', '/api/v1/rules', key, {
        name: 'Detractors',
        condition: { type: 'nps' },
        actions: [{ type: 'open_case' }],
      });
      // Two customers worth different amounts.
      await env().api('POST', '/api/v1/events', key, [
        {
          customer_email: 'big@example.com',
          type: 'purchase',
          value: 900,
          currency: 'EUR',
          occurred_at: new Date(Date.now() - 30 * DAY).toISOString(),
        },
        {
          customer_email: 'big@example.com',
          type: 'renewal',
          value: 100,
          currency: 'EUR',
          occurred_at: new Date(Date.now() - 20 * DAY).toISOString(),
        },
        {
          customer_email: 'small@example.com',
          type: 'purchase',
          value: 50,
          currency: 'EUR',
          occurred_at: new Date(Date.now() - 30 * DAY).toISOString(),
        },
      ]);
      const now = new Date(Date.now() - 60_000).toISOString();
      const res = await env().api('POST', '/api/v1/interactions', key, {
        customer_email: 'big@example.com',
        kind: 'email',
        touchpoint: 'delivery',
        text: 'Third late delivery this month. I am cancelling my subscription.',
        opened_at: now,
      });
      assert.equal(res.status, 201);
      await env().api('POST', '/api/v1/responses', key, [
        {
          customer_email: 'small@example.com',
          touchpoint: 'delivery',
          submitted_at: now,
          answers: [
            { field: 'nps', type: 'nps', value: 4 },
            { field: 'why', type: 'text', value: 'The courier lost my parcel and nobody called back.' },
          ],
        },
      ]);
      await env().api('POST', '/api/v1/interactions', key, {
        customer_email: 'third@example.com',
        kind: 'chat',
        text: 'The delivery was late again.',
        opened_at: now,
      });
      await waitFor(() => inbox.some((m) => m.mail.subject?.includes('Churn threat')), 10_000, 'the alert email');
      const alert = inbox.find((m) => m.mail.subject?.includes('Churn threat'))!;
      assert.deepEqual(alert.envelopeTo, ['cx-lead@example.com']);
      assert.match(alert.mail.text ?? '', /Department: delivery/);
      assert.match(alert.mail.text ?? '', /cancelling my subscription/);

      const week = new Date().toISOString().slice(0, 10);
      const dg = await env().api('GET', `/api/v1/digest?week=${week}`, key);
      assert.equal(dg.status, 200, JSON.stringify(dg.body));
      const d = dg.body.departments.find((x: { department: string }) => x.department === 'delivery');
      assert.ok(d, JSON.stringify(dg.body));
      assert.equal(d.cases_opened, 2);
      assert.equal(d.unresolved.count, 2);
      const risk = d.top_root_causes.reduce((s: number, r: { revenue_at_risk: number }) => s + r.revenue_at_risk, 0);
      assert.equal(risk, 1050, JSON.stringify(d.top_root_causes));
      assert.equal(d.top_root_causes_by_impact[0].revenue_at_risk, 1000);
      assert.ok(d.verbatims.length >= 1);
      assert.ok(
        d.topics.some((t: { topic: string; kind: string }) => t.topic.startsWith('delivery') && t.kind === 'new'),
        JSON.stringify(d.topics),
      );
      const bad = await env().api('GET', '/api/v1/digest?week=last-tuesday', key);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, 'week');

      const send = await env().api('POST', '/api/v1/digest/send', key, {
        to: ['delivery-owner@example.com'],
        week,
        department: 'delivery',
      });
      assert.equal(send.status, 202, JSON.stringify(send.body));
      assert.deepEqual(send.body.departments, ['delivery']);
      await waitFor(
        () => inbox.some((m) => m.envelopeTo.includes('delivery-owner@example.com')),
        10_000,
        'the digest email',
      );
      const mail = inbox.find((m) => m.envelopeTo.includes('delivery-owner@example.com'))!;
      assert.match(mail.mail.subject ?? '', /delivery — weekly intelligence digest/);
      assert.match(mail.mail.text ?? '', /revenue at risk 1000/);
      // The counts say what they count: open today, and of those, past their SLA by the week's end.
      const sunday = new Date(Date.parse(dg.body.week.to) - 86_400_000).toISOString().slice(0, 10);
      const by = Date.parse(dg.body.week.to) > Date.now() ? 'now' : `by ${sunday}`;
      assert.ok(
        (mail.mail.text ?? '').includes(
          `Still open (opened by the end of the week, not resolved or closed today): 2, ${d.unresolved.overdue} of them past their SLA ${by}.`,
        ),
        mail.mail.text,
      );
      assert.match(mail.mail.html || '', /<pre/);
      const none = await env().api('POST', '/api/v1/digest/send', key, { to: [] });
      assert.equal(none.status, 422);
    });
  },
  {
    loop: {
      smtp: { host: '127.0.0.1', port: smtpPort, from: 'Canopy <canopy@example.com>', ignoreTls: true },
      jobs: { pollMs: 200, backoff: { baseMs: 100 } },
    },
  },
);

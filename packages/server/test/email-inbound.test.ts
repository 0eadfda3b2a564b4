import assert from 'node:assert/strict';
import { it } from 'node:test';
import nodemailer from 'nodemailer';
import { eachStore, type TestEnv } from './harness.js';

/**
 * Customers' emails become interactions as they arrive: real SMTP on loopback (nodemailer as the
 * sending MTA), through validation, text analysis and rules like the API; unknown mailboxes are
 * refused before the message; a redelivered message is not a second interaction.
 */
function mailer(env: TestEnv) {
  const port = (env.app as unknown as { inboundEmailPort: number }).inboundEmailPort;
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

async function slugOf(env: TestEnv, key: string): Promise<string> {
  return (await env.api('GET', '/api/v1/me', key)).body.org.slug;
}

eachStore(
  'inbound email',
  (env) => {
    it('turns a customer’s email into an analysed interaction at the right touchpoint, once', async () => {
      const { key } = await env().newOrg();
      const slug = await slugOf(env(), key);
      const rule = await env().api('POST', '/api/v1/rules', key, {
        name: 'Churn threats',
        condition: { type: 'churn_threat' },
        actions: [{ type: 'open_case' }],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      const message = {
        from: '"Nora Quist" <Nora.Quist@example.org>',
        to: `${slug}@canopy.test`,
        subject: 'Charged twice again',
        text: 'You charged me twice this month and nobody answers. I am cancelling my subscription.',
        messageId: '<abc-123@example.org>',
        date: new Date('2026-11-20T09:30:00Z'),
      };
      const sent = await mailer(env()).sendMail(message);
      assert.deepEqual(sent.rejected, []);
      // Delivered again by a retrying MTA: the same interaction, not a second one.
      await mailer(env()).sendMail(message);

      const list = await env().api('GET', '/api/v1/interactions', key);
      assert.equal(list.body.items.length, 1);
      const ix = list.body.items[0];
      assert.deepEqual(
        [ix.kind, ix.channel, ix.touchpoint, ix.subject, ix.external_id, ix.status, ix.opened_at],
        [
          'email',
          'email',
          'invoice',
          'Charged twice again',
          '<abc-123@example.org>',
          'open',
          '2026-11-20T09:30:00.000Z',
        ],
      );
      assert.match(ix.text, /I am cancelling my subscription\.$/);
      const analysis = ix.analysis.find((a: { field: string }) => a.field === 'text');
      assert.equal(analysis.sentiment.label, 'negative');
      assert.equal(analysis.churn_threat, true);
      const customer = await env().api('GET', `/api/v1/customers?email=nora.quist@example.org`, key);
      assert.equal(customer.body.items[0].id, ix.customer_id);
      const cases = await env().api('GET', `/api/v1/cases?customer_id=${ix.customer_id}`, key);
      assert.equal(cases.body.items.length, 1, 'the rule fired as for any other interaction');
    });

    it('routes slug+touchpoint to that touchpoint and refuses unknown mailboxes before the data', async () => {
      const { key } = await env().newOrg();
      const slug = await slugOf(env(), key);
      await mailer(env()).sendMail({
        from: 'li@example.org',
        to: `${slug}+support-chat@canopy.test`,
        subject: 'Thanks',
        text: 'Sorted it quickly, thank you!',
      });
      const ix = (await env().api('GET', '/api/v1/interactions', key)).body.items[0];
      assert.equal(ix.touchpoint, 'support-chat');
      assert.equal(ix.analysis[0].sentiment.label, 'positive');

      await assert.rejects(
        mailer(env()).sendMail({ from: 'li@example.org', to: 'no-such-org@canopy.test', text: 'hello' }),
        (e: Error & { responseCode?: number }) =>
          e.responseCode === 550 && /must be an organisation's slug/.test(e.message),
      );
      await assert.rejects(
        mailer(env()).sendMail({ from: 'li@example.org', to: `${slug}+nope@canopy.test`, text: 'hello' }),
        (e: Error & { responseCode?: number }) => e.responseCode === 550 && /no touchpoint 'nope'/.test(e.message),
      );
      // A message without a sender names no customer: refused, nothing written.
      await assert.rejects(
        mailer(env()).sendMail({
          envelope: { from: 'bounce@example.org', to: [`${slug}@canopy.test`] },
          raw: 'Subject: hi\r\n\r\nno From header here\r\n',
        }),
        (e: Error & { responseCode?: number }) => e.responseCode === 550 && /no From address/.test(e.message),
      );
      assert.equal((await env().api('GET', '/api/v1/interactions', key)).body.items.length, 1, 'nothing else written');
    });
  },
  { inboundEmail: { port: 0 } },
);

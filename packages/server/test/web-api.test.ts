import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { eachStore } from './harness.js';

/** Small API pieces the dashboard relies on, checked without a browser. */
eachStore(
  'API pieces the dashboard uses',
  (env) => {
    it('digest: says whether email can be sent, and refuses to queue mail it could not deliver', {
      skip: process.env.CANOPY_SMTP_URL ? 'CANOPY_SMTP_URL is set here' : false,
    }, async () => {
      const { key } = await env().newOrg();
      const dg = await env().api('GET', '/api/v1/digest', key);
      assert.equal(dg.status, 200, JSON.stringify(dg.body));
      assert.equal(dg.body.email_configured, false);
      // A bad body is still a 422 naming the field, before anything else.
      const bad = await env().api('POST', '/api/v1/digest/send', key, { to: ['not-an-address'] });
      assert.equal(bad.status, 422);
      assert.match(JSON.stringify(bad.body.errors), /to/);
      const send = await env().api('POST', '/api/v1/digest/send', key, { to: ['cx@example.com'] });
      assert.equal(send.status, 409);
      assert.match(send.body.detail, /CANOPY_SMTP_URL.*nothing was queued/);
      const jobs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE type = 'email.send'`.execute(
        env().store.db,
      );
      assert.equal(jobs.rows[0]?.n, 0, 'no email job was queued');
    });

    it('the page served to a browser without a session says so; with a cookie it does not', async () => {
      const out = await fetch(`${env().base}/cases`);
      const html = await out.text();
      if (!/<div id="root">|id="root"/.test(html)) return; // the dashboard is not built: nothing to mark
      assert.match(html, /<meta name="canopy-session" content="none">/);
      const inn = await fetch(`${env().base}/cases`, { headers: { cookie: 'canopy_session=abc' } });
      assert.doesNotMatch(await inn.text(), /canopy-session/);
    });
  },
  { loop: { jobs: false } },
);

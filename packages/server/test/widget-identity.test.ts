import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { it } from 'node:test';
import { eachStore, type TestEnv } from './harness.js';

process.env.CANOPY_SURVEY_TICK_MS = '0';

/**
 * The widget's public key is on every page of the site, so a visitor's claimed identity must be
 * signed by the site's backend (HMAC-SHA256 with the org's identity secret) before a response is
 * credited to that customer. Over real sockets with an Origin header, as a browser sends it.
 */
const SITE = 'http://shop.test';

const sign = (secret: string, value: string) => createHmac('sha256', secret).update(value, 'utf8').digest('hex');

async function setup(env: TestEnv, extra: Record<string, unknown> = {}) {
  const { key } = await env.newOrg();
  const settings = await env.api('PUT', '/api/v1/survey-settings', key, {
    throttle_days: 0,
    allowed_origins: [SITE],
    ...extra,
  });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  const ana = await env.api('POST', '/api/v1/customers', key, { customer_email: 'ana@example.com', name: 'Ana' });
  const bo = await env.api('POST', '/api/v1/customers', key, { customer_external_id: 'u-42', name: 'Bo' });
  const survey = await env.api('POST', '/api/v1/surveys', key, {
    key: 'pulse',
    name: 'Pulse',
    touchpoint: 'invoice',
    questions: [{ id: 'csat', type: 'csat', text: 'How was it?' }],
    widget: { triggers: [{ on: 'page_view' }] },
  });
  assert.equal(survey.status, 201, JSON.stringify(survey.body));
  const display = async (customer?: Record<string, unknown>) => {
    const r = await fetch(`${env.base}/api/v1/widget/display?key=${settings.body.public_key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({ survey: survey.body.slug, customer }),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  /** Answers a shown survey and returns the customer the stored response was credited to. */
  const answeredBy = async (token: string): Promise<string | null> => {
    const a = await fetch(`${env.base}/api/v1/widget/answers?key=${settings.body.public_key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({ token, answers: { csat: 4 }, complete: true }),
    });
    assert.equal(a.status, 200, await a.text());
    const list = await env.api('GET', '/api/v1/responses?survey=pulse&limit=1', key);
    return list.body.items[0].customer_id;
  };
  return { key, settings: settings.body, anaId: ana.body.id, boId: bo.body.id, display, answeredBy };
}

eachStore('widget: signed visitor identity', (env) => {
  it('credits a response to a customer only when the site signed the identity', async () => {
    const t = await setup(env());
    assert.match(t.settings.identity_secret, /^[0-9a-f]{64}$/);
    assert.equal(t.settings.identity_verification, 'required');

    // Unsigned: shown, but answered anonymously — anyone can type someone else's email.
    const unsigned = await t.display({ email: 'ana@example.com' });
    assert.equal(unsigned.status, 200);
    assert.equal(unsigned.body.identity, 'ignored');
    assert.equal(await t.answeredBy(unsigned.body.token), null);

    // Signed by the site (email as stored: trimmed, lower-case, so the case the page used doesn't matter).
    const signed = await t.display({
      email: 'Ana@Example.com',
      user_hash: sign(t.settings.identity_secret, 'ana@example.com'),
    });
    assert.equal(signed.body.identity, 'verified');
    assert.equal(await t.answeredBy(signed.body.token), t.anaId);

    // The external id is what is signed when there is one; an email beside it is not believed.
    const ext = await t.display({
      external_id: 'u-42',
      email: 'ana@example.com',
      user_hash: sign(t.settings.identity_secret, 'u-42'),
    });
    assert.equal(ext.body.identity, 'verified');
    assert.equal(await t.answeredBy(ext.body.token), t.boId);

    // No identity at all: anonymous, nothing to verify.
    const anon = await t.display();
    assert.equal(anon.body.identity, 'none');
  });

  it('refuses a forged or malformed signature with a precise error and writes nothing', async () => {
    const t = await setup(env());
    const before = await env().api('GET', '/api/v1/surveys/pulse/funnel', t.key);
    // Signed with another secret, or the email's signature used for another email.
    for (const hash of [
      sign('not-the-secret', 'ana@example.com'),
      sign(t.settings.identity_secret, 'bo@example.com'),
    ]) {
      const r = await t.display({ email: 'ana@example.com', user_hash: hash });
      assert.equal(r.status, 403);
      assert.match(r.body.type, /identity-invalid$/);
      assert.deepEqual(r.body.errors, [{ field: 'customer.user_hash', reason: 'does not match the identity' }]);
    }
    // The email's signature doesn't cover an external id sent beside it.
    const swapped = await t.display({
      email: 'ana@example.com',
      external_id: 'u-42',
      user_hash: sign(t.settings.identity_secret, 'ana@example.com'),
    });
    assert.equal(swapped.status, 403);
    const malformed = await t.display({ email: 'ana@example.com', user_hash: 'abc' });
    assert.equal(malformed.status, 422);
    assert.equal(malformed.body.errors[0].field, 'customer.user_hash');
    const after = await env().api('GET', '/api/v1/surveys/pulse/funnel', t.key);
    assert.deepEqual(after.body.total, before.body.total, 'no invitation was written');
  });

  it('trusts unsigned identities only when the org turns verification off; settings round-trip as read', async () => {
    const t = await setup(env(), { identity_verification: 'off' });
    const r = await t.display({ email: 'ana@example.com' });
    assert.equal(r.body.identity, 'trusted');
    assert.equal(await t.answeredBy(r.body.token), t.anaId);

    // What GET returns can be sent back as it is (the key and the secret are read-only).
    const got = await env().api('GET', '/api/v1/survey-settings', t.key);
    const put = await env().api('PUT', '/api/v1/survey-settings', t.key, {
      ...got.body,
      identity_verification: 'required',
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.identity_secret, got.body.identity_secret);
    assert.equal((await t.display({ email: 'ana@example.com' })).body.identity, 'ignored');
    const bad = await env().api('PUT', '/api/v1/survey-settings', t.key, { identity_verification: 'sometimes' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'identity_verification');
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { verifyRollups } from '@canopy/store';
import { eachStore, type TestEnv } from './harness.js';

/**
 * The right to erasure and to a copy: a customer's export holds everything about them; erasing
 * removes it all (merged profiles, texts, tags, cases, invitations) in one transaction, leaves
 * other customers alone and the rollups equal to a rebuild from what is left.
 */
const day = (d: number) => new Date(Date.UTC(2026, 9, d, 10)).toISOString();

async function customerWithHistory(env: TestEnv, key: string, email: string) {
  const r = await env.api('POST', '/api/v1/responses', key, {
    customer_email: email,
    touchpoint: 'delivery',
    submitted_at: day(3),
    answers: [
      { field: 'nps', type: 'nps', value: 2 },
      { field: 'why', type: 'text', value: `Parcel late again, write to ${email}` },
    ],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const ix = await env.api('POST', '/api/v1/interactions', key, {
    customer_email: email,
    kind: 'ticket',
    touchpoint: 'invoice',
    external_id: `T-${email}`,
    text: 'I was charged twice, please refund',
    opened_at: day(4),
  });
  assert.equal(ix.status, 201, JSON.stringify(ix.body));
  const ev = await env.api('POST', '/api/v1/events', key, {
    customer_email: email,
    type: 'purchase',
    value: 30,
    occurred_at: day(5),
  });
  assert.equal(ev.status, 201, JSON.stringify(ev.body));
  return r.body.customer_id as string;
}

eachStore('customer erasure and export', (env) => {
  it('exports everything about a customer, then erases it all and nothing of anyone else', async () => {
    const { key, orgId } = await env().newOrg();
    const rule = await env().api('POST', '/api/v1/rules', key, {
      name: 'Detractors',
      condition: { type: 'nps', max: 6 },
      actions: [{ type: 'open_case' }, { type: 'tag', tag: 'detractor' }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const ana = await customerWithHistory(env(), key, 'ana@example.com');
    const bo = await customerWithHistory(env(), key, 'bo@example.com');
    // A second profile of Ana's, merged into hers when a record names both identities.
    const other = await env().api('POST', '/api/v1/customers', key, { customer_phone: '+351912345678', name: 'A. S.' });
    const merge = await env().api('POST', '/api/v1/events', key, {
      customer_email: 'ana@example.com',
      customer_phone: '+351912345678',
      type: 'page_view',
      occurred_at: day(6),
    });
    assert.equal(merge.status, 201, JSON.stringify(merge.body));
    assert.equal((await env().api('GET', `/api/v1/customers/${other.body.id}`, key)).body.id, ana);

    const exp = await env().api('GET', `/api/v1/customers/${other.body.id}/export`, key);
    assert.equal(exp.status, 200);
    assert.equal(exp.body.customer.id, ana);
    assert.deepEqual(exp.body.timeline.map((t: { record_type: string }) => t.record_type).sort(), [
      'event',
      'event',
      'interaction',
      'response',
    ]);
    assert.match(JSON.stringify(exp.body), /Parcel late again, write to ana@example\.com/);
    const casesBefore = (await env().api('GET', '/api/v1/cases', key)).body.items.length;
    assert.equal(casesBefore, 2);

    const agentEmail = `agent-${Date.now()}@example.com`;
    await env().api('POST', '/api/v1/users', key, {
      email: agentEmail,
      name: 'Agent',
      role: 'agent',
      password: 'long enough pw',
    });
    const signIn = await fetch(`${env().base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: agentEmail, password: 'long enough pw' }),
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const refused = await env().api('DELETE', `/api/v1/customers/${ana}`, null, undefined, {
      cookie,
      origin: env().base,
    });
    assert.equal(refused.status, 403, 'agents cannot erase customers');

    const erased = await env().api('DELETE', `/api/v1/customers/${other.body.id}`, key);
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.deepEqual(erased.body.erased, {
      customers: 2,
      interactions: 1,
      responses: 1,
      answers: 2,
      events: 2,
      text_analyses: 2,
      cases: 1,
      survey_invitations: 0,
    });
    for (const id of [ana, other.body.id]) {
      assert.equal((await env().api('GET', `/api/v1/customers/${id}`, key)).status, 404);
    }
    assert.equal((await env().api('DELETE', `/api/v1/customers/${ana}`, key)).status, 404);
    const left = await env().api('GET', '/api/v1/responses', key);
    assert.deepEqual(
      left.body.items.map((r: { customer_id: string }) => r.customer_id),
      [bo],
    );
    assert.doesNotMatch(JSON.stringify((await env().api('GET', '/api/v1/interactions', key)).body), /ana@/);
    assert.equal((await env().api('GET', '/api/v1/cases', key)).body.items.length, 1);
    assert.equal((await env().api('GET', `/api/v1/customers/${bo}/timeline`, key)).body.items.length, 3);
    const found = await env().api('GET', '/api/v1/customers?email=ana@example.com', key);
    assert.deepEqual(found.body.items, [], 'the identities are gone');
    const diffs = await verifyRollups(env().store.db, orgId);
    assert.deepEqual(
      diffs.filter((d) => d.mismatches > 0),
      [],
      'rollups equal a rebuild from the rows that are left',
    );
    let audit: any;
    for (let i = 0; i < 50; i++) {
      audit = (await env().api('GET', '/api/v1/audit', key)).body.items;
      if (audit.some((e: { method: string }) => e.method === 'DELETE')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(
      audit.some(
        (e: { method: string; route: string; status: number }) =>
          e.method === 'DELETE' && e.route === '/api/v1/customers/{id}' && e.status === 200,
      ),
      'the erasure is in the audit log',
    );
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createUser } from '@canopy/store';
import { eachStore } from './harness.js';

async function signIn(base: string, email: string, password: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password }),
  });
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

eachStore('sessions', (env) => {
  test('sign-in sets a hashed, HttpOnly, SameSite=Lax session that authenticates the read API', async () => {
    const { base, store } = env();
    const { orgId, key } = await env().newOrg();
    const email = `ana.${randomBytes(3).toString('hex')}@example.com`;
    await createUser(store.db, orgId, { email, name: 'Ana Analyst', role: 'analyst', password: 'correct horse' });

    const bad = await signIn(base, email, 'wrong');
    assert.equal(bad.status, 401);
    assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal(bad.headers.get('set-cookie'), null);
    const unknown = await signIn(base, 'nobody@example.com', 'x');
    assert.equal(unknown.status, 401);
    const invalid = await signIn(base, '', '');
    assert.equal(invalid.status, 400);

    const res = await signIn(base, email.toUpperCase(), 'correct horse');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { user: { role: string; email: string }; org: { id: string } };
    assert.equal(body.user.role, 'analyst');
    assert.equal(body.user.email, email);
    assert.equal(body.org.id, orgId);
    const setCookie = res.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^canopy_session=[A-Za-z0-9_-]{40,};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http: no Secure flag');
    const cookie = cookieOf(res);

    // Stored hashed: the token itself is nowhere in the table.
    const token = cookie.split('=')[1]!;
    const rows = await store.db.selectFrom('sessions').select('id_hash').where('org_id', '=', orgId).execute();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.id_hash, token);

    const me = await fetch(`${base}/api/v1/me`, { headers: { cookie } });
    assert.equal(me.status, 200);
    const meBody = (await me.json()) as { user: { name: string }; via: string };
    assert.equal(meBody.user.name, 'Ana Analyst');
    assert.equal(meBody.via, 'session');
    const list = await fetch(`${base}/api/v1/customers?limit=1`, { headers: { cookie } });
    assert.equal(list.status, 200);

    // An API key still works, and says it is one.
    const viaKey = await env().api('GET', '/api/v1/me', key);
    assert.equal(viaKey.status, 200);
    assert.equal(viaKey.body.via, 'api_key');
    assert.equal(viaKey.body.user, null);

    // Cross-origin writes with the cookie are refused; reads from our own origin are fine.
    const cross = await fetch(`${base}/api/v1/departments`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'x', name: 'X' }),
    });
    assert.equal(cross.status, 403);

    const out = await fetch(`${base}/api/v1/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    const after = await fetch(`${base}/api/v1/me`, { headers: { cookie } });
    assert.equal(after.status, 401);
    const none = await fetch(`${base}/api/v1/me`);
    assert.equal(none.status, 401);
  });

  test('behind an https proxy the cookie is Secure', async () => {
    const { base, store } = env();
    const { orgId } = await env().newOrg();
    const email = `sec.${randomBytes(3).toString('hex')}@example.com`;
    await createUser(store.db, orgId, { email, name: 'S', role: 'viewer', password: 'pw-123456' });
    const res = await signIn(base, email, 'pw-123456', { 'x-forwarded-proto': 'https' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
  });

  test('a forged or expired session is refused', async () => {
    const { base, store } = env();
    const { orgId } = await env().newOrg();
    const email = `exp.${randomBytes(3).toString('hex')}@example.com`;
    await createUser(store.db, orgId, { email, name: 'E', role: 'agent', password: 'pw-123456' });
    const forged = await fetch(`${base}/api/v1/me`, { headers: { cookie: 'canopy_session=forged' } });
    assert.equal(forged.status, 401);
    const res = await signIn(base, email, 'pw-123456');
    const cookie = cookieOf(res);
    await store.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('org_id', '=', orgId)
      .execute();
    const expired = await fetch(`${base}/api/v1/me`, { headers: { cookie } });
    assert.equal(expired.status, 401);
  });

  test('the dashboard is served at / with an SPA fallback; unknown API paths stay problem+json', async () => {
    const { base } = env();
    for (const path of ['/', '/customers/123', '/topics?topic=x']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /Canopy/);
    }
    const api = await fetch(`${base}/api/v1/nope`);
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /problem\+json/);
    const asset = await fetch(`${base}/assets/missing-abc.js`);
    assert.equal(asset.status, 404);
    const traversal = await fetch(`${base}/..%2f..%2fpackage.json`);
    assert.notEqual(traversal.headers.get('content-type'), 'application/json');
  });
});

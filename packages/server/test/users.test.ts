import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { eachStore, type TestEnv } from './harness.js';

/**
 * People and roles: owners and admins manage users; each role gets what core's permission
 * matrix says, checked by the one route wrapper; roles without read_pii see customers' words
 * with personal data redacted and identities masked. Over real sockets with session cookies.
 */
const PASSWORD = 'correct horse battery';

async function signIn(env: TestEnv, email: string, password = PASSWORD): Promise<string> {
  const r = await fetch(`${env.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(r.status, 200, await r.text());
  return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** A request as a signed-in person (cookie), the way the dashboard sends it. */
function as(env: TestEnv, cookie: string) {
  return (method: string, path: string, body?: unknown) =>
    env.api(method, path, null, body, { cookie, origin: env.base });
}

const unique = (name: string) => `${name}-${randomBytes(4).toString('hex')}@example.com`;

async function addUser(env: TestEnv, key: string, role: string, extra: Record<string, unknown> = {}) {
  const email = unique(role);
  const r = await env.api('POST', '/api/v1/users', key, { email, name: role, role, password: PASSWORD, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id as string, email, cookie: await signIn(env, email) };
}

eachStore('users and roles', (env) => {
  it('adds, lists, changes and removes users with precise errors', async () => {
    const { key } = await env().newOrg();
    const owner = await addUser(env(), key, 'owner');
    const dept = await addUser(env(), key, 'department_owner', { department: 'billing' });
    const list = await env().api('GET', '/api/v1/users', key);
    assert.deepEqual(
      list.body.items.map((u: { role: string; department: string | null }) => [u.role, u.department]),
      [
        ['owner', null],
        ['department_owner', 'billing'],
      ],
    );
    assert.equal(list.body.items[0].password_hash, undefined, 'no hashes leave the server');

    const errors = async (body: unknown) => (await env().api('POST', '/api/v1/users', key, body)).body;
    const bad = await errors({ email: 'not-an-email', name: '', role: 'boss', password: 'short' });
    assert.deepEqual(bad.errors.map((e: { field: string }) => e.field).sort(), ['email', 'name', 'password', 'role']);
    assert.match(bad.errors.find((e: { field: string }) => e.field === 'role').reason, /owner, admin, analyst/);
    const noDep = await errors({ email: unique('x'), name: 'X', role: 'department_owner', password: PASSWORD });
    assert.deepEqual(noDep.errors, [{ field: 'department', reason: 'a department owner needs a department' }]);
    const unknownDep = await errors({
      email: unique('x'),
      name: 'X',
      role: 'agent',
      department: 'nope',
      password: PASSWORD,
    });
    assert.deepEqual(unknownDep.errors, [{ field: 'department', reason: "no department 'nope'" }]);
    const dup = await env().api('POST', '/api/v1/users', key, {
      email: owner.email.toUpperCase(),
      name: 'Again',
      role: 'viewer',
      password: PASSWORD,
    });
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.body.errors, [{ field: 'email', reason: 'is already a user' }]);
    assert.equal((await env().api('GET', '/api/v1/users', key)).body.items.length, 2, 'nothing half-written');

    const moved = await env().api('PATCH', `/api/v1/users/${dept.id}`, key, { role: 'agent', department: null });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual([moved.body.role, moved.body.department], ['agent', null]);
    // The role changes at once for the open session too.
    assert.deepEqual((await as(env(), dept.cookie)('GET', '/api/v1/me')).body.user.permissions, ['read', 'write']);

    const gone = await env().api('DELETE', `/api/v1/users/${dept.id}`, key);
    assert.equal(gone.status, 204);
    assert.equal((await as(env(), dept.cookie)('GET', '/api/v1/me')).status, 401, 'their session ended');
    assert.equal((await env().api('DELETE', `/api/v1/users/${dept.id}`, key)).status, 404);
    assert.equal((await env().api('PATCH', '/api/v1/users/nope', key, { name: 'x' })).status, 400);
  });

  it('only owners make or change owners, and the last owner stays', async () => {
    const { key } = await env().newOrg();
    const owner = await addUser(env(), key, 'owner');
    const admin = await addUser(env(), key, 'admin');
    const asAdmin = as(env(), admin.cookie);
    const made = await asAdmin('POST', '/api/v1/users', {
      email: unique('o'),
      name: 'O',
      role: 'owner',
      password: PASSWORD,
    });
    assert.equal(made.status, 403);
    assert.match(made.body.detail, /only an owner may add an owner/);
    assert.equal((await asAdmin('PATCH', `/api/v1/users/${owner.id}`, { role: 'viewer' })).status, 403);
    assert.equal(
      (await asAdmin('POST', '/api/v1/users', { email: unique('a'), name: 'A', role: 'analyst', password: PASSWORD }))
        .status,
      201,
    );

    const asOwner = as(env(), owner.cookie);
    const demoteSelf = await asOwner('PATCH', `/api/v1/users/${owner.id}`, { role: 'admin' });
    assert.equal(demoteSelf.status, 409);
    assert.deepEqual(demoteSelf.body.errors, [{ field: 'role', reason: 'this is the last owner' }]);
    assert.equal((await asOwner('DELETE', `/api/v1/users/${owner.id}`)).status, 409);
    assert.equal((await asOwner('PATCH', `/api/v1/users/${admin.id}`, { role: 'owner' })).status, 200);
    assert.equal(
      (await asOwner('PATCH', `/api/v1/users/${owner.id}`, { role: 'admin' })).status,
      200,
      'another owner exists now',
    );
  });

  it('checks each role’s permission in the route wrapper', async () => {
    const { key } = await env().newOrg();
    const viewer = await addUser(env(), key, 'viewer');
    const agent = await addUser(env(), key, 'agent');
    const analyst = await addUser(env(), key, 'analyst');
    const rule = { name: 'Detractors', condition: { type: 'nps', max: 6 }, actions: [{ type: 'tag', tag: 'x' }] };
    const v = await as(env(), viewer.cookie)('POST', '/api/v1/rules', rule);
    assert.equal(v.status, 403);
    assert.equal(v.contentType, 'application/problem+json; charset=utf-8');
    assert.equal(v.body.detail, 'your role (viewer) may not change settings, rules, surveys or text models');
    assert.equal((await as(env(), agent.cookie)('POST', '/api/v1/rules', rule)).status, 403);
    assert.equal((await as(env(), agent.cookie)('POST', '/api/v1/events', [])).status, 403, 'agents do not ingest');
    assert.equal((await as(env(), agent.cookie)('GET', '/api/v1/users')).status, 403);
    const ok = await as(env(), analyst.cookie)('POST', '/api/v1/rules', rule);
    assert.ok(ok.status < 300, JSON.stringify(ok.body));
    assert.equal((await as(env(), viewer.cookie)('GET', '/api/v1/rules')).status, 200, 'everyone reads');
    const me = await as(env(), viewer.cookie)('GET', '/api/v1/me');
    assert.deepEqual(
      [me.body.user.email, me.body.user.permissions],
      [viewer.email, ['read']],
      'your own email is not masked',
    );
    const doc = await env().api('GET', '/api/openapi.json', null);
    assert.equal(doc.body.paths['/api/v1/rules'].post['x-canopy-permission'], 'configure');
  });

  it('shows customers’ words and identities without personal data to roles without read_pii', async () => {
    const { key } = await env().newOrg();
    const text = 'Refund my card 4111 1111 1111 1111 and mail me at lena@example.net, the parcel was late';
    const sent = await env().api('POST', '/api/v1/responses', key, {
      customer_email: 'lena@example.net',
      touchpoint: 'delivery',
      submitted_at: '2026-11-01T10:00:00Z',
      answers: [
        { field: 'nps', type: 'nps', value: 2 },
        { field: 'why', type: 'text', value: text },
      ],
    });
    assert.ok(sent.status < 300, JSON.stringify(sent.body));
    const viewer = await addUser(env(), key, 'viewer');
    const analyst = await addUser(env(), key, 'analyst');
    const why = (b: any) => b.items[0].answers.find((a: { field: string }) => a.field === 'why').value;

    const raw = await as(env(), analyst.cookie)('GET', '/api/v1/responses');
    assert.equal(why(raw.body), text);
    const seen = await as(env(), viewer.cookie)('GET', '/api/v1/responses');
    const redacted = why(seen.body);
    assert.equal(redacted.length, text.length, 'offsets of topic spans still hold');
    assert.doesNotMatch(redacted, /4111|lena@/);
    assert.match(redacted, /the parcel was late$/);
    assert.equal(seen.body.items[0].answers.find((a: { field: string }) => a.field === 'nps').value, 2);

    const customers = await as(env(), viewer.cookie)('GET', '/api/v1/customers');
    const c = customers.body.items[0];
    assert.doesNotMatch(JSON.stringify(c), /lena@example\.net/);
    const timeline = await as(env(), viewer.cookie)('GET', `/api/v1/customers/${c.id}/timeline`);
    assert.equal(timeline.status, 200);
    assert.doesNotMatch(JSON.stringify(timeline.body), /lena@example\.net|4111 1111/);
    // API keys (the org's own integrations) get the data as written.
    assert.equal(why((await env().api('GET', '/api/v1/responses', key)).body), text);
  });

  it('changes your own password: the current one is checked, other sessions end', async () => {
    const { key } = await env().newOrg();
    const u = await addUser(env(), key, 'analyst');
    const second = await signIn(env(), u.email);
    const me = as(env(), u.cookie);
    const wrong = await me('PUT', '/api/v1/me/password', {
      current_password: 'nope',
      new_password: 'a much longer one',
    });
    assert.equal(wrong.status, 403);
    assert.deepEqual(wrong.body.errors, [{ field: 'current_password', reason: 'does not match' }]);
    const short = await me('PUT', '/api/v1/me/password', { current_password: PASSWORD, new_password: 'short' });
    assert.equal(short.status, 422);
    assert.deepEqual(short.body.errors, [{ field: 'new_password', reason: 'must be at least 10 characters' }]);
    assert.equal(
      (await me('PUT', '/api/v1/me/password', { current_password: PASSWORD, new_password: 'a much longer one' }))
        .status,
      204,
    );
    assert.equal((await me('GET', '/api/v1/me')).status, 200, 'this session stays');
    assert.equal((await as(env(), second)('GET', '/api/v1/me')).status, 401, 'the other session ended');
    await signIn(env(), u.email, 'a much longer one');
    assert.equal(
      (await env().api('PUT', '/api/v1/me/password', key, { current_password: 'x', new_password: 'y'.repeat(12) }))
        .status,
      400,
    );
  });
});

eachStore('audit log', (env) => {
  it('records who changed configuration or users, refused attempts included, newest first', async () => {
    const { key } = await env().newOrg();
    const admin = await addUser(env(), key, 'admin');
    const viewer = await addUser(env(), key, 'viewer');
    const rule = { name: 'Detractors', condition: { type: 'nps', max: 6 }, actions: [{ type: 'tag', tag: 'x' }] };
    const made = await as(env(), admin.cookie)('POST', '/api/v1/rules', rule);
    assert.ok(made.status < 300, JSON.stringify(made.body));
    assert.equal((await as(env(), viewer.cookie)('POST', '/api/v1/rules', rule)).status, 403);
    await as(env(), viewer.cookie)('GET', '/api/v1/rules');
    await env().api('POST', '/api/v1/events', key, []);
    // Each entry is written before its request is answered: a read right after sees them all.
    const log: any = (await env().api('GET', '/api/v1/audit', key)).body;
    const rows = log.items.map((e: any) => [e.actor.label, e.method, e.route, e.status]);
    // People are named by name and email, keys by their name.
    assert.deepEqual(rows.slice(0, 2), [
      [`viewer (${viewer.email})`, 'POST', '/api/v1/rules', 403],
      [`admin (${admin.email})`, 'POST', '/api/v1/rules', made.status],
    ]);
    // What was done in words, and why a refused attempt was refused.
    assert.equal(log.items[0].summary, 'created the rule “Detractors”');
    assert.match(log.items[0].reason, /your role \(viewer\) may not change settings, rules, surveys or text models/);
    assert.equal(log.items[1].summary, 'created the rule “Detractors”');
    assert.equal(log.items[1].reason, null);
    // The users added with the API key are there too, named by the key; reads and data are not logged.
    assert.deepEqual(
      rows.slice(2).map((r: unknown[]) => [String(r[0]).startsWith('API key “test”'), r[1], r[2], r[3]]),
      [
        [true, 'POST', '/api/v1/users', 201],
        [true, 'POST', '/api/v1/users', 201],
      ],
    );
    assert.equal(log.items[2].summary, `added the user ${viewer.email} as viewer`);
    const page = await env().api('GET', '/api/v1/audit?limit=1', key);
    assert.equal(page.body.items.length, 1);
    const next = await env().api('GET', `/api/v1/audit?limit=1&before=${page.body.next_before}`, key);
    assert.equal(next.body.items[0].actor.label, `admin (${admin.email})`);
    assert.equal((await as(env(), viewer.cookie)('GET', '/api/v1/audit')).status, 403);
  });
});

eachStore('audit log in words', (env) => {
  it('names what changed (users by email, rules, surveys, the taxonomy, models) and keeps names after removal', async () => {
    const { key } = await env().newOrg();
    const admin = await addUser(env(), key, 'admin');
    const analyst = await addUser(env(), key, 'analyst');
    const asAdmin = as(env(), admin.cookie);
    const rule = await asAdmin('POST', '/api/v1/rules', {
      name: 'Churn watch',
      condition: { type: 'churn_threat' },
      actions: [{ type: 'tag', tag: 'churn' }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    assert.equal((await asAdmin('DELETE', `/api/v1/rules/${rule.body.id}`)).status < 300, true);
    assert.equal((await asAdmin('PATCH', `/api/v1/users/${analyst.id}`, { role: 'agent' })).status, 200);
    assert.equal((await asAdmin('DELETE', `/api/v1/users/${analyst.id}`)).status < 300, true);
    // A refused change says why, in the server's words.
    const bad = await asAdmin('POST', '/api/v1/users', {
      email: 'not-an-email',
      name: 'x',
      role: 'viewer',
      password: PASSWORD,
    });
    assert.equal(bad.status, 422);
    const tax = await env().api('GET', '/api/v1/taxonomy', key);
    assert.equal((await asAdmin('PUT', '/api/v1/taxonomy', { topics: tax.body.topics })).status < 300, true);
    const log: any[] = (await env().api('GET', '/api/v1/audit', key)).body.items;
    const words = log.map((e) => [e.summary, e.status < 400 ? null : e.reason ? 'with reason' : 'no reason']);
    assert.deepEqual(words.slice(0, 6), [
      ['replaced the taxonomy', null],
      ['added the user not-an-email as viewer', 'with reason'],
      [`removed the user ${analyst.email}`, null],
      [`changed the user ${analyst.email}: role to agent`, null],
      ['deleted the rule “Churn watch”', null],
      ['created the rule “Churn watch”', null],
    ]);
    assert.match(log[1].reason, /email/);
    assert.equal(log[0].actor.label, `admin (${admin.email})`);
  });
});

eachStore(
  'rate limit',
  (env) => {
    it('answers 429 with Retry-After once a caller spends its budget; others are not affected', async () => {
      const a = await env().newOrg();
      const b = await env().newOrg();
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 6; i++) {
        last = await fetch(`${env().base}/api/v1/rules`, { headers: { authorization: `Bearer ${a.key}` } });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
      assert.equal(last!.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.ok(Number(last!.headers.get('retry-after')) >= 1);
      assert.equal(last!.headers.get('ratelimit-limit'), '5');
      assert.match(((await last!.json()) as { detail: string }).detail, /more than 5 requests a minute/);
      assert.equal((await env().api('GET', '/api/v1/rules', b.key)).status, 200);
    });
  },
  { ratePerMinute: 5 },
);

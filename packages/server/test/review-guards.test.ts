import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { sql } from 'kysely';
import { eachStore, type TestEnv } from './harness.js';

/**
 * What a first-time user's review found the API let through: removing yourself (or the org's
 * last owner or admin), assigning a case to someone who is not a user, and a segment filter that
 * cared about case. Each refusal is problem+json naming the field and the reason.
 */
const PASSWORD = 'correct horse battery';

async function signIn(env: TestEnv, email: string): Promise<string> {
  const r = await fetch(`${env.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(r.status, 200, await r.text());
  return (r.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const as = (env: TestEnv, cookie: string) => (method: string, path: string, body?: unknown) =>
  env.api(method, path, null, body, { cookie, origin: env.base });

async function addUser(env: TestEnv, key: string, role: string, name: string = role) {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.com`;
  const r = await env.api('POST', '/api/v1/users', key, { email, name, role, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id as string, email, name, cookie: await signIn(env, email) };
}

eachStore('review guards', (env) => {
  it('nobody removes themselves; the last owner or admin is neither removed nor demoted', async () => {
    const { key } = await env().newOrg();
    const owner = await addUser(env(), key, 'owner');
    const admin = await addUser(env(), key, 'admin');
    const asAdmin = as(env(), admin.cookie);

    const self = await asAdmin('DELETE', `/api/v1/users/${admin.id}`);
    assert.equal(self.status, 409);
    assert.match(self.contentType, /application\/problem\+json/);
    assert.equal(self.body.title, 'Cannot remove yourself');
    assert.deepEqual(self.body.errors, [
      { field: 'id', reason: 'is your own account: another owner or admin can remove it' },
    ]);
    assert.equal((await asAdmin('GET', '/api/v1/me')).status, 200, 'still signed in');
    assert.equal((await env().api('GET', '/api/v1/users', key)).body.items.length, 2, 'still there');

    const ownerSelf = await as(env(), owner.cookie)('DELETE', `/api/v1/users/${owner.id}`);
    assert.equal(ownerSelf.status, 409);
    assert.equal(ownerSelf.body.errors[0].field, 'id');
    // With an API key (no one signed in) the last owner is refused with its field too.
    const lastOwner = await env().api('DELETE', `/api/v1/users/${owner.id}`, key);
    assert.equal(lastOwner.status, 409);
    assert.deepEqual(lastOwner.body.errors, [{ field: 'id', reason: 'this is the last owner' }]);

    // An org whose only manager is an admin (created without an owner) keeps that admin.
    await env()
      .api('PATCH', `/api/v1/users/${owner.id}`, key, { role: 'admin' })
      .then((r) => {
        assert.equal(r.status, 409, 'the last owner stays an owner');
      });
    const solo = await env().newOrg();
    const onlyAdmin = await addUser(env(), solo.key, 'admin');
    const demote = await as(env(), onlyAdmin.cookie)('PATCH', `/api/v1/users/${onlyAdmin.id}`, { role: 'viewer' });
    assert.equal(demote.status, 409);
    assert.deepEqual(demote.body.errors, [{ field: 'role', reason: 'this is the last owner or admin' }]);
    const removeLast = await env().api('DELETE', `/api/v1/users/${onlyAdmin.id}`, solo.key);
    assert.equal(removeLast.status, 409);
    assert.deepEqual(removeLast.body.errors, [{ field: 'id', reason: 'this is the last owner or admin' }]);
    // A second admin makes the first one free to step down.
    const second = await addUser(env(), solo.key, 'admin', 'second');
    assert.equal(
      (await as(env(), onlyAdmin.cookie)('PATCH', `/api/v1/users/${onlyAdmin.id}`, { role: 'analyst' })).status,
      200,
    );
    assert.equal((await env().api('DELETE', `/api/v1/users/${onlyAdmin.id}`, solo.key)).status, 204);
    assert.equal((await env().api('GET', '/api/v1/users', solo.key)).body.items[0].id, second.id);
  });

  it('a case is assigned to a user of the org who may work cases, by name or email, or to no one', async () => {
    const { key } = await env().newOrg();
    const kim = await addUser(env(), key, 'agent', 'Kim Park');
    await addUser(env(), key, 'viewer', 'Vic');
    const other = await env().newOrg();
    await addUser(env(), other.key, 'agent', 'Outsider');

    const c = await env().api('POST', '/api/v1/cases', key, { title: 'Parcel lost' });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const patch = (body: unknown) => env().api('PATCH', `/api/v1/cases/${c.body.id}`, key, body);

    const nobody = await patch({ assignee: 'nobody-such-user' });
    assert.equal(nobody.status, 422);
    assert.match(nobody.contentType, /application\/problem\+json/);
    assert.deepEqual(nobody.body.errors, [
      {
        field: 'assignee',
        reason: `no user 'nobody-such-user' in this organisation: give a user's name or email, or "" to unassign`,
      },
    ]);
    assert.equal((await patch({ assignee: 'Outsider' })).status, 422, 'another org’s user is nobody here');
    const viewer = await patch({ assignee: 'Vic' });
    assert.equal(viewer.status, 422);
    assert.deepEqual(viewer.body.errors, [{ field: 'assignee', reason: 'Vic is a viewer and may not work cases' }]);
    assert.equal((await env().api('GET', `/api/v1/cases/${c.body.id}`, key)).body.assignee, null, 'nothing saved');

    // By email, in any case: stored as the name the dashboard shows.
    const byEmail = await patch({ assignee: kim.email.toUpperCase() });
    assert.equal(byEmail.status, 200, JSON.stringify(byEmail.body));
    assert.equal(byEmail.body.assignee, 'Kim Park');
    assert.equal((await patch({ assignee: 'kim park' })).body.assignee, 'Kim Park');
    const cleared = await patch({ assignee: '' });
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
    assert.equal(cleared.body.assignee, null);
    assert.equal((await patch({ assignee: 'Kim Park' })).body.assignee, 'Kim Park');
    assert.equal((await patch({ assignee: null })).body.assignee, null);

    const opened = await env().api('POST', '/api/v1/cases', key, { title: 'Refund', assignee: 'Nobody' });
    assert.equal(opened.status, 422);
    assert.deepEqual(
      opened.body.errors.map((e: { field: string }) => e.field),
      ['assignee'],
    );
    const ok = await env().api('POST', '/api/v1/cases', key, { title: 'Refund', assignee: 'Kim Park' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.assignee, 'Kim Park');
  });

  it("a rule's open_case assignee is a user of the org who may work cases, on create and on update", async () => {
    const { key } = await env().newOrg();
    const kim = await addUser(env(), key, 'agent', 'Kim Park');
    await addUser(env(), key, 'viewer', 'Vic');
    const other = await env().newOrg();
    await addUser(env(), other.key, 'agent', 'Outsider');
    const rule = (assignee?: string) => ({
      name: 'Detractor follow-up',
      condition: { type: 'nps', max: 6 },
      actions: [
        { type: 'tag', tag: 'detractor' },
        { type: 'open_case', ...(assignee === undefined ? {} : { assignee }) },
      ],
    });

    const nobody = await env().api('POST', '/api/v1/rules', key, rule('nobody-such-user'));
    assert.equal(nobody.status, 422);
    assert.match(nobody.contentType, /application\/problem\+json/);
    assert.deepEqual(nobody.body.errors, [
      {
        field: 'actions[1].assignee',
        reason: "no user 'nobody-such-user' in this organisation: give a user's name or email, or leave it out",
      },
    ]);
    const outsider = await env().api('POST', '/api/v1/rules', key, rule('Outsider'));
    assert.equal(outsider.status, 422, 'another org’s user is nobody here');
    assert.equal(outsider.body.errors[0].field, 'actions[1].assignee');
    const viewer = await env().api('POST', '/api/v1/rules', key, rule('Vic'));
    assert.equal(viewer.status, 422);
    assert.deepEqual(viewer.body.errors, [
      { field: 'actions[1].assignee', reason: 'Vic is a viewer and may not work cases' },
    ]);
    assert.equal((await env().api('GET', '/api/v1/rules', key)).body.items.length, 0, 'nothing written');

    // By email, in any case: stored as the name a case shows.
    const made = await env().api('POST', '/api/v1/rules', key, rule(kim.email.toUpperCase()));
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.actions[1].assignee, 'Kim Park');
    const put = (body: unknown) => env().api('PUT', `/api/v1/rules/${made.body.id}`, key, body);
    const bad = await put(rule('Outsider'));
    assert.equal(bad.status, 422);
    assert.deepEqual(
      bad.body.errors.map((e: { field: string }) => e.field),
      ['actions[1].assignee'],
    );
    assert.equal(
      (await env().api('GET', `/api/v1/rules/${made.body.id}`, key)).body.actions[1].assignee,
      'Kim Park',
      'nothing changed',
    );
    const unassigned = await put(rule());
    assert.equal(unassigned.status, 200, JSON.stringify(unassigned.body));
    assert.equal(unassigned.body.actions[1].assignee, undefined);
    assert.equal((await put(rule('kim park'))).body.actions[1].assignee, 'Kim Park');
  });

  it('lists whom a case can be assigned to, to every role that reads cases (no emails)', async () => {
    const { key } = await env().newOrg();
    const agent = await addUser(env(), key, 'agent', 'Zoe Agent');
    await addUser(env(), key, 'viewer', 'Vic');
    await addUser(env(), key, 'admin', 'Ada Admin');
    const r = await as(env(), agent.cookie)('GET', '/api/v1/assignees');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.items.map((u: { name: string; role: string }) => [u.name, u.role]),
      [
        ['Ada Admin', 'admin'],
        ['Zoe Agent', 'agent'],
      ],
    );
    assert.equal(r.body.items[0].email, undefined);
    // The users list itself stays for those who manage users.
    assert.equal((await as(env(), agent.cookie)('GET', '/api/v1/users')).status, 403);
  });

  it('filters customers by segment in any case, within the org, from an index', async () => {
    const { key, orgId } = await env().newOrg();
    const other = await env().newOrg();
    const sent = await env().api('POST', '/api/v1/customers', key, [
      { customer_email: 'a@x.io', segment: 'consumer' },
      { customer_email: 'b@x.io', segment: 'Consumer' },
      { customer_email: 'c@x.io', segment: 'smb' },
      { customer_email: 'd@x.io' },
    ]);
    assert.ok(sent.status < 300, JSON.stringify(sent.body));
    await env().api('POST', '/api/v1/customers', other.key, [{ customer_email: 'e@x.io', segment: 'consumer' }]);
    const emails = async (segment: string) =>
      (await env().api('GET', `/api/v1/customers?segment=${encodeURIComponent(segment)}`, key)).body.items
        .map((c: { identities: { value: string }[] }) => c.identities[0]!.value)
        .sort();
    assert.deepEqual(await emails('Consumer'), ['a@x.io', 'b@x.io']);
    assert.deepEqual(await emails('consumer'), ['a@x.io', 'b@x.io']);
    assert.deepEqual(await emails('CONSUMER'), ['a@x.io', 'b@x.io']);
    assert.deepEqual(await emails('SMB'), ['c@x.io']);

    // Records filtered by their customer's segment ignore case the same way.
    const rs = await env().api('POST', '/api/v1/responses', key, {
      customer_email: 'c@x.io',
      submitted_at: '2026-03-01T10:00:00Z',
      answers: [{ field: 'nps', type: 'nps', value: 9 }],
    });
    assert.ok(rs.status < 300, JSON.stringify(rs.body));
    assert.equal((await env().api('GET', '/api/v1/responses?segment=Smb', key)).body.items.length, 1);

    const segs = await env().api('GET', '/api/v1/customers/segments', key);
    assert.equal(segs.status, 200, JSON.stringify(segs.body));
    assert.deepEqual(segs.body, {
      items: [
        { segment: 'consumer', customers: 2 },
        { segment: 'smb', customers: 1 },
      ],
      complete: true,
    });
    const one = await env().api('GET', '/api/v1/customers/segments?limit=1', key);
    assert.deepEqual([one.body.items.length, one.body.complete], [1, false]);

    // The filter is an index lookup within the org (seq scans off: the test tables are tiny).
    const plan = await env()
      .store.db.transaction()
      .execute(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        const r = await sql<Record<string, string>>`EXPLAIN SELECT id FROM customers
          WHERE org_id = ${orgId} AND lower(segment) = lower(${'Consumer'})`.execute(trx);
        return r.rows.map((x) => Object.values(x)[0]).join('\n');
      });
    assert.match(plan, /customers_segment_ci/);
  });
});

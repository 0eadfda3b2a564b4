import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createApiKey, createOrg, createWebhook, deleteWebhook, openStore, upsertDepartments } from '@canopy/store';
import { defaultAnalyser } from '../src/analyser.js';
import { buildApp } from '../src/app.js';
import { BaselineCache } from '../src/loop/engine.js';
import { isInternalAddress, webhookUrlProblem } from '../src/loop/url-guard.js';
import { eachStore } from './harness.js';
import { Receiver, verifySignature, waitFor } from './loop-util.js';

const receivers: Receiver[] = [];
after(async () => {
  for (const r of receivers) await r.stop();
});

const TAXONOMY = {
  topics: [
    { key: 'weather', label: 'Weather', parent: null, sevenP: 'place', department: 'delivery', phrases: ['weather'] },
    {
      key: 'weather.storm',
      label: 'Storm damage',
      parent: 'weather',
      sevenP: 'place',
      department: 'delivery',
      phrases: ['storm'],
    },
    { key: 'fees', label: 'Fees', parent: null, sevenP: 'price', department: 'billing', phrases: ['fee', 'fees'] },
  ],
};

eachStore(
  'closed loop additions',
  (env) => {
    it("rules and case root causes are checked against the org's own taxonomy", async () => {
      const { key } = await env().newOrg();
      const rule = (topic: string) => ({
        name: 'Topic',
        condition: { type: 'negative_sentiment', topic },
        actions: [{ type: 'tag', tag: 'x' }],
      });
      // The default taxonomy applies until the org saves its own.
      assert.equal((await env().api('POST', '/api/v1/rules', key, rule('delivery.late'))).status, 201);
      const before = await env().api('POST', '/api/v1/rules', key, rule('weather'));
      assert.equal(before.status, 422);
      assert.equal(before.body.errors[0].field, 'condition.topic');
      assert.match(before.body.errors[0].reason, /default taxonomy/);

      const put = await env().api('PUT', '/api/v1/taxonomy', key, TAXONOMY);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal((await env().api('POST', '/api/v1/rules', key, rule('weather'))).status, 201);
      const spike = await env().api('POST', '/api/v1/rules', key, {
        name: 'Spike',
        condition: { type: 'topic_spike', topic: 'weather.storm' },
        actions: [{ type: 'open_case' }],
      });
      assert.equal(spike.status, 201, JSON.stringify(spike.body));
      const gone = await env().api('POST', '/api/v1/rules', key, rule('delivery.late'));
      assert.equal(gone.status, 422, 'no longer a topic of this org');
      assert.deepEqual(
        gone.body.errors.map((e: { field: string }) => e.field),
        ['condition.topic'],
      );
      assert.match(gone.body.errors[0].reason, /unknown topic 'delivery\.late'.*organisation's taxonomy/);
      const shape = await env().api('POST', '/api/v1/rules', key, rule('Not A Key!'));
      assert.equal(shape.status, 422);
      assert.equal(shape.body.errors[0].field, 'condition.topic');

      // Cases: a root cause from the org's taxonomy; its owner becomes the department.
      const c = await env().api('POST', '/api/v1/cases', key, { title: 'Storm damage', root_cause: 'weather.storm' });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal(c.body.department, 'delivery');
      const bad = await env().api('PATCH', `/api/v1/cases/${c.body.id}`, key, { root_cause: 'delivery.late' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].field, 'root_cause');
      const ok = await env().api('PATCH', `/api/v1/cases/${c.body.id}`, key, { root_cause: 'fees' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.root_cause, 'fees');
    });

    it('POST /api/v1/cases opens a case by hand: validated, linked, noted, announced by webhook', async () => {
      const { key } = await env().newOrg();
      const rx = await new Receiver().start();
      receivers.push(rx);
      const hook = await env().api('POST', '/api/v1/webhooks', key, { url: rx.url, events: ['case.opened'] });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const res = await env().api('POST', '/api/v1/responses', key, {
        customer_email: 'manual@example.com',
        touchpoint: 'invoice',
        submitted_at: new Date().toISOString(),
        answers: [{ field: 'nps', type: 'nps', value: 8 }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));

      const c = await env().api('POST', '/api/v1/cases', key, {
        title: 'Called about a double charge',
        customer_id: res.body.customer_id,
        priority: 'high',
        root_cause: 'billing',
        tags: ['phone'],
        links: [{ kind: 'response', id: res.body.id }],
        note: 'Customer called; refund promised.',
        author: 'sam',
      });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal(c.body.department, 'billing', 'the root cause’s owner');
      assert.equal(c.body.priority, 'high');
      assert.equal(c.body.status, 'new');
      assert.equal(c.body.rule_id, null);
      assert.deepEqual(c.body.tags, ['phone']);
      assert.equal(c.body.trigger.rule_type, 'manual');
      const due = Date.parse(c.body.sla_due_at) - Date.parse(c.body.opened_at);
      assert.ok(Math.abs(due - 24 * 3600_000) < 5000, `high priority SLA is 24 h, got ${due} ms`);
      const detail = await env().api('GET', `/api/v1/cases/${c.body.id}`, key);
      assert.equal(detail.status, 200);
      assert.deepEqual(
        detail.body.history.map((e: { kind: string; author: string | null }) => [e.kind, e.author]),
        [
          ['opened', 'sam'],
          ['note', 'sam'],
        ],
      );
      assert.equal(detail.body.notes[0].body, 'Customer called; refund promised.');
      assert.deepEqual(
        detail.body.links.map((l: { subject_id: string }) => l.subject_id),
        [res.body.id],
      );
      assert.equal(detail.body.customer.id, res.body.customer_id);
      await waitFor(() => rx.ofType('case.opened').length === 1, 10_000, 'the case.opened webhook');
      const msg = rx.ofType('case.opened')[0];
      assert.ok(verifySignature(hook.body.secret, msg.headers, msg.body));
      assert.equal(msg.json.data.case.id, c.body.id);

      // Explicit department and SLA; default priority.
      const d = await env().api('POST', '/api/v1/cases', key, {
        title: 'Courier complaint',
        department: 'delivery',
        sla_due_at: '2030-01-01T00:00:00Z',
      });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      assert.equal(d.body.priority, 'normal');
      assert.equal(d.body.sla_due_at.slice(0, 10), '2030-01-01');

      // Validation: shape first (nothing looked up), then what only the database knows.
      const shape = await env().api('POST', '/api/v1/cases', key, { title: '', priority: 'asap', extra: 1 });
      assert.equal(shape.status, 422);
      assert.equal(shape.contentType.split(';')[0], 'application/problem+json');
      assert.deepEqual(shape.body.errors.map((e: { field: string }) => e.field).sort(), ['extra', 'priority', 'title']);
      const missing = '01900000-0000-7000-8000-000000000000';
      const refs = await env().api('POST', '/api/v1/cases', key, {
        title: 'x',
        department: 'legal',
        customer_id: missing,
        root_cause: 'moon',
        links: [
          { kind: 'response', id: res.body.id },
          { kind: 'interaction', id: res.body.id },
        ],
      });
      assert.equal(refs.status, 422, JSON.stringify(refs.body));
      assert.deepEqual(refs.body.errors.map((e: { field: string }) => e.field).sort(), [
        'customer_id',
        'department',
        'links[1].id',
        'root_cause',
      ]);
      const list = await env().api('GET', `/api/v1/cases?customer_id=${res.body.customer_id}`, key);
      assert.equal(list.body.items.length, 1, 'nothing was written by the rejected requests');
      assert.equal((await env().api('POST', '/api/v1/cases', null, { title: 'x' })).status, 401);
    });

    it('a webhook deleted by another node while this one caches the list does not fail ingestion', async () => {
      const { key, orgId } = await env().newOrg();
      const rx = await new Receiver().start();
      receivers.push(rx);
      const hook = await env().api('POST', '/api/v1/webhooks', key, { url: rx.url });
      await env().api('POST', '/api/v1/rules', key, {
        name: 'Detractors',
        condition: { type: 'nps' },
        actions: [{ type: 'webhook' }],
      });
      const detractor = (email: string) => ({
        customer_email: email,
        touchpoint: 'delivery',
        submitted_at: new Date().toISOString(),
        answers: [{ field: 'nps', type: 'nps', value: 1 }],
      });
      assert.equal((await env().api('POST', '/api/v1/responses', key, detractor('a@example.com'))).status, 201);
      await waitFor(() => rx.got.length === 1, 10_000, 'the first alert');
      // Deleted behind this node's back (no invalidation here): the next batch still commits.
      assert.ok(await deleteWebhook(env().store.db, orgId, hook.body.id));
      const r = await env().api('POST', '/api/v1/responses', key, detractor('b@example.com'));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(rx.got.length, 1, 'nothing sent for the deleted webhook');
    });
  },
  { loop: { jobs: { pollMs: 200 }, webhookAllowPrivate: true } },
);

describe('webhook URL guard', () => {
  it('knows internal addresses: loopback, private, link-local/metadata, CGNAT, mapped IPv6', () => {
    for (const ip of [
      '127.0.0.1',
      '127.8.9.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::5',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      'not-an-ip',
    ])
      assert.equal(isInternalAddress(ip), true, ip);
    for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      assert.equal(isInternalAddress(ip), false, ip);
  });

  it('refuses internal URLs with a 422 naming the field, unless private targets are allowed; refuses them at send time too', async () => {
    assert.match((await webhookUrlProblem('http://localhost:8080/x', false)) ?? '', /internal host name/);
    assert.equal(await webhookUrlProblem('http://127.0.0.1:8080/x', true), null);
    assert.match((await webhookUrlProblem('http://user:pw@example.com/', true)) ?? '', /credentials/);

    const store = await openStore({});
    const app = await buildApp({
      store,
      analyser: defaultAnalyser(),
      loop: { jobs: { pollMs: 100 }, webhookAllowPrivate: false },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const a = app.server.address();
    const base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    try {
      const org = await createOrg(store.db, `g-${randomBytes(4).toString('hex')}`, 'Guard');
      await upsertDepartments(store.db, org.id, [{ key: 'service', name: 'Service', function: 'service' }]);
      const { key } = await createApiKey(store.db, org.id, 'k');
      const call = async (method: string, path: string, body: unknown) => {
        const r = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: r.status, body: (await r.json()) as any };
      };
      for (const url of [
        'http://127.0.0.1:9/hook',
        'http://[::1]:9/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.5/hook',
        'http://192.168.0.10/hook',
        'http://[::ffff:127.0.0.1]/hook',
        'http://localhost/hook',
        'http://metadata.google.internal/computeMetadata/v1/',
      ]) {
        const r = await call('POST', '/api/v1/webhooks', { url });
        assert.equal(r.status, 422, `${url}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.errors[0].field, 'url', url);
        assert.match(r.body.errors[0].reason, /internal/, url);
      }
      // A public address is fine; moving it inside is not.
      const ok = await call('POST', '/api/v1/webhooks', { url: 'http://8.8.8.8/hook', enabled: false });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      const moved = await call('PATCH', `/api/v1/webhooks/${ok.body.id}`, { url: 'http://10.1.1.1/hook' });
      assert.equal(moved.status, 422);
      assert.deepEqual(
        moved.body.errors.map((e: { field: string }) => e.field),
        ['url'],
      );

      // A URL that got past the check (stored before the guard existed) is refused when sent:
      // logged as failed, not retried, nothing reaches the receiver.
      const rx = await new Receiver().start();
      receivers.push(rx);
      const old = await createWebhook(store.db, org.id, {
        url: rx.url,
        description: null,
        secret: 'whsec_c2VjcmV0',
        events: ['case.opened'],
        enabled: true,
      });
      assert.equal((await call('POST', '/api/v1/cases', { title: 'x' })).status, 201);
      const log = async () => (await call('GET', `/api/v1/webhooks/${old.id}/deliveries`, undefined)).body.items;
      await waitFor(async () => (await log())[0]?.status === 'failed', 5000, 'the refused delivery');
      const [d] = await log();
      assert.match(d.last_error, /internal address/);
      assert.equal(d.attempts, 1);
      assert.equal(rx.got.length, 0);
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('topic-spike baselines', () => {
  it('are counted once per org, topic, window and hour, not per batch', async () => {
    const store = await openStore({});
    try {
      const org = await createOrg(store.db, `b-${randomBytes(4).toString('hex')}`, 'Baseline');
      const cache = new BaselineCache(3);
      const hour = Math.floor(Date.now() / 3_600_000);
      const q = (topic: string, h = hour) => ({ topic, hour: h });
      assert.deepEqual(await cache.get(store.db, org.id, 7, [q('delivery'), q('billing')]), [0, 0]);
      assert.equal(cache.misses, 2);
      await cache.get(store.db, org.id, 7, [q('delivery')]);
      await cache.get(store.db, org.id, 7, [q('billing'), q('delivery')]);
      assert.equal(cache.misses, 2, 'same hour: no recount');
      await cache.get(store.db, org.id, 7, [q('delivery', hour + 1)]);
      await cache.get(store.db, org.id, 14, [q('delivery')]);
      assert.equal(cache.misses, 4, 'next hour or another window: counted');
      // Bounded: the oldest entry went.
      await cache.get(store.db, org.id, 7, [q('delivery'), q('billing')]);
      assert.ok(cache.misses > 4);
    } finally {
      await store.close();
    }
  });
});

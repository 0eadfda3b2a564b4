import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, it } from 'node:test';
import { eachStore, type TestEnv } from './harness.js';
import { Receiver, verifySignature, waitFor } from './loop-util.js';

const receivers: Receiver[] = [];
after(async () => {
  for (const r of receivers) await r.stop();
});

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function setup(env: TestEnv, rule: unknown, events = ['alert.fired', 'case.opened']) {
  const { key, orgId } = await env.newOrg();
  const rx = await receiver();
  const hook = await env.api('POST', '/api/v1/webhooks', key, { url: rx.url, events });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  assert.match(hook.body.secret, /^whsec_[A-Za-z0-9+/=]+$/);
  const r = await env.api('POST', '/api/v1/rules', key, rule);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return {
    key,
    orgId,
    rx,
    secret: hook.body.secret as string,
    hookId: hook.body.id as string,
    ruleId: r.body.id as string,
  };
}

eachStore(
  'closed loop',
  (env) => {
    it('detractor → case for the owning department in the same request → signed webhook → close → promoter marks it recovered', async () => {
      const { key, rx, secret, hookId } = await setup(env(), {
        name: 'Detractors',
        condition: { type: 'nps', max: 6 },
        actions: [{ type: 'open_case' }, { type: 'webhook' }, { type: 'tag', tag: 'detractor' }],
      });
      const res = await env().api('POST', '/api/v1/responses', key, {
        customer_email: 'dana@example.com',
        touchpoint: 'delivery',
        survey: 'nps-after-delivery',
        submitted_at: ago(60_000),
        answers: [
          { field: 'nps', type: 'nps', value: 3 },
          { field: 'why', type: 'text', value: 'The courier was late again and the parcel arrived damaged.' },
        ],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const customerId = res.body.customer_id;

      // The case exists when the ingest request has been answered: no waiting.
      const list = await env().api('GET', `/api/v1/cases?customer_id=${customerId}`, key);
      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.equal(list.body.items.length, 1);
      const c = list.body.items[0];
      assert.equal(c.department, 'delivery', 'the touchpoint’s department owns it');
      assert.equal(c.status, 'new');
      assert.equal(c.priority, 'high', 'NPS 3 is a severe detractor');
      assert.deepEqual(c.tags, ['detractor']);
      assert.equal(c.trigger.score.value, 3);
      assert.match(c.trigger.verbatim, /courier was late/);
      const due = Date.parse(c.sla_due_at) - Date.parse(c.opened_at);
      assert.ok(Math.abs(due - 24 * 3600_000) < 5000, `high priority SLA is 24 h, got ${due} ms`);

      // The webhook receiver on loopback gets a correctly signed alert.
      await waitFor(
        () => rx.ofType('alert.fired').length === 1 && rx.ofType('case.opened').length === 1,
        10_000,
        'webhooks',
      );
      const alert = rx.ofType('alert.fired')[0];
      assert.ok(verifySignature(secret, alert.headers, alert.body), 'signature verifies with the whsec secret');
      assert.ok(!verifySignature(`whsec_${Buffer.from('wrong').toString('base64')}`, alert.headers, alert.body));
      assert.match(String(alert.headers['webhook-id']), /^msg_[0-9a-f-]{36}$/);
      assert.ok(Math.abs(Number(alert.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
      assert.equal(alert.json.data.case.id, c.id);
      assert.equal(alert.json.data.department, 'delivery');
      assert.equal(alert.json.data.subjects[0].id, res.body.id);
      assert.equal(alert.json.data.rule.type, 'nps');

      // The delivery log shows it delivered (written just after the receiver answered).
      await waitFor(
        async () => {
          const log = await env().api('GET', `/api/v1/webhooks/${hookId}/deliveries`, key);
          assert.equal(log.status, 200);
          return (
            log.body.items.length === 2 && log.body.items.every((d: { status: string }) => d.status === 'delivered')
          );
        },
        5000,
        'the delivery log',
      );

      // The workflow refuses skipping steps, with a clear message.
      const skip = await env().api('PATCH', `/api/v1/cases/${c.id}`, key, { status: 'resolved' });
      assert.equal(skip.status, 409);
      assert.match(skip.body.detail, /cannot go from 'new' to 'resolved'.*in_progress/);
      const bad = await env().api('PATCH', `/api/v1/cases/${c.id}`, key, { status: 'done' });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].field, 'status');

      // The assignee is one of the org's users (by name or email).
      const kim = await env().api('POST', '/api/v1/users', key, {
        email: `kim-${c.id}@example.com`,
        name: 'kim',
        role: 'agent',
        password: 'correct horse battery',
      });
      assert.equal(kim.status, 201, JSON.stringify(kim.body));
      let p = await env().api('PATCH', `/api/v1/cases/${c.id}`, key, {
        status: 'in_progress',
        assignee: 'kim',
        author: 'lead',
      });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.equal(p.body.assignee, 'kim');
      const note = await env().api('POST', `/api/v1/cases/${c.id}/notes`, key, {
        body: 'Called Dana, courier confirmed the delay.',
        author: 'kim',
      });
      assert.equal(note.status, 201, JSON.stringify(note.body));
      p = await env().api('PATCH', `/api/v1/cases/${c.id}`, key, {
        root_cause: 'delivery.late',
        action_taken: 'Refunded shipping and escalated to the courier',
      });
      assert.equal(p.body.root_cause, 'delivery.late');
      assert.deepEqual(p.body.actions_taken, ['Refunded shipping and escalated to the courier']);
      const badRoot = await env().api('PATCH', `/api/v1/cases/${c.id}`, key, { root_cause: 'nonsense.topic' });
      assert.equal(badRoot.status, 422);
      assert.match(badRoot.body.errors[0].reason, /unknown topic/);
      p = await env().api('PATCH', `/api/v1/cases/${c.id}`, key, { status: 'closed' });
      assert.equal(p.status, 200);
      assert.equal(p.body.recovery.status, 'pending');

      const detail = await env().api('GET', `/api/v1/cases/${c.id}`, key);
      assert.equal(detail.status, 200);
      assert.deepEqual(
        detail.body.history.map((e: { kind: string }) => e.kind),
        ['opened', 'status', 'assigned', 'note', 'updated', 'status'],
      );
      assert.equal(detail.body.notes[0].body, 'Called Dana, courier confirmed the delay.');
      assert.deepEqual(
        detail.body.links.map((l: { subject_id: string }) => l.subject_id),
        [res.body.id],
      );
      assert.equal(detail.body.customer.id, customerId);
      assert.ok(detail.body.timeline.items.some((i: { id: string }) => i.id === res.body.id));

      // A later promoter answer from the same customer: recovered.
      const later = await env().api('POST', '/api/v1/responses', key, {
        customer_email: 'dana@example.com',
        touchpoint: 'delivery',
        submitted_at: new Date(Date.now() + 1000).toISOString(),
        answers: [{ field: 'nps', type: 'nps', value: 10 }],
      });
      assert.equal(later.status, 201);
      const after = await env().api('GET', `/api/v1/cases/${c.id}`, key);
      assert.equal(after.body.recovery.status, 'recovered');
      assert.equal(after.body.recovery.evidence.signal, 'nps');
      assert.equal(after.body.recovery.evidence.value, 10);
      assert.equal(after.body.recovery.evidence.baseline, 3);
      const rate = await env().api('GET', '/api/v1/cases/recovery', key);
      assert.equal(rate.status, 200, JSON.stringify(rate.body));
      assert.deepEqual(rate.body.by_department, [
        { department: 'delivery', closed: 1, recovered: 1, not_recovered: 0, pending: 0, recovery_rate: 100 },
      ]);
      assert.equal(rate.body.by_root_cause[0].root_cause, 'delivery.late');
      // The promoter opened no case; the board shows the department.
      const board = await env().api('GET', '/api/v1/cases/board', key);
      const d = board.body.departments.find((x: { department: string }) => x.department === 'delivery');
      assert.equal(d.counts.closed, 1);
      assert.equal(d.open.length, 0);
    });

    it('retried batches and re-sent records fire once; a second trigger is linked to the open case', async () => {
      const { key } = await setup(env(), {
        name: 'Detractors',
        condition: { type: 'nps' },
        actions: [{ type: 'open_case' }],
      });
      const rec = {
        customer_email: 'eli@example.com',
        touchpoint: 'invoice',
        idempotency_key: 'r-1',
        submitted_at: ago(3_600_000),
        answers: [{ field: 'nps', type: 'nps', value: 5 }],
      };
      const first = await env().api('POST', '/api/v1/responses', key, rec);
      const again = await env().api('POST', '/api/v1/responses', key, rec);
      assert.equal(again.body.status, 'duplicate');
      await env().api('POST', '/api/v1/responses', key, { ...rec, idempotency_key: 'r-2', submitted_at: ago(1000) });
      const list = await env().api('GET', `/api/v1/cases?customer_id=${first.body.customer_id}`, key);
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.items[0].department, 'billing');
      assert.equal(list.body.items[0].priority, 'normal');
      const detail = await env().api('GET', `/api/v1/cases/${list.body.items[0].id}`, key);
      assert.equal(detail.body.links?.length, 2, JSON.stringify(detail.body));
    });

    it('CSAT for VIPs only, churn threats, negative sentiment on a topic, repeat contacts, topic spikes', async () => {
      const { key } = await env().newOrg();
      // A rule's case goes to one of the org's users who may work cases.
      const bea = await env().api('POST', '/api/v1/users', key, {
        email: `bea-${randomBytes(4).toString('hex')}@example.com`,
        name: 'bea',
        role: 'agent',
        password: 'correct horse battery',
      });
      assert.equal(bea.status, 201, JSON.stringify(bea.body));
      const mk = async (rule: unknown) => {
        const r = await env().api('POST', '/api/v1/rules', key, rule);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      const vip = await mk({
        name: 'Unhappy VIP',
        condition: { type: 'csat', max: 2 },
        customer: { segment: 'vip' },
        actions: [{ type: 'open_case', priority: 'urgent' }],
      });
      const churn = await mk({
        name: 'Churn threat',
        condition: { type: 'churn_threat' },
        actions: [{ type: 'open_case' }],
      });
      const sent = await mk({
        name: 'Billing complaints',
        condition: { type: 'negative_sentiment', topic: 'billing' },
        actions: [
          { type: 'tag', tag: 'billing-complaint' },
          { type: 'open_case', assignee: 'bea' },
        ],
      });
      const repeat = await mk({
        name: 'Third contact',
        condition: { type: 'repeat_contact', count: 3, days: 7 },
        actions: [{ type: 'open_case' }],
      });
      const spike = await mk({
        name: 'Spike',
        condition: { type: 'topic_spike', topic: 'delivery', factor: 3, min_count: 4 },
        actions: [{ type: 'open_case' }],
      });
      await env().api('POST', '/api/v1/customers', key, [
        { customer_email: 'vip@example.com', segment: 'vip' },
        { customer_email: 'reg@example.com', segment: 'regular' },
      ]);
      const csat = (email: string) => ({
        customer_email: email,
        touchpoint: 'support-chat',
        submitted_at: ago(5000),
        answers: [{ field: 'csat', type: 'csat', value: 1 }],
      });
      const r1 = await env().api('POST', '/api/v1/responses', key, [csat('vip@example.com'), csat('reg@example.com')]);
      assert.equal(r1.status, 200, JSON.stringify(r1.body));
      // A churn threat, no touchpoint: the department comes from the text's topic (taxonomy owner).
      const ix = await env().api('POST', '/api/v1/interactions', key, {
        customer_email: 'ivo@example.com',
        kind: 'email',
        text: 'You charged me twice on my invoice. I am cancelling my subscription and switching to another provider.',
        opened_at: ago(4000),
      });
      assert.equal(ix.status, 201, JSON.stringify(ix.body));
      for (let i = 0; i < 3; i++) {
        await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'rex@example.com',
          kind: 'call',
          touchpoint: 'support-chat',
          opened_at: ago(3 * 86_400_000 - i * 3_600_000),
        });
      }
      // Five late-delivery complaints within the hour, no history: a spike.
      await env().api(
        'POST',
        '/api/v1/interactions',
        key,
        Array.from({ length: 5 }, (_, i) => ({
          customer_email: `late${i}@example.com`,
          kind: 'chat',
          text: 'My delivery is late, the parcel still has not arrived.',
          opened_at: ago(60_000 + i * 1000),
        })),
      );
      const all = await env().api('GET', '/api/v1/cases?limit=100', key);
      const of = (rule: string) => all.body.items.filter((c: { rule_id: string }) => c.rule_id === rule);
      assert.equal(of(vip).length, 1, 'only the VIP’s CSAT 1');
      assert.equal(of(vip)[0].priority, 'urgent');
      assert.equal(of(vip)[0].customer_id, r1.body.results[0].customer_id);
      assert.equal(of(churn).length, 1, JSON.stringify(all.body.items.map((c: { title: string }) => c.title)));
      assert.equal(of(churn)[0].department, 'billing', 'owner of the billing topic');
      assert.equal(of(churn)[0].priority, 'high');
      assert.equal(of(sent).length, 1);
      assert.equal(of(sent)[0].assignee, 'bea');
      assert.ok(of(sent)[0].root_cause.startsWith('billing'), of(sent)[0].root_cause);
      assert.deepEqual(of(sent)[0].tags, ['billing-complaint']);
      assert.equal(of(repeat).length, 1);
      assert.match(of(repeat)[0].title, /contact #3 in 7 days/);
      assert.equal(of(spike).length, 1, 'one spike case per topic and hour');
      assert.equal(of(spike)[0].department, 'delivery');
      assert.equal(of(spike)[0].customer_id, null);
      // Filters.
      const f = await env().api('GET', '/api/v1/cases?department=billing&status=new,in_progress', key);
      assert.equal(f.body.items.length, 2);
      const a = await env().api('GET', '/api/v1/cases?assignee=bea&priority=normal', key);
      assert.equal(a.body.items.length, 1);
      const q = await env().api('GET', '/api/v1/cases?status=nope', key);
      assert.equal(q.status, 400);
      assert.match(q.body.errors[0].field, /^status/);
    });

    it('rule CRUD with precise validation errors', async () => {
      const { key } = await env().newOrg();
      const bad = await env().api('POST', '/api/v1/rules', key, {
        name: '',
        condition: { type: 'nps', max: 11 },
        actions: [
          { type: 'open_case', department: 'nowhere' },
          { type: 'email', to: ['not-an-email'] },
        ],
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.contentType.split(';')[0], 'application/problem+json');
      const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
      assert.deepEqual(fields, ['actions[1].to[0]', 'condition.max', 'name']);
      const dept = await env().api('POST', '/api/v1/rules', key, {
        name: 'x',
        condition: { type: 'churn_threat' },
        actions: [{ type: 'open_case', department: 'nowhere' }],
      });
      assert.equal(dept.status, 422);
      assert.deepEqual(dept.body.errors, [{ field: 'actions[0].department', reason: "unknown department 'nowhere'" }]);
      const topic = await env().api('POST', '/api/v1/rules', key, {
        name: 'x',
        condition: { type: 'negative_sentiment', topic: 'weather' },
        actions: [{ type: 'tag', tag: 'x' }],
      });
      assert.equal(topic.status, 422);
      assert.equal(topic.body.errors[0].field, 'condition.topic');
      const kind = await env().api('POST', '/api/v1/rules', key, {
        name: 'x',
        condition: { type: 'moon' },
        actions: [],
      });
      assert.equal(kind.status, 422);
      assert.match(
        kind.body.errors.map((e: { reason: string }) => e.reason).join(' '),
        /condition.type must be one of/,
      );

      const ok = await env().api('POST', '/api/v1/rules', key, {
        name: 'Detractors',
        condition: { type: 'nps' },
        actions: [{ type: 'open_case' }],
      });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.condition.max, 6, 'defaults are filled in');
      const put = await env().api('PUT', `/api/v1/rules/${ok.body.id}`, key, { ...ok.body, enabled: false });
      assert.equal(put.status, 422, 'unknown fields are refused');
      const put2 = await env().api('PUT', `/api/v1/rules/${ok.body.id}`, key, {
        name: 'Detractors',
        enabled: false,
        condition: { type: 'nps', max: 4 },
        actions: [{ type: 'open_case' }],
      });
      assert.equal(put2.status, 200);
      assert.equal(put2.body.enabled, false);
      // A disabled rule does not fire.
      await env().api('POST', '/api/v1/responses', key, {
        customer_email: 'z@example.com',
        submitted_at: ago(1000),
        answers: [{ field: 'nps', type: 'nps', value: 0 }],
      });
      assert.equal((await env().api('GET', '/api/v1/cases', key)).body.items.length, 0);
      assert.equal((await env().api('GET', '/api/v1/rules', key)).body.items.length, 1);
      assert.equal((await env().api('DELETE', `/api/v1/rules/${ok.body.id}`, key)).status, 204);
      assert.equal((await env().api('GET', `/api/v1/rules/${ok.body.id}`, key)).status, 404);
      assert.equal((await env().api('GET', '/api/v1/rules/not-a-uuid', key)).status, 400);
      assert.equal((await env().api('GET', '/api/v1/rules', null)).status, 401);
    });
  },
  { loop: { jobs: { pollMs: 200, backoff: { baseMs: 100, maxMs: 1000 } }, webhookAllowPrivate: true } },
);

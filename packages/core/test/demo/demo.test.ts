import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEMO_AGENT_SKILLS,
  DEMO_AGENTS,
  DEMO_NON_DRIVERS,
  DEMO_TOUCHPOINTS,
  DEMO_TRUE_DRIVERS,
  type DemoOrg,
  demoWindow,
  generateDemoOrg,
  generateDemoRecords,
} from '../../src/demo/index.js';
import { DEPARTMENTS } from '../../src/domain.js';
import { departmentInput, touchpointInput } from '../../src/schemas/config.js';
import { recordSchemas } from '../../src/schemas/records.js';

const small = generateDemoOrg({ customers: 300, seed: 11 });
let bigCache: DemoOrg | undefined;
const big = () => {
  bigCache ??= generateDemoOrg({ customers: 2000, seed: 5 });
  return bigCache;
};

const DAY = 86_400_000;
const ms = (s: string | Date | undefined) => (s === undefined ? Number.NaN : new Date(s).getTime());
const npsOf = (r: DemoOrg['responses'][number]) => r.answers.find((a) => a.type === 'nps')?.value as number | undefined;
const box = (v: number) => (v >= 9 ? 'promoter' : v >= 7 ? 'passive' : 'detractor');

describe('demo org: shape and schemas', () => {
  it('every record of a 300-customer org passes the input schemas', () => {
    for (const kind of ['customers', 'interactions', 'responses', 'events'] as const) {
      const schema = recordSchemas[kind];
      for (const rec of small[kind]) {
        const r = schema.safeParse(rec);
        assert.ok(r.success, `${kind} ${JSON.stringify(rec)}: ${r.success ? '' : JSON.stringify(r.error.issues)}`);
      }
    }
    for (const d of small.departments) departmentInput.parse(d);
    for (const t of small.touchpoints) touchpointInput.parse(t);
  });

  it('has the six departments, 25+ touchpoints over the whole journey, and 15–25 agents in teams', () => {
    assert.deepEqual(small.departments.map((d) => d.key).sort(), [...DEPARTMENTS].sort());
    assert.ok(small.departments.every((d) => d.function === d.key));
    assert.ok(small.touchpoints.length >= 25);
    const stages = new Set(small.touchpoints.map((t) => t.journey_stage));
    for (const s of ['awareness', 'consideration', 'purchase', 'onboarding', 'use', 'support', 'renewal', 'advocacy']) {
      assert.ok(stages.has(s as never), s);
    }
    const depts = new Set(small.touchpoints.map((t) => t.department));
    for (const d of DEPARTMENTS) assert.ok(depts.has(d), d);
    assert.ok(small.touchpoints.some((t) => t.planned === false) && small.touchpoints.some((t) => t.direct === false));
    assert.equal(new Set(small.touchpoints.map((t) => t.key)).size, small.touchpoints.length);
    assert.ok(small.agents.length >= 15 && small.agents.length <= 25);
    assert.ok(new Set(small.agents.map((a) => a.team)).size >= 5);
    for (const a of DEMO_AGENTS) assert.equal(typeof DEMO_AGENT_SKILLS[a.key], 'number');
    assert.equal(small.org.slug, 'brightleaf');
  });

  it('has realistic volumes per customer', () => {
    const n = small.customers.length;
    assert.equal(n, 300);
    const per = (k: 'interactions' | 'responses' | 'events') => small[k].length / n;
    assert.ok(per('interactions') >= 5 && per('interactions') <= 15, `interactions ${per('interactions')}`);
    assert.ok(per('responses') >= 1.5 && per('responses') <= 5, `responses ${per('responses')}`);
    assert.ok(per('events') >= 20 && per('events') <= 60, `events ${per('events')}`);
    const reasons = small.responses.filter((r) => r.answers.some((a) => a.type === 'text'));
    assert.ok(reasons.length > 0.3 * small.responses.length);
    assert.ok(small.responses.some((r) => r.answers.some((a) => a.type === 'expectation')));
    assert.ok(small.responses.some((r) => r.answers.some((a) => a.type === 'ces')));
    const types = new Set(small.events.map((e) => e.type));
    for (const t of ['email_open', 'email_click', 'page_view', 'app_action', 'purchase', 'renewal', 'cancellation']) {
      assert.ok(types.has(t as never), t);
    }
    assert.ok(small.customers.some((c) => c.customer_phone));
    assert.ok(small.customers.some((c) => c.referred_by_external_id));
  });

  it('writes texts with variety, emoji, typos and some PII', () => {
    const texts = small.interactions.flatMap((i) => (i.text && i.agent ? [i.text] : []));
    assert.ok(texts.length > 200);
    assert.ok(
      new Set(texts).size > 0.85 * texts.length,
      `texts are mostly distinct: ${new Set(texts).size}/${texts.length}`,
    );
    const all = [
      ...texts,
      ...small.responses.flatMap((r) => r.answers.flatMap((a) => (a.type === 'text' ? [a.value as string] : []))),
      ...small.events.flatMap((e) => (e.text ? [e.text] : [])),
    ];
    assert.ok(
      all.some((t) => /\p{Extended_Pictographic}/u.test(t)),
      'emoji',
    );
    assert.ok(
      all.some((t) => /@example\.(com|net)/.test(t)),
      'email address in a text',
    );
    const words = new Set(
      all
        .join(' ')
        .toLowerCase()
        .split(/[^a-z]+/),
    );
    assert.ok(
      ['dont', 'cant', 'im', 'wont'].some((w) => words.has(w)),
      'dropped apostrophes',
    );
  });
});

describe('demo org: determinism', () => {
  it('same options give identical output; a different seed differs', () => {
    const a = generateDemoOrg({ customers: 120, seed: 3 });
    const b = generateDemoOrg({ customers: 120, seed: 3 });
    const c = generateDemoOrg({ customers: 120, seed: 4 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.notEqual(JSON.stringify(a.customers), JSON.stringify(c.customers));
    assert.notEqual(JSON.stringify(a.interactions), JSON.stringify(c.interactions));
  });

  it('the stream and the array form agree, and each customer comes before its records', () => {
    const seen = new Set<string>();
    const counts = { customers: 0, interactions: 0, responses: 0, events: 0 };
    for (const r of generateDemoRecords({ customers: 300, seed: 11 })) {
      counts[r.kind]++;
      const id = r.record.customer_external_id as string;
      if (r.kind === 'customers') {
        assert.ok(!seen.has(id));
        seen.add(id);
        if (r.record.referred_by_external_id) assert.ok(seen.has(r.record.referred_by_external_id));
      } else assert.ok(seen.has(id), `${r.kind} before its customer ${id}`);
    }
    assert.deepEqual(counts, {
      customers: small.customers.length,
      interactions: small.interactions.length,
      responses: small.responses.length,
      events: small.events.length,
    });
  });

  it('honours start/now/months and rejects bad options', () => {
    assert.deepEqual(demoWindow({ customers: 1, seed: 1 }), {
      start: '2024-11-01T00:00:00Z',
      now: '2026-11-01T00:00:00Z',
      months: 24,
    });
    assert.equal(
      demoWindow({ customers: 1, seed: 1, start: '2025-01-01T00:00:00Z', months: 6 }).now,
      '2025-07-01T00:00:00Z',
    );
    const o = generateDemoOrg({ customers: 50, seed: 2, now: '2025-06-01T00:00:00Z', months: 12 });
    for (const e of o.events) assert.ok(ms(e.occurred_at) <= Date.parse('2025-06-01T00:00:00Z'));
    assert.throws(() => generateDemoOrg({ customers: 0, seed: 1 }));
    assert.throws(() => generateDemoOrg({ customers: 5, seed: 1, now: 'yesterday' }));
  });
});

describe('demo org: integrity and time', () => {
  it('keeps references intact', () => {
    const customers = new Map(small.customers.map((c, i) => [c.customer_external_id as string, { c, i }]));
    assert.equal(customers.size, small.customers.length);
    assert.equal(new Set(small.customers.map((c) => c.customer_email)).size, small.customers.length);
    for (const { c, i } of customers.values()) {
      if (!c.referred_by_external_id) continue;
      const ref = customers.get(c.referred_by_external_id);
      assert.ok(ref, `referrer of ${c.customer_external_id}`);
      assert.ok(ref.i < i);
      assert.ok(ms(ref.c.acquired_at) < ms(c.acquired_at));
      assert.equal(c.acquisition_source, 'referral');
    }
    const tps = new Set(DEMO_TOUCHPOINTS.map((t) => t.key));
    const agents = new Set(DEMO_AGENTS.map((a) => a.key));
    const interactions = new Map<string, (typeof small.interactions)[number]>();
    for (const it of small.interactions) {
      assert.ok(customers.has(it.customer_external_id as string));
      assert.ok(!interactions.has(it.external_id as string), 'unique external_id');
      interactions.set(it.external_id as string, it);
      if (it.touchpoint) assert.ok(tps.has(it.touchpoint), it.touchpoint);
      if (it.agent) assert.ok(agents.has(it.agent), it.agent);
    }
    for (const r of small.responses) {
      assert.ok(customers.has(r.customer_external_id as string));
      if (r.touchpoint) assert.ok(tps.has(r.touchpoint), r.touchpoint);
      if (r.agent) assert.ok(agents.has(r.agent));
      if (r.interaction_external_id) {
        const it = interactions.get(r.interaction_external_id);
        assert.ok(it, r.interaction_external_id);
        assert.equal(it.customer_external_id, r.customer_external_id);
        assert.ok(ms(r.submitted_at) >= ms(it.opened_at));
        if (r.agent) assert.equal(r.agent, it.agent, 'agent credit goes to the handling agent');
      }
    }
    for (const e of small.events) {
      assert.ok(customers.has(e.customer_external_id as string));
      if (e.touchpoint) assert.ok(tps.has(e.touchpoint), e.touchpoint);
      const referred = e.properties?.referred_external_id;
      if (referred) assert.equal(customers.get(referred as string)?.c.referred_by_external_id, e.customer_external_id);
    }
    const keys = [...small.interactions, ...small.responses, ...small.events].map((r) => r.idempotency_key);
    assert.equal(new Set(keys).size, keys.length);
    for (const d of DEMO_TRUE_DRIVERS) for (const t of d.touchpoints) assert.ok(tps.has(t), t);
    for (const t of DEMO_NON_DRIVERS) assert.ok(tps.has(t), t);
  });

  it('orders times and stays inside the window', () => {
    const start = Date.parse('2024-11-01T00:00:00Z');
    const now = Date.parse('2026-11-01T00:00:00Z');
    for (const it of small.interactions) {
      const o = ms(it.opened_at);
      assert.ok(o >= start && o <= now);
      if (it.first_response_at) assert.ok(ms(it.first_response_at) >= o && ms(it.first_response_at) <= now);
      if (it.resolved_at) assert.ok(ms(it.resolved_at) >= o && ms(it.resolved_at) <= now);
      if (it.first_response_at && it.resolved_at) assert.ok(ms(it.resolved_at) >= ms(it.first_response_at));
    }
    for (const r of small.responses) assert.ok(ms(r.submitted_at) >= start && ms(r.submitted_at) <= now);
    for (const e of small.events)
      assert.ok(ms(e.occurred_at) >= start && ms(e.occurred_at) <= now, e.occurred_at as string);
    for (const c of small.customers) assert.ok(ms(c.acquired_at) <= now);
    // Nothing happens after a customer cancels (bar the cancellation itself).
    const cancelled = new Map(
      small.events.filter((e) => e.type === 'cancellation').map((e) => [e.customer_external_id, ms(e.occurred_at)]),
    );
    for (const e of small.events) {
      const c = cancelled.get(e.customer_external_id);
      if (c !== undefined && e.type !== 'cancellation')
        assert.ok(ms(e.occurred_at) <= c + DAY, `${e.type} after cancellation`);
    }
  });
});

describe('demo org: behaviour follows experience', () => {
  it('promoters churn less and refer more than passives, who do better than detractors', () => {
    const org = big();
    const latest = new Map<string, number>();
    for (const r of org.responses) {
      const v = npsOf(r);
      if (v !== undefined) latest.set(r.customer_external_id as string, v);
    }
    const churned = new Set(org.events.filter((e) => e.type === 'cancellation').map((e) => e.customer_external_id));
    const refs = new Map<string, number>();
    for (const e of org.events) {
      if (e.type === 'referral_made')
        refs.set(e.customer_external_id as string, (refs.get(e.customer_external_id as string) ?? 0) + 1);
    }
    const g: Record<string, { n: number; churn: number; ref: number }> = {};
    for (const [c, v] of latest) {
      const b = box(v);
      g[b] ??= { n: 0, churn: 0, ref: 0 };
      g[b].n++;
      if (churned.has(c)) g[b].churn++;
      g[b].ref += refs.get(c) ?? 0;
    }
    const rate = (b: string, k: 'churn' | 'ref') => g[b][k] / g[b].n;
    assert.ok(rate('promoter', 'churn') < rate('passive', 'churn'), JSON.stringify(g));
    assert.ok(rate('passive', 'churn') < rate('detractor', 'churn'), JSON.stringify(g));
    assert.ok(rate('passive', 'churn') - rate('promoter', 'churn') > 0.08, 'top box vs one box lower is a big gap');
    assert.ok(rate('promoter', 'ref') > 1.5 * rate('passive', 'ref'), JSON.stringify(g));
    assert.ok(rate('passive', 'ref') > rate('detractor', 'ref'), JSON.stringify(g));
  });

  it('verbatim sentiment matches the score', () => {
    const NEG =
      /\b(late|rude|worst|disappoint\w*|terrible|ridiculous|unacceptable|useless|nobody|crash\w*|broke\w*|wrong|overcharged|charged twice|cancel\w*|expensive|overpriced|stale|poor|nightmare|unfair|avoid|mess)\b/i;
    const POS =
      /\b(great|love|excellent|helpful|friendly|perfect|amazing|fantastic|brilliant|easy|recommend|quick|fast|thank)\b/i;
    const share: Record<string, { n: number; neg: number; pos: number }> = {};
    for (const r of big().responses) {
      const v = npsOf(r);
      const text = r.answers.find((a) => a.type === 'text')?.value as string | undefined;
      if (v === undefined || !text || r.language !== 'en') continue;
      const b = box(v);
      share[b] ??= { n: 0, neg: 0, pos: 0 };
      share[b].n++;
      if (NEG.test(text)) share[b].neg++;
      if (POS.test(text)) share[b].pos++;
    }
    const f = (b: string, k: 'neg' | 'pos') => share[b][k] / share[b].n;
    assert.ok(f('detractor', 'neg') > 0.6, JSON.stringify(share));
    assert.ok(f('detractor', 'neg') > 3 * f('promoter', 'neg'), JSON.stringify(share));
    assert.ok(f('promoter', 'pos') > 3 * f('detractor', 'pos'), JSON.stringify(share));
  });

  it('the true drivers move NPS and the non-drivers do not', () => {
    const org = big();
    const byCustomer = new Map<string, { t: number; late: boolean; billingError: boolean }[]>();
    for (const it of org.interactions) {
      const late = it.kind === 'delivery' && it.outcome === 'late';
      const billingError = it.kind === 'invoice' && (it.outcome === 'error' || it.outcome === 'double_charge');
      if (!late && !billingError) continue;
      const list = byCustomer.get(it.customer_external_id as string) ?? [];
      list.push({ t: ms(it.opened_at), late, billingError });
      byCustomer.set(it.customer_external_id as string, list);
    }
    const groups = { late: [] as number[], billing: [] as number[], clean: [] as number[] };
    for (const r of org.responses) {
      const v = npsOf(r);
      if (v === undefined) continue;
      const t = ms(r.submitted_at);
      const recent = (byCustomer.get(r.customer_external_id as string) ?? []).filter(
        (x) => x.t < t && t - x.t < 75 * DAY,
      );
      if (recent.some((x) => x.late)) groups.late.push(v);
      if (recent.some((x) => x.billingError)) groups.billing.push(v);
      if (recent.length === 0) groups.clean.push(v);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(groups.clean) - mean(groups.late) > 0.8, `late ${mean(groups.late)} vs ${mean(groups.clean)}`);
    assert.ok(
      mean(groups.clean) - mean(groups.billing) > 0.8,
      `billing ${mean(groups.billing)} vs ${mean(groups.clean)}`,
    );
    // Delivery CSAT: late parcels score far lower than on-time ones.
    const interactions = new Map(org.interactions.map((i) => [i.external_id, i]));
    const csat = { late: [] as number[], on_time: [] as number[] };
    for (const r of org.responses) {
      if (r.survey !== 'delivery-csat') continue;
      const o = interactions.get(r.interaction_external_id)?.outcome;
      const v = r.answers.find((a) => a.type === 'csat')?.value as number;
      if (o === 'late' || o === 'on_time') csat[o].push(v);
    }
    assert.ok(mean(csat.on_time) - mean(csat.late) > 1.5, JSON.stringify([mean(csat.on_time), mean(csat.late)]));
  });

  it('agent skill shows in CSAT and slower resolutions come with worse CSAT', () => {
    const org = big();
    const byAgent = new Map<string, number[]>();
    const interactions = new Map(org.interactions.map((i) => [i.external_id, i]));
    const fast: number[] = [];
    const slow: number[] = [];
    for (const r of org.responses) {
      if (r.survey !== 'support-csat' || !r.agent) continue;
      const v = r.answers.find((a) => a.type === 'csat')?.value as number;
      byAgent.set(r.agent, [...(byAgent.get(r.agent) ?? []), v]);
      const it = interactions.get(r.interaction_external_id);
      if (it?.resolved_at) (ms(it.resolved_at) - ms(it.opened_at) > 2 * DAY ? slow : fast).push(v);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const tier1 = DEMO_AGENTS.filter((a) => a.team === 'support-tier1').map((a) => a.key);
    const best = tier1.reduce((x, y) => (DEMO_AGENT_SKILLS[x] > DEMO_AGENT_SKILLS[y] ? x : y));
    const worst = tier1.reduce((x, y) => (DEMO_AGENT_SKILLS[x] < DEMO_AGENT_SKILLS[y] ? x : y));
    assert.ok(mean(byAgent.get(best) ?? []) > mean(byAgent.get(worst) ?? []) + 0.4, `${best} vs ${worst}`);
    assert.ok(mean(fast) > mean(slow), `fast ${mean(fast)} slow ${mean(slow)}`);
  });
});

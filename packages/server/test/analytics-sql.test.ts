import assert from 'node:assert/strict';
import { it } from 'node:test';
import { seededRng as rng } from '@canopy/core';
import { aggregate, loyaltyCounts, topicDriverStats } from '@canopy/store';
import { eachStore } from './harness.js';

/**
 * The SQL of the ad-hoc analyses against brute force: a small org with random answers,
 * interactions and events, whose expected driver statistics (counts, sums, co-occurrences) and
 * loyalty counts are computed here in plain loops from the same records.
 */
const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
/** The harness org's touchpoints (departments delivery, billing, service). */
const TPS = ['delivery', 'invoice', 'support-chat'];
const OUTCOMES = ['late', 'resolved', 'billing_error'];

function data() {
  const r = rng(42);
  const customers = Array.from({ length: 40 }, (_, i) => `c${i}@example.com`);
  const at = () => T0 + Math.floor(r() * 120) * DAY + Math.floor(r() * 86_000) * 1000;
  const answers = Array.from({ length: 160 }, () => ({
    email: customers[Math.floor(r() * customers.length)],
    at: at(),
    value: Math.floor(r() * 11),
  }));
  const interactions = Array.from({ length: 220 }, () => ({
    email: customers[Math.floor(r() * customers.length)],
    at: at(),
    tp: TPS[Math.floor(r() * TPS.length)],
    outcome: OUTCOMES[Math.floor(r() * OUTCOMES.length)],
  }));
  const types = ['purchase', 'cancellation', 'referral_made', 'email_open'];
  const events = Array.from({ length: 200 }, () => ({
    email: customers[Math.floor(r() * customers.length)],
    at: at(),
    type: types[Math.floor(r() * types.length)],
  }));
  return { answers, interactions, events };
}

type Api = (method: string, path: string, key: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/** POSTs a batch and insists it was taken whole. */
function poster(api: Api, key: string) {
  return async (path: string, body: unknown) => {
    const res = await api('POST', path, key, body);
    assert.ok(res.status < 300, JSON.stringify(res.body).slice(0, 500));
  };
}

const responsesOf = (answers: { email: string; at: number; value: number }[]) =>
  answers.map((a) => ({
    customer_email: a.email,
    submitted_at: new Date(a.at).toISOString(),
    answers: [{ field: 'nps', type: 'nps', value: a.value }],
  }));

eachStore('ad-hoc analyses against brute force', (env) => {
  it('driver statistics: counts, sums and co-occurrences of interaction outcomes before each answer', async () => {
    const { orgId, key } = await env().newOrg();
    const d = data();
    const post = poster(env().api, key);
    await post('/api/v1/responses', responsesOf(d.answers));
    await post(
      '/api/v1/interactions',
      d.interactions.map((x) => ({
        customer_email: x.email,
        kind: 'ticket',
        touchpoint: x.tp,
        outcome: x.outcome,
        opened_at: new Date(x.at).toISOString(),
      })),
    );
    const from = new Date(T0 + 60 * DAY);
    const to = new Date(T0 + 120 * DAY);
    // 90 days: the daily pair sums (017) and the answers' kept driver rows (016), filled by the
    // interactions' triggers; then the raw join for the same lookback and for another one.
    for (const [lookback, useState, useRollup] of [
      [90, true, true],
      [90, true, false],
      [90, false, false],
      [30, true, true],
    ] as const) {
      const maxDrivers = 5;
      const s = await topicDriverStats(env().store.db, orgId, {
        outcome: 'nps',
        from,
        to,
        filter: {},
        lookbackDays: lookback,
        maxDrivers,
        minCoverage: 0,
        source: 'outcomes',
        useState,
        useRollup,
      });
      // Brute force: per answer in the window, the set of tp:outcome in [t − lookback, t].
      const rows = d.answers
        .filter((a) => a.at >= from.getTime() && a.at < to.getTime())
        .map((a) => ({
          y: a.value,
          topics: new Set(
            d.interactions
              .filter((x) => x.email === a.email && x.at >= a.at - lookback * DAY && x.at <= a.at)
              .map((x) => `${x.tp}:${x.outcome}`),
          ),
        }));
      assert.equal(s.n, rows.length);
      assert.equal(
        s.sumY,
        rows.reduce((t, x) => t + x.y, 0),
      );
      assert.equal(
        s.sumY2,
        rows.reduce((t, x) => t + x.y * x.y, 0),
      );
      assert.equal(s.drivers.size, maxDrivers, `lookback ${lookback}`);
      for (const [topic, st] of s.drivers) {
        const having = rows.filter((x) => x.topics.has(topic));
        assert.equal(st.count, having.length, topic);
        assert.equal(
          st.sumY,
          having.reduce((t, x) => t + x.y, 0),
          topic,
        );
      }
      const top = [...s.drivers.keys()].sort();
      let pairs = 0;
      for (let i = 0; i < top.length; i++) {
        for (let j = i + 1; j < top.length; j++) {
          const both = rows.filter((x) => x.topics.has(top[i]) && x.topics.has(top[j])).length;
          assert.equal(s.pairs.get(`${top[i]}\u0000${top[j]}`) ?? 0, both, `${top[i]} & ${top[j]}`);
          if (both) pairs++;
        }
      }
      assert.equal(s.pairs.size, pairs, 'only co-occurring pairs are listed');
      assert.ok(pairs > 0, 'the data has co-occurrences to check');
    }
    await assert.rejects(
      topicDriverStats(env().store.db, orgId, {
        outcome: 'nps',
        from,
        to,
        filter: {},
        lookbackDays: 30,
        maxDrivers: 31,
        minCoverage: 0,
      }),
      /maxDrivers must be 1–30/,
    );
  });

  it('loyalty counts: each customer’s last answer in the window and their events in the horizon', async () => {
    const { orgId, key } = await env().newOrg();
    const d = data();
    const post = poster(env().api, key);
    await post('/api/v1/responses', responsesOf(d.answers));
    await post(
      '/api/v1/events',
      d.events.map((e) => ({ customer_email: e.email, type: e.type, occurred_at: new Date(e.at).toISOString() })),
    );
    const from = new Date(T0 + 20 * DAY);
    const to = new Date(T0 + 70 * DAY);
    const horizon = 40;
    const now = new Date(T0 + 100 * DAY);
    const got = await loyaltyCounts(env().store.db, orgId, {
      type: 'nps',
      from,
      to,
      filter: {},
      horizonDays: horizon,
      now,
    });
    // Each customer's last answer by their next answer (unfiltered) and by sorting agree.
    assert.deepEqual(
      await loyaltyCounts(env().store.db, orgId, {
        type: 'nps',
        from,
        to,
        filter: {},
        horizonDays: horizon,
        now,
        useNextAnswer: false,
      }),
      got,
    );
    const last = new Map<string, { at: number; value: number }>();
    for (const a of d.answers) {
      if (a.at < from.getTime() || a.at >= to.getTime()) continue;
      const l = last.get(a.email);
      if (!l || a.at > l.at) last.set(a.email, a);
    }
    const want = new Map<
      number,
      { n: number; retained: number; repurchased: number; referred: number; known: number }
    >();
    for (const [email, l] of last) {
      const seen = (type: string) =>
        d.events.some((e) => e.email === email && e.type === type && e.at > l.at && e.at <= l.at + horizon * DAY);
      const cancelled = seen('cancellation');
      const elapsed = l.at + horizon * DAY <= now.getTime();
      const w = want.get(l.value) ?? { n: 0, retained: 0, repurchased: 0, referred: 0, known: 0 };
      w.n++;
      if (elapsed && !cancelled) w.retained++;
      if (seen('purchase')) w.repurchased++;
      if (seen('referral_made')) w.referred++;
      if (elapsed || cancelled) w.known++;
      want.set(l.value, w);
    }
    assert.deepEqual(
      got.map((g) => [g.box, g.n, g.retained, g.repurchased, g.referred, g.retained_known]),
      [...want.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([box, w]) => [box, w.n, w.retained, w.repurchased, w.referred, w.known]),
    );
    assert.ok(
      got.some((g) => g.repurchased > 0) && got.some((g) => g.retained < g.n),
      'the data has outcomes to check',
    );
  });

  it('raw answers filtered by department and grouped by agent equal the rollups', async () => {
    const { orgId, key } = await env().newOrg();
    const r = rng(7);
    const rs = Array.from({ length: 120 }, (_, i) => ({
      customer_email: `p${i % 23}@example.com`,
      touchpoint: TPS[i % TPS.length],
      agent: i % 5 ? `agent-${i % 3}` : undefined,
      submitted_at: new Date(T0 + Math.floor(r() * 50) * DAY + 3_600_000 + i * 1000).toISOString(),
      answers: [{ field: 'nps', type: 'nps', value: Math.floor(r() * 11) }],
    }));
    const res = await env().api('POST', '/api/v1/responses', key, rs);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const base = { family: 'answers' as const, type: 'nps' as const, from: new Date(T0), to: new Date(T0 + 56 * DAY) };
    for (const granularity of ['day', 'week', 'month', null] as const) {
      for (const groupBy of ['agent', 'department', 'touchpoint', null] as const) {
        const q = {
          ...base,
          filter: { department: ['delivery', 'service'], agent: ['agent-1', 'agent-2'] },
          groupBy,
          granularity,
        };
        const roll = await aggregate(env().store.db, orgId, { ...q, useRollups: true });
        const raw = await aggregate(env().store.db, orgId, { ...q, useRollups: false });
        assert.equal(roll.source, 'rollup');
        assert.equal(raw.source, 'raw');
        assert.ok(raw.rows.length > 0);
        assert.deepEqual(raw.rows, roll.rows, `${granularity} ${groupBy}`);
        assert.ok(!raw.rows.some((x) => x.key === 'invoice'), 'the department filter holds');
      }
    }
    const byTp = {
      ...base,
      filter: { touchpoint: ['invoice'] },
      groupBy: 'touchpoint' as const,
      granularity: 'week' as const,
    };
    const raw = await aggregate(env().store.db, orgId, { ...byTp, useRollups: false });
    assert.deepEqual(
      raw.rows.map((x) => x.key),
      raw.rows.map(() => 'invoice'),
    );
    assert.deepEqual(raw.rows, (await aggregate(env().store.db, orgId, { ...byTp, useRollups: true })).rows);
  });
});

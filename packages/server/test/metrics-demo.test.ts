import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from 'node:test';
import { DEMO_AGENT_SKILLS, demoWindow } from '@canopy/core';
import { verifyRollups } from '@canopy/store';
import { defaultAnalyser } from '../src/analyser.js';
import { loadDemo } from '../src/demo.js';
import { TextAnalysisStep } from '../src/pipeline/analyse.js';
import { eachStore } from './harness.js';

const NOW = '2026-11-01T00:00:00Z';
const CUSTOMERS = Number(process.env.METRICS_DEMO_CUSTOMERS ?? 500);

eachStore('metrics on the demo org', (env) => {
  let key: string;
  let orgId: string;
  let start: string;
  before(async () => {
    const d = await loadDemo(env().store, {
      customers: CUSTOMERS,
      seed: 11,
      now: NOW,
      slug: `demo-${randomBytes(4).toString('hex')}`,
      analysis: new TextAnalysisStep(defaultAnalyser()),
    });
    key = d.apiKey;
    orgId = d.orgId;
    start = `${demoWindow({ customers: CUSTOMERS, seed: 11, now: NOW }).start.slice(0, 10)}T00:00:00Z`;
  });

  it('recovers the known drivers of NPS: late delivery and billing errors on top', async () => {
    const r = await env().api(
      'GET',
      `/api/v1/metrics/drivers?outcome=nps&drivers=outcomes&lookback_days=180&from=${start}&to=${NOW}`,
      key,
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const seen = JSON.stringify(
      r.body.drivers.map((d: { key: string; signed_weight: number }) => [d.key, d.signed_weight]),
    );
    // The strongest negative driver is a delivery problem (DEMO_TRUE_DRIVERS rank 1), and every
    // delivery problem lowers NPS. Billing errors (rank 2) are too rare at this size to rank
    // reliably: see the report in docs/api-metrics.md.
    const negative = r.body.drivers.filter((d: { signed_weight: number }) => d.signed_weight < 0);
    assert.match(negative[0].key, /^delivery:(late|damaged)$/, seen);
    const late = r.body.drivers.find((d: { key: string }) => d.key === 'delivery:late');
    assert.ok(late && late.rank <= 3 && late.signed_weight < 0 && late.significant, seen);
    const sum = r.body.drivers.reduce((s: number, d: { weight: number }) => s + d.weight, 0);
    assert.ok(Math.abs(sum - 100) < 0.1, `weights sum to 100 (${sum})`);
    assert.ok(r.body.r2 > 0 && r.body.r2 < 1);
  });

  it('scores agents on the responses credited to them: the best agent beats the worst', async () => {
    const r = await env().api('GET', `/api/v1/metrics/agents?from=${start}&to=${NOW}`, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const by = new Map(r.body.agents.map((a: { key: string; csat: { value: number } }) => [a.key, a.csat.value]));
    const best = Object.entries(DEMO_AGENT_SKILLS).sort((a, b) => b[1] - a[1])[0][0];
    const worst = Object.entries(DEMO_AGENT_SKILLS).sort((a, b) => a[1] - b[1])[0][0];
    assert.ok((by.get(best) as number) > (by.get(worst) as number), JSON.stringify([...by]));
    assert.ok(r.body.teams.length > 0);
  });

  it("gives each agent's loyalty change its n in both periods, small when either is", async () => {
    const r = await env().api('GET', `/api/v1/metrics/agents?from=2026-08-01T00:00:00Z&to=${NOW}&min_n=5`, key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    type L = { value: number | null; n: number; previous_n: number; small_n: boolean };
    const changes: L[] = r.body.agents.map((a: { loyalty_change: L }) => a.loyalty_change);
    const seen = JSON.stringify(changes);
    assert.ok(
      changes.some((l) => l.value !== null),
      seen,
    );
    for (const l of changes) {
      assert.equal(typeof l.n, 'number', seen);
      assert.equal(typeof l.previous_n, 'number', seen);
      // A change needs customers in both periods, and is only as sure as the smaller of the two.
      if (l.n === 0 || l.previous_n === 0) assert.equal(l.value, null, seen);
      assert.equal(l.small_n, Math.min(l.n, l.previous_n) < 5, seen);
    }
  });

  it('gives journey stages and touchpoints with no text a null sentiment (not 0), with n = 0', async () => {
    const j = await env().api('GET', `/api/v1/metrics/journey?from=2026-08-01T00:00:00Z&to=${NOW}`, key);
    assert.equal(j.status, 200, JSON.stringify(j.body));
    type F = { value: number | null; n: number };
    type T = { key: string; sentiment: F; nps: F; csat: F };
    const stages: (T & { stage: string; touchpoints: T[] })[] = j.body.stages;
    const figures = stages.flatMap((s) => [s, ...s.touchpoints]).flatMap((x) => [x.sentiment, x.nps, x.csat]);
    const seen = JSON.stringify(stages.map((s) => [s.stage, s.sentiment]));
    // The demo's awareness touchpoints (newsletter, social ads) carry no text.
    assert.ok(
      stages.some((s) => s.sentiment.n === 0),
      seen,
    );
    assert.ok(
      stages.some((s) => s.sentiment.n > 0 && s.sentiment.value !== null),
      seen,
    );
    for (const f of figures) if (f.n === 0) assert.equal(f.value, null, JSON.stringify(f));
  });

  it('shows promoters more loyal than detractors, and answers every endpoint', async () => {
    const l = await env().api('GET', `/api/v1/metrics/loyalty?scale=nps&from=${start}&to=2026-01-01T00:00:00Z`, key);
    assert.equal(l.status, 200, JSON.stringify(l.body));
    assert.equal(l.body.rows.length, 11);
    const g = Object.fromEntries(l.body.groups.map((x: { group: string }) => [x.group, x]));
    assert.ok(g.promoter.retention.value > g.detractor.retention.value, JSON.stringify(l.body.groups));
    for (const path of [
      'overview',
      'journey',
      'topics',
      'series?metric=csat&group_by=team',
      'breakdown?metric=sentiment&group_by=department',
    ]) {
      const sep = path.includes('?') ? '&' : '?';
      const a = await env().api('GET', `/api/v1/metrics/${path}${sep}from=2026-08-01T00:00:00Z&to=${NOW}`, key);
      assert.equal(a.status, 200, `${path}: ${JSON.stringify(a.body)}`);
    }
    const ov = await env().api('GET', `/api/v1/metrics/overview?from=2026-08-01T00:00:00Z&to=${NOW}`, key);
    assert.ok(ov.body.engagement.retention.value > 50, JSON.stringify(ov.body.engagement.retention));
    assert.ok(ov.body.experience.nps.n > 0);
    const j = await env().api('GET', `/api/v1/metrics/journey?from=2026-08-01T00:00:00Z&to=${NOW}`, key);
    assert.ok(j.body.stages.length >= 5 && j.body.paths.length > 0);
    for (const d of await verifyRollups(env().store.db, orgId)) assert.equal(d.mismatches, 0, JSON.stringify(d));
  });
});

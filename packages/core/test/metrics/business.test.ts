import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_ENGAGEMENT_WEIGHTS,
  engagementScores,
  healthBand,
  healthScore,
  lifetimeValue,
  referralRate,
  repeatPurchaseRate,
  repeatPurchaseRateFromCounts,
  retentionRate,
  revenuePerCustomer,
  toScore100,
} from '../../src/metrics/index.js';

const close = (actual: number | null | undefined, expected: number, tol: number, msg?: string) => {
  assert.ok(typeof actual === 'number', `${msg ?? ''} expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} ${actual} is not within ${tol} of ${expected}`);
};

describe('retention and churn', () => {
  it('(end − new)/start', () => {
    // 200 at start, 210 at end of whom 30 are new → kept 180 → 90% retention, 10% churn.
    const r = retentionRate({ atStart: 200, atEnd: 210, newInPeriod: 30 });
    assert.equal(r.retained, 180);
    assert.equal(r.retention, 0.9);
    close(r.churn, 0.1, 1e-12);
    assert.equal(r.inconsistent, false);
  });
  it('no customers at start → null; inconsistent inputs are clamped and flagged', () => {
    const empty = retentionRate({ atStart: 0, atEnd: 10, newInPeriod: 10 });
    assert.equal(empty.retention, null);
    assert.equal(empty.churn, null);
    const bad = retentionRate({ atStart: 10, atEnd: 5, newInPeriod: 8 });
    assert.equal(bad.retention, 0);
    assert.equal(bad.inconsistent, true);
    assert.throws(() => retentionRate({ atStart: -1, atEnd: 0, newInPeriod: 0 }), RangeError);
  });
  it('repeat purchase, referral, revenue per customer', () => {
    assert.equal(repeatPurchaseRate(80, 20).share, 0.25);
    // Counts 0 (not a buyer), 1, 1, 2, 5 → 4 buyers, 2 repeat.
    assert.equal(repeatPurchaseRateFromCounts([0, 1, 1, 2, 5]).share, 0.5);
    assert.equal(repeatPurchaseRateFromCounts([]).share, null);
    assert.equal(referralRate(500, 35).share, 0.07);
    assert.equal(revenuePerCustomer(12_000, 300), 40);
    assert.equal(revenuePerCustomer(100, 0), null);
  });
});

describe('lifetime value', () => {
  it('margin × revenue / churn', () => {
    // €50/month at 60% margin, 5% monthly churn → 30/0.05 = €600 over 20 months expected.
    const l = lifetimeValue({ revenuePerPeriod: 50, margin: 0.6, churnPerPeriod: 0.05 });
    close(l.value, 600, 1e-9);
    close(l.expectedLifetimePeriods, 20, 1e-9);
    assert.equal(l.model, 'geometric');
  });
  it('churn 0 → unbounded (null with reason), or capped at a horizon', () => {
    const l = lifetimeValue({ revenuePerPeriod: 50, churnPerPeriod: 0 });
    assert.equal(l.value, null);
    assert.ok(l.reason?.includes('unbounded'));
    const capped = lifetimeValue({ revenuePerPeriod: 50, churnPerPeriod: 0, horizonPeriods: 36 });
    assert.equal(capped.value, 1800);
    // With churn 10% over 12 periods: (1 − 0.9¹²)/0.1 = 7.17570 periods → 50·7.1757 = 358.78.
    const c = lifetimeValue({ revenuePerPeriod: 50, churnPerPeriod: 0.1, horizonPeriods: 12 });
    close(c.expectedLifetimePeriods, (1 - 0.9 ** 12) / 0.1, 1e-12);
    close(c.value, 358.785, 1e-3);
    assert.throws(() => lifetimeValue({ revenuePerPeriod: 50, churnPerPeriod: 1.5 }), RangeError);
    assert.throws(() => lifetimeValue({ revenuePerPeriod: 50, churnPerPeriod: 0.1, margin: 2 }), RangeError);
  });
});

describe('engagement score', () => {
  const asOf = '2024-06-30T00:00:00Z';
  it('recency-decayed weighted count, half-life 30 days by default', () => {
    // a: review today (5) + click 30 days ago (2 × ½ = 1) = 6.
    // b: page view today (1) + email open 60 days ago (1 × ¼) = 1.25.
    // c: purchase only (business event, weight 0) = 0.
    const scores = engagementScores(
      [
        { customerId: 'a', type: 'review', at: asOf },
        { customerId: 'a', type: 'email_click', at: '2024-05-31T00:00:00Z' },
        { customerId: 'b', type: 'page_view', at: asOf },
        { customerId: 'b', type: 'email_open', at: '2024-05-01T00:00:00Z' },
        { customerId: 'c', type: 'purchase', at: asOf },
        { customerId: 'a', type: 'review', at: '2024-07-15T00:00:00Z' }, // after asOf: ignored
      ],
      { asOf },
    );
    const by = Object.fromEntries(scores.map((s) => [s.customerId, s]));
    close(by.a.raw, 6, 1e-12);
    close(by.b.raw, 1.25, 1e-12);
    assert.equal(by.c.raw, 0);
    // Percentile rank: a highest → 100, b middle → 50, c zero → 0.
    assert.equal(by.a.score, 100);
    assert.equal(by.b.score, 50);
    assert.equal(by.c.score, 0);
    assert.deepEqual(
      scores.map((s) => s.customerId),
      ['a', 'b', 'c'],
    );
    assert.equal(DEFAULT_ENGAGEMENT_WEIGHTS.review, 5);
  });
  it('min-max normalisation, ties, custom weights and half-life', () => {
    const ev = [
      { customerId: 'a', type: 'app_action', at: asOf },
      { customerId: 'b', type: 'app_action', at: asOf },
      { customerId: 'c', type: 'app_action', at: asOf },
      { customerId: 'c', type: 'app_action', at: asOf },
      { customerId: 'c', type: 'app_action', at: asOf },
    ];
    const pr = Object.fromEntries(engagementScores(ev, { asOf }).map((s) => [s.customerId, s.score]));
    // Raws 2, 2, 6: a and b tied below c → (0 + ½·1)/2 = 25.
    assert.equal(pr.a, 25);
    assert.equal(pr.b, 25);
    assert.equal(pr.c, 100);
    const mm = Object.fromEntries(
      engagementScores(ev, { asOf, normalise: 'minmax', customers: ['z'] }).map((s) => [s.customerId, s.score]),
    );
    // Raws 0 (z), 2, 2, 6 → min-max 0, 33.3, 33.3, 100.
    assert.equal(mm.z, 0);
    close(mm.a, 100 / 3, 1e-12);
    assert.equal(mm.c, 100);
    const custom = engagementScores([{ customerId: 'a', type: 'purchase', at: '2024-06-20T00:00:00Z' }], {
      asOf,
      weights: { purchase: 10 },
      halfLifeDays: 10,
    });
    close(custom[0].raw, 5, 1e-12);
    assert.equal(custom[0].score, 100);
  });
  it('no events → empty list', () => {
    assert.deepEqual(engagementScores([]), []);
    assert.throws(() => engagementScores([], { halfLifeDays: 0 }), RangeError);
  });
});

describe('health score', () => {
  it('weighted average with each part shown', () => {
    // experience 80 (w 2), engagement 60 (w 1), service 40 (w 1):
    // (160 + 60 + 40)/4 = 65 → yellow. Contributions 40, 15, 10.
    const h = healthScore([
      { key: 'experience', score: 80, weight: 2 },
      { key: 'engagement', score: 60, weight: 1 },
      { key: 'service', score: 40, weight: 1 },
    ]);
    close(h.score, 65, 1e-12);
    assert.equal(h.band, 'yellow');
    assert.deepEqual(
      h.parts.map((p) => [p.key, p.share, p.contribution]),
      [
        ['experience', 0.5, 40],
        ['engagement', 0.25, 15],
        ['service', 0.25, 10],
      ],
    );
  });
  it('bands: ≤ 50 red, ≤ 75 yellow, above green', () => {
    assert.equal(healthBand(0), 'red');
    assert.equal(healthBand(50), 'red');
    assert.equal(healthBand(50.01), 'yellow');
    assert.equal(healthBand(75), 'yellow');
    assert.equal(healthBand(75.5), 'green');
    assert.equal(healthBand(100), 'green');
    assert.equal(healthBand(60, { red: 60, yellow: 80 }), 'red');
  });
  it('unknown parts are left out and listed; nothing known → null', () => {
    const h = healthScore([
      { key: 'experience', score: null, weight: 3 },
      { key: 'engagement', score: 90, weight: 1 },
    ]);
    assert.equal(h.score, 90);
    assert.equal(h.band, 'green');
    assert.equal(h.parts[0].missing, true);
    assert.equal(h.parts[0].contribution, 0);
    const none = healthScore([{ key: 'x', score: null, weight: 1 }]);
    assert.equal(none.score, null);
    assert.equal(none.band, null);
    assert.equal(healthScore([]).score, null);
    assert.throws(() => healthScore([{ key: 'x', score: 120, weight: 1 }]), RangeError);
  });
  it('toScore100 maps inputs onto 0–100', () => {
    assert.equal(toScore100(20, -100, 100), 60); // NPS +20
    assert.equal(toScore100(2, 0, 5, false), 60); // 2 open issues out of a 5 cap
    assert.equal(toScore100(9, 0, 5, false), 0); // clamped
    assert.equal(toScore100(null, 0, 1), null);
  });
});

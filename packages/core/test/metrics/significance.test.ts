import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { npsDifferenceTest, npsFromCounts, twoProportionTest, welchTTest } from '../../src/metrics/index.js';

const close = (actual: number | null | undefined, expected: number, tol: number, msg?: string) => {
  assert.ok(typeof actual === 'number', `${msg ?? ''} expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} ${actual} is not within ${tol} of ${expected}`);
};

describe('two-proportion z-test', () => {
  it('45/100 vs 30/100 → z ≈ 2.19, p ≈ 0.028', () => {
    // Pooled p = 75/200 = 0.375; SE = √(0.375·0.625·(1/100 + 1/100)) = 0.0684653;
    // z = 0.15/0.0684653 = 2.19089; p = 2·(1 − Φ(2.19089)) = 0.028460 (scipy agrees).
    const r = twoProportionTest({ successes: 45, n: 100 }, { successes: 30, n: 100 });
    close(r.difference, 0.15, 1e-12);
    close(r.pooledShare, 0.375, 1e-12);
    close(r.z, 2.1908902300206647, 1e-9);
    close(r.pValue, 0.02845973691631055, 1e-8);
    assert.equal(r.significant, true);
    // Unpooled SE for the interval: √(.45·.55/100 + .3·.7/100) = 0.067639.
    close(r.se, 0.0676387462, 1e-9);
    assert.equal(
      twoProportionTest({ successes: 45, n: 100 }, { successes: 30, n: 100 }, { alpha: 0.01 }).significant,
      false,
    );
  });
  it('symmetric, and identical groups give p = 1', () => {
    const r = twoProportionTest({ successes: 30, n: 100 }, { successes: 45, n: 100 });
    close(r.z, -2.1908902300206647, 1e-9);
    const same = twoProportionTest({ successes: 10, n: 20 }, { successes: 5, n: 10 });
    assert.equal(same.z, 0);
    assert.equal(same.pValue, 1);
    const allYes = twoProportionTest({ successes: 20, n: 20 }, { successes: 10, n: 10 });
    assert.equal(allYes.pValue, 1);
    assert.equal(allYes.significant, false);
  });
  it('n = 0 → undefined test with a reason, never NaN', () => {
    const r = twoProportionTest({ successes: 0, n: 0 }, { successes: 3, n: 10 });
    assert.equal(r.z, null);
    assert.equal(r.pValue, null);
    assert.equal(r.significant, false);
    assert.ok(r.reason);
    assert.throws(() => twoProportionTest({ successes: 5, n: 4 }, { successes: 1, n: 2 }), RangeError);
  });
});

describe('NPS difference', () => {
  it('hand-worked z and p', () => {
    // A: 200 P / 100 pass / 100 D of 400 → NPS 25, SE = √((0.75 − 0.0625)/400)·100 = 4.14578.
    // B: 150 / 100 / 150 → NPS 0, SE = √(0.75/400)·100 = 4.33013.
    // z = 25/√(17.1875 + 18.75) = 4.170288; p = 3.0421e-5.
    const r = npsDifferenceTest(
      { promoters: 200, passives: 100, detractors: 100 },
      { promoters: 150, passives: 100, detractors: 150 },
    );
    close(r.difference, 25, 1e-12);
    close(r.z, 4.170288281141495, 1e-9);
    close(r.pValue, 3.042145654733875e-5, 1e-10);
    assert.equal(r.significant, true);
    close(r.ci?.lower, 25 - 1.96 * Math.sqrt(35.9375), 1e-9);
  });
  it('accepts computed results and detects a non-significant difference', () => {
    // NPS 30 vs 25 on n = 100 each: SE ≈ 8.9 per group → z ≈ 0.40, not significant.
    const a = npsFromCounts({ promoters: 50, passives: 30, detractors: 20 });
    const b = npsFromCounts({ promoters: 45, passives: 35, detractors: 20 });
    const r = npsDifferenceTest(a, b);
    close(r.difference, 5, 1e-9);
    assert.equal(r.significant, false);
    assert.ok((r.pValue ?? 0) > 0.5);
  });
  it('edge cases: n = 0 and two unanimous groups', () => {
    const empty = npsDifferenceTest(
      { promoters: 0, passives: 0, detractors: 0 },
      { promoters: 3, passives: 0, detractors: 1 },
    );
    assert.equal(empty.pValue, null);
    assert.equal(empty.significant, false);
    const unanimous = npsDifferenceTest(
      { promoters: 5, passives: 0, detractors: 0 },
      { promoters: 0, passives: 0, detractors: 5 },
    );
    assert.equal(unanimous.difference, 200);
    assert.equal(unanimous.z, null);
    assert.ok(unanimous.reason);
    const same = npsDifferenceTest(
      { promoters: 5, passives: 0, detractors: 0 },
      { promoters: 7, passives: 0, detractors: 0 },
    );
    assert.equal(same.pValue, 1);
  });
});

describe('Welch t-test', () => {
  it('textbook example (Wikipedia "Welch\'s t-test", example 1): t = −2.46, df = 24.99, p = 0.021', () => {
    const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTTest(a1, a2);
    // scipy.stats.ttest_ind(a1, a2, equal_var=False): t = −2.455356, p = 0.021378, df = 24.98853.
    close(r.t, -2.455356398286006, 1e-9);
    close(r.df, 24.988529290231416, 1e-8);
    close(r.pValue, 0.021378001462866992, 1e-8);
    assert.equal(r.significant, true);
  });
  it('unequal sizes and variances (Wikipedia example 2): p = 0.149', () => {
    const a = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
    const b = [
      21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5,
      21.8,
    ];
    const r = welchTTest(a, b);
    close(r.t, -1.5654335235985037, 1e-9);
    close(r.df, 9.904741248650831, 1e-8);
    close(r.pValue, 0.14884169660532817, 1e-8);
    assert.equal(r.significant, false);
  });
  it('from summary statistics and from SQL sums', () => {
    // scipy.stats.ttest_ind_from_stats(5.2, 1.1, 40, 4.6, 1.4, 35, equal_var=False): t = 2.04302, p = 0.045154.
    const r = welchTTest({ n: 40, mean: 5.2, sd: 1.1 }, { n: 35, mean: 4.6, sd: 1.4 });
    close(r.t, 2.0430156738209986, 1e-9);
    close(r.pValue, 0.04515429000004877, 1e-8);
    const xs = [1, 2, 3, 4];
    const ys = [2, 4, 6, 8, 10];
    const fromSums = welchTTest({ n: 4, sum: 10, sumSq: 30 }, { n: 5, sum: 30, sumSq: 220 });
    const fromRaw = welchTTest(xs, ys);
    close(fromSums.t, fromRaw.t ?? Number.NaN, 1e-9);
    close(fromSums.pValue, fromRaw.pValue ?? Number.NaN, 1e-9);
  });
  it('too little data → null with a reason', () => {
    const r = welchTTest([1], [1, 2, 3]);
    assert.equal(r.t, null);
    assert.equal(r.pValue, null);
    assert.equal(r.significant, false);
    assert.ok(r.reason);
    assert.equal(welchTTest([], []).difference, null);
    const flat = welchTTest([2, 2, 2], [3, 3]);
    assert.equal(flat.t, null);
    assert.equal(flat.difference, -1);
  });
});

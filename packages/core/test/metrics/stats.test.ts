import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  logGamma,
  meanWithCi,
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  proportionWithCi,
  regularizedIncompleteBeta,
  seededRng,
  summarizeSample,
  summaryFromHistogram,
  summaryFromSums,
  tCdf,
  tCritical,
  tTwoSidedP,
  wilsonInterval,
  zCritical,
} from '../../src/metrics/index.js';

const close = (actual: number | null | undefined, expected: number, tol: number, msg?: string) => {
  assert.ok(typeof actual === 'number', `${msg ?? ''} expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} ${actual} is not within ${tol} of ${expected}`);
};

describe('normal distribution', () => {
  // Reference values: scipy.stats.norm.cdf (independent implementation).
  it('Φ matches reference values to 1e-9', () => {
    close(normalCdf(0), 0.5, 1e-15);
    close(normalCdf(1), 0.8413447460685429, 1e-9);
    close(normalCdf(1.96), 0.9750021048517795, 1e-9);
    close(normalCdf(-1.96), 0.024997895148220435, 1e-9);
    close(normalCdf(-3), 0.0013498980316300933, 1e-12);
    close(normalCdf(3), 0.9986501019683699, 1e-9);
    close(normalCdf(5), 0.9999997133484281, 1e-12);
  });
  it('keeps relative precision deep in the tail', () => {
    // Φ(−8.5) = 9.4795e-18: a 1 − Φ(8.5) implementation would return 0.
    const p = normalCdf(-8.5);
    assert.ok(Math.abs(p / 9.47953482220325e-18 - 1) < 1e-6);
    close(normalTwoSidedP(1.96), 0.04999579029644087, 1e-10);
  });
  it('Φ⁻¹ inverts Φ', () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-9);
    close(normalQuantile(0.001), -3.090232306167813, 1e-9);
    close(normalQuantile(0.9), 1.2815515655446004, 1e-9);
    assert.equal(normalQuantile(0.5), 0);
    assert.throws(() => normalQuantile(1.5), RangeError);
  });
  it('zCritical uses the conventional 1.96 at 95%', () => {
    assert.equal(zCritical(), 1.96);
    close(zCritical(0.9), 1.6448536269514722, 1e-9);
  });
});

describe('gamma, incomplete beta and Student t', () => {
  it('logGamma', () => {
    close(logGamma(0.5), 0.5723649429247004, 1e-12); // ln √π
    close(logGamma(10), 12.801827480081467, 1e-11); // ln 9!
    close(logGamma(0.1), 2.2527126517342055, 1e-12);
  });
  it('regularized incomplete beta', () => {
    // I_0.4(2,3) = 0.5248 exactly (a polynomial for integer parameters).
    close(regularizedIncompleteBeta(0.4, 2, 3), 0.5248, 1e-12);
    // I_0.2(½,½) = (2/π)·asin(√0.2).
    close(regularizedIncompleteBeta(0.2, 0.5, 0.5), (2 / Math.PI) * Math.asin(Math.sqrt(0.2)), 1e-12);
    assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
    assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
  });
  it('t critical values match printed tables', () => {
    // Textbook t-table, two-sided 95%: df 1 → 12.706, 2 → 4.303, 10 → 2.228, 30 → 2.042.
    close(tCritical(1), 12.706204736174694, 1e-8);
    close(tCritical(2), 4.302652729749462, 1e-9);
    close(tCritical(10), 2.228138851986274, 1e-9);
    close(tCritical(30), 2.0422724563012378, 1e-9);
    close(tCritical(100), 1.9839715185235518, 1e-9);
  });
  it('t CDF and two-sided p', () => {
    close(tCdf(2, 5), 0.9490302605850708, 1e-10);
    close(tTwoSidedP(2.228138851986274, 10), 0.05, 1e-10);
    // df = 1 is Cauchy: P(T ≤ 1) = 3/4.
    close(tCdf(1, 1), 0.75, 1e-12);
    close(tCdf(-1, 1), 0.25, 1e-12);
  });
});

describe('summaries and means', () => {
  it('n = 0 gives nulls, not NaN', () => {
    assert.deepEqual(summarizeSample([]), { n: 0, mean: null, variance: null, sd: null });
    const m = meanWithCi([null, undefined, Number.NaN]);
    assert.equal(m.n, 0);
    assert.equal(m.mean, null);
    assert.equal(m.ci, null);
    assert.deepEqual(summaryFromSums({ n: 0, sum: 0, sumSq: 0 }).mean, null);
  });
  it('n = 1 has a mean but no interval', () => {
    const m = meanWithCi([4]);
    assert.equal(m.mean, 4);
    assert.equal(m.ci, null);
  });
  it('t interval of a small sample', () => {
    // x = 2,4,4,4,5,5,7,9: mean 5, sd = √(32/7) = 2.13809; t(7) = 2.364624;
    // margin = 2.364624·2.13809/√8 = 1.787488 → [3.212512, 6.787488].
    const m = meanWithCi([2, 4, 4, 4, 5, 5, 7, 9]);
    close(m.mean, 5, 1e-12);
    close(m.sd, 2.138089935299395, 1e-12);
    close(m.ci?.lower, 3.21251208176379, 1e-8);
    close(m.ci?.upper, 6.787487918236209, 1e-8);
    const z = meanWithCi([2, 4, 4, 4, 5, 5, 7, 9], { method: 'normal' });
    close(z.margin, (1.96 * 2.138089935299395) / Math.sqrt(8), 1e-12);
  });
  it('sums and histograms give the same summary as raw values', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9];
    const fromSums = summaryFromSums({ n: 8, sum: 40, sumSq: xs.reduce((s, x) => s + x * x, 0) });
    close(fromSums.sd, 2.138089935299395, 1e-12);
    const fromHist = summaryFromHistogram({ 2: 1, 4: 3, 5: 2, 7: 1, 9: 1 });
    close(fromHist.mean, 5, 1e-12);
    close(fromHist.sd, 2.138089935299395, 1e-12);
  });
  it('rejects negative counts', () => {
    assert.throws(() => summaryFromHistogram({ 1: -1 }), RangeError);
  });
});

describe('proportions', () => {
  it('Wilson interval, hand-worked', () => {
    // 45/100, z = 1.96: centre = (0.45 + 1.9208/100)/1.038416 = 0.451804,
    // half = 1.96·√(0.002475 + 0.0000960)/1.038416 = 0.095706 → [0.356144, 0.547556].
    const ci = wilsonInterval(45, 100);
    close(ci?.lower, 0.3561437510640346, 1e-9);
    close(ci?.upper, 0.5475557296835656, 1e-9);
  });
  it('stays inside [0, 1] at the edges', () => {
    // 0/10: Wald would say 0 ± 0; Wilson gives [0, 0.2775].
    const ci = wilsonInterval(0, 10);
    assert.equal(ci?.lower, 0);
    close(ci?.upper, 0.2775401687666166, 1e-9);
    assert.equal(wilsonInterval(10, 10)?.upper, 1);
  });
  it('n = 0 → null share', () => {
    const p = proportionWithCi(0, 0);
    assert.equal(p.share, null);
    assert.equal(p.percent, null);
    assert.equal(p.ci, null);
    assert.throws(() => proportionWithCi(3, 2), RangeError);
  });
});

describe('seeded RNG', () => {
  it('is deterministic per seed and uniform-ish', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs.slice(0, 5),
      Array.from({ length: 5 }, () => b()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    close(mean, 0.5, 0.05);
    assert.notEqual(seededRng(1)(), seededRng(2)());
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boxScoresFromHistogram,
  boxScoresFromValues,
  cesFromAggregates,
  cesFromAnswers,
  cesTo7,
  csatFromAggregates,
  csatFromHistogram,
  csatFromScores,
  expectationGap,
  npsFromCounts,
  npsFromHistogram,
  npsFromScores,
  npsGroup,
  sentimentIndexFromCounts,
  sentimentIndexFromScores,
} from '../../src/metrics/index.js';

const close = (actual: number | null | undefined, expected: number, tol: number, msg?: string) => {
  assert.ok(typeof actual === 'number', `${msg ?? ''} expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} ${actual} is not within ${tol} of ${expected}`);
};

describe('NPS', () => {
  it('DESIGN example: 50% promoters, 16.7% detractors, n = 400 → +33.3 ± 7.3', () => {
    // p = 0.5, d = 0.167: NPS = 33.3; var = 0.667 − 0.333² = 0.556111;
    // SE = √(0.556111/400) = 0.0372864 → 3.729 points.
    // Adjusted Wald: n' = 403, p' = 200.75/403 = 0.498139, d' = 67.55/403 = 0.167618,
    // net' = 0.330521, var' = 0.665757 − 0.109244 = 0.556513, SE' = √(var'/403) = 0.037161
    // → margin = 1.96·3.7161 = 7.283, around the observed 33.3.
    const r = npsFromCounts({ promoters: 200, passives: 133.2, detractors: 66.8 });
    close(r.nps, 33.3, 1e-9);
    close(r.se, 3.72864, 1e-4);
    close(r.margin, 7.2834, 1e-3);
    assert.equal(r.margin?.toFixed(1), '7.3');
    close(r.ci?.lower, 33.3 - 7.2834, 1e-3);
    close(r.ci?.upper, 33.3 + 7.2834, 1e-3);
    // Integer counts 200/133/67 (16.75%): NPS 33.25, margin 7.29.
    const i = npsFromCounts({ promoters: 200, passives: 133, detractors: 67 });
    close(i.nps, 33.25, 1e-9);
    close(i.margin, 7.2888, 1e-3);
  });
  it('n = 0 → null, not NaN', () => {
    const r = npsFromCounts({ promoters: 0, passives: 0, detractors: 0 });
    assert.equal(r.n, 0);
    assert.equal(r.nps, null);
    assert.equal(r.se, null);
    assert.equal(r.margin, null);
    assert.equal(r.ci, null);
    assert.equal(npsFromScores([]).nps, null);
  });
  it('all promoters → +100, all detractors → −100: zero SE, but a wide interval at small n', () => {
    // Four promoters: n' = 7, p' = 4.75/7 = 0.678571, d' = 0.75/7 = 0.107143, net' = 0.571429,
    // var' = 0.785714 − 0.326531 = 0.459184, SE' = √(var'/7) = 0.256120 → margin 50.20,
    // interval 100 ± 50.20 → [49.80, 100] (clamped): not the "100 ± 0" of the plain formula.
    const top = npsFromScores([9, 10, 10, 9]);
    assert.equal(top.nps, 100);
    assert.equal(top.se, 0);
    close(top.margin, 50.199, 1e-3);
    close(top.ci?.lower, 100 - 50.199, 1e-3);
    assert.equal(top.ci?.upper, 100);
    const bottom = npsFromScores([0, 3, 6]);
    assert.equal(bottom.nps, -100);
    // n' = 6: d' = 3.75/6, p' = 0.75/6, net' = −0.5, var' = 0.75 − 0.25 → margin 1.96·√(0.5/6) = 56.58.
    close(bottom.margin, 56.58, 1e-3);
    assert.equal(bottom.ci?.lower, -100);
    close(bottom.ci?.upper, -100 + 56.58, 1e-3);
    // Two promoters: 100 ± 64.4.
    const two = npsFromScores([10, 9]);
    close(two.margin, 64.412, 1e-3);
    close(two.ci?.lower, 35.588, 1e-3);
    assert.equal(npsFromScores([7, 8, 7]).nps, 0);
  });
  it('groups by the 9–10 / 7–8 / 0–6 boundaries', () => {
    assert.equal(npsGroup(6), 'detractor');
    assert.equal(npsGroup(7), 'passive');
    assert.equal(npsGroup(8), 'passive');
    assert.equal(npsGroup(9), 'promoter');
    assert.throws(() => npsGroup(11), RangeError);
    assert.throws(() => npsFromScores([5, -1]), RangeError);
  });
  it('raw, counts and histogram forms agree; missing values are skipped', () => {
    // 3 promoters, 2 passives, 5 detractors: NPS = 30 − 50 = −20.
    const scores = [10, 9, 9, 8, 7, 6, 5, 0, 3, 6, null, undefined];
    const raw = npsFromScores(scores);
    close(raw.nps, -20, 1e-12);
    assert.equal(raw.n, 10);
    const hist = npsFromHistogram({ 0: 1, 3: 1, 5: 1, 6: 2, 7: 1, 8: 1, 9: 2, 10: 1 });
    assert.deepEqual(hist, raw);
    // An 11-element array indexed by score is a histogram too.
    assert.deepEqual(npsFromHistogram([1, 0, 0, 1, 0, 1, 2, 1, 1, 2, 1]), raw);
  });
  it('confidence option widens the interval', () => {
    const r95 = npsFromCounts({ promoters: 50, passives: 30, detractors: 20 });
    const r99 = npsFromCounts({ promoters: 50, passives: 30, detractors: 20 }, { confidence: 0.99 });
    assert.ok((r99.margin ?? 0) > (r95.margin ?? 0));
    close((r99.margin ?? 0) / (r95.margin ?? 1), 2.5758293035489 / 1.96, 1e-9);
  });
});

describe('box scores', () => {
  it('top, top-2, bottom and net box on a 1–5 scale', () => {
    // 10 answers: 5×3, 4×2, 3×2, 2×1, 1×2.
    // top = 3/10, top-2 = 5/10, bottom = 2/10, bottom-2 = 3/10; net = 30 − 20 = 10.
    const b = boxScoresFromHistogram({ 1: 2, 2: 1, 3: 2, 4: 2, 5: 3 }, { min: 1, max: 5 });
    assert.equal(b.n, 10);
    assert.equal(b.topBox.share, 0.3);
    assert.equal(b.top2Box.share, 0.5);
    assert.equal(b.bottomBox.share, 0.2);
    assert.equal(b.bottom2Box.share, 0.3);
    close(b.netBox, 10, 1e-12);
    close(b.netTop2Box, 20, 1e-12);
    close(b.mean.mean, 3.3, 1e-12); // (2+2+6+8+15)/10
  });
  it('any scale: 0–10', () => {
    const b = boxScoresFromValues([10, 10, 9, 0, 5], { min: 0, max: 10 });
    assert.equal(b.topBox.successes, 2);
    assert.equal(b.top2Box.successes, 3);
    assert.equal(b.bottomBox.successes, 1);
    close(b.netBox, 20, 1e-12);
  });
  it('n = 0 and out-of-scale values', () => {
    const b = boxScoresFromValues([], { min: 1, max: 5 });
    assert.equal(b.netBox, null);
    assert.equal(b.topBox.share, null);
    assert.equal(b.mean.mean, null);
    assert.throws(() => boxScoresFromValues([6], { min: 1, max: 5 }), RangeError);
    assert.throws(() => boxScoresFromValues([1], { min: 5, max: 1 }), RangeError);
  });
});

describe('CSAT', () => {
  it('top-2-box percentage and mean', () => {
    // 1,2,3,4,4,5,5,5 → satisfied 5/8 = 62.5%; mean 29/8 = 3.625.
    const c = csatFromScores([1, 2, 3, 4, 4, 5, 5, 5]);
    assert.equal(c.csat, 62.5);
    assert.equal(c.mean.mean, 3.625);
    assert.ok(c.satisfied.ci && c.satisfied.ci.lower < 0.625 && c.satisfied.ci.upper > 0.625);
  });
  it('aggregates give the same numbers as raw scores', () => {
    const xs = [1, 2, 3, 4, 4, 5, 5, 5];
    const agg = csatFromAggregates({ n: 8, satisfied: 5, sum: 29, sumSq: xs.reduce((s, x) => s + x * x, 0) });
    const raw = csatFromScores(xs);
    assert.equal(agg.csat, raw.csat);
    close(agg.mean.ci?.lower, raw.mean.ci?.lower ?? Number.NaN, 1e-9);
    assert.equal(csatFromAggregates({ n: 8, satisfied: 5 }).mean.mean, null);
  });
  it('n = 0', () => {
    const c = csatFromHistogram({});
    assert.equal(c.csat, null);
    assert.equal(c.mean.mean, null);
  });
});

describe('CES', () => {
  it('converts legacy 5-point reversed scales to 1–7, higher = easier', () => {
    // Reversed 5-point: 1 (= very low effort) → flipped 5 → 7.
    assert.equal(cesTo7(1, 5, false), 7);
    assert.equal(cesTo7(5, 5, false), 1);
    assert.equal(cesTo7(3, 5, false), 4);
    assert.equal(cesTo7(4, 5, true), 5.5);
    assert.equal(cesTo7(6), 6);
    assert.throws(() => cesTo7(6, 5), RangeError);
    assert.throws(() => cesTo7(0), RangeError);
  });
  it('mean and top-3-box share over mixed scales', () => {
    // 7, 5, 2 on CES 2.0; legacy reversed 2 → flipped 4 → 5.5; legacy reversed 5 → 1.
    // Values: 7, 5, 2, 5.5, 1 → mean 20.5/5 = 4.1; easy (≥ 5): 3/5; hard (≤ 3): 2/5.
    const c = cesFromAnswers([
      { value: 7 },
      5,
      { value: 2, scale_max: 7, higher_is_easier: true },
      { value: 2, scale_max: 5, higher_is_easier: false },
      { value: 5, scale_max: 5, higher_is_easier: false },
      null,
    ]);
    assert.equal(c.n, 5);
    close(c.mean.mean, 4.1, 1e-12);
    assert.equal(c.easy.share, 0.6);
    assert.equal(c.hard?.share, 0.4);
  });
  it('aggregates and n = 0', () => {
    const c = cesFromAggregates({ n: 4, easy: 3, sum: 22 });
    assert.equal(c.mean.mean, 5.5);
    assert.equal(c.easy.share, 0.75);
    assert.equal(c.hard, null);
    const e = cesFromAnswers([]);
    assert.equal(e.mean.mean, null);
    assert.equal(e.easy.share, null);
  });
});

describe('sentiment index', () => {
  it('(pos − neg)/n × 100 and mean score', () => {
    // 0.8, 0.5, 0.02 (neutral), −0.01 (neutral), −0.6: pos 2, neg 1, n 5 → (2 − 1)/5 = 20.
    // mean = 0.71/5 = 0.142.
    const s = sentimentIndexFromScores([0.8, 0.5, 0.02, -0.01, -0.6]);
    assert.equal(s.positive, 2);
    assert.equal(s.neutral, 2);
    assert.equal(s.negative, 1);
    close(s.index, 20, 1e-12);
    close(s.meanScore?.mean, 0.142, 1e-12);
    // Same variance algebra as NPS: p = .4, d = .2 → √((.6 − .04)/5)·100 = 33.466.
    close(s.se, 33.46640106136302, 1e-9);
  });
  it('counts form, threshold option and n = 0', () => {
    const s = sentimentIndexFromCounts({ positive: 30, neutral: 50, negative: 20 });
    close(s.index, 10, 1e-12);
    assert.equal(s.meanScore, null);
    assert.equal(sentimentIndexFromScores([0.1], { threshold: 0.2 }).neutral, 1);
    const e = sentimentIndexFromScores([]);
    assert.equal(e.index, null);
    assert.equal(e.meanScore, null);
    assert.throws(() => sentimentIndexFromScores([1.5]), RangeError);
  });
});

describe('expectation–perception gap', () => {
  it('paired when every respondent gave both', () => {
    // Differences (perception − expectation): 1, 0, 2, −1, 1 → mean 0.6, sd = √(1.7/... )
    // Σ(d − 0.6)² = 0.16 + 0.36 + 1.96 + 2.56 + 0.16 = 5.2; sd = √(5.2/4) = 1.140175;
    // SE = 0.509902; t(4) = 2.776445 → margin 1.415711.
    const g = expectationGap([
      { expectation: 3, perception: 4 },
      { expectation: 4, perception: 4 },
      { expectation: 2, perception: 4 },
      { expectation: 5, perception: 4 },
      { expectation: 3, perception: 4 },
    ]);
    assert.equal(g.method, 'paired');
    close(g.gap, 0.6, 1e-12);
    close(g.se, 0.5099019513592785, 1e-12);
    assert.equal(g.df, 4);
    close(g.ci?.lower, 0.6 - 1.4157, 1e-3);
    close(g.ci?.upper, 0.6 + 1.4157, 1e-3);
  });
  it('unpaired (Welch) when some answered only one', () => {
    // Expectations 3, 4, 5 (mean 4, var 1); perceptions 4, 4, 5, 3 (mean 4, var 2/3).
    // gap 0; SE = √(1/3 + (2/3)/4) = √0.5 = 0.7071.
    const g = expectationGap([
      { expectation: 3, perception: 4 },
      { expectation: 4, perception: 4 },
      { expectation: 5 },
      { perception: 5 },
      { perception: 3, expectation: null },
    ]);
    assert.equal(g.method, 'unpaired');
    close(g.gap, 0, 1e-12);
    close(g.se, Math.sqrt(0.5), 1e-12);
    assert.equal(g.nPairs, 2);
    assert.equal(g.nExpectation, 3);
    assert.equal(g.nPerception, 4);
  });
  it('no data → nulls', () => {
    const g = expectationGap([]);
    assert.equal(g.gap, null);
    assert.equal(g.ci, null);
    const one = expectationGap([{ expectation: 3, perception: 5 }]);
    assert.equal(one.gap, 2);
    assert.equal(one.ci, null);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flagSmallCells, loyaltyByBox, loyaltyByBoxFromCounts, smallNFlags } from '../../src/metrics/index.js';

describe('loyalty by score box', () => {
  it('top box vs one box lower, from counts', () => {
    // The DESIGN claim in miniature: box 5 keeps 90/100, box 4 only 20/100.
    const r = loyaltyByBoxFromCounts(
      [
        { box: 5, n: 100, retained: 90, repurchased: 60, referred: 30 },
        { box: 4, n: 100, retained: 20, repurchased: 15, referred: 5 },
        { box: 1, n: 10, retained: 1, repurchased: 0, referred: 0 },
      ],
      { min: 1, max: 5 },
    );
    assert.deepEqual(
      r.rows.map((x) => x.box),
      [1, 2, 3, 4, 5],
    );
    assert.equal(r.rows[4].retention.share, 0.9);
    assert.equal(r.rows[3].retention.share, 0.2);
    assert.equal(r.rows[1].n, 0);
    assert.equal(r.rows[1].retention.share, null); // empty box: null, not NaN
    assert.ok(r.rows[4].retention.ci && r.rows[4].retention.ci.lower > 0.8);
    close(r.topVsNext.retention.difference, 0.7);
    assert.equal(r.topVsNext.retention.significant, true);
    close(r.topVsNext.referral.difference, 0.25);
  });
  it('from per-customer records, with unknown outcomes left out of each denominator', () => {
    const r = loyaltyByBox([
      { box: 10, retained: true, repurchased: true, referred: true },
      { box: 10, retained: true, repurchased: null, referred: false },
      { box: 9, retained: false, repurchased: false },
      { box: 9, retained: true },
      { box: 0, retained: false, referred: false },
      { box: 9.4, retained: false }, // rounds to 9
    ]);
    assert.equal(r.rows.length, 11);
    const top = r.rows[10];
    assert.equal(top.n, 2);
    assert.equal(top.retention.share, 1);
    assert.equal(top.repurchase.n, 1);
    assert.equal(top.referral.share, 0.5);
    const nine = r.rows[9];
    assert.equal(nine.n, 3);
    assert.equal(nine.retention.successes, 1);
    assert.equal(nine.retention.n, 3);
    assert.equal(nine.referral.n, 0);
    assert.equal(nine.referral.share, null);
    assert.equal(r.topVsNext.referral.pValue, null); // box 9 has no known referral outcome
  });
  it('empty input and out-of-scale boxes', () => {
    const r = loyaltyByBox([], { min: 1, max: 5 });
    assert.equal(r.rows.length, 5);
    assert.ok(r.rows.every((x) => x.n === 0 && x.retention.share === null));
    assert.throws(() => loyaltyByBox([{ box: 7, retained: true }], { min: 1, max: 5 }), RangeError);
    assert.throws(() => loyaltyByBoxFromCounts([{ box: 5, n: 2, retained: 3 }], { min: 1, max: 5 }), RangeError);
  });
});

describe('small-n flags', () => {
  it('flags, never hides', () => {
    assert.deepEqual(smallNFlags(0).flags, ['no_data', 'below_min_n']);
    assert.deepEqual(smallNFlags(3).flags, ['below_anonymity', 'below_min_n']);
    assert.deepEqual(smallNFlags(5).flags, ['below_min_n']);
    assert.deepEqual(smallNFlags(29).flags, ['below_min_n']);
    assert.deepEqual(smallNFlags(30).flags, []);
    assert.deepEqual(smallNFlags(8, { minN: 5, anonymityN: 10 }).flags, ['below_anonymity']);
    const cells = flagSmallCells([
      { agent: 'ann', n: 2, csat: 100 },
      { agent: 'bob', n: 40, csat: 80 },
    ]);
    assert.equal(cells.length, 2);
    assert.equal(cells[0].csat, 100); // the value is still there
    assert.equal(cells[0].smallN.belowAnonymity, true);
    assert.equal(cells[1].smallN.flags.length, 0);
    assert.throws(() => smallNFlags(-1), RangeError);
  });
});

function close(actual: number | null | undefined, expected: number, tol = 1e-12) {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tol, `${actual} ≉ ${expected}`);
}

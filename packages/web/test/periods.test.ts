import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { granularityOfLabel, partialNote, splitPartial } from '../src/periods.js';

describe('partial periods on charts', () => {
  it('says how much of a partial bucket the window covers', () => {
    assert.equal(partialNote({ partial: { days: 3, of: 7 } }, 'week'), 'partial week: 3 of 7 days');
    assert.equal(partialNote({ partial: { days: 10, of: 30 } }, 'month'), 'partial month: 10 of 30 days');
    assert.equal(partialNote({}, 'week'), null);
    assert.equal(partialNote({ partial: null }, 'week'), null);
  });

  it('keeps partial first and last buckets out of the solid line, joined by dashed pieces', () => {
    const v = [10, 40, 42, 41, 12];
    const p = [true, false, false, false, true];
    assert.deepEqual(splitPartial(v, p), {
      solid: [null, 40, 42, 41, null],
      dashed: [10, 40, null, 41, 12],
    });
    assert.deepEqual(splitPartial([1, 2, 3], [false, false, false]), {
      solid: [1, 2, 3],
      dashed: [null, null, null],
    });
    // A missing value stays missing in both.
    assert.deepEqual(splitPartial([null, 5, 6], [true, false, false]).dashed, [null, 5, null]);
  });

  it('reads the granularity from bucket labels', () => {
    assert.equal(granularityOfLabel('2026-W49'), 'week');
    assert.equal(granularityOfLabel('2026-12'), 'month');
    assert.equal(granularityOfLabel('2026-Q4'), 'quarter');
    assert.equal(granularityOfLabel('2026-12-03'), 'day');
  });
});

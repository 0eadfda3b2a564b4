import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketName, granularityOfLabel, partialNote, splitPartial } from '../src/periods.js';

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

describe('buckets in words, not keys', () => {
  it('a week by the day it starts, a month and a quarter by name (charts showed 2026-W36)', () => {
    assert.equal(bucketName({ bucket: '2026-08-31', label: '2026-W36' }), '31 Aug');
    assert.equal(bucketName({ bucket: '2026-08-31', label: '2026-W36' }, true), 'Week of 31 Aug 2026');
    assert.equal(bucketName({ bucket: '2026-09-01', label: '2026-09' }), 'Sept 2026');
    assert.equal(bucketName({ bucket: '2026-07-01', label: '2026-Q3' }), 'Q3 2026');
    assert.equal(bucketName({ bucket: '2026-09-05', label: '2026-09-05' }), '5 Sept');
    assert.equal(bucketName({ bucket: '2026-09-05', label: '2026-09-05' }, true), '5 Sept 2026');
    // Anything else stays as the server wrote it.
    assert.equal(bucketName({ bucket: 'x', label: 'All time' }), 'All time');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketCoverage, bucketsBetween } from '../../src/metrics/index.js';

const d = (s: string) => new Date(s);

describe('partial first and last buckets', () => {
  it('marks a window’s partial weeks with the days covered, full ones with null', () => {
    // Thu 3 Dec 2026 back 90 days: Fri 4 Sep 2026 … Thu 3 Dec 2026 (exclusive end).
    const from = d('2026-09-04T00:00:00Z');
    const to = d('2026-12-03T00:00:00Z');
    const weeks = bucketsBetween(from, to, 'week');
    const cov = weeks.map((w) => bucketCoverage(w, 'week', from, to));
    assert.deepEqual(cov[0], { days: 3, of: 7 }, 'Fri–Sun of the first week');
    assert.deepEqual(cov.at(-1), { days: 3, of: 7 }, 'Mon–Wed of the last week');
    assert.ok(cov.slice(1, -1).every((c) => c === null));
  });

  it('counts months in their own lengths and a part day as a day', () => {
    const from = d('2026-02-20T00:00:00Z');
    const to = d('2026-04-10T13:30:00Z');
    const months = bucketsBetween(from, to, 'month');
    assert.deepEqual(
      months.map((m) => bucketCoverage(m, 'month', from, to)),
      [{ days: 9, of: 28 }, null, { days: 10, of: 30 }],
    );
  });

  it('a window on bucket edges has no partial bucket', () => {
    const from = d('2026-11-02T00:00:00Z');
    const to = d('2026-11-30T00:00:00Z');
    assert.ok(bucketsBetween(from, to, 'week').every((w) => bucketCoverage(w, 'week', from, to) === null));
    assert.equal(bucketCoverage(d('2026-11-10T00:00:00Z'), 'day', from, to), null);
  });
});

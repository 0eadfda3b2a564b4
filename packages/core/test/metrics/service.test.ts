import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contactsPerIssue,
  contactsPerIssueFromCounts,
  durationStats,
  percentile,
  resolutionRate,
  serviceSummary,
} from '../../src/metrics/index.js';

describe('percentiles', () => {
  it('linear interpolation (type 7, = percentile_cont)', () => {
    // 15, 20, 35, 40, 50: h = 4p. p50 → 35; p90 → h 3.6 → 40 + 0.6·10 = 46; p95 → 48; p40 → h 1.6 → 20 + 0.6·15 = 29.
    const xs = [50, 15, 40, 20, 35];
    assert.equal(percentile(xs, 0.5), 35);
    assert.equal(percentile(xs, 0.9), 46);
    assert.equal(percentile(xs, 0.95), 48);
    assert.equal(percentile(xs, 0.4), 29);
    assert.equal(percentile(xs, 0), 15);
    assert.equal(percentile(xs, 1), 50);
  });
  it('nearest rank (= percentile_disc): always an observed value', () => {
    // 1..10: p50 → rank ⌈5⌉ = 5; p90 → rank 9; p95 → rank ⌈9.5⌉ = 10.
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(xs, 0.5, 'nearest-rank'), 5);
    assert.equal(percentile(xs, 0.9, 'nearest-rank'), 9);
    assert.equal(percentile(xs, 0.95, 'nearest-rank'), 10);
    assert.equal(percentile(xs, 0, 'nearest-rank'), 1);
    assert.equal(percentile(xs, 0.5), 5.5);
  });
  it('ties, one value, none', () => {
    assert.equal(percentile([7, 7, 7, 7], 0.9), 7);
    assert.equal(percentile([3], 0.95), 3);
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([null, undefined], 0.5), null);
    assert.throws(() => percentile([1], 1.5), RangeError);
  });
});

describe('service times', () => {
  it('duration stats and n = 0', () => {
    const s = durationStats([60, 120, 180, 240, 3600]);
    assert.equal(s.n, 5);
    assert.equal(s.p50, 180);
    assert.equal(s.mean, 840);
    assert.equal(s.max, 3600);
    const e = durationStats([]);
    assert.equal(e.p50, null);
    assert.equal(e.mean, null);
    assert.throws(() => durationStats([-5]), RangeError);
  });
  it('first response and resolution from timestamps; unresolved counts in the rate only', () => {
    const t0 = Date.parse('2024-03-01T10:00:00Z');
    const s = serviceSummary([
      { openedAt: new Date(t0), firstResponseAt: new Date(t0 + 60_000), resolvedAt: new Date(t0 + 3_600_000) },
      { openedAt: '2024-03-01T10:00:00Z', firstResponseAt: '2024-03-01T10:05:00Z', resolvedAt: null },
      { openedAt: t0, firstResponseAt: null },
      { openedAt: t0, firstResponseAt: t0 + 180_000, resolvedAt: t0 + 7_200_000 },
    ]);
    assert.equal(s.n, 4);
    assert.equal(s.firstResponse.n, 3);
    assert.equal(s.firstResponse.p50, 180); // 60, 180, 300 seconds
    assert.equal(s.resolution.n, 2);
    assert.equal(s.resolution.p50, 5400); // (3600 + 7200)/2
    assert.equal(s.resolved.share, 0.5);
    assert.equal(serviceSummary([]).resolved.share, null);
  });
  it('resolution rate and contacts per issue', () => {
    assert.equal(resolutionRate(45, 50).share, 0.9);
    assert.equal(resolutionRate(0, 0).share, null);
    assert.equal(contactsPerIssue(150, 100), 1.5);
    assert.equal(contactsPerIssue(0, 0), null);
    const c = contactsPerIssueFromCounts([1, 1, 2, 4]);
    assert.equal(c.mean, 2);
    assert.ok(c.ci);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketEnd,
  bucketLabel,
  bucketStart,
  bucketsBetween,
  isoWeek,
  previousBucket,
  previousPeriod,
  shiftBucket,
} from '../../src/metrics/index.js';

const iso = (d: Date) => d.toISOString();

describe('bucketStart (UTC)', () => {
  it('day, ISO week (Monday), month, quarter', () => {
    const t = '2024-03-14T15:30:00Z'; // a Thursday
    assert.equal(iso(bucketStart(t, 'day')), '2024-03-14T00:00:00.000Z');
    assert.equal(iso(bucketStart(t, 'week')), '2024-03-11T00:00:00.000Z');
    assert.equal(iso(bucketStart(t, 'month')), '2024-03-01T00:00:00.000Z');
    assert.equal(iso(bucketStart(t, 'quarter')), '2024-01-01T00:00:00.000Z');
    assert.equal(iso(bucketStart('2024-11-30T23:59:59Z', 'quarter')), '2024-10-01T00:00:00.000Z');
  });
  it('weeks start Monday: Sunday belongs to the week before, Monday starts a new one', () => {
    assert.equal(iso(bucketStart('2024-03-17T23:00:00Z', 'week')), '2024-03-11T00:00:00.000Z'); // Sunday
    assert.equal(iso(bucketStart('2024-03-18T00:00:00Z', 'week')), '2024-03-18T00:00:00.000Z'); // Monday
    // Across a year boundary: Wed 2025-01-01 → Mon 2024-12-30.
    assert.equal(iso(bucketStart('2025-01-01T12:00:00Z', 'week')), '2024-12-30T00:00:00.000Z');
  });
  it('accepts Date, epoch ms and strings; rejects garbage', () => {
    const ms = Date.parse('2024-02-29T12:00:00Z');
    assert.equal(iso(bucketStart(ms, 'month')), '2024-02-01T00:00:00.000Z');
    assert.equal(iso(bucketStart(new Date(ms), 'day')), '2024-02-29T00:00:00.000Z');
    assert.throws(() => bucketStart('not a date', 'day'), RangeError);
    assert.throws(() => bucketStart(ms, 'day', 'Mars/Olympus'), RangeError);
  });
});

describe('bucketStart in a time zone', () => {
  it('local midnight as a UTC instant', () => {
    // 2024-03-14T02:00Z is still 13 March in New York (EDT, UTC−4): day starts 2024-03-13T04:00Z.
    assert.equal(iso(bucketStart('2024-03-14T02:00:00Z', 'day', 'America/New_York')), '2024-03-13T04:00:00.000Z');
    // Tokyo (UTC+9): 2024-03-31T16:00Z is 1 April 01:00 local → month starts 2024-03-31T15:00Z.
    assert.equal(iso(bucketStart('2024-03-31T16:00:00Z', 'month', 'Asia/Tokyo')), '2024-03-31T15:00:00.000Z');
  });
  it('handles DST: the week containing the spring change, and a day with 23 hours', () => {
    // Europe/Berlin switches to CEST on Sun 2024-03-31. The week starts Mon 25 March 00:00 CET = 24 March 23:00Z.
    assert.equal(iso(bucketStart('2024-03-31T12:00:00Z', 'week', 'Europe/Berlin')), '2024-03-24T23:00:00.000Z');
    const day = bucketStart('2024-03-31T12:00:00Z', 'day', 'Europe/Berlin');
    assert.equal(iso(day), '2024-03-30T23:00:00.000Z');
    assert.equal(iso(bucketEnd(day, 'day', 'Europe/Berlin')), '2024-03-31T22:00:00.000Z'); // 23 h later
  });
  it('a day whose midnight was skipped starts at the jump (São Paulo, 4 Nov 2018)', () => {
    // Clocks went from 00:00 to 01:00 (UTC−3 → UTC−2) at 03:00Z.
    assert.equal(iso(bucketStart('2018-11-04T12:00:00Z', 'day', 'America/Sao_Paulo')), '2018-11-04T03:00:00.000Z');
    assert.equal(iso(bucketStart('2018-11-03T12:00:00Z', 'day', 'America/Sao_Paulo')), '2018-11-03T03:00:00.000Z');
  });
});

describe('labels and ISO weeks', () => {
  it('ISO week-numbering year', () => {
    assert.deepEqual(isoWeek(2024, 12, 30), { year: 2025, week: 1 });
    assert.deepEqual(isoWeek(2021, 1, 3), { year: 2020, week: 53 });
    assert.deepEqual(isoWeek(2024, 3, 14), { year: 2024, week: 11 });
  });
  it('labels sort chronologically', () => {
    assert.equal(bucketLabel('2024-03-14T15:30:00Z', 'day'), '2024-03-14');
    assert.equal(bucketLabel('2024-03-14T15:30:00Z', 'week'), '2024-W11');
    assert.equal(bucketLabel('2024-12-31T15:30:00Z', 'week'), '2025-W01');
    assert.equal(bucketLabel('2024-03-14T15:30:00Z', 'month'), '2024-03');
    assert.equal(bucketLabel('2024-08-14T15:30:00Z', 'quarter'), '2024-Q3');
    assert.equal(bucketLabel('2024-03-14T02:00:00Z', 'day', 'America/New_York'), '2024-03-13');
  });
});

describe('periods', () => {
  it('previous period of equal length', () => {
    const p = previousPeriod({ start: '2024-03-01T00:00:00Z', end: '2024-03-31T00:00:00Z' });
    assert.equal(iso(p.start), '2024-01-31T00:00:00.000Z');
    assert.equal(iso(p.end), '2024-03-01T00:00:00.000Z');
    assert.throws(() => previousPeriod({ start: '2024-03-01', end: '2024-03-01' }), RangeError);
  });
  it('previous calendar bucket and shifting', () => {
    const pm = previousBucket('2024-03-14T00:00:00Z', 'month');
    assert.equal(iso(pm.start), '2024-02-01T00:00:00.000Z');
    assert.equal(iso(pm.end), '2024-03-01T00:00:00.000Z');
    assert.equal(iso(shiftBucket('2024-01-31T00:00:00Z', 'month', 1)), '2024-02-01T00:00:00.000Z');
    assert.equal(iso(shiftBucket('2024-02-10T00:00:00Z', 'quarter', -1)), '2023-10-01T00:00:00.000Z');
    assert.equal(iso(bucketEnd('2024-12-20T00:00:00Z', 'quarter')), '2025-01-01T00:00:00.000Z');
  });
  it('bucketsBetween lists every bucket, empty ones included', () => {
    const weeks = bucketsBetween('2024-03-13T00:00:00Z', '2024-04-01T00:00:00Z', 'week');
    assert.deepEqual(weeks.map(iso), [
      '2024-03-11T00:00:00.000Z',
      '2024-03-18T00:00:00.000Z',
      '2024-03-25T00:00:00.000Z',
    ]);
    assert.deepEqual(bucketsBetween('2024-03-13T00:00:00Z', '2024-03-13T00:00:00Z', 'day'), []);
    assert.equal(bucketsBetween('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'day', 'Europe/Berlin').length, 367);
  });
});

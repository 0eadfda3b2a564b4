import { shiftBucket, type TimeGranularity } from './time.js';

const DAY = 86_400_000;

/** How much of a time bucket a window covers, in days: a partial first or last bucket has days < of. */
export interface BucketCoverage {
  days: number;
  of: number;
}

/**
 * The part of the bucket starting at `bucket` that lies within [from, to), in whole days (a
 * part day counts as a day once at least an hour of it is covered). Null when the window covers
 * the whole bucket: only a partial first or last bucket gets a coverage, so a chart can mark it
 * ("partial week: 3 of 7 days") instead of showing its smaller count or sample as a dip.
 */
export function bucketCoverage(
  bucket: Date,
  granularity: TimeGranularity,
  from: Date,
  to: Date,
  tz = 'UTC',
): BucketCoverage | null {
  const start = bucket.getTime();
  const end = shiftBucket(bucket, granularity, 1, tz).getTime();
  const lo = Math.max(start, from.getTime());
  const hi = Math.min(end, to.getTime());
  if (lo <= start && hi >= end) return null;
  const of = Math.round((end - start) / DAY);
  const covered = Math.max(0, hi - lo);
  const days = Math.min(of, Math.max(covered > 0 ? 1 : 0, Math.floor((covered + DAY - 3_600_000) / DAY)));
  return days >= of ? null : { days, of };
}

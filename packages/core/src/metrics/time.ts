/**
 * Time buckets for grouping results by day, ISO week (Monday start), month or quarter in an
 * org's time zone, and period helpers (previous period of equal length). Pure: uses only the
 * built-in Intl time-zone data.
 */

export type TimeGranularity = 'day' | 'week' | 'month' | 'quarter';
export const TIME_GRANULARITIES: readonly TimeGranularity[] = ['day', 'week', 'month', 'quarter'];

type Instant = Date | string | number;

const DAY_MS = 86_400_000;

function toDate(t: Instant): Date {
  const d = t instanceof Date ? new Date(t.getTime()) : new Date(t);
  if (!Number.isFinite(d.getTime())) throw new RangeError(`not a valid time: ${String(t)}`);
  return d;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone: ${tz}`);
    }
    formatters.set(tz, f);
  }
  return f;
}

interface Wall {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock fields of an instant in `tz`. */
function wallTime(ms: number, tz: string): Wall {
  if (tz === 'UTC') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour % 24,
    minute: parts.minute,
    second: parts.second,
  };
}

/** Offset of `tz` from UTC at instant ms, in ms (wall − UTC), to the second. */
function offsetAt(ms: number, tz: string): number {
  if (tz === 'UTC') return 0;
  const w = wallTime(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant whose wall-clock date in `tz` is (year, month, day): local midnight, or,
 * where a DST jump skips midnight (e.g. America/Sao_Paulo until 2019), the jump itself.
 * How: local midnight is guess − offset for one of the offsets in force around that day; try
 * each and keep the earliest candidate that reads as the right date.
 */
function startOfLocalDay(year: number, month: number, day: number, tz: string): number {
  const guess = Date.UTC(year, month - 1, day);
  if (tz === 'UTC') return guess;
  const offsets = new Set([offsetAt(guess - DAY_MS, tz), offsetAt(guess, tz), offsetAt(guess + DAY_MS, tz)]);
  let best = Number.POSITIVE_INFINITY;
  for (const o of offsets) {
    const c = guess - o;
    const w = wallTime(c, tz);
    if (w.year === year && w.month === month && w.day === day && c < best) best = c;
  }
  if (best === Number.POSITIVE_INFINITY)
    throw new RangeError(`no local midnight found for ${year}-${month}-${day} in ${tz}`);
  return best;
}

/**
 * Start of the bucket containing `date`, as the UTC instant of local midnight in `tz`:
 * day; ISO week (Monday); month; quarter (Jan/Apr/Jul/Oct). Default tz 'UTC'.
 */
export function bucketStart(date: Instant, granularity: TimeGranularity, tz = 'UTC'): Date {
  const w = wallTime(toDate(date).getTime(), tz);
  const { year, month, day } = localBucketDate(w.year, w.month, w.day, granularity);
  return new Date(startOfLocalDay(year, month, day, tz));
}

/** Local calendar date that starts the bucket containing (year, month, day). */
function localBucketDate(
  year: number,
  month: number,
  day: number,
  granularity: TimeGranularity,
): { year: number; month: number; day: number } {
  switch (granularity) {
    case 'day':
      return { year, month, day };
    case 'week': {
      // Calendar arithmetic on a UTC date: independent of tz and DST.
      const d = new Date(Date.UTC(year, month - 1, day));
      const isoDow = (d.getUTCDay() + 6) % 7; // Monday = 0
      d.setUTCDate(d.getUTCDate() - isoDow);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    }
    case 'month':
      return { year, month, day: 1 };
    case 'quarter':
      return { year, month: Math.floor((month - 1) / 3) * 3 + 1, day: 1 };
    default:
      throw new RangeError(`unknown granularity: ${String(granularity)}`);
  }
}

/** Adds `n` buckets (may be negative) to a local calendar date. */
function addBuckets(year: number, month: number, day: number, granularity: TimeGranularity, n: number) {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (granularity === 'day') d.setUTCDate(d.getUTCDate() + n);
  else if (granularity === 'week') d.setUTCDate(d.getUTCDate() + 7 * n);
  else d.setUTCMonth(d.getUTCMonth() + (granularity === 'month' ? n : 3 * n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Start of the bucket `n` buckets after (negative: before) the one containing `date`. */
export function shiftBucket(date: Instant, granularity: TimeGranularity, n: number, tz = 'UTC'): Date {
  if (!Number.isInteger(n)) throw new RangeError(`shift must be an integer, got ${n}`);
  const w = wallTime(toDate(date).getTime(), tz);
  const s = localBucketDate(w.year, w.month, w.day, granularity);
  const t = addBuckets(s.year, s.month, s.day, granularity, n);
  return new Date(startOfLocalDay(t.year, t.month, t.day, tz));
}

/** End (exclusive) of the bucket containing `date` = start of the next one. */
export function bucketEnd(date: Instant, granularity: TimeGranularity, tz = 'UTC'): Date {
  return shiftBucket(date, granularity, 1, tz);
}

/** ISO 8601 week-numbering year and week (1..53) of a calendar date. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const d = new Date(Date.UTC(year, month - 1, day));
  const isoDow = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - isoDow + 3); // the Thursday of this week decides the year
  const weekYear = d.getUTCFullYear();
  const jan4 = new Date(Date.UTC(weekYear, 0, 4));
  const jan4Dow = (jan4.getUTCDay() + 6) % 7;
  const week1Thursday = Date.UTC(weekYear, 0, 4 - jan4Dow + 3);
  return { year: weekYear, week: 1 + Math.round((d.getTime() - week1Thursday) / (7 * DAY_MS)) };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * A stable label for the bucket containing `date` in `tz`: '2024-03-05', '2024-W10' (ISO week
 * year), '2024-03', '2024-Q1'. Sorts chronologically as a string.
 */
export function bucketLabel(date: Instant, granularity: TimeGranularity, tz = 'UTC'): string {
  const w = wallTime(toDate(date).getTime(), tz);
  switch (granularity) {
    case 'day':
      return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
    case 'week': {
      const iw = isoWeek(w.year, w.month, w.day);
      return `${iw.year}-W${pad(iw.week)}`;
    }
    case 'month':
      return `${w.year}-${pad(w.month)}`;
    case 'quarter':
      return `${w.year}-Q${Math.floor((w.month - 1) / 3) + 1}`;
    default:
      throw new RangeError(`unknown granularity: ${String(granularity)}`);
  }
}

/**
 * Every bucket start from the bucket containing `start` up to (excluding) `end`, so charts can
 * show empty buckets as gaps rather than joining across them. Capped at `max` (default 10 000).
 */
export function bucketsBetween(
  start: Instant,
  end: Instant,
  granularity: TimeGranularity,
  tz = 'UTC',
  max = 10_000,
): Date[] {
  const endMs = toDate(end).getTime();
  const out: Date[] = [];
  let cur = bucketStart(start, granularity, tz);
  while (cur.getTime() < endMs) {
    if (out.length >= max) throw new RangeError(`more than ${max} ${granularity} buckets between the dates`);
    out.push(cur);
    cur = shiftBucket(cur, granularity, 1, tz);
  }
  return out;
}

/** A half-open time range [start, end). */
export interface TimePeriod {
  start: Date;
  end: Date;
}

/**
 * The period of equal length immediately before `period` (half-open, so it ends where the
 * given one starts): for comparisons "vs previous period". Equal length in milliseconds — for
 * "previous calendar month" use `shiftBucket(start, 'month', -1, tz)` instead.
 */
export function previousPeriod(period: { start: Instant; end: Instant }): TimePeriod {
  const start = toDate(period.start).getTime();
  const end = toDate(period.end).getTime();
  if (!(end > start)) throw new RangeError('period end must be after its start');
  return { start: new Date(start - (end - start)), end: new Date(start) };
}

/** The calendar bucket before the one containing `date` (e.g. last month), as a period. */
export function previousBucket(date: Instant, granularity: TimeGranularity, tz = 'UTC'): TimePeriod {
  return { start: shiftBucket(date, granularity, -1, tz), end: bucketStart(date, granularity, tz) };
}

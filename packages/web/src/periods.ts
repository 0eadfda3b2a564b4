/**
 * Partial first and last periods: the server marks a bucket the window covers only in part
 * (`partial: {days, of}`). Charts keep it out of the solid line and draw it dashed and hollow with
 * a note, so a short week's smaller count or sample never reads as a dip.
 */
export interface Coverage {
  days: number;
  of: number;
}

const UNIT: Record<string, string> = { day: 'day', week: 'week', month: 'month', quarter: 'quarter' };

/** "partial week: 3 of 7 days"; null for a whole bucket. */
export function partialNote(p: { partial?: Coverage | null }, granularity: string): string | null {
  if (!p.partial) return null;
  const unit = UNIT[granularity] ?? 'period';
  return `partial ${unit}: ${p.partial.days} of ${p.partial.of} day${p.partial.of === 1 ? '' : 's'}`;
}

/**
 * A line's values split in two: `solid` without the partial buckets, `dashed` with only them and
 * their whole neighbours (so the dashed piece joins the line). Both as long as `values`.
 */
export function splitPartial(
  values: (number | null)[],
  partial: boolean[],
): { solid: (number | null)[]; dashed: (number | null)[] } {
  const solid = values.map((v, i) => (partial[i] ? null : v));
  const dashed = values.map((v, i) => (partial[i] || partial[i - 1] || partial[i + 1] ? v : null));
  return { solid, dashed: partial.some(Boolean) ? dashed : values.map(() => null) };
}

/** The granularity of a series from its bucket labels (2026-W05, 2026-03, 2026-Q1, 2026-03-02). */
export function granularityOfLabel(label: string | undefined): string {
  if (!label) return 'period';
  if (/-W\d\d$/.test(label)) return 'week';
  if (/-Q\d$/.test(label)) return 'quarter';
  if (/^\d{4}-\d\d$/.test(label)) return 'month';
  if (/^\d{4}-\d\d-\d\d$/.test(label)) return 'day';
  return 'period';
}

/**
 * A bucket in words, from its start date (`bucket`, YYYY-MM-DD) and its key (`label`): a week
 * "31 Aug" ("Week of 31 Aug 2026" when `long`), a month "Sept 2026", a quarter "Q3 2026", a day
 * "5 Sept" ("5 Sept 2026"). Charts show these instead of the keys (2026-W36, 2026-09, 2026-Q3).
 */
export function bucketName(p: { bucket: string; label: string }, long = false): string {
  const at = new Date(`${p.bucket.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return p.label;
  const fmt = (o: Intl.DateTimeFormatOptions) => at.toLocaleDateString('en-GB', { ...o, timeZone: 'UTC' });
  switch (granularityOfLabel(p.label)) {
    case 'week':
      return long
        ? `Week of ${fmt({ day: 'numeric', month: 'short', year: 'numeric' })}`
        : fmt({ day: 'numeric', month: 'short' });
    case 'month':
      return fmt({ month: 'short', year: 'numeric' });
    case 'quarter':
      return `${p.label.slice(-2)} ${p.label.slice(0, 4)}`;
    case 'day':
      return fmt(long ? { day: 'numeric', month: 'short', year: 'numeric' } : { day: 'numeric', month: 'short' });
    default:
      return p.label;
  }
}

// How durations and signed numbers read: one unit per figure (a change in its value's unit), one
// minus sign (−). No imports, so Node's test runner checks them (packages/web/test/units.test.ts);
// format.ts builds the dashboard's figures on them.

const nf0 = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** The unit a duration reads in: seconds, minutes, hours or days, by its size. */
export type DurationUnit = 's' | 'min' | 'h' | 'd';
const PER: Record<DurationUnit, number> = { s: 1, min: 60, h: 3600, d: 86_400 };
const SUFFIX: Record<DurationUnit, string> = { s: 's', min: 'min', h: 'h', d: 'days' };

export function durationUnit(seconds: number): DurationUnit {
  const s = Math.round(Math.abs(seconds));
  if (s < 90) return 's';
  if (Math.round(s / 60) < 90) return 'min';
  return s / 3600 < 48 ? 'h' : 'd';
}

/**
 * A duration without its sign: "45 s", "6 min", "46.6 h", "2.5 days". `unit` forces the unit of
 * another figure (a change or margin reads in its value's unit: "6 min, −1.4 min", never "−84 s").
 */
export function duration(seconds: number, unit?: DurationUnit): string {
  const u = unit ?? durationUnit(seconds);
  const x = Math.abs(seconds) / PER[u];
  // A value's own seconds and minutes are whole; anything else, and a forced unit, has one decimal.
  const whole = u === 's' || (u === 'min' && !unit);
  return `${whole ? nf0.format(Math.round(x)) : nf1.format(x)} ${SUFFIX[u]}`;
}

/** A signed number with a true minus sign (−), as the changes read. */
export function signed(value: number, nf: Intl.NumberFormat, plus = false): string {
  const text = nf.format(Math.abs(value));
  // "−0.0" reads as a change: a value that rounds to zero is shown without a sign.
  if (Number(text.replace(/,/g, '')) === 0) return text;
  return `${value < 0 ? '−' : plus && value > 0 ? '+' : ''}${text}`;
}

import type { Figure, Unit } from './api';
import { humanise, money } from './display';
import { duration, durationUnit, signed } from './units';

const nf1 = new Intl.NumberFormat('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const nf0 = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** A value in its unit, as the dashboard shows it everywhere (tests read these); money in `currency` where known. */
export function fmt(value: number | null | undefined, unit: Unit | string, currency?: string | null): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  switch (unit) {
    case 'nps':
    case 'index':
      return signed(value, nf1, true);
    case 'percent':
      return `${signed(value, nf1)}%`;
    case 'mean':
    case 'score':
      return signed(value, nf2);
    case 'seconds':
      return `${value < 0 ? '−' : ''}${duration(value)}`;
    case 'currency':
      return money(value, currency);
    case 'count':
      return signed(value, nf0);
    default:
      return signed(value, nf1);
  }
}

/**
 * A change between periods: points for scores, the unit otherwise. A duration's change reads in
 * the unit of `of`, the value it is a change of (6 min: "−1.4 min", not "−84 s").
 */
export function fmtChange(
  change: number | null,
  unit: Unit | string,
  currency?: string | null,
  of?: number | null,
): string {
  if (change === null || change === undefined) return '—';
  if (unit === 'currency') return money(change, currency, { sign: true });
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±';
  const a = Math.abs(change);
  switch (unit) {
    case 'nps':
    case 'index':
    case 'percent':
      return `${sign}${nf1.format(a)} pts`;
    case 'seconds':
      return `${sign}${duration(a, durationUnit(of ?? a))}`;
    case 'count':
      return `${sign}${nf0.format(a)}`;
    default:
      return `${sign}${nf2.format(a)}`;
  }
}

export function fmtMargin(f: Figure): string {
  if (f.margin === null || f.margin === undefined || f.value === null) return '';
  if (f.unit === 'seconds') return `± ${duration(f.margin, durationUnit(f.value))}`;
  return `± ${f.unit === 'mean' || f.unit === 'score' ? nf2.format(f.margin) : nf1.format(f.margin)}`;
}

export function count(n: number): string {
  return nf0.format(n);
}

export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined) return '—';
  return `${nf1.format(share * 100)}%`;
}

export function day(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'UTC',
  });
}

/** A key in words: the same as display.ts `humanise` (smb → SMB, paid_search → Paid search), kept for its callers. */
export function titleCase(key: string): string {
  return humanise(key);
}

/** Whether a higher value is better for a metric (times: lower is better). */
export function higherIsBetter(metric: string): boolean {
  return !/(first_response|resolution_p|churn)/.test(metric);
}

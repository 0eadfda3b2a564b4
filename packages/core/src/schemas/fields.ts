import { z } from 'zod';
import { LIMITS } from './limits.js';

/** Text that PostgreSQL can store and a person can read: well-formed UTF-16 (no lone surrogates), no NUL. */
export function isStorableText(s: string): boolean {
  return s.isWellFormed() && !s.includes('\u0000');
}

/** Why text that fails isStorableText is refused (the same words in bodies, queries and paths). */
export const NOT_STORABLE_TEXT = 'must be valid Unicode text without NUL characters';

export const text = (max: number) =>
  z
    .string()
    .max(max, { error: `must be at most ${max} characters` })
    .refine(isStorableText, { error: NOT_STORABLE_TEXT });

export const nonEmptyText = (max: number) =>
  text(max).refine((s) => s.trim().length > 0, { error: 'must not be empty' });

/** A stable key: letters, digits, and . _ - : / (touchpoints, surveys, fields, agents). */
export const key = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.shortText, { error: `must be at most ${LIMITS.shortText} characters` })
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}._:/ -]*$/u, {
    error: 'must start with a letter or digit and contain only letters, digits, spaces and . _ - : /',
  });

export const idempotencyKey = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(LIMITS.shortText, { error: `must be at most ${LIMITS.shortText} characters` })
  .refine(isStorableText, { error: NOT_STORABLE_TEXT });

const MIN_TIME = Date.UTC(1970, 0, 1);
const MAX_TIME = Date.UTC(2100, 0, 1);

/**
 * A point in time: ISO 8601 with a zone (Z or ±hh:mm), or a bare date (midnight UTC).
 * A local time without a zone is refused: it would silently shift by the server's zone.
 */
export const timestamp = z
  .union([z.date(), z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be an ISO 8601 date-time with a time zone (e.g. 2026-03-01T09:30:00Z) or a date (2026-03-01)',
  })
  .transform((v, ctx) => {
    const d = v instanceof Date ? v : new Date(v);
    const t = d.getTime();
    if (Number.isNaN(t) || t < MIN_TIME || t > MAX_TIME) {
      ctx.addIssue({ code: 'custom', message: 'must be between 1970-01-01 and 2100-01-01' });
      return z.NEVER;
    }
    return d;
  });

export const uuid = z.uuid({ error: 'must be a UUID' });

/** Emails are matched case-insensitively: stored trimmed and lower-cased. */
export const email = z
  .string()
  .trim()
  .max(254, { error: 'must be at most 254 characters' })
  // Internationalised addresses (RFC 6531) are real customers' addresses too.
  .pipe(z.email({ pattern: z.regexes.unicodeEmail, error: 'must be an email address' }))
  .transform((s) => s.toLowerCase());

/** Phones are matched on digits: spaces, dots, dashes and brackets are dropped; a leading + is kept. */
export function normalisePhone(raw: string): string | null {
  const s = raw.trim().replace(/[\s().-]/g, '');
  return /^\+?[0-9]{6,15}$/.test(s) ? s : null;
}

export const phone = z
  .string()
  .max(40, { error: 'must be at most 40 characters' })
  .transform((s, ctx) => {
    const p = normalisePhone(s);
    if (!p) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a phone number of 6 to 15 digits, optionally with a leading +',
      });
      return z.NEVER;
    }
    return p;
  });

/** Free-form attribute/property maps: bounded, flat, scalar values only. */
export const scalarMap = z
  .record(key, z.union([text(LIMITS.mediumText), z.number().finite(), z.boolean(), z.null()]))
  .refine((m) => Object.keys(m).length <= LIMITS.mapKeys, {
    error: `must have at most ${LIMITS.mapKeys} keys`,
  });

export const money = z.number().finite().min(-1e12).max(1e12);

export const currency = z.string().regex(/^[A-Z]{3}$/, { error: 'must be a 3-letter ISO 4217 code, e.g. EUR' });

/** A whole number in [min, max], with a message for each way it can be wrong. */
export const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a number') })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

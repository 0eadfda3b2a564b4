import { z } from 'zod';
import { email, key, text } from '../schemas/fields.js';

/**
 * Whom to ask, and when: the org's contact rules. Pure decisions; the server supplies the
 * facts (last time asked, opt-out, quota used) and a random roll.
 */

const clock = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { error: 'must be a time HH:MM (24-hour)' });

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A From header: an address, or a display name and an address in angle brackets (no line breaks). */
function isSender(s: string): boolean {
  const m = /^(?:[^<>\r\n]*<([^<>\s]+)>|([^<>\s]+))$/.exec(s);
  return !!m && email.safeParse(m[1] ?? m[2]).success;
}

export const surveySettingsInput = z.strictObject({
  /** Never ask the same customer more than once per this many days (any survey, any channel); 0 = no limit. */
  throttle_days: z.number().int().min(0).max(365).default(30),
  /** No emails in this local window (start may be after end: the window spans midnight). */
  quiet_hours: z
    .strictObject({ start: clock, end: clock })
    .refine((q) => q.start !== q.end, { path: ['end'], error: 'must differ from start' })
    .nullable()
    .default(null),
  timezone: z.string().refine(isTimeZone, { error: 'must be an IANA time zone such as Europe/Lisbon' }).default('UTC'),
  /** At most `max` invitations per touchpoint per `period_days`. */
  touchpoint_quotas: z
    .record(
      key,
      z.strictObject({ max: z.number().int().min(0).max(1e9), period_days: z.number().int().min(1).max(365) }),
    )
    .default({}),
  /** Origins allowed to embed the widget (scheme://host[:port]). */
  allowed_origins: z
    .array(
      z
        .string()
        .regex(/^https?:\/\/[^/\s?#]+$/, { error: 'must be an origin such as https://www.example.com (no path)' }),
    )
    .max(100)
    .default([]),
  /**
   * Whether the widget trusts a visitor's claimed identity only when the site signed it
   * (`user_hash` = HMAC-SHA256 of the identity with the org's identity secret). Without it, anyone
   * could answer as any customer whose email they know. 'off' is for trials on a test site.
   */
  identity_verification: z.enum(['required', 'off']).default('required'),
  /** Widget requests per minute per visitor IP and key. */
  widget_rate_per_minute: z.number().int().min(1).max(10_000).default(60),
  /** Where links in emails point (https://feedback.example.com); defaults to the server's own address. */
  public_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Email sender, e.g. "Brightleaf <feedback@brightleaf.example>". */
  email_from: text(300)
    .trim()
    .refine(isSender, {
      error: 'must be an email address, or a name and one: Brightleaf <feedback@brightleaf.example>',
    })
    .optional(),
});
export type SurveySettings = z.output<typeof surveySettingsInput>;

export const DEFAULT_SURVEY_SETTINGS: SurveySettings = surveySettingsInput.parse({});

export type AskDecision =
  | { decision: 'ask' }
  | { decision: 'skip'; reason: 'opted_out' | 'throttled' | 'not_sampled' | 'quota_full' | 'no_address' }
  | { decision: 'defer'; reason: 'quiet_hours'; until: Date };

export interface AskFacts {
  now: Date;
  channel: 'email' | 'link' | 'widget';
  optedOut: boolean;
  /** Last time this customer was asked (any survey); null when never or unknown customer. */
  lastAskedAt: Date | null;
  /** Sampling roll in [0, 1): asked when below sample_percent / 100. */
  roll: number;
  samplePercent: number;
  /** Invitations already sent at this touchpoint within its quota period. */
  quotaUsed?: number;
  touchpoint?: string | null;
  hasAddress?: boolean;
}

/** Minutes since local midnight in a time zone. */
export function localMinutes(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const m = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return h * 60 + m;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** When quiet hours hold at `now`, the instant they end; otherwise null. */
export function quietUntil(now: Date, settings: Pick<SurveySettings, 'quiet_hours' | 'timezone'>): Date | null {
  const q = settings.quiet_hours;
  if (!q) return null;
  const cur = localMinutes(now, settings.timezone);
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  const inside = start < end ? cur >= start && cur < end : cur >= start || cur < end;
  if (!inside) return null;
  const wait = (end - cur + 1440) % 1440;
  const until = new Date(now.getTime() + wait * 60_000);
  until.setUTCSeconds(0, 0);
  return until;
}

/**
 * The contact rules in order: opt-out (always honoured), address, throttle, quota, sampling,
 * then quiet hours (emails only: a widget asks someone who is on the page right now).
 */
export function decideAsk(facts: AskFacts, settings: SurveySettings): AskDecision {
  if (facts.optedOut) return { decision: 'skip', reason: 'opted_out' };
  if (facts.hasAddress === false) return { decision: 'skip', reason: 'no_address' };
  if (settings.throttle_days > 0 && facts.lastAskedAt) {
    const since = facts.now.getTime() - facts.lastAskedAt.getTime();
    if (since < settings.throttle_days * 86_400_000) return { decision: 'skip', reason: 'throttled' };
  }
  const quota = facts.touchpoint ? settings.touchpoint_quotas[facts.touchpoint] : undefined;
  if (quota && (facts.quotaUsed ?? 0) >= quota.max) return { decision: 'skip', reason: 'quota_full' };
  if (facts.roll * 100 >= facts.samplePercent) return { decision: 'skip', reason: 'not_sampled' };
  if (facts.channel === 'email') {
    const until = quietUntil(facts.now, settings);
    if (until) return { decision: 'defer', reason: 'quiet_hours', until };
  }
  return { decision: 'ask' };
}

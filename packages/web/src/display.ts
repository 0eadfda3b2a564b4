/**
 * Pure display helpers (no DOM, no React): how keys, money, counts, date ranges and form problems
 * read on screen. packages/web/test/display.test.ts covers them.
 */

/** Words that read as abbreviations in a field name (annual_fee_eur → Annual fee EUR). */
const UPPER = new Set([
  'api',
  'b2b',
  'b2c',
  'ces',
  'csat',
  'faq',
  'id',
  'ip',
  'ltv',
  'nps',
  'sla',
  'smb',
  'sme',
  'sms',
  'url',
  'vat',
  'vip',
  'eur',
  'usd',
  'gbp',
  'chf',
  'sek',
  'nok',
  'dkk',
  'pln',
  'jpy',
  'cad',
  'aud',
]);

/**
 * A key with no label of its own, as words: `annual_fee_eur` → "Annual fee EUR", `app_user` →
 * "App user", `support-tier1` → "Support tier 1", `delivery.late` → "Delivery late".
 */
export function humanise(key: string | null | undefined): string {
  if (!key) return '';
  const words = key
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .split(/[\s._-]+/)
    .filter(Boolean)
    .map((w) => (UPPER.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  if (!words.length) return key;
  words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
  return words.join(' ');
}

/** A person's handle as a name, for an agent the org has not named: `sam.okafor` → "Sam Okafor". */
export function personName(key: string): string {
  return key
    .split(/[\s._-]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** The org's name for a key (department, touchpoint, topic, agent), else the key in words. */
export function nameIn(
  list: readonly { key: string; name?: string | null; label?: string | null }[],
  key: string | null | undefined,
  fallback: (k: string) => string = humanise,
): string {
  if (!key) return '';
  const hit = list.find((x) => x.key === key);
  return hit?.name || hit?.label || fallback(key);
}

/** "1 department", "2 departments" (irregular plurals passed in). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** "a sentiment model", "an intent model": a text-model kind (sentiment, topics, intents…) as a noun phrase. */
export function modelKindPhrase(kind: string): string {
  const noun = kind.replace(/_/g, ' ').replace(/s$/, '');
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun} model`;
}

/**
 * Money in the org's currency, grouped the way the rest of the dashboard writes numbers
 * (`€1,234.50`); without a known currency, the plain number with two decimals.
 */
export function money(value: number | null | undefined, currency?: string | null, opts: { sign?: boolean } = {}) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const code = currency && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : null;
  const abs = Math.abs(value);
  const body = code
    ? new Intl.NumberFormat('en-GB', { style: 'currency', currency: code, minimumFractionDigits: 2 }).format(abs)
    : new Intl.NumberFormat('en', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(abs);
  const sign = value < 0 ? '−' : opts.sign ? (value > 0 ? '+' : '±') : '';
  return `${sign}${body}`;
}

/** Why a from–to date range (YYYY-MM-DD, both inclusive) cannot be asked for, or null when it can. */
export function rangeProblem(from: string, to: string): string | null {
  const ok = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
  if (!ok(from)) return 'Enter a complete “from” date.';
  if (!ok(to)) return 'Enter a complete “to” date.';
  if (to < from) return '“To” is before “from”: pick an end date on or after the start date.';
  return null;
}

/**
 * The banner over a form the server refused: which fields to fix, by their labels, instead of a
 * generic "the body has invalid fields". `errors` maps field paths to reasons; `labels` field
 * paths (or their prefixes) to what the form calls them.
 */
export function fieldsBanner(errors: Record<string, string>, labels: Record<string, string>): string | null {
  const fields = Object.keys(errors);
  if (!fields.length) return null;
  const named = [
    ...new Set(
      fields.map((f) => {
        const hit = Object.keys(labels)
          .filter((k) => f === k || f.startsWith(`${k}.`) || f.startsWith(`${k}[`))
          .sort((a, b) => b.length - a.length)[0];
        return hit ? labels[hit]! : humanise(f.replace(/\[\d+\]/g, ''));
      }),
    ),
  ];
  const list =
    named.length === 1
      ? `“${named[0]}”`
      : `${named
          .slice(0, -1)
          .map((n) => `“${n}”`)
          .join(', ')} and “${named.at(-1)}”`;
  return `Nothing was saved: check ${list} (${named.length === 1 ? 'marked' : 'each marked'} below).`;
}

/** A number typed in a form field, or why it is not one (empty is allowed: the server's default). */
export function numberProblem(v: string, opts: { min?: number; max?: number; integer?: boolean } = {}): string | null {
  const s = v.trim().replace(/^−/, '-');
  if (s === '') return null;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return 'must be a number';
  const n = Number(s);
  if (opts.integer && !Number.isInteger(n)) return 'must be a whole number';
  if (opts.min !== undefined && n < opts.min) return `must be at least ${opts.min}`;
  if (opts.max !== undefined && n > opts.max) return `must be at most ${opts.max}`;
  return null;
}

const CURRENCY_SUFFIX = /[_.-](eur|usd|gbp|chf|sek|nok|dkk|pln|jpy|cad|aud)$/i;

/**
 * A customer attribute as the profile shows it: its key in words, yes/no for booleans, and an
 * amount whose key names its currency (`annual_fee_eur: 5868`) as money (“Annual fee”, €5,868.00).
 */
export function attributeDisplay(key: string, value: unknown): { label: string; value: string } {
  const cur = CURRENCY_SUFFIX.exec(key);
  if (cur && typeof value === 'number')
    return { label: humanise(key.slice(0, cur.index)), value: money(value, cur[1]!.toUpperCase()) };
  if (typeof value === 'boolean') return { label: humanise(key), value: value ? 'Yes' : 'No' };
  if (value === null || value === undefined || value === '') return { label: humanise(key), value: '—' };
  if (typeof value === 'number') return { label: humanise(key), value: value.toLocaleString('en') };
  return { label: humanise(key), value: String(value) };
}

import type { PiiKind, PiiMatch } from './types.js';

/**
 * PII detection: emails, phone numbers, payment cards (Luhn), IBANs (mod-97), IP addresses,
 * street addresses / UK postcodes, US SSNs and UK National Insurance numbers. Tuned to avoid the
 * usual false positives in customer text: order/ticket/tracking numbers, dates, times, amounts.
 * Cheap pre-checks ('@', digits) keep the common no-PII path fast.
 */

const EMAIL_RE = /[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// Runs of digits with common separators; classified afterwards.
const DIGIT_RUN_RE = /(?:\+\s?|(?<![\w+]))\(?\d[\d\s().-]{5,}\d(?!\d)/g;
const IBAN_RE = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b/g;
const IPV4_RE = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]\d)/g;
const IPV6_RE = /(?<![\w:.])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])/g;
const SSN_RE = /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g;
const NINO_RE = /\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const STREET_RE =
  /\b\d{1,5}[A-Za-z]?,? (?:[A-Z][a-z]+\.? ){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Gardens|Grove|Row|Mews|Walk|Hill)\b\.?(?:,? (?:Apt|Apartment|Suite|Unit|Flat|#) ?[\w-]+)?(?:,? [A-Z][a-z]+(?: [A-Z][a-z]+)*)?(?:,? [A-Z]{2} \d{5}(?:-\d{4})?)?/g;
const UK_POSTCODE_RE = /\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b/g;

/** Words that mark a number as an order/ticket/tracking reference rather than PII. */
const REFERENCE_CONTEXT =
  /(?:order|ref|reference|invoice|tracking|track|ticket|case|confirmation|booking|reservation|po|sku|item|model|serial|account|acct|customer|member|membership|policy|claim|transaction|txn|receipt|parcel|shipment|no|number|id)\s*(?:number|no\.?|num|id)?\s*[#:.]?\s*$/i;
const PHONE_CONTEXT =
  /(?:call|phone|tel|telephone|mobile|cell|cellphone|whatsapp|text|sms|fax|ring|reach|contact|number is|dial)\b[^.!?\n]{0,20}$/i;
const CARD_CONTEXT = /(?:card|visa|mastercard|amex|credit|debit|cc)\b[^.!?\n]{0,20}$/i;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TN: 24,
  TR: 26,
  UA: 29,
  VG: 24,
  XK: 20,
};

export function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, '').toUpperCase();
  const len = IBAN_LENGTHS[s.slice(0, 2)];
  if (len === undefined || s.length !== len) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of r) {
    const c = ch.charCodeAt(0);
    const v = c >= 65 ? c - 55 : c - 48;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

function before(text: string, start: number, n = 40): string {
  return text.slice(Math.max(0, start - n), start);
}

const DATE_LIKE = /^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[-/.]\d{1,2})$/;
const CURRENCY_BEFORE = /[$€£¥₹]\s*$|\b(?:usd|eur|gbp|aud|cad|rs|inr)\s*$/i;
const UNIT_AFTER = /^\s*(?:%|usd|eur|gbp|dollars?|euros?|pounds?|kg|km|mi|miles|lbs?|items?|units?|pcs|x\b)/i;

function classifyDigitRun(text: string, start: number, end: number, out: PiiMatch[]): void {
  let s = start;
  let e = end;
  // Trim a leading '(' that belongs to prose, trailing separators.
  while (e > s && /[\s.-]/.test(text[e - 1])) e--;
  const raw = text.slice(s, e);
  const digits = raw.replace(/\D/g, '');
  const nd = digits.length;
  const pre = before(text, s);
  const post = text.slice(e, e + 12);
  if (CURRENCY_BEFORE.test(pre) || UNIT_AFTER.test(post)) return;
  if (DATE_LIKE.test(raw.trim())) return;
  if (/^\d{1,2}:\d{2}/.test(raw)) return;
  const grouped = /[\s().-]/.test(raw.trim());
  const isRef = pre.endsWith('#') || REFERENCE_CONTEXT.test(pre);
  // Payment cards: 13–19 digits, Luhn-valid, a known issuer prefix.
  if (
    nd >= 13 &&
    nd <= 19 &&
    luhnValid(digits) &&
    /^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5|4[4-9])|3(?:0[0-5]|[68])|35)/.test(digits)
  ) {
    if (!isRef || CARD_CONTEXT.test(pre)) {
      out.push({ kind: 'card', start: s, end: e });
      return;
    }
  }
  if (isRef && !PHONE_CONTEXT.test(pre)) return;
  // Phone numbers: 7–15 digits. International (+) or grouped like a phone; plain runs need context.
  const intl = raw.startsWith('+');
  if (nd < 7 || nd > 15) return;
  const phoneShaped =
    intl || /^\(?\d{2,5}\)?[\s.-]?\d{2,4}[\s.-]?\d{2,5}(?:[\s.-]?\d{2,4})?$/.test(raw) || /^0\d{9,10}$/.test(raw);
  if (!phoneShaped) return;
  if (!intl && !grouped && !PHONE_CONTEXT.test(pre) && !/^0\d{9,10}$/.test(raw)) return;
  if (!intl && nd < 10 && !PHONE_CONTEXT.test(pre)) return;
  if (raw.startsWith('(') && !/^\(\d{2,5}\)/.test(raw)) s++;
  out.push({ kind: 'phone', start: s, end: e });
}

function overlaps(list: PiiMatch[], s: number, e: number): boolean {
  for (const m of list) if (s < m.end && e > m.start) return true;
  return false;
}

function addAll(re: RegExp, text: string, kind: PiiKind, out: PiiMatch[], check?: (s: string) => boolean): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null = re.exec(text);
  while (m !== null) {
    const s = m.index;
    const e = s + m[0].length;
    if ((!check || check(m[0])) && !overlaps(out, s, e)) out.push({ kind, start: s, end: e });
    m = re.exec(text);
  }
}

/** PII found in a text, sorted by offset, non-overlapping. */
export function findPii(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  if (text.includes('@')) addAll(EMAIL_RE, text, 'email', out);
  let hasDigit = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      hasDigit = true;
      break;
    }
  }
  if (hasDigit) {
    addAll(IBAN_RE, text, 'iban', out, ibanValid);
    addAll(SSN_RE, text, 'national_id', out);
    addAll(NINO_RE, text, 'national_id', out);
    addAll(IPV4_RE, text, 'ip', out);
    if (text.includes(':'))
      addAll(IPV6_RE, text, 'ip', out, (s) => (s.includes('::') || s.split(':').length === 8) && /[a-fA-F]/.test(s));
    addAll(STREET_RE, text, 'address', out);
    addAll(UK_POSTCODE_RE, text, 'address', out);
    const found: PiiMatch[] = [];
    DIGIT_RUN_RE.lastIndex = 0;
    let m: RegExpExecArray | null = DIGIT_RUN_RE.exec(text);
    while (m !== null) {
      const s = m.index;
      const e = s + m[0].length;
      if (!overlaps(out, s, e)) classifyDigitRun(text, s, e, found);
      m = DIGIT_RUN_RE.exec(text);
    }
    for (const f of found) out.push(f);
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Replace each PII span with a placeholder such as "[email]" or "[card]". */
export function redactPii(text: string, matches: PiiMatch[] = findPii(text)): string {
  if (matches.length === 0) return text;
  const sorted = [...matches].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const m of sorted) {
    if (m.start < pos) continue;
    out += `${text.slice(pos, m.start)}[${m.kind}]`;
    pos = m.end;
  }
  return out + text.slice(pos);
}

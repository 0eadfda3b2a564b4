import type { UserRole } from './domain.js';
import { findPii } from './text/pii.js';

/**
 * What each role of a signed-in user may do. API keys are the org's machine credentials and
 * may do everything; people get the least their job needs.
 *
 * | permission   | owner | admin | analyst | department_owner | agent | viewer |
 * |--------------|:-----:|:-----:|:-------:|:----------------:|:-----:|:------:|
 * | read         |   ✓   |   ✓   |    ✓    |        ✓         |   ✓   |   ✓    |
 * | read_pii     |   ✓   |   ✓   |    ✓    |                  |       |        |
 * | write        |   ✓   |   ✓   |    ✓    |        ✓         |   ✓   |        |
 * | configure    |   ✓   |   ✓   |    ✓    |                  |       |        |
 * | ingest       |   ✓   |   ✓   |         |                  |       |        |
 * | manage_users |   ✓   |   ✓   |         |                  |       |        |
 *
 * read: dashboards, lists, timelines. read_pii: customer texts and identities as written
 * (others see "[email]", "[phone]", "[card]" … in place of personal data). write: work on
 * cases (assign, comment, close). configure: rules, webhooks, surveys, taxonomy, trained
 * models, departments and touchpoints, digests. ingest: send or import customer data.
 * manage_users: add, change and remove users (only owners manage owners).
 */
export const PERMISSIONS = ['read', 'read_pii', 'write', 'configure', 'ingest', 'manage_users'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<UserRole, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  analyst: ['read', 'read_pii', 'write', 'configure'],
  department_owner: ['read', 'write'],
  agent: ['read', 'write'],
  viewer: ['read'],
};

export function can(role: UserRole, permission: Permission): boolean {
  return GRANTS[role]?.includes(permission) ?? false;
}

export function permissionsOf(role: UserRole): Permission[] {
  return [...(GRANTS[role] ?? [])];
}

/** Keys whose string values are customers' own words: PII inside them is replaced. */
const FREE_TEXT_KEYS = new Set(['text', 'subject', 'body', 'verbatim', 'snippet', 'comment', 'note', 'reason']);
/** Keys whose string values are a customer's identity: masked whole. */
const IDENTITY_KEYS = new Set(['email', 'phone', 'customer_email', 'customer_phone']);

/** "ana.silva@example.com" → "a•••@example.com"; "+351 912 345 678" → "•••78". */
export function maskIdentity(key: string, value: string): string {
  if (key.endsWith('email')) {
    const at = value.lastIndexOf('@');
    return at > 0 ? `${value[0]}•••${value.slice(at)}` : '•••';
  }
  const digits = value.replace(/\D/g, '');
  return digits.length > 4 ? `•••${digits.slice(-2)}` : '•••';
}

/**
 * A copy of an API answer as someone without `read_pii` may see it: personal data inside free
 * texts redacted, identities masked, answers of type text redacted; everything else as it was.
 * Works on any JSON-like value, so every endpoint gets the same treatment from one place.
 */
export function withoutPii<T>(value: T): T {
  return walk(value, '') as T;
}

/**
 * Like redactPii, but each span keeps its length ("[email]•••••••"), so the topic spans that
 * analyses point into the text still land on the same words.
 */
export function redactKeepingOffsets(text: string): string {
  const found = findPii(text);
  if (found.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const m of found) {
    if (m.start < pos) continue;
    const len = m.end - m.start;
    const label = `[${m.kind}]`;
    out += text.slice(pos, m.start) + (label.length <= len ? label.padEnd(len, '•') : '•'.repeat(len));
    pos = m.end;
  }
  return out + text.slice(pos);
}

function walk(v: unknown, key: string): unknown {
  if (typeof v === 'string') {
    if (IDENTITY_KEYS.has(key)) return maskIdentity(key, v);
    if (FREE_TEXT_KEYS.has(key)) return redactKeepingOffsets(v);
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => walk(x, key));
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // A text answer ({type: 'text', value: '…'}) or an identity row ({kind: 'email', value: '…'}).
  const textValue = o.type === 'text' && typeof o.value === 'string';
  const identityValue = (o.kind === 'email' || o.kind === 'phone') && typeof o.value === 'string';
  for (const [k, x] of Object.entries(o)) {
    if (k === 'value' && textValue) out[k] = redactKeepingOffsets(x as string);
    else if (k === 'value' && identityValue) out[k] = maskIdentity(o.kind as string, x as string);
    else out[k] = walk(x, k);
  }
  return out;
}

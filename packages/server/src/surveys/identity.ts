import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed visitor identities for the widget. The site's backend computes
 * `user_hash = HMAC-SHA256(identity secret, value)` (hex) for the visitor it knows and passes it
 * with `canopy('identify', …)`; Canopy then believes the identity. Without the signature, anyone
 * could open a page with `identify({email: 'someone@else'})` and answer as that customer.
 */

/** The org's identity secret, derived from its token secret so it needs no storage of its own. */
export function identitySecret(tokenSecret: string): string {
  return createHmac('sha256', Buffer.from(tokenSecret, 'base64url')).update('canopy widget identity v1').digest('hex');
}

export interface ClaimedIdentity {
  email?: string | undefined;
  external_id?: string | undefined;
}

/** The one value the site signs: its own id for the customer if it gives one, else the email as Canopy stores it (trimmed, lower-case). */
export function signedIdentity(c: ClaimedIdentity): { kind: 'external' | 'email'; value: string } | undefined {
  if (c.external_id) return { kind: 'external', value: c.external_id };
  if (c.email) return { kind: 'email', value: c.email };
  return undefined;
}

export function userHash(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

/** Constant-time comparison, so the hash can't be guessed a byte at a time. */
export function verifyUserHash(secret: string, value: string, hash: string): boolean {
  const want = Buffer.from(userHash(secret, value), 'hex');
  const got = Buffer.from(hash, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * Per-recipient survey tokens: `<payload>.<mac>`, both base64url. The payload is 37 bytes —
 * version, org id, invitation id, expiry (Unix seconds) — so a link stays short enough for an
 * email client; the MAC is HMAC-SHA-256 truncated to 128 bits, computed by the caller's `mac`
 * function (core does no crypto or I/O of its own).
 */

export interface TokenClaims {
  orgId: string;
  invitationId: string;
  expiresAt: Date;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired'; claims?: TokenClaims };

const VERSION = 1;
export const TOKEN_MAC_BYTES = 16;

function uuidBytes(id: string, out: Uint8Array, at: number): void {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${id}`);
  for (let i = 0; i < 16; i++) out[at + i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
}

function bytesUuid(b: Uint8Array, at: number): string {
  let h = '';
  for (let i = 0; i < 16; i++) h += b[at + i].toString(16).padStart(2, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function toBase64Url(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    if (i + 1 < b.length) out += B64[(n >> 6) & 63];
    if (i + 2 < b.length) out += B64[n & 63];
  }
  return out;
}

export function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const c = [0, 1, 2, 3].map((k) => (i + k < s.length ? B64.indexOf(s[i + k]) : 0));
    const n = (c[0] << 18) | (c[1] << 12) | (c[2] << 6) | c[3];
    out[o++] = (n >> 16) & 255;
    if (i + 2 < s.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < s.length) out[o++] = n & 255;
  }
  return out.slice(0, o);
}

export function encodeToken(claims: TokenClaims, mac: (payload: Uint8Array) => Uint8Array): string {
  const p = new Uint8Array(37);
  p[0] = VERSION;
  uuidBytes(claims.orgId, p, 1);
  uuidBytes(claims.invitationId, p, 17);
  const exp = Math.floor(claims.expiresAt.getTime() / 1000);
  new DataView(p.buffer).setUint32(33, exp >>> 0);
  return `${toBase64Url(p)}.${toBase64Url(mac(p).slice(0, TOKEN_MAC_BYTES))}`;
}

/** Reads the claims without checking the MAC (to find the org whose secret checks it). */
export function peekToken(token: string): { claims: TokenClaims; payload: Uint8Array; mac: Uint8Array } | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const dot = token.indexOf('.');
  if (dot < 0) return null;
  const payload = fromBase64Url(token.slice(0, dot));
  const mac = fromBase64Url(token.slice(dot + 1));
  if (!payload || !mac || payload.length !== 37 || payload[0] !== VERSION || mac.length !== TOKEN_MAC_BYTES)
    return null;
  const exp = new DataView(payload.buffer, payload.byteOffset).getUint32(33);
  return {
    claims: { orgId: bytesUuid(payload, 1), invitationId: bytesUuid(payload, 17), expiresAt: new Date(exp * 1000) },
    payload,
    mac,
  };
}

/** Constant-time comparison of two MACs. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function verifyToken(token: string, mac: (payload: Uint8Array) => Uint8Array, now: Date): TokenCheck {
  const t = peekToken(token);
  if (!t) return { ok: false, reason: 'malformed' };
  if (!sameBytes(mac(t.payload).slice(0, TOKEN_MAC_BYTES), t.mac)) return { ok: false, reason: 'forged' };
  if (t.claims.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired', claims: t.claims };
  return { ok: true, claims: t.claims };
}

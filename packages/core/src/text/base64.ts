// base64 without Buffer: core stays platform-neutral.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INV = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INV[B64.charCodeAt(i)] = i;

export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    chunk += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4)];
    chunk += i + 1 < bytes.length ? B64[((b & 15) << 2) | (c >> 6)] : '=';
    chunk += i + 2 < bytes.length ? B64[c & 63] : '=';
    if (chunk.length > 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

export function fromBase64(s: string): Uint8Array {
  let len = (s.length / 4) * 3;
  if (s.endsWith('==')) len -= 2;
  else if (s.endsWith('=')) len -= 1;
  const out = new Uint8Array(len);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const a = B64_INV[s.charCodeAt(i)];
    const b = B64_INV[s.charCodeAt(i + 1)];
    const c = B64_INV[s.charCodeAt(i + 2)];
    const d = B64_INV[s.charCodeAt(i + 3)];
    out[o++] = (a << 2) | (b >> 4);
    if (c >= 0 && o < len) out[o++] = ((b & 15) << 4) | (c >> 2);
    if (d >= 0 && o < len) out[o++] = ((c & 3) << 6) | d;
  }
  return out;
}

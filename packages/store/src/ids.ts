import { randomFillSync } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): time-ordered, so new rows land at the right-hand edge of primary-key
 * indexes instead of scattering across them — cheaper bulk ingestion than random v4 ids.
 */
// Random bytes come from a pool refilled 64 KiB at a time: one syscall per ~6,000 ids
// instead of one per id (it showed in ingestion profiles).
const pool = Buffer.alloc(65536);
let poolAt = pool.length;
function random10(): Buffer {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = pool.subarray(poolAt, poolAt + 10);
  poolAt += 10;
  return b;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

let lastMs = 0;
let seq = 0;
export function uuidv7(now = Date.now()): string {
  // A 12-bit sequence keeps ids created in the same millisecond in order.
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs++;
    now = lastMs;
  } else {
    lastMs = now;
    seq = 0;
  }
  const r = random10();
  const h = (x: number) => HEX[x & 0xff];
  const ms = now;
  const hi = Math.floor(ms / 2 ** 16);
  return (
    h(hi >>> 24) +
    h(hi >>> 16) +
    h(hi >>> 8) +
    h(hi) +
    '-' +
    h(ms >>> 8) +
    h(ms) +
    '-' +
    h(0x70 | (seq >>> 8)) +
    h(seq) +
    '-' +
    h((r[0] & 0x3f) | 0x80) +
    h(r[1]) +
    '-' +
    h(r[2]) +
    h(r[3]) +
    h(r[4]) +
    h(r[5]) +
    h(r[6]) +
    h(r[7])
  );
}

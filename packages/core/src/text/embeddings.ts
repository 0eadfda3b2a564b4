import { fromBase64 } from './base64.js';
import {
  WV_BITS,
  WV_CLUSTERS,
  WV_DENSE_WORDS,
  WV_DEPTH,
  WV_DIM,
  WV_SCALE,
  WV_VECTORS,
  WV_WORDS,
} from './word-vectors.js';

/**
 * Word representations learned on large unlabelled text (GloVe 6B 100d, see word-vectors.ts and
 * NOTICE), for the trainable classifiers: a word's cluster path (bisecting k-means, WV_DEPTH bits:
 * the d-bit prefix is its cluster among 2^d) and, where shipped, its quantised unit vector (4 or 8
 * bits a component). Decoded on
 * first use, not at import.
 */

export const CLUSTER_DEPTH = WV_DEPTH;
export const VECTOR_DIM = WV_DIM;

interface Decoded {
  index: Map<string, number>;
  clusters: Uint16Array;
  vectors: Int8Array;
}
let decoded: Decoded | undefined;

function decode(): Decoded {
  if (decoded) return decoded;
  const index = new Map<string, number>();
  let start = 0;
  let i = 0;
  while (start < WV_WORDS.length) {
    let end = WV_WORDS.indexOf(' ', start);
    if (end < 0) end = WV_WORDS.length;
    index.set(WV_WORDS.slice(start, end), i++);
    start = end + 1;
  }
  const cb = fromBase64(WV_CLUSTERS);
  const clusters = new Uint16Array(cb.length / 2);
  for (let k = 0; k < clusters.length; k++) clusters[k] = cb[2 * k] | (cb[2 * k + 1] << 8);
  const vb = fromBase64(WV_VECTORS);
  let vectors: Int8Array;
  if (WV_BITS === 4) {
    vectors = new Int8Array(WV_DENSE_WORDS * WV_DIM);
    for (let k = 0; k < vectors.length; k++) vectors[k] = ((vb[k >> 1] >> ((k & 1) * 4)) & 15) - 8;
  } else vectors = new Int8Array(vb.buffer, vb.byteOffset, vb.byteLength);
  decoded = { index, clusters, vectors };
  return decoded;
}

/** Number of words with a cluster. */
export function vocabularySize(): number {
  return decode().index.size;
}

/** Words with a shipped vector (the most frequent ones). */
export function vectorVocabularySize(): number {
  return WV_DENSE_WORDS;
}

/** Position of a lower-case word in the vocabulary (most frequent first), −1 when absent. */
export function wordIndex(lower: string): number {
  return decode().index.get(lower) ?? -1;
}

/** The word's full cluster path (CLUSTER_DEPTH bits), −1 when it is not in the vocabulary. */
export function wordCluster(lower: string): number {
  const d = decode();
  const i = d.index.get(lower);
  return i === undefined ? -1 : d.clusters[i];
}

/**
 * Adds the word's unit vector × `w` into `out` (length VECTOR_DIM); false when it has none.
 */
export function addWordVector(lower: string, w: number, out: Float64Array): boolean {
  const d = decode();
  const i = d.index.get(lower);
  if (i === undefined || i >= WV_DENSE_WORDS) return false;
  const v = d.vectors;
  const base = i * WV_DIM;
  const s = w * WV_SCALE;
  for (let k = 0; k < WV_DIM; k++) out[k] += v[base + k] * s;
  return true;
}

import { analyseSentiment, labelFor, type SentimentDetail, squash } from './sentiment.js';
import { DEFAULT_TAXONOMY } from './taxonomy.js';
import { type Token, TokenKind, tokenize } from './tokenize.js';
import type { Taxonomy, TopicMention } from './types.js';
import { W_AND, W_AND_FOLLOWER, W_SPLIT, type WordInfo, wordInfo } from './words.js';

interface PhraseEntry {
  stems: string[];
  topic: number;
  /** A "~" phrase: counts only beside another mention of its family (see TaxonomyTopic.phrases). */
  qualifier: boolean;
}

/** A taxonomy compiled for matching: phrases indexed by their first stemmed token. */
export interface CompiledTaxonomy {
  taxonomy: Taxonomy;
  keys: string[];
  /** Ancestors of each topic (indices). */
  ancestors: number[][];
  /** Each topic's family: its top-level ancestor (itself for a top-level topic). */
  family: number[];
  /** A phrase inside a longer phrase of another topic yields to it (off only for FEATURE_TAXONOMY). */
  longestMatch: boolean;
  index: Map<string, PhraseEntry[]>;
}

const CACHE = new WeakMap<Taxonomy, CompiledTaxonomy>();
const CACHE_ALL_MATCHES = new WeakMap<Taxonomy, CompiledTaxonomy>();

function tokenStem(t: Token, w: WordInfo): string {
  return t.kind === TokenKind.Word || t.kind === TokenKind.Hashtag ? w.stem : t.lower;
}

/**
 * `longestMatch: false` keeps every phrase match, as matching did before that rule: what trained
 * classifiers' topic features read (feature-taxonomy.ts).
 */
export function compileTaxonomy(taxonomy: Taxonomy, o: { longestMatch?: boolean } = {}): CompiledTaxonomy {
  const longestMatch = o.longestMatch ?? true;
  const cache = longestMatch ? CACHE : CACHE_ALL_MATCHES;
  const hit = cache.get(taxonomy);
  if (hit) return hit;
  const keys = taxonomy.topics.map((x) => x.key);
  const byKey = new Map(keys.map((k, i) => [k, i]));
  const ancestors = taxonomy.topics.map((x) => {
    const out: number[] = [];
    let p = x.parent;
    const seen = new Set<string>();
    while (p && byKey.has(p) && !seen.has(p)) {
      seen.add(p);
      const i = byKey.get(p)!;
      out.push(i);
      p = taxonomy.topics[i].parent;
    }
    return out;
  });
  const family = ancestors.map((a, i) => (a.length ? a[a.length - 1] : i));
  const index = new Map<string, PhraseEntry[]>();
  taxonomy.topics.forEach((topic, ti) => {
    const seen = new Set<string>();
    for (const phrase of topic.phrases) {
      const qualifier = phrase.startsWith('~');
      const ptoks = tokenize((qualifier ? phrase.slice(1) : phrase).toLowerCase());
      const stems = ptoks.map((t) => tokenStem(t, wordInfo(t.lower)));
      if (stems.length === 0) continue;
      const id = stems.join(' ');
      if (seen.has(id)) continue;
      seen.add(id);
      const list = index.get(stems[0]) ?? [];
      list.push({ stems, topic: ti, qualifier });
      index.set(stems[0], list);
    }
  });
  for (const list of index.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  const c = { taxonomy, keys, ancestors, family, longestMatch, index };
  cache.set(taxonomy, c);
  return c;
}

interface RawMention {
  topic: number;
  from: number;
  to: number;
  sentence: number;
  qualifier: boolean;
}

const PUNCT_SPLIT = new Set([',', ';', ':', '(', ')', '-', '–', '—']);

function isClauseSplit(tokens: Token[], infos: WordInfo[], j: number): boolean {
  const t = tokens[j];
  if (t.kind === TokenKind.Punct) return PUNCT_SPLIT.has(t.text[0]);
  if (t.kind !== TokenKind.Word) return false;
  const f = infos[j].flags;
  if (f & W_SPLIT) return true;
  if (f & W_AND) return j + 1 < tokens.length && (infos[j + 1].flags & W_AND_FOLLOWER) !== 0;
  return false;
}

/** Clause id of every token (clauses split at sentence ends, commas, "but", "and the" …), numbered across the text. */
export function clauseIds(d: SentimentDetail): Int32Array {
  const out = new Int32Array(d.tokens.length);
  let c = -1;
  for (const [a, b] of d.ranges) {
    c++;
    for (let j = a; j < b; j++) {
      if (j > a && isClauseSplit(d.tokens, d.infos, j)) c++;
      out[j] = c;
    }
  }
  return out;
}

let clauseBuf = new Int32Array(256);
let sumBuf = new Float64Array(64);
let firstTopicBuf = new Int32Array(64);
let multiBuf = new Uint8Array(64);

/** Topic mentions with aspect-level sentiment, from an existing sentiment pass. */
export function topicsFromSentiment(d: SentimentDetail, compiled: CompiledTaxonomy): TopicMention[] {
  const { tokens, infos, ranges, local: contrib } = d;
  const n = tokens.length;
  const stems = new Array<string>(n);
  for (let i = 0; i < n; i++) stems[i] = tokenStem(tokens[i], infos[i]);
  const index = compiled.index;
  const raw: RawMention[] = [];
  for (let si = 0; si < ranges.length; si++) {
    const r = ranges[si];
    const b = r[1];
    for (let i = r[0]; i < b; i++) {
      const cands = index.get(stems[i]);
      if (cands === undefined) continue;
      for (const e of cands) {
        const L = e.stems.length;
        if (i + L > b) continue;
        let ok = true;
        for (let k = 1; k < L; k++) {
          if (stems[i + k] !== e.stems[k]) {
            ok = false;
            break;
          }
        }
        if (ok) raw.push({ topic: e.topic, from: i, to: i + L, sentence: si, qualifier: e.qualifier });
      }
    }
  }
  if (raw.length === 0) return [];
  // One mention per topic and sentence (the first); drop ancestors of topics found in the same
  // sentence, phrases inside a longer phrase of another topic ("prix fixe" is the menu, not a fix),
  // and qualifiers ("~nice") without another mention of their family in the sentence ("nice" is
  // the staff's attitude in "the waiter was nice", not in "nice dress"). Mentions come in sentence
  // order, so each sentence's are one run of `raw`.
  const out: TopicMention[] = [];
  for (let r0 = 0; r0 < raw.length; ) {
    const si = raw[r0].sentence;
    let r1 = r0 + 1;
    while (r1 < raw.length && raw[r1].sentence === si) r1++;
    for (let q = r0; q < r1 && compiled.longestMatch; q++) {
      const m = raw[q];
      for (let o = r0; o < r1; o++) {
        const x = raw[o];
        if (x.topic !== m.topic && x.from <= m.from && x.to >= m.to && x.to - x.from > m.to - m.from) {
          m.topic = -1;
          break;
        }
      }
    }
    for (let q = r0; q < r1; q++) {
      const m = raw[q];
      if (m.topic < 0 || !m.qualifier) continue;
      const fam = compiled.family[m.topic];
      let backed = false;
      for (let o = r0; o < r1 && !backed; o++) {
        const x = raw[o];
        backed = x.topic >= 0 && !x.qualifier && compiled.family[x.topic] === fam;
      }
      if (!backed) m.topic = -1;
    }
    const drop: number[] = [];
    for (let q = r0; q < r1; q++)
      if (raw[q].topic >= 0) for (const anc of compiled.ancestors[raw[q].topic]) drop.push(anc);
    const first: RawMention[] = [];
    for (let q = r0; q < r1; q++) {
      const m = raw[q];
      if (m.topic < 0 || drop.includes(m.topic)) continue;
      let seen = false;
      for (const f of first) if (f.topic === m.topic) seen = true;
      if (!seen) first.push(m);
    }
    r0 = r1;
    const [a, b] = ranges[si];
    // Clause ids for the sentence.
    if (clauseBuf.length < b - a) clauseBuf = new Int32Array(2 * (b - a));
    const clause = clauseBuf;
    let c = 0;
    for (let j = a; j < b; j++) {
      if (j > a && isClauseSplit(tokens, infos, j)) c++;
      clause[j - a] = c;
    }
    const nClauses = c + 1;
    if (sumBuf.length < nClauses) {
      sumBuf = new Float64Array(2 * nClauses);
      firstTopicBuf = new Int32Array(2 * nClauses);
      multiBuf = new Uint8Array(2 * nClauses);
    }
    const clauseSum = sumBuf;
    const clauseTopic = firstTopicBuf;
    const clauseMulti = multiBuf;
    for (let k = 0; k < nClauses; k++) {
      clauseSum[k] = 0;
      clauseTopic[k] = -1;
      clauseMulti[k] = 0;
    }
    for (let j = a; j < b; j++) clauseSum[clause[j - a]] += contrib[j];
    for (const m of first) {
      const cl = clause[m.from - a];
      if (clauseTopic[cl] === -1) clauseTopic[cl] = m.topic;
      else if (clauseTopic[cl] !== m.topic) clauseMulti[cl] = 1;
    }
    for (const m of first) {
      const cl = clause[m.from - a];
      let v = clauseSum[cl];
      if (v === 0) {
        // No opinion in the mention's own clause: borrow from clauses that mention no other topic
        // (nearer clauses weigh more), e.g. "the food and the wine, all excellent".
        let acc = 0;
        for (let k = 0; k < nClauses; k++) {
          if (k === cl || clauseSum[k] === 0) continue;
          if (clauseMulti[k] === 1 || (clauseTopic[k] !== -1 && clauseTopic[k] !== m.topic)) continue;
          acc += clauseSum[k] / (1 + Math.abs(k - cl) * 0.5);
        }
        v = acc;
      }
      const score = squash(v);
      out.push({
        topic: compiled.keys[m.topic],
        sentiment: { score, label: labelFor(score) },
        start: tokens[m.from].start,
        end: tokens[m.to - 1].end,
      });
    }
  }
  if (out.length > 1) out.sort((x, y) => x.start - y.start);
  return out;
}

/** Topics of the taxonomy mentioned in a text, each with its own (aspect) sentiment and span. */
export function detectTopics(text: string, taxonomy: Taxonomy = DEFAULT_TAXONOMY): TopicMention[] {
  return topicsFromSentiment(analyseSentiment(text), compileTaxonomy(taxonomy));
}

/**
 * What finds topics with a taxonomy and an org's topic model, as a short mark stored with each
 * analysis (migration 022): a hash of the topics' keys, parents and phrases (labels, 7P and owners
 * change no mention, so editing them leaves stored texts current), and the model's id or '-'.
 */
export function topicsConfigMark(taxonomy: Taxonomy, topicModelId: string | undefined): string {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  const mix = (str: string) => {
    for (let i = 0; i < str.length; i++) {
      const c = str.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
    }
  };
  for (const t of taxonomy.topics) {
    mix(t.key);
    mix('\u0001');
    mix(t.parent ?? '');
    mix('\u0001');
    for (const ph of t.phrases) {
      mix(ph);
      mix('\u0002');
    }
    mix('\u0003');
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  return `${hex(a)}${hex(b)}|${topicModelId ?? '-'}`;
}

import { analyseSentiment, labelFor, type SentimentDetail, squash } from './sentiment.js';
import { DEFAULT_TAXONOMY } from './taxonomy.js';
import { stem, type Token, TokenKind, tokenize } from './tokenize.js';
import type { Taxonomy, TopicMention } from './types.js';

interface PhraseEntry {
  stems: string[];
  topic: number;
}

/** A taxonomy compiled for matching: phrases indexed by their first stemmed token. */
export interface CompiledTaxonomy {
  taxonomy: Taxonomy;
  keys: string[];
  /** Ancestors of each topic (indices). */
  ancestors: number[][];
  index: Map<string, PhraseEntry[]>;
}

const CACHE = new WeakMap<Taxonomy, CompiledTaxonomy>();

const STEMS = new Map<string, string>();
function tokenStem(t: Token): string {
  if (t.kind !== TokenKind.Word && t.kind !== TokenKind.Hashtag) return t.lower;
  let s = STEMS.get(t.lower);
  if (s === undefined) {
    if (STEMS.size > 200_000) STEMS.clear();
    s = stem(t.lower);
    STEMS.set(t.lower, s);
  }
  return s;
}

export function compileTaxonomy(taxonomy: Taxonomy): CompiledTaxonomy {
  const hit = CACHE.get(taxonomy);
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
  const index = new Map<string, PhraseEntry[]>();
  taxonomy.topics.forEach((topic, ti) => {
    const seen = new Set<string>();
    for (const phrase of topic.phrases) {
      const stems = tokenize(phrase.toLowerCase()).map(tokenStem);
      if (stems.length === 0) continue;
      const id = stems.join(' ');
      if (seen.has(id)) continue;
      seen.add(id);
      const list = index.get(stems[0]) ?? [];
      list.push({ stems, topic: ti });
      index.set(stems[0], list);
    }
  });
  for (const list of index.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  const c = { taxonomy, keys, ancestors, index };
  CACHE.set(taxonomy, c);
  return c;
}

interface RawMention {
  topic: number;
  from: number;
  to: number;
  sentence: number;
}

const SPLIT_WORDS = new Set([
  'but',
  'however',
  'although',
  'though',
  'yet',
  'whereas',
  'while',
  'whilst',
  'except',
  'plus',
]);
const AND_FOLLOWERS = new Set([
  'the', 'a', 'an', 'our', 'my', 'their', 'his', 'her', 'its', 'it', 'they', 'we', 'i', 'he', 'she', 'this', 'that',
  'these', 'those', 'everything', 'service', 'staff', 'food', 'then', 'was', 'were', 'is', 'are', 'had', 'has', 'very',
]); // biome-ignore format: list

function isClauseSplit(tokens: Token[], j: number): boolean {
  const t = tokens[j];
  if (t.kind === TokenKind.Punct) return /^[,;:()\-–—]/.test(t.text);
  if (t.kind !== TokenKind.Word) return false;
  if (SPLIT_WORDS.has(t.lower)) return true;
  if (t.lower === 'and' || t.lower === 'with' || t.lower === 'so') {
    const nx = tokens[j + 1];
    return nx !== undefined && AND_FOLLOWERS.has(nx.lower);
  }
  return false;
}

/** Topic mentions with aspect-level sentiment, from an existing sentiment pass. */
export function topicsFromSentiment(d: SentimentDetail, compiled: CompiledTaxonomy): TopicMention[] {
  const { tokens, ranges, local: contrib } = d;
  const stems = tokens.map(tokenStem);
  const raw: RawMention[] = [];
  for (let si = 0; si < ranges.length; si++) {
    const [a, b] = ranges[si];
    for (let i = a; i < b; i++) {
      const cands = compiled.index.get(stems[i]);
      if (!cands) continue;
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
        if (ok) raw.push({ topic: e.topic, from: i, to: i + L, sentence: si });
      }
    }
  }
  if (raw.length === 0) return [];
  // One mention per topic and sentence (the first); drop ancestors of topics found in the same sentence.
  const out: TopicMention[] = [];
  const bySentence = new Map<number, RawMention[]>();
  for (const m of raw) {
    const l = bySentence.get(m.sentence) ?? [];
    l.push(m);
    bySentence.set(m.sentence, l);
  }
  for (const [si, ms] of bySentence) {
    const present = new Set(ms.map((m) => m.topic));
    const drop = new Set<number>();
    for (const tIdx of present) for (const anc of compiled.ancestors[tIdx]) drop.add(anc);
    const first = new Map<number, RawMention>();
    for (const m of ms) if (!drop.has(m.topic) && !first.has(m.topic)) first.set(m.topic, m);
    const [a, b] = ranges[si];
    // Clause ids for the sentence.
    const clause = new Int32Array(b - a);
    let c = 0;
    for (let j = a; j < b; j++) {
      if (j > a && isClauseSplit(tokens, j)) c++;
      clause[j - a] = c;
    }
    const nClauses = c + 1;
    const clauseSum = new Float64Array(nClauses);
    for (let j = a; j < b; j++) clauseSum[clause[j - a]] += contrib[j];
    const clauseTopics = new Map<number, Set<number>>();
    for (const m of first.values()) {
      const cl = clause[m.from - a];
      const s = clauseTopics.get(cl) ?? new Set<number>();
      s.add(m.topic);
      clauseTopics.set(cl, s);
    }
    for (const m of first.values()) {
      const cl = clause[m.from - a];
      let v = clauseSum[cl];
      if (v === 0) {
        // No opinion in the mention's own clause: borrow from clauses that mention no other topic
        // (nearer clauses weigh more), e.g. "the food and the wine, all excellent".
        let acc = 0;
        for (let k = 0; k < nClauses; k++) {
          if (k === cl || clauseSum[k] === 0) continue;
          const others = clauseTopics.get(k);
          if (others && !(others.size === 1 && others.has(m.topic))) continue;
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
  return out.sort((x, y) => x.start - y.start);
}

/** Topics of the taxonomy mentioned in a text, each with its own (aspect) sentiment and span. */
export function detectTopics(text: string, taxonomy: Taxonomy = DEFAULT_TAXONOMY): TopicMention[] {
  return topicsFromSentiment(analyseSentiment(text), compileTaxonomy(taxonomy));
}

import {
  BOOSTERS,
  CONCESSIVE,
  CONTRAST_AFTER,
  EMOJI,
  EMOTICONS,
  IDIOMS,
  LEXICON,
  NEGATORS,
  PHRASE_BOOSTERS,
} from './lexicon.js';
import { sentenceRanges, type Token, TokenKind, tokenize } from './tokenize.js';
import type { SentenceSentiment, Sentiment, SentimentLabel } from './types.js';

/**
 * Lexicon-and-rules sentiment (VADER-style, reimplemented for speed and customer-service text).
 * Rules: idioms first ("still waiting", "not bad", "never again"), negation within four tokens
 * (×−0.74, stopping at clause punctuation), intensifiers/dampeners with distance decay, ALL-CAPS
 * and elongation ("sooo") emphasis, contrast ("X but Y": X×0.5, Y×1.5; "although X, Y": X×0.5),
 * exclamation emphasis, questions dampened, emoji and emoticons. Scores are squashed to −1..1.
 *
 * The constants below were tuned on the development splits (TweetEval validation for the
 * neutral band, the CC0 clothing reviews for the length normalisation); see eval-text.ts.
 */
export const SENTIMENT_PARAMS = {
  negationScalar: -0.74,
  capsBoost: 0.733,
  elongationBoost: 0.3,
  exclamationBoost: 0.292,
  questionScale: 0.8,
  contrastBefore: 0.5,
  contrastAfter: 1.5,
  concessiveScale: 0.5,
  /** Squash: raw / sqrt(raw² + alpha). */
  alpha: 15,
  /** Labels: score ≥ positiveAt → positive; ≤ −negativeAt → negative; else neutral. */
  positiveAt: 0.4,
  negativeAt: 0.1,
};

export interface SentimentResult extends Sentiment {
  sentences: SentenceSentiment[];
}

/** Everything the other analysers need from one sentiment pass. */
export interface SentimentDetail extends SentimentResult {
  tokens: Token[];
  ranges: [number, number][];
  /** Valence contributed at each token (0 where none), after negation/boosting/contrast. */
  contrib: Float64Array;
  /** The same before contrast/concession weighting: what each clause says on its own (for aspects). */
  local: Float64Array;
  /** Sum of contributions (before squashing). */
  raw: number;
}

interface IdiomEntry {
  toks: string[];
  v: number;
  booster: number;
}
const IDIOM_INDEX: Map<string, IdiomEntry[]> = new Map();
for (const [phrase, v] of Object.entries(IDIOMS)) {
  const toks = tokenize(phrase).map((t) => t.lower);
  const list = IDIOM_INDEX.get(toks[0]) ?? [];
  list.push({ toks, v, booster: PHRASE_BOOSTERS[phrase] ?? 0 });
  IDIOM_INDEX.set(toks[0], list);
}
for (const list of IDIOM_INDEX.values()) list.sort((a, b) => b.toks.length - a.toks.length);

const DECAY = [1, 0.95, 0.9, 0.85];

export function labelFor(score: number): SentimentLabel {
  if (score >= SENTIMENT_PARAMS.positiveAt) return 'positive';
  if (score <= -SENTIMENT_PARAMS.negativeAt) return 'negative';
  return 'neutral';
}

export function squash(raw: number, alpha = SENTIMENT_PARAMS.alpha): number {
  return raw === 0 ? 0 : raw / Math.sqrt(raw * raw + alpha);
}

function isUpperWord(s: string): boolean {
  if (s.length < 2) return false;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) return false;
    if (c >= 65 && c <= 90) letters++;
  }
  return letters >= 2;
}

function hasTriple(s: string): boolean {
  for (let i = 2; i < s.length; i++) if (s[i] === s[i - 1] && s[i] === s[i - 2]) return true;
  return false;
}

/** Lexicon valence of one token, or 0; sets `elongated` when found only after collapsing letters. */
function valenceOf(t: Token): { v: number; elongated: boolean } {
  if (t.kind === TokenKind.Word || t.kind === TokenKind.Hashtag) {
    let v = LEXICON.get(t.lower);
    if (v !== undefined) return { v, elongated: false };
    if (hasTriple(t.lower)) {
      const two = t.lower.replace(/(.)\1{2,}/g, '$1$1');
      v = LEXICON.get(two) ?? LEXICON.get(two.replace(/(.)\1/g, '$1'));
      if (v !== undefined) return { v, elongated: true };
    }
    return NO_VALENCE;
  }
  if (t.kind === TokenKind.Emoji) {
    const v = EMOJI[t.lower] ?? EMOJI[t.lower.slice(0, 2)] ?? EMOJI[t.lower.slice(0, 1)];
    return v === undefined ? NO_VALENCE : { v, elongated: false };
  }
  if (t.kind === TokenKind.Emoticon) {
    const low = t.text.toLowerCase();
    // ":)))" → ":)", ":-((" → ":-(".
    const v =
      EMOTICONS[low] ??
      LEXICON.get(t.text) ??
      LEXICON.get(low) ??
      LEXICON.get(t.text.replace(/(.)\1+$/, '$1')) ??
      LEXICON.get(t.text.slice(0, 2));
    return v === undefined ? NO_VALENCE : { v, elongated: false };
  }
  return NO_VALENCE;
}
const NO_VALENCE = { v: 0, elongated: false };

function isClauseBreak(t: Token): boolean {
  if (t.kind !== TokenKind.Punct) return false;
  const c = t.text[0];
  return c === ',' || c === ';' || c === ':' || c === '.' || c === '!' || c === '?' || c === '(' || c === ')';
}

/** Apply boosters and negation found in the three tokens before `i` (stopping at clause breaks). */
function modify(tokens: Token[], from: number, i: number, v: number, boosts: Float64Array): number {
  let out = v;
  let negated = false;
  let k = 0;
  for (let j = i - 1; j >= from && k < 4; j--) {
    const p = tokens[j];
    if (isClauseBreak(p)) break;
    if (p.kind !== TokenKind.Word) continue;
    if (CONTRAST_AFTER.has(p.lower)) break;
    const b = BOOSTERS.get(p.lower) ?? boosts[j];
    if (b) out += (out > 0 ? b : -b) * DECAY[k];
    if (NEGATORS.has(p.lower) || p.lower.endsWith("n't")) {
      // "not only", "no doubt" are not negations of what follows.
      const nx = tokens[j + 1]?.lower;
      if (!(nx === 'only' || nx === 'doubt' || nx === 'wonder')) negated = !negated;
    }
    k++;
  }
  return negated ? out * SENTIMENT_PARAMS.negationScalar : out;
}

export function analyseSentiment(text: string, tokens: Token[] = tokenize(text)): SentimentDetail {
  const ranges = sentenceRanges(text, tokens);
  const n = tokens.length;
  const contrib = new Float64Array(n);
  const boosts = new Float64Array(n);
  const local = new Float64Array(n);
  const P = SENTIMENT_PARAMS;
  const sentences: SentenceSentiment[] = [];
  let total = 0;
  let words = 0;
  let capsWords = 0;
  for (const t of tokens) {
    if (t.kind === TokenKind.Word && t.text.length > 1) {
      words++;
      if (isUpperWord(t.text)) capsWords++;
    }
  }
  const capsDiff = capsWords > 0 && capsWords < words;
  for (const [a, b] of ranges) {
    let i = a;
    while (i < b) {
      const t = tokens[i];
      // Idioms (longest first).
      const cands = t.kind === TokenKind.Word ? IDIOM_INDEX.get(t.lower) : undefined;
      let matched = 0;
      if (cands) {
        for (const e of cands) {
          const L = e.toks.length;
          if (i + L > b) continue;
          let ok = true;
          for (let k = 1; k < L; k++) {
            if (tokens[i + k].lower !== e.toks[k]) {
              ok = false;
              break;
            }
          }
          if (!ok) continue;
          matched = L;
          if (e.booster) boosts[i + L - 1] = e.booster;
          else if (e.v !== 0) {
            // A negator inside the idiom itself is already accounted for.
            contrib[i] = NEGATORS.has(e.toks[0]) ? e.v : modify(tokens, a, i, e.v, boosts);
          }
          break;
        }
      }
      if (matched) {
        i += matched;
        continue;
      }
      if (BOOSTERS.has(t.lower) || NEGATORS.has(t.lower)) {
        // "no" before a sentiment word is a negator, not a sentiment of its own.
        const nx = tokens[i + 1];
        if (!(t.lower === 'no' && (!nx || !LEXICON.has(nx.lower)))) {
          i++;
          continue;
        }
      }
      const { v, elongated } = valenceOf(t);
      if (v !== 0) {
        let x = v;
        if (capsDiff && t.kind === TokenKind.Word && isUpperWord(t.text)) x += x > 0 ? P.capsBoost : -P.capsBoost;
        if (elongated) x += x > 0 ? P.elongationBoost : -P.elongationBoost;
        if (t.kind === TokenKind.Word || t.kind === TokenKind.Hashtag) x = modify(tokens, a, i, x, boosts);
        contrib[i] = x;
      }
      i++;
    }
    for (let j = a; j < b; j++) local[j] = contrib[j];
    // Contrast and concession within the sentence.
    for (let j = a; j < b; j++) {
      const t = tokens[j];
      if (t.kind !== TokenKind.Word) continue;
      if (CONTRAST_AFTER.has(t.lower) && j > a && !(t.lower === 'though' && j === a)) {
        for (let k = a; k < j; k++) contrib[k] *= P.contrastBefore;
        for (let k = j + 1; k < b; k++) contrib[k] *= P.contrastAfter;
        break;
      }
      if (CONCESSIVE.has(t.lower) && j <= a + 1) {
        let k = j + 1;
        while (k < b && !(tokens[k].kind === TokenKind.Punct && tokens[k].text === ',')) k++;
        if (k < b) for (let q = j + 1; q < k; q++) contrib[q] *= P.concessiveScale;
        break;
      }
    }
    let raw = 0;
    for (let j = a; j < b; j++) raw += contrib[j];
    // Punctuation emphasis.
    const last = tokens[b - 1];
    if (raw !== 0 && last.kind === TokenKind.Punct) {
      let ex = 0;
      let q = 0;
      for (const ch of last.text) {
        if (ch === '!') ex++;
        else if (ch === '?') q++;
      }
      if (ex > 0) raw += (raw > 0 ? 1 : -1) * Math.min(ex, 4) * P.exclamationBoost;
      else if (q > 0) raw *= P.questionScale;
    }
    total += raw;
    const score = squash(raw);
    sentences.push({ score, label: labelFor(score), start: tokens[a].start, end: tokens[b - 1].end });
  }
  const score = squash(total);
  return { score, label: labelFor(score), sentences, tokens, ranges, contrib, local, raw: total };
}

/** Sentiment of a text (−1..1 and label) with per-sentence scores and offsets. */
export function scoreSentiment(text: string): SentimentResult {
  const d = analyseSentiment(text);
  return { score: d.score, label: d.label, sentences: d.sentences };
}

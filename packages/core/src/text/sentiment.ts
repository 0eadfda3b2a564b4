import { polarityOf } from './classifier.js';
import { EMOJI, EMOTICONS, LEXICON } from './lexicon.js';
import { SENTIMENT_MODEL } from './sentiment-model.js';
import { sentenceRanges, type Token, TokenKind, tokenize } from './tokenize.js';
import type { SentenceSentiment, Sentiment, SentimentLabel } from './types.js';
import {
  type IdiomEntry,
  tokenInfos,
  W_AUX,
  W_BOOSTER,
  W_COMPARATIVE,
  W_CONCESSIVE,
  W_CONTRAST,
  W_MODAL,
  W_NEGATES,
  W_NEGATOR,
  W_NOT_NEGATED,
  W_WISH,
  type WordInfo,
} from './words.js';

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
  /**
   * Weight of the shipped review-sentiment model (sentiment-model.ts, a linear model over words,
   * bigrams and the lexicon features, trained on CC0 clothing reviews): the text score is
   * squash(lexicon) + modelWeight × (P(positive) − P(negative)), clamped to −1..1. 0 turns it off
   * (as when that model is retrained). Sentence scores stay lexicon-only.
   */
  modelWeight: 0.1,
};

export interface SentimentResult extends Sentiment {
  sentences: SentenceSentiment[];
}

/** Everything the other analysers need from one sentiment pass. */
export interface SentimentDetail extends SentimentResult {
  tokens: Token[];
  /** Cached facts per token (lexicon, stems, markers). */
  infos: WordInfo[];
  ranges: [number, number][];
  /** Valence contributed at each token (0 where none), after negation/boosting/contrast. */
  contrib: Float64Array;
  /** The same before contrast/concession weighting: what each clause says on its own (for aspects). */
  local: Float64Array;
  /** Sum of contributions (before squashing). */
  raw: number;
}

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

/** Valence of an emoji or emoticon token, or 0. */
function symbolValence(t: Token): number {
  if (t.kind === TokenKind.Emoji)
    return EMOJI[t.lower] ?? EMOJI[t.lower.slice(0, 2)] ?? EMOJI[t.lower.slice(0, 1)] ?? 0;
  const low = t.text.toLowerCase();
  // ":)))" → ":)", ":-((" → ":-(".
  return (
    EMOTICONS[low] ??
    LEXICON.get(t.text) ??
    LEXICON.get(low) ??
    LEXICON.get(t.text.replace(/(.)\1+$/, '$1')) ??
    LEXICON.get(t.text.slice(0, 2)) ??
    0
  );
}

function isClauseBreak(t: Token): boolean {
  if (t.kind !== TokenKind.Punct) return false;
  const c = t.text[0];
  return c === ',' || c === ';' || c === ':' || c === '.' || c === '!' || c === '?' || c === '(' || c === ')';
}

/** Apply boosters and negation found in the three tokens before `i` (stopping at clause breaks). */
function modify(tokens: Token[], infos: WordInfo[], from: number, i: number, v: number, boosts: Float64Array): number {
  let out = v;
  let negated = false;
  let k = 0;
  for (let j = i - 1; j >= from && k < 4; j--) {
    const p = tokens[j];
    if (p.kind !== TokenKind.Word) {
      if (isClauseBreak(p)) break;
      continue;
    }
    const w = infos[j];
    if (w.flags & W_CONTRAST) break;
    const b = w.booster || boosts[j];
    if (b) out += (out > 0 ? b : -b) * DECAY[k];
    if (w.flags & W_NEGATES) {
      // "not only", "no doubt" are not negations of what follows.
      const nx = infos[j + 1];
      if (!(nx && nx.flags & W_NOT_NEGATED)) negated = !negated;
    }
    k++;
  }
  return negated ? out * SENTIMENT_PARAMS.negationScalar : out;
}

/**
 * A comparative said of what did not happen reads the other way round: "could have been (a lot)
 * better", "should be cheaper", "I expected better", "was hoping for more friendly staff" are
 * complaints; "couldn't be better", "could have been worse" are praise (with the negation, applied
 * before). The comparative is the sentiment word itself or a "more"/"less" just before it; the
 * trigger is a modal followed by be/have, or a wish/expectation, within six words in the clause.
 */
function counterfactual(tokens: Token[], infos: WordInfo[], from: number, i: number): boolean {
  let comparative = (infos[i].flags & W_COMPARATIVE) !== 0;
  let k = 0;
  let sawAux = false;
  for (let j = i - 1; j >= from && k < 6; j--) {
    const p = tokens[j];
    if (p.kind !== TokenKind.Word) {
      if (isClauseBreak(p)) return false;
      continue;
    }
    const f = infos[j].flags;
    if (f & W_CONTRAST) return false;
    if (k < 2 && f & W_COMPARATIVE) comparative = true;
    if (f & W_AUX) sawAux = true;
    if (comparative && f & W_WISH) return true;
    // "could've" carries its own auxiliary.
    if (comparative && f & W_MODAL && (sawAux || p.lower.endsWith('ve'))) return true;
    k++;
  }
  return false;
}

function matchIdiom(tokens: Token[], i: number, b: number, cands: IdiomEntry[]): IdiomEntry | undefined {
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
    if (ok) return e;
  }
  return undefined;
}

export function analyseSentiment(
  text: string,
  tokens: Token[] = tokenize(text),
  infos: WordInfo[] = tokenInfos(tokens),
): SentimentDetail {
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
      if (t.lower !== t.text && isUpperWord(t.text)) capsWords++;
    }
  }
  const capsDiff = capsWords > 0 && capsWords < words;
  for (const [a, b] of ranges) {
    let i = a;
    while (i < b) {
      const t = tokens[i];
      const w = infos[i];
      // Idioms (longest first).
      if (w.idioms !== undefined && t.kind === TokenKind.Word) {
        const e = matchIdiom(tokens, i, b, w.idioms);
        if (e) {
          const L = e.toks.length;
          if (e.booster) boosts[i + L - 1] = e.booster;
          else if (e.v !== 0) {
            // A negator inside the idiom itself is already accounted for.
            contrib[i] = w.flags & W_NEGATOR ? e.v : modify(tokens, infos, a, i, e.v, boosts);
          }
          i += L;
          continue;
        }
      }
      if (w.flags & (W_BOOSTER | W_NEGATOR)) {
        // "no" before a sentiment word is a negator, not a sentiment of its own.
        if (!(t.lower === 'no' && (i + 1 >= n || !infos[i + 1].inLexicon))) {
          i++;
          continue;
        }
      }
      let x = 0;
      if (t.kind === TokenKind.Word || t.kind === TokenKind.Hashtag) {
        if (w.v !== 0) {
          x = w.v;
          if (capsDiff && t.kind === TokenKind.Word && t.lower !== t.text && isUpperWord(t.text))
            x += x > 0 ? P.capsBoost : -P.capsBoost;
          if (w.elongated) x += x > 0 ? P.elongationBoost : -P.elongationBoost;
          x = modify(tokens, infos, a, i, x, boosts);
          if (x !== 0 && counterfactual(tokens, infos, a, i)) x *= P.negationScalar;
        }
      } else if (t.kind === TokenKind.Emoji || t.kind === TokenKind.Emoticon) {
        x = symbolValence(t);
      }
      if (x !== 0) contrib[i] = x;
      i++;
    }
    for (let j = a; j < b; j++) local[j] = contrib[j];
    // Contrast and concession within the sentence.
    for (let j = a; j < b; j++) {
      const t = tokens[j];
      if (t.kind !== TokenKind.Word) continue;
      const f = infos[j].flags;
      if (f & W_CONTRAST && j > a) {
        for (let k = a; k < j; k++) contrib[k] *= P.contrastBefore;
        for (let k = j + 1; k < b; k++) contrib[k] *= P.contrastAfter;
        break;
      }
      if (f & W_CONCESSIVE && j <= a + 1) {
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
      for (let c = 0; c < last.text.length; c++) {
        const ch = last.text.charCodeAt(c);
        if (ch === 33) ex++;
        else if (ch === 63) q++;
      }
      if (ex > 0) raw += (raw > 0 ? 1 : -1) * Math.min(ex, 4) * P.exclamationBoost;
      else if (q > 0) raw *= P.questionScale;
    }
    total += raw;
    const score = squash(raw);
    sentences.push({ score, label: labelFor(score), start: tokens[a].start, end: tokens[b - 1].end });
  }
  const lexScore = squash(total);
  const d: SentimentDetail = {
    score: lexScore,
    label: labelFor(lexScore),
    sentences,
    tokens,
    infos,
    ranges,
    contrib,
    local,
    raw: total,
  };
  if (P.modelWeight !== 0 && words > 0) {
    const s = lexScore + P.modelWeight * polarityOf(SENTIMENT_MODEL, d);
    d.score = Math.min(1, Math.max(-1, s));
    d.label = labelFor(d.score);
  }
  return d;
}

/** Sentiment of a text (−1..1 and label) with per-sentence scores and offsets. */
export function scoreSentiment(text: string): SentimentResult {
  const d = analyseSentiment(text);
  return { score: d.score, label: d.label, sentences: d.sentences };
}

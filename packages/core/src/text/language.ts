/**
 * Language identification, tuned for one decision: is this English (analysable) or not?
 * Non-Latin scripts are decided by script; Latin-script text by counting very frequent function
 * words of English and eleven other European languages. Short or ambiguous text returns 'und'
 * (undetermined), which the analyser treats as analysable rather than silently dropping it.
 */

import { wordIndex } from './embeddings.js';
import { type Token, TokenKind, tokenize } from './tokenize.js';
import { tokenInfos, type WordInfo } from './words.js';

function scriptOf(text: string): string | null {
  let latin = 0;
  const counts: Record<string, number> = {};
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
      continue;
    }
    let s: string | null = null;
    if (c >= 0xc0 && c <= 0x24f) latin++;
    else if (c >= 0x400 && c <= 0x4ff) s = 'cyr';
    else if (c >= 0x370 && c <= 0x3ff) s = 'el';
    else if (c >= 0x590 && c <= 0x5ff) s = 'he';
    else if (c >= 0x600 && c <= 0x6ff) s = 'ar';
    else if (c >= 0x900 && c <= 0x97f) s = 'hi';
    else if (c >= 0xe00 && c <= 0xe7f) s = 'th';
    else if (c >= 0x3040 && c <= 0x30ff) s = 'ja';
    else if (c >= 0xac00 && c <= 0xd7af) s = 'ko';
    else if (c >= 0x4e00 && c <= 0x9fff) s = 'zh';
    if (s) {
      counts[s] = (counts[s] ?? 0) + 1;
      other++;
    }
  }
  if (other === 0 || other < latin) return null;
  if (counts.ja) return 'ja';
  let best = '';
  let n = 0;
  for (const [k, v] of Object.entries(counts)) {
    if (v > n) {
      best = k;
      n = v;
    }
  }
  if (best === 'cyr') return /[їєіґ]/i.test(text) ? 'uk' : 'ru';
  return best;
}

/** ISO 639-1 code of the text's language, or 'und' when it cannot tell. */
export function detectLanguage(text: string): string {
  const tokens = tokenize(text);
  return languageOfTokens(text, tokens, tokenInfos(tokens));
}

/** The same from tokens already made (one tokenizer pass for every analyser). */
export function languageOfTokens(text: string, tokens: Token[], infos: WordInfo[]): string {
  const script = scriptOf(text);
  if (script) return script;
  const scores: Record<string, number> = {};
  let words = 0;
  for (let i = 0; i < tokens.length; i++) {
    const k = tokens[i].kind;
    if (k !== TokenKind.Word && k !== TokenKind.Hashtag) continue;
    words++;
    const langs = infos[i].langs;
    if (langs) for (const l of langs) scores[l] = (scores[l] ?? 0) + 1 / langs.length;
  }
  const en = scores.en ?? 0;
  let best = 'en';
  let bestScore = en;
  for (const l in scores) {
    const s = scores[l];
    if (s > bestScore) {
      best = l;
      bestScore = s;
    }
  }
  if (best === 'en') return en > 0 || words >= 3 ? 'en' : 'und';
  // Decide for another language only on clear evidence: enough hits and well ahead of English.
  if (bestScore >= 2 && bestScore >= 2 * en + 1) return best;
  if (en > 0) return 'en';
  if (words >= 3 && bestScore >= 1.5) return best;
  return shortForeign(tokens, infos, best, words - bestScore) ? best : 'und';
}

/**
 * A short text with no English function word: `lang`'s if one of its function words is not an
 * English word too ("sehr", not "a" or "die") and the other words are mostly not English (not
 * among the 30,000 most frequent words of the English vectors' corpus) — "Sehr freundlicher
 * Kundenservice", not "Die Hard fans unite".
 */
function shortForeign(tokens: Token[], infos: WordInfo[], lang: string, others: number): boolean {
  let strong = 0;
  let foreign = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].kind !== TokenKind.Word) continue;
    const langs = infos[i].langs;
    const english = isEnglishWord(tokens[i].lower);
    if (langs) {
      if (!english && langs.includes(lang)) strong += 1 / langs.length;
    } else if (!english) foreign++;
  }
  return strong >= 1 && foreign >= 1 && foreign * 2 >= others;
}

const ENGLISH_RANK = 30_000;
function isEnglishWord(lower: string): boolean {
  // "a" and "i" are not in the vectors' vocabulary; "it's" is "it" there.
  if (lower.length <= 1) return true;
  const q = lower.search(/['’]/);
  const r = wordIndex(q > 0 ? lower.slice(0, q) : lower);
  return r >= 0 && r < ENGLISH_RANK;
}

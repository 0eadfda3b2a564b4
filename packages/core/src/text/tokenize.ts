/**
 * One-pass tokenizer shared by every analyser: words (with inner apostrophes), numbers, emoji,
 * emoticons, URLs, @mentions/#hashtags and punctuation, each with offsets into the original text.
 */

export enum TokenKind {
  Word = 0,
  Number = 1,
  Emoji = 2,
  Emoticon = 3,
  Punct = 4,
  Url = 5,
  Mention = 6,
  Hashtag = 7,
  Other = 8,
}

export interface Token {
  /** The token as written. */
  text: string;
  /** Lower-cased, curly apostrophes straightened. Hashtags lose their '#'. */
  lower: string;
  start: number;
  end: number;
  kind: TokenKind;
}

// Order matters: URLs, mentions/hashtags and emoticons are tried before words and numbers.
const TOKEN_RE =
  /(https?:\/\/\S+|www\.\S+)|([@#][\p{L}\p{N}_]+)|(<\/?3+|[:;=][-'^o]?[)(\][dDpPoO/\\|*3@$sSxX]+(?![\p{L}\p{N}])|[xX][dDpP](?![\p{L}\p{N}])|[)(][-'^]?[:;=](?![\p{L}\p{N}]))|([\p{L}\p{M}]+(?:(?:['’]|\\u2019)[\p{L}\p{M}]+)*)|(\d+(?:[.,:/-]\d+)*(?:st|nd|rd|th|s|k|m|am|pm)?)|(\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}])*)|([!?]+|\.{2,}|…|[.,;:()"\-–—])|(\S)/gu;

const STICKY_RE = new RegExp(TOKEN_RE.source, 'uy');

/** The general (regex) path for one token at `i`; returns the index after it, or −1 for whitespace. */
function slowToken(text: string, i: number, out: Token[]): number {
  STICKY_RE.lastIndex = i;
  const m = STICKY_RE.exec(text);
  if (m === null) return -1;
  const s = m[0];
  let kind: TokenKind;
  let lower: string;
  if (m[4] !== undefined) {
    kind = TokenKind.Word;
    lower = s.toLowerCase();
    if (lower.includes('’')) lower = lower.replace(/’/g, "'");
    // Some exports carry the apostrophe as a literal "\u2019" escape.
    if (lower.includes('\\u2019')) lower = lower.replace(/\\u2019/g, "'");
  } else if (m[5] !== undefined) {
    kind = TokenKind.Number;
    lower = s;
  } else if (m[7] !== undefined) {
    kind = TokenKind.Punct;
    lower = s;
  } else if (m[6] !== undefined) {
    kind = TokenKind.Emoji;
    lower = s.replace(/[\uFE0F\u{1F3FB}-\u{1F3FF}]/gu, '');
  } else if (m[3] !== undefined) {
    kind = TokenKind.Emoticon;
    lower = s;
  } else if (m[2] !== undefined) {
    if (s[0] === '#') {
      kind = TokenKind.Hashtag;
      lower = s.slice(1).toLowerCase();
    } else {
      kind = TokenKind.Mention;
      lower = s.toLowerCase();
    }
  } else if (m[1] !== undefined) {
    kind = TokenKind.Url;
    lower = s;
  } else {
    kind = TokenKind.Other;
    lower = s;
  }
  out.push({ text: s, lower, start: i, end: i + s.length, kind });
  return i + s.length;
}

/** ASCII characters that may start a URL, mention, hashtag or emoticon: left to the regex. */
const SLOW_START = new Uint8Array(128);
for (const c of ':;=()<@#xXhw') SLOW_START[c.charCodeAt(0)] = 1;
/** ASCII punctuation tokens of their own kind. */
const PUNCT_1 = new Uint8Array(128);
for (const c of ',"-') PUNCT_1[c.charCodeAt(0)] = 1;
const NUM_SUFFIXES = ['st', 'nd', 'rd', 'th', 's', 'k', 'm', 'am', 'pm'];

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Tokens of a text with offsets. A hand-written scanner for the common ASCII cases (words, numbers,
 * punctuation, whitespace) and the regex above, at the same position, for everything else (URLs,
 * mentions, emoticons, emoji, non-ASCII letters): the same tokens as the regex alone, ~3× faster.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
      continue;
    }
    if (c >= 128 || SLOW_START[c] === 1) {
      if (
        SLOW_START[c] === 1 &&
        ((c === 104 && !text.startsWith('http', i)) || (c === 119 && !text.startsWith('www.', i)))
      ) {
        // 'h' and 'w' words that are not URLs: the fast word path below.
      } else {
        const e = slowToken(text, i, out);
        i = e < 0 ? i + 1 : e;
        continue;
      }
    }
    if (isLetter(c)) {
      let j = i + 1;
      let upper = c <= 90;
      let slow = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (isLetter(d)) {
          if (d <= 90) upper = true;
          j++;
        } else if (d === 39 && j + 1 < n && isLetter(text.charCodeAt(j + 1))) {
          j++;
        } else {
          // Non-ASCII letters, curly or escaped apostrophes: the regex decides where the word ends.
          if (d >= 128 || d === 92 || (d === 39 && j + 1 < n && text.charCodeAt(j + 1) >= 128)) slow = true;
          break;
        }
      }
      if (slow) {
        i = slowToken(text, i, out);
        continue;
      }
      const s = text.slice(i, j);
      out.push({ text: s, lower: upper ? s.toLowerCase() : s, start: i, end: j, kind: TokenKind.Word });
      i = j;
      continue;
    }
    if (isDigit(c)) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      while (j + 1 < n) {
        const d = text.charCodeAt(j);
        if ((d === 46 || d === 44 || d === 58 || d === 47 || d === 45) && isDigit(text.charCodeAt(j + 1))) {
          j += 2;
          while (j < n && isDigit(text.charCodeAt(j))) j++;
        } else break;
      }
      for (const sfx of NUM_SUFFIXES) {
        if (text.startsWith(sfx, j)) {
          j += sfx.length;
          break;
        }
      }
      const s = text.slice(i, j);
      out.push({ text: s, lower: s, start: i, end: j, kind: TokenKind.Number });
      i = j;
      continue;
    }
    let j = i + 1;
    let kind = TokenKind.Other;
    if (c === 33 || c === 63) {
      // [!?]+
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 33 || d === 63) j++;
        else break;
      }
      kind = TokenKind.Punct;
    } else if (c === 46) {
      while (j < n && text.charCodeAt(j) === 46) j++;
      kind = TokenKind.Punct;
    } else if (PUNCT_1[c] === 1) kind = TokenKind.Punct;
    const s = j === i + 1 ? text[i] : text.slice(i, j);
    out.push({ text: s, lower: s, start: i, end: j, kind });
    i = j;
  }
  return out;
}

/** The tokenizer as one regex (reference for tests and the fast path above). */
export function tokenizeRegex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const e = slowToken(text, i, out);
    i = e < 0 ? i + 1 : e;
  }
  return out;
}

/** Sentence boundaries as token index ranges [from, to). Splits after . ! ? … and on newlines. */
export function sentenceRanges(text: string, tokens: Token[]): [number, number][] {
  const out: [number, number][] = [];
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    let boundary = false;
    if (t.kind === TokenKind.Punct) {
      const c = t.text[0];
      if (c === '!' || c === '?' || c === '…' || (c === '.' && t.text.length > 0)) {
        // "." after a single capital letter or inside "e.g." is not a boundary.
        const prev = tokens[i - 1];
        const next = tokens[i + 1];
        boundary = !(c === '.' && prev && prev.kind === TokenKind.Word && prev.text.length === 1 && next?.text === '.');
        // Keep runs of closing punctuation together ("?!", ".)").
        if (boundary && next && next.kind === TokenKind.Punct && /^[!?.…)"]/.test(next.text)) boundary = false;
      }
    } else if (t.kind === TokenKind.Emoji || t.kind === TokenKind.Emoticon) {
      // An emoji/emoticon followed by a new capitalised word ends a sentence in chat text.
      const next = tokens[i + 1];
      boundary = next !== undefined && next.kind === TokenKind.Word && hasNewlineBetween(text, t.end, next.start);
    }
    if (!boundary && i + 1 < tokens.length && hasNewlineBetween(text, t.end, tokens[i + 1].start)) boundary = true;
    if (boundary) {
      out.push([from, i + 1]);
      from = i + 1;
    }
  }
  if (from < tokens.length) out.push([from, tokens.length]);
  return out;
}

function hasNewlineBetween(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (text.charCodeAt(i) === 10) return true;
  return false;
}

/**
 * A light stemmer for matching taxonomy phrases with simple inflections
 * ("deliveries" ~ "delivery", "charged" ~ "charge", "waiting" ~ "wait"). Not a linguistic stemmer:
 * both sides (phrases and text) go through it, so it only has to be consistent.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  const n = w.length;
  if (n > 4 && (w.endsWith('ies') || w.endsWith('ied'))) return `${w.slice(0, -3)}y`;
  if (n > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3));
  else if (n > 4 && w.endsWith('ed')) w = undouble(w.slice(0, -2));
  else if (n > 4 && (w.endsWith('ches') || w.endsWith('shes') || w.endsWith('sses') || w.endsWith('xes')))
    w = w.slice(0, -2);
  else if (n > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  const n = w.length;
  if (n >= 3 && w[n - 1] === w[n - 2] && !'lsz'.includes(w[n - 1])) return w.slice(0, -1);
  return w;
}

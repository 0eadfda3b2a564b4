import { BOOSTERS, CONCESSIVE, CONTRAST_AFTER, IDIOMS, LEXICON, NEGATORS, PHRASE_BOOSTERS } from './lexicon.js';
import { WORD_LANG } from './stopwords.js';
import { stem, type Token, TokenKind, tokenize } from './tokenize.js';

/**
 * Everything the analysers ask about one lower-cased token, looked up once and cached: lexicon
 * valence, booster, negation, contrast and clause markers, idioms starting here, stem and the
 * languages whose function words it is. Replaces a dozen Map/Set lookups per token with one.
 */
export interface WordInfo {
  lower: string;
  /** Lexicon valence (0 when absent); `elongated` when found only after collapsing "sooo" → "so". */
  v: number;
  elongated: boolean;
  /** The exact token is in the lexicon. */
  inLexicon: boolean;
  /** BOOSTERS scalar, 0 when none. */
  booster: number;
  flags: number;
  /** Idioms starting with this token, longest first. */
  idioms: IdiomEntry[] | undefined;
  /** Light stem (words and hashtags). */
  stem: string;
  /** Languages whose frequent function words include this one. */
  langs: string[] | undefined;
  /** Feature-hash cache for the shipped sentiment model (classifier.ts), 0 until first used. */
  hw: number;
  hb: number;
  hs: number;
}

export interface IdiomEntry {
  toks: string[];
  v: number;
  booster: number;
}

/** In NEGATORS. */
export const W_NEGATOR = 1;
/** Negates what follows: a negator or any "…n't". */
export const W_NEGATES = 2;
/** "but", "however" …: the clause after outweighs the clause before. */
export const W_CONTRAST = 4;
/** "although", "despite" … */
export const W_CONCESSIVE = 8;
/** Starts a new clause for aspect sentiment ("but", "while", "except" …). */
export const W_SPLIT = 16;
/** "and", "with", "so": a clause split when a determiner/pronoun follows. */
export const W_AND = 32;
/** Determiners, pronouns and a few nouns that start a new clause after "and". */
export const W_AND_FOLLOWER = 64;
/** "only", "doubt", "wonder": "not only", "no doubt" are not negations. */
export const W_NOT_NEGATED = 128;
/** Words that end a negation's reach. */
export const W_BOOSTER = 256;
/** Modals of what did not happen ("could", "should've"): "could have been better" wants it better. */
export const W_MODAL = 512;
/** Wishes and expectations ("wish", "hoping", "expected"): "I expected better" is a complaint. */
export const W_WISH = 1024;
/** Comparatives whose valence a counterfactual turns round ("better", "worse", "nicer" …). */
export const W_COMPARATIVE = 2048;
/** "be", "have", "been" …: after a modal they make it counterfactual ("could be", "should have"). */
export const W_AUX = 4096;

const SPLIT_WORDS = ['but', 'however', 'although', 'though', 'yet', 'whereas', 'while', 'whilst', 'except', 'plus'];
const AND_FOLLOWERS = (
  'the a an our my their his her its it they we i he she this that these those everything service staff food then ' +
  'was were is are had has very'
).split(' ');

export const IDIOM_INDEX: Map<string, IdiomEntry[]> = new Map();
for (const [phrase, v] of Object.entries(IDIOMS)) {
  const toks = tokenize(phrase).map((t) => t.lower);
  const list = IDIOM_INDEX.get(toks[0]) ?? [];
  list.push({ toks, v, booster: PHRASE_BOOSTERS[phrase] ?? 0 });
  IDIOM_INDEX.set(toks[0], list);
}
for (const list of IDIOM_INDEX.values()) list.sort((a, b) => b.toks.length - a.toks.length);

const STATIC_FLAGS = new Map<string, number>();
const addFlag = (w: string, f: number) => STATIC_FLAGS.set(w, (STATIC_FLAGS.get(w) ?? 0) | f);
for (const w of SPLIT_WORDS) addFlag(w, W_SPLIT);
for (const w of ['and', 'with', 'so']) addFlag(w, W_AND);
for (const w of AND_FOLLOWERS) addFlag(w, W_AND_FOLLOWER);
for (const w of ['only', 'doubt', 'wonder']) addFlag(w, W_NOT_NEGATED);
for (const w of CONTRAST_AFTER) addFlag(w, W_CONTRAST);
for (const w of CONCESSIVE) addFlag(w, W_CONCESSIVE);
for (const w of NEGATORS) addFlag(w, W_NEGATOR | W_NEGATES);
for (const w of BOOSTERS.keys()) addFlag(w, W_BOOSTER);
for (const m of ['could', 'should', 'would', 'might', 'ought']) {
  for (const w of [m, `${m}'ve`, `${m}ve`, `${m}n't`, `${m}nt`]) addFlag(w, W_MODAL);
}
for (const w of 'wish wished wishing hope hoped hoping expect expected expecting'.split(' ')) addFlag(w, W_WISH);
for (const w of 'be have been had'.split(' ')) addFlag(w, W_AUX);
for (const w of (
  'better worse nicer tastier friendlier happier easier cleaner fresher faster quicker cheaper warmer kinder ' +
  'politer healthier bigger hotter more less'
).split(' '))
  addFlag(w, W_COMPARATIVE);

function hasTriple(s: string): boolean {
  for (let i = 2; i < s.length; i++) if (s[i] === s[i - 1] && s[i] === s[i - 2]) return true;
  return false;
}

const CACHE = new Map<string, WordInfo>();
const CACHE_MAX = 100_000;

function build(lower: string): WordInfo {
  let flags = STATIC_FLAGS.get(lower) ?? 0;
  if (lower.endsWith("n't")) flags |= W_NEGATES;
  let v = LEXICON.get(lower);
  const inLexicon = v !== undefined;
  let elongated = false;
  if (v === undefined && hasTriple(lower)) {
    const two = lower.replace(/(.)\1{2,}/g, '$1$1');
    v = LEXICON.get(two) ?? LEXICON.get(two.replace(/(.)\1/g, '$1'));
    if (v !== undefined) elongated = true;
  }
  return {
    lower,
    v: v ?? 0,
    elongated,
    inLexicon,
    booster: BOOSTERS.get(lower) ?? 0,
    flags,
    idioms: IDIOM_INDEX.get(lower),
    stem: stem(lower),
    langs: WORD_LANG.get(lower),
    hw: 0,
    hb: 0,
    hs: 0,
  };
}

/** The cached facts about a lower-cased token. */
export function wordInfo(lower: string): WordInfo {
  let w = CACHE.get(lower);
  if (w === undefined) {
    if (CACHE.size >= CACHE_MAX) CACHE.clear();
    w = build(lower);
    CACHE.set(lower, w);
  }
  return w;
}

const NO_INFO: WordInfo = build('\u0000');

/** Facts per token (URLs, mentions and long numbers share one empty record: they would only fill the cache). */
export function tokenInfos(tokens: Token[]): WordInfo[] {
  const out = new Array<WordInfo>(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const k = t.kind;
    out[i] =
      k === TokenKind.Url || k === TokenKind.Mention || (k === TokenKind.Number && t.lower.length > 4)
        ? NO_INFO
        : wordInfo(t.lower);
  }
  return out;
}

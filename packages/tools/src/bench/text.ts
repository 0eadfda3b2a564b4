/**
 * Text analytics throughput, one core, ~200-character customer texts:
 *  - sentiment only, sentiment + topics + PII (the ingestion hot path), and full analyzeText;
 *  - baselines in the same run: AFINN (`sentiment` package, the fastest common lexicon scorer) and
 *    VADER (`vader-sentiment`, whose lexicon Canopy's scorer builds on). Ratios are ours / baseline.
 */
import { createRequire } from 'node:module';
import {
  analyseSentiment,
  analyzeText,
  compileTaxonomy,
  DEFAULT_TAXONOMY,
  detectTopicsFromSentiment,
  findPii,
  seededRng,
  trainTextClassifier,
  VADER_LEXICON_TEXT,
} from '@canopy/core';
import { type BenchOptions, type BenchResult, median } from './report.js';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS baselines
const vader: any = require('vader-sentiment');
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS baselines
const AfinnSentiment: any = require('sentiment');

const OPENERS = [
  'I ordered the blue jacket two weeks ago and it still has not arrived.',
  'The waiter was really friendly but the food took forever to come out.',
  'Honestly the best customer service I have had in years, sorted it quickly!',
  'I was on hold for 40 minutes and then got transferred three times.',
  'The app keeps crashing when I try to log in to my account.',
  'Great value for money, the quality is amazing and delivery was fast.',
  'You charged me twice for the same order #123456789, please fix this.',
  'Not bad at all, though the packaging was damaged when it arrived.',
  'I am cancelling my subscription and switching to a competitor.',
  'The staff at the store were rude and clueless about the return policy.',
];
const CLOSERS = [
  ' Please call me back on +44 20 7946 0958 as soon as possible.',
  ' My email is jane.doe@example.com if you need anything else.',
  ' Never again, what a waste of time and money :(',
  ' Thanks so much to Sarah who went above and beyond 😊',
  ' The refund still has not shown up on my card statement.',
  ' Overall I would recommend it to friends, five stars.',
  ' Why is it so hard to get a simple answer from you people???',
  ' Love the new features in the latest update, sooo good.',
];

function corpus(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let t = OPENERS[i % OPENERS.length] + CLOSERS[(i * 7 + 3) % CLOSERS.length];
    // Pad towards ~200 characters with another opener.
    if (t.length < 170) t += ` ${OPENERS[(i * 3 + 1) % OPENERS.length]}`;
    out.push(t);
  }
  return out;
}

function throughput(texts: string[], fn: (t: string) => unknown, minMs: number): number {
  let n = 0;
  const t0 = performance.now();
  let sink = 0;
  while (performance.now() - t0 < minMs) {
    for (const t of texts) {
      if (fn(t)) sink++;
      n++;
    }
  }
  const ms = performance.now() - t0;
  if (sink < 0) console.log(sink);
  return (n / ms) * 1000;
}

/**
 * Labelled examples for the training figure: ~30-word texts over a vocabulary of thousands of
 * real English words used Zipf-like (VADER's lexicon plus fillers), each label with cue words of its own and
 * a little label noise, so the model sees a realistic number of distinct features.
 */
function trainingSet(n: number, labels: number): { text: string; labels: string[] }[] {
  const words = VADER_LEXICON_TEXT.split('\n')
    .map((l) => l.split(/\s/)[0] ?? '')
    .filter((w) => /^[a-z]{3,}$/.test(w));
  const fillers = 'the a my your order account card delivery app support refund today again please still'.split(' ');
  const r = seededRng(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  // Word use is Zipf-like: a few words are everywhere, most are rare.
  const zipf = <T>(xs: T[]) => xs[Math.floor(xs.length * r() ** 3)]!;
  const cues = Array.from({ length: labels }, () => [pick(words), pick(words), pick(words)]);
  return Array.from({ length: n }, (_, i) => {
    const label = i % labels;
    const noisy = r() < 0.1 ? Math.floor(r() * labels) : label;
    const ws: string[] = [];
    for (let k = 0; k < 30; k++) ws.push(r() < 0.35 ? pick(fillers) : zipf(words));
    ws.splice(Math.floor(r() * ws.length), 0, pick(cues[noisy]!), pick(cues[noisy]!));
    return { text: ws.join(' '), labels: [`intent_${label}`] };
  });
}

export async function run(opts: BenchOptions): Promise<BenchResult> {
  const texts = corpus(500);
  const avgLen = texts.reduce((a, t) => a + t.length, 0) / texts.length;
  const compiled = compileTaxonomy(DEFAULT_TAXONOMY);
  const afinn = new AfinnSentiment();
  const minMs = opts.quick ? 700 : 2000;
  const runs = Math.max(1, opts.runs);
  const cases: Record<string, (t: string) => unknown> = {
    sentiment_texts_per_s: (t) => analyseSentiment(t).score,
    sentiment_topics_pii_texts_per_s: (t) => {
      const d = analyseSentiment(t);
      return detectTopicsFromSentiment(d, compiled).length + findPii(t).length + 1;
    },
    analyze_text_texts_per_s: (t) => analyzeText(t).sentiment,
    afinn_texts_per_s: (t) => afinn.analyze(t).score + 1,
    vader_texts_per_s: (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound + 1,
  };
  // Warm up every case once.
  for (const fn of Object.values(cases)) throughput(texts.slice(0, 100), fn, 50);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as number[]]));
  for (let r = 0; r < runs; r++) {
    for (const [k, fn] of Object.entries(cases)) samples[k].push(throughput(texts, fn, minMs));
  }
  const m = (k: string) => Math.round(median(samples[k]));
  // Per-org training (the issue: 50k examples in under a minute), one run: it takes seconds.
  const trainN = opts.quick ? 10_000 : 50_000;
  const examples = trainingSet(trainN, 15);
  const tt = performance.now();
  const model = trainTextClassifier(examples);
  const trainSeconds = (performance.now() - tt) / 1000;
  if (model.labels.length !== 15) throw new Error('training bench: expected 15 labels');
  const figures = {
    sentiment_texts_per_s: m('sentiment_texts_per_s'),
    sentiment_topics_pii_texts_per_s: m('sentiment_topics_pii_texts_per_s'),
    analyze_text_texts_per_s: m('analyze_text_texts_per_s'),
    [`train_${trainN / 1000}k_examples_seconds`]: Math.round(trainSeconds * 10) / 10,
  };
  const baselines = { afinn_texts_per_s: m('afinn_texts_per_s'), vader_texts_per_s: m('vader_texts_per_s') };
  const r = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  return {
    name: 'text',
    figures,
    baselines,
    ratios: {
      sentiment_vs_afinn: r(figures.sentiment_texts_per_s, baselines.afinn_texts_per_s),
      sentiment_vs_vader: r(figures.sentiment_texts_per_s, baselines.vader_texts_per_s),
      sentiment_topics_pii_vs_afinn: r(figures.sentiment_topics_pii_texts_per_s, baselines.afinn_texts_per_s),
      sentiment_topics_pii_vs_vader: r(figures.sentiment_topics_pii_texts_per_s, baselines.vader_texts_per_s),
      analyze_text_vs_vader: r(figures.analyze_text_texts_per_s, baselines.vader_texts_per_s),
    },
    notes: {
      texts: texts.length,
      avg_chars: Math.round(avgLen),
      runs,
      per_run_ms: minMs,
      unit: 'texts per second, one core, median of runs',
      baselines: 'afinn = sentiment@5 (AFINN-165), vader = vader-sentiment@1.1.3',
      training: `${trainN} labelled examples, 15 labels, ~30 words each, trainTextClassifier defaults`,
    },
  };
}

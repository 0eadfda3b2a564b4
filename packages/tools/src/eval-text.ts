#!/usr/bin/env node
/**
 * Text analytics evaluation: `npm run eval:text [-- --data <dir>] [--json <file>]`.
 *
 * Scores Canopy's analysers on labelled data laid out like shared/data (see its README) and, in the
 * same run, baselines: VADER (vader-sentiment) and AFINN (sentiment) for zero-shot sentiment, a
 * keyword baseline for zero-shot topics (review categories, and support requests' categories mapped
 * onto the taxonomy's top-level topics), majority-class and keyword baselines for trained tasks.
 * File discovery groups files by base name with an optional _train/_val/_test suffix, so a folder
 * of held-out `_test` files is picked up: trained tasks train on the group's train file (from the
 * same folder, or the default data folder when the test folder has none) and score on _test, else
 * _val, else a deterministic 80/20 split of train (every fifth row held out), which is reported; for
 * aspect sets without a held-out file, 5-fold cross-validation over the whole train file as well.
 * `--task <sentiment|topics|absa|intents|reviews>` runs one task; `--opts '<json>'` passes classifier
 * options (e.g. '{"wordClusters":[]}') to every trained model, to compare feature settings.
 * `--onnx <folder>` also scores an org's own ONNX sentiment model (a Hugging Face export: config.json,
 * tokenizer.json, model.onnx; needs the optional packages onnxruntime-node and @huggingface/tokenizers)
 * on the sentiment (a) and review (d) sets, beside the built-in analysers, so an org can see what a
 * model it downloaded would change before it uses one. `--onnx-aspect <folder>` does the same for an
 * aspect-sentiment model (a sentence-pair classifier of (text, aspect) → negative/neutral/positive) on
 * the aspect sets' gold categories, on the same rows as the per-org polarity figure.
 * `--onnx-topics <folder>` scores a topic classifier whose labels are default-taxonomy keys on the
 * zero-shot topic task (b): the built-in topics with the model's added, as CANOPY_TOPIC_MODEL adds
 * them (`--topic-threshold <p>`, default 0.5), against the built-in topics alone.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  analyzeText,
  type ClassifierOptions,
  DEFAULT_TAXONOMY,
  detectTopics,
  labelSentimentReader,
  predictAspectPolarity,
  predictLabels,
  trainAspectPolarity,
  trainTextClassifier,
} from '@canopy/core';
import { loadOnnxTextClassifier, TopicModel } from '@canopy/server';

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS baselines
const vader: any = require('vader-sentiment');
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS baselines
const AfinnSentiment: any = require('sentiment');
const afinn = new AfinnSentiment();

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const DEFAULT_DATA = resolve(repoRoot, '../shared/data');
/** `--opts '<json>'`: classifier options for every trained task (to compare feature settings). */
const OPTS_ARG = process.argv.indexOf('--opts');
const TRAIN_OPTS: ClassifierOptions = OPTS_ARG >= 0 ? JSON.parse(process.argv[OPTS_ARG + 1]) : {};

type Row = Record<string, unknown> & { text: string };
type Figures = Record<string, unknown>;

function readJsonl(file: string): Row[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => typeof r.text === 'string');
}

// ---------- metrics ----------

interface ClassFigures {
  accuracy: number;
  macroF1: number;
  macroRecall: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: { labels: string[]; matrix: number[][] };
  n: number;
}

function classify(gold: string[], pred: string[], labelsIn?: string[]): ClassFigures {
  const labels = labelsIn ?? [...new Set([...gold, ...pred])].sort();
  const ix = new Map(labels.map((l, i) => [l, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  let ok = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === pred[i]) ok++;
    const g = ix.get(gold[i]);
    const p = ix.get(pred[i]);
    if (g !== undefined && p !== undefined) matrix[g][p]++;
  }
  const perClass: ClassFigures['perClass'] = {};
  let f1s = 0;
  let recs = 0;
  let nGold = 0;
  labels.forEach((l, i) => {
    const tp = matrix[i][i];
    const support = matrix[i].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[i], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[l] = { precision: r4(precision), recall: r4(recall), f1: r4(f1), support };
    if (support > 0) {
      f1s += f1;
      recs += recall;
      nGold++;
    }
  });
  return {
    accuracy: r4(ok / Math.max(1, gold.length)),
    macroF1: r4(f1s / Math.max(1, nGold)),
    macroRecall: r4(recs / Math.max(1, nGold)),
    perClass,
    confusion: { labels, matrix },
    n: gold.length,
  };
}

interface MultiFigures {
  microF1: number;
  microPrecision: number;
  microRecall: number;
  perLabel: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  n: number;
}

function multiLabel(gold: string[][], pred: string[][], only?: Set<string>): MultiFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const per = new Map<string, { tp: number; fp: number; fn: number }>();
  const get = (l: string) => {
    let x = per.get(l);
    if (!x) {
      x = { tp: 0, fp: 0, fn: 0 };
      per.set(l, x);
    }
    return x;
  };
  for (let i = 0; i < gold.length; i++) {
    const g = new Set(gold[i].filter((l) => !only || only.has(l)));
    const p = new Set(pred[i].filter((l) => !only || only.has(l)));
    for (const l of p) {
      if (g.has(l)) {
        tp++;
        get(l).tp++;
      } else {
        fp++;
        get(l).fp++;
      }
    }
    for (const l of g) {
      if (!p.has(l)) {
        fn++;
        get(l).fn++;
      }
    }
  }
  const prf = (a: number, b: number, c: number) => {
    const P = a + b ? a / (a + b) : 0;
    const R = a + c ? a / (a + c) : 0;
    return { precision: r4(P), recall: r4(R), f1: r4(P + R ? (2 * P * R) / (P + R) : 0) };
  };
  const all = prf(tp, fp, fn);
  const perLabel: MultiFigures['perLabel'] = {};
  for (const [l, x] of [...per].sort()) perLabel[l] = { ...prf(x.tp, x.fp, x.fn), support: x.tp + x.fn };
  return { microF1: all.f1, microPrecision: all.precision, microRecall: all.recall, perLabel, n: gold.length };
}

function ranks(a: number[]): number[] {
  const idx = a.map((v, i) => [v, i] as [number, number]).sort((x, y) => x[0] - y[0]);
  const r = new Array<number>(a.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

function spearman(a: number[], b: number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const ma = ra.reduce((s, x) => s + x, 0) / n;
  const mb = rb.reduce((s, x) => s + x, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return r4(num / Math.sqrt(da * db));
}

function r4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

// ---------- printing ----------

function printClass(name: string, f: ClassFigures): void {
  console.log(
    `  ${name.padEnd(22)} n=${f.n}  accuracy ${f.accuracy.toFixed(3)}  macro-F1 ${f.macroF1.toFixed(3)}  macro-recall ${f.macroRecall.toFixed(3)}`,
  );
}

function printConfusion(f: ClassFigures, maxLabels = 12): void {
  const { labels, matrix } = f.confusion;
  if (labels.length > maxLabels) {
    // Too many classes for a matrix: the most confused pairs instead.
    const pairs: [string, string, number][] = [];
    labels.forEach((g, i) => {
      labels.forEach((p, j) => {
        if (i !== j && matrix[i][j] > 0) pairs.push([g, p, matrix[i][j]]);
      });
    });
    pairs.sort((a, b) => b[2] - a[2]);
    console.log(
      `    most confused (gold → predicted): ${pairs
        .slice(0, 6)
        .map((p) => `${p[0]}→${p[1]} ${p[2]}`)
        .join(', ')}`,
    );
    return;
  }
  const w = Math.max(8, ...labels.map((l) => Math.min(14, l.length)));
  console.log(`    ${'gold \\ pred'.padEnd(w)} ${labels.map((l) => l.slice(0, w).padStart(w)).join(' ')}`);
  labels.forEach((l, i) => {
    console.log(`    ${l.slice(0, w).padEnd(w)} ${matrix[i].map((x) => String(x).padStart(w)).join(' ')}`);
  });
}

function printMulti(name: string, f: MultiFigures): void {
  console.log(
    `  ${name.padEnd(22)} n=${f.n}  micro-F1 ${f.microF1.toFixed(3)}  P ${f.microPrecision.toFixed(3)}  R ${f.microRecall.toFixed(3)}`,
  );
}

// ---------- discovery ----------

interface Group {
  dir: string;
  base: string;
  train?: string;
  val?: string;
  test?: string;
}

function discover(dataDir: string, sub: string): Group[] {
  const dir = join(dataDir, sub);
  if (!existsSync(dir)) return [];
  const groups = new Map<string, Group>();
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.jsonl')) continue;
    const m = /^(.*?)(?:_(train|val|test))?\.jsonl$/.exec(f)!;
    const base = m[1];
    const g = groups.get(base) ?? { dir: sub, base };
    const kind = (m[2] ?? 'train') as 'train' | 'val' | 'test';
    g[kind] = join(dir, f);
    groups.set(base, g);
  }
  return [...groups.values()];
}

/** Train/eval rows for a trained task; the train file may come from the default data folder. */
function trainEval(g: Group): { train: Row[]; evalRows: Row[]; how: string; all: Row[] } | null {
  let trainFile = g.train;
  if (!trainFile) {
    for (const cand of [`${g.base}_train.jsonl`, `${g.base}.jsonl`]) {
      const f = join(DEFAULT_DATA, g.dir, cand);
      if (existsSync(f)) trainFile = f;
    }
  }
  if (!trainFile) return null;
  const train = readJsonl(trainFile);
  const evalFile = g.test ?? g.val;
  if (evalFile) {
    return {
      train,
      evalRows: readJsonl(evalFile),
      how: `train ${basename(trainFile)} → ${basename(evalFile)}`,
      all: train,
    };
  }
  return {
    train: train.filter((_, i) => i % 5 !== 0),
    evalRows: train.filter((_, i) => i % 5 === 0),
    how: `no val/test file: deterministic 80/20 split of ${basename(trainFile)} (every 5th row held out)`,
    all: train,
  };
}

// ---------- tasks ----------

const SENT_LABELS = ['negative', 'neutral', 'positive'];

function vaderLabel(text: string): { label: string; score: number } {
  const c = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound as number;
  return { label: c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral', score: c };
}

function afinnScore(text: string): number {
  return afinn.analyze(text).comparative as number;
}

function taskSentiment(dataDir: string, out: Figures): void {
  const files = readdirSync(join(dataDir, 'sentiment')).filter((f) => f.endsWith('.jsonl'));
  console.log('\n(a) zero-shot 3-class sentiment');
  for (const f of files.sort()) {
    const rows = readJsonl(join(dataDir, 'sentiment', f)).filter((r) => SENT_LABELS.includes(String(r.label)));
    const gold = rows.map((r) => String(r.label));
    const ours = classify(
      gold,
      rows.map((r) => analyzeText(r.text).sentiment.label),
      SENT_LABELS,
    );
    const vad = classify(
      gold,
      rows.map((r) => vaderLabel(r.text).label),
      SENT_LABELS,
    );
    const af = classify(
      gold,
      rows.map((r) => {
        const s = afinnScore(r.text);
        return s > 0 ? 'positive' : s < 0 ? 'negative' : 'neutral';
      }),
      SENT_LABELS,
    );
    console.log(` ${f}`);
    printClass('canopy', ours);
    printConfusion(ours);
    printClass('baseline VADER', vad);
    printConfusion(vad);
    printClass('baseline AFINN', af);
    out[f] = { canopy: ours, vader: vad, afinn: af };
  }
}

/** Coarse review/ABSA categories → default taxonomy topics that count as that category. */
function topicToCategories(topic: string, scheme: 'semeval14' | 'mams'): string[] {
  const top = topic.split('.')[0];
  if (topic === 'hospitality.food' || topic === 'hospitality.drinks') return ['food'];
  if (topic === 'hospitality.menu') return scheme === 'mams' ? ['menu'] : ['food'];
  if (topic === 'hospitality.ambience' || topic === 'physical.cleanliness') return ['ambience'];
  if (topic === 'hospitality.location' || topic === 'hospitality') return scheme === 'mams' ? ['place'] : [];
  if (top === 'price' || topic === 'billing' || topic === 'billing.error') return ['price'];
  if (topic.startsWith('service.staff')) return scheme === 'mams' ? ['staff'] : ['service'];
  if (top === 'service') return ['service'];
  return [];
}

function coarseCategory(cat: string): string {
  if (!cat.includes('#')) return cat === 'anecdotes/miscellaneous' ? 'misc' : cat === 'miscellaneous' ? 'misc' : cat;
  const [ent, attr] = cat.split('#');
  if (attr === 'PRICES') return 'price';
  switch (ent) {
    case 'FOOD':
    case 'DRINKS':
      return 'food';
    case 'SERVICE':
      return 'service';
    case 'AMBIENCE':
      return 'ambience';
    case 'LOCATION':
      return 'place';
    default:
      return 'misc';
  }
}

const KEYWORDS: Record<string, RegExp> = {
  food: /\b(?:food|dish|dishes|meal|taste)\b/i,
  service: /\b(?:service|waiter|waitress|staff)\b/i,
  staff: /\b(?:staff|waiter|waitress|server|host|hostess)\b/i,
  price: /\b(?:price|prices|priced|expensive|cheap|cost)\b/i,
  ambience: /\b(?:ambience|ambiance|atmosphere|decor)\b/i,
  menu: /\bmenu\b/i,
  place: /\b(?:place|location)\b/i,
};

/**
 * Support requests (files with a `category` field, e.g. Bitext) → the default taxonomy's top-level
 * topic a customer-service team would file them under; categories without one (FEEDBACK, and ORDER
 * but for cancelling and tracking) are not scored. Intent labels override their category.
 */
const SUPPORT_FAMILY: Record<string, string> = {
  ACCOUNT: 'digital',
  CANCELLATION_FEE: 'contract',
  CONTACT: 'service',
  DELIVERY: 'delivery',
  INVOICE: 'billing',
  NEWSLETTER: 'marketing',
  PAYMENT: 'billing',
  REFUND: 'returns',
  SHIPPING_ADDRESS: 'delivery',
  cancel_order: 'contract',
  track_order: 'delivery',
};

const FAMILY_KEYWORDS: Record<string, RegExp> = {
  digital: /\b(?:account|website|app)\b/i,
  contract: /\b(?:contract|cancel)\b/i,
  service: /\b(?:service|support)\b/i,
  delivery: /\b(?:delivery|shipping)\b/i,
  billing: /\b(?:bill|invoice|payment)\b/i,
  marketing: /\b(?:newsletter|marketing)\b/i,
  returns: /\b(?:refund|return)\b/i,
};

/** Zero-shot topics on support requests: is the request's family among the families found? */
function taskSupportTopics(dataDir: string, out: Figures): void {
  for (const g of discover(dataDir, 'support')) {
    const file = g.test ?? g.val ?? g.train;
    if (!file) continue;
    const rows = readJsonl(file).filter((r) => typeof r.category === 'string');
    const scored = rows
      .map((r) => ({
        text: r.text as string,
        family: SUPPORT_FAMILY[r.label as string] ?? SUPPORT_FAMILY[r.category as string],
      }))
      .filter((r) => r.family !== undefined);
    if (scored.length === 0) continue;
    const families = new Set(Object.values(SUPPORT_FAMILY));
    const gold = scored.map((r) => [r.family]);
    const pred = scored.map((r) => [
      ...new Set(detectTopics(r.text, DEFAULT_TAXONOMY).map((t) => t.topic.split('.')[0])),
    ]);
    const kw = scored.map((r) => [...families].filter((f) => FAMILY_KEYWORDS[f]?.test(r.text)));
    const ours = multiLabel(gold, pred);
    const base = multiLabel(gold, kw);
    console.log(
      ` ${basename(file)} (support requests → top-level topics; ${scored.length} of ${rows.length} rows have one)`,
    );
    printMulti('canopy topics', ours);
    for (const [c, x] of Object.entries(ours.perLabel).filter(([c]) => families.has(c)))
      console.log(
        `    ${c.padEnd(10)} P ${x.precision.toFixed(3)} R ${x.recall.toFixed(3)} F1 ${x.f1.toFixed(3)} (n=${x.support})`,
      );
    printMulti('baseline keyword', base);
    out[basename(file)] = { canopy: ours, keyword: base };
  }
}

/** The aspect sets scored for zero-shot topics (test, else val, else train), with coarse gold categories. */
function reviewTopicSets(dataDir: string) {
  return discover(dataDir, 'absa').flatMap((g) => {
    const file = g.test ?? g.val ?? g.train;
    if (!file) return [];
    const rows = readJsonl(file);
    const gold = rows.map((r) => ((r.categories as string[]) ?? []).map(coarseCategory));
    const scheme: 'mams' | 'semeval14' = g.base.startsWith('mams') ? 'mams' : 'semeval14';
    return [{ file, scheme, rows, gold, cats: new Set(gold.flat().filter((c) => c !== 'misc')) }];
  });
}

function taskTopics(dataDir: string, out: Figures): void {
  console.log('\n(b) zero-shot topic detection (default taxonomy mapped onto review categories; misc excluded)');
  for (const { file, scheme, rows, gold, cats } of reviewTopicSets(dataDir)) {
    const detected = rows.map((r) => detectTopics(r.text, DEFAULT_TAXONOMY));
    const pred = detected.map((ts) => [...new Set(ts.flatMap((t) => topicToCategories(t.topic, scheme)))]);
    const kw = rows.map((r) => [...cats].filter((c) => KEYWORDS[c]?.test(r.text)));
    const ours = multiLabel(gold, pred, cats);
    const base = multiLabel(gold, kw, cats);
    // Aspect polarity, zero-shot: where a gold category was detected, does its aspect sentiment match?
    const pg: string[] = [];
    const pp: string[] = [];
    rows.forEach((r, i) => {
      const pol = r.polarities as Record<string, string> | undefined;
      if (!pol) return;
      for (const [cat, p] of Object.entries(pol)) {
        const cc = coarseCategory(cat);
        if (!SENT_LABELS.includes(p)) continue;
        const ms = detected[i].filter((t) => topicToCategories(t.topic, scheme).includes(cc));
        if (ms.length === 0) continue;
        const s = ms.reduce((a, m) => a + m.sentiment.score, 0) / ms.length;
        pg.push(p);
        pp.push(s >= 0.2 ? 'positive' : s <= -0.2 ? 'negative' : 'neutral');
      }
    });
    const pol = classify(pg, pp, SENT_LABELS);
    console.log(` ${basename(file)} (categories: ${[...cats].join(', ')})`);
    printMulti('canopy topics', ours);
    for (const [c, x] of Object.entries(ours.perLabel))
      console.log(
        `    ${c.padEnd(10)} P ${x.precision.toFixed(3)} R ${x.recall.toFixed(3)} F1 ${x.f1.toFixed(3)} (n=${x.support})`,
      );
    printMulti('baseline keyword', base);
    printClass('canopy aspect polarity', pol);
    out[basename(file)] = { canopy: ours, keyword: base, aspectPolarity: pol };
  }
  taskSupportTopics(dataDir, out);
}

function majority(labels: string[]): string {
  const n = new Map<string, number>();
  for (const l of labels) n.set(l, (n.get(l) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1])[0][0];
}

interface AbsaRun {
  gold: string[][];
  pred: string[][];
  polGold: string[];
  polPred: string[];
  trainMs: number;
}

/** Train the category and polarity models on `train`, predict on `evalRows` (gold categories for polarity). */
function absaRun(train: Row[], evalRows: Row[]): AbsaRun & { polEx: { polarity: string }[] } {
  const t0 = Date.now();
  const catModel = trainTextClassifier(
    train.map((r) => ({ text: r.text, labels: (r.categories as string[]) ?? [] })),
    { ...TRAIN_OPTS, mode: 'multi' },
  );
  const polEx = train.flatMap((r) =>
    Object.entries((r.polarities as Record<string, string>) ?? {}).map(([category, polarity]) => ({
      text: r.text,
      category,
      polarity,
    })),
  );
  const polModel = trainAspectPolarity(polEx, TRAIN_OPTS);
  const trainMs = Date.now() - t0;
  const gold = evalRows.map((r) => (r.categories as string[]) ?? []);
  const pred = evalRows.map((r) => predictLabels(catModel, r.text).map((x) => x.label));
  const polGold: string[] = [];
  const polPred: string[] = [];
  for (const r of evalRows) {
    for (const [cat, p] of Object.entries((r.polarities as Record<string, string>) ?? {})) {
      polGold.push(p);
      polPred.push(predictAspectPolarity(polModel, r.text, cat).label);
    }
  }
  return { gold, pred, polGold, polPred, trainMs, polEx };
}

function taskTrainedAbsa(dataDir: string, out: Figures): void {
  console.log('\n(c) per-org training: aspect categories (micro-F1) and their polarity (accuracy, gold categories)');
  for (const g of discover(dataDir, 'absa')) {
    const te = trainEval(g);
    if (!te) {
      console.log(` ${g.base}: no train file found, skipped`);
      continue;
    }
    const { train, evalRows, how } = te;
    const { gold, pred, polGold: pg, polPred: pp, trainMs, polEx } = absaRun(train, evalRows);
    const ours = multiLabel(gold, pred);
    const maj = majority(train.flatMap((r) => (r.categories as string[]) ?? []));
    const base = multiLabel(
      gold,
      evalRows.map(() => [maj]),
    );
    const pol = classify(pg, pp);
    const majPol = majority(polEx.map((e) => e.polarity));
    const polBase = classify(
      pg,
      pg.map(() => majPol),
    );
    console.log(` ${g.base}: ${how}; ${train.length} train, ${evalRows.length} eval rows; trained in ${trainMs} ms`);
    printMulti('canopy categories', ours);
    printMulti(`baseline majority (${maj})`.slice(0, 22), base);
    printClass('canopy polarity', pol);
    printConfusion(pol);
    printClass(`baseline majority`, polBase);
    const fig: Figures = {
      how,
      categories: ours,
      categoriesMajority: base,
      polarity: pol,
      polarityMajority: polBase,
      trainMs,
    };
    if (!g.test && !g.val) {
      // No held-out file: a single 80/20 split is noisy (±0.02 between folds), so also report
      // 5-fold cross-validation over the whole train file (folds: row index mod 5, pooled).
      const all = te.all;
      const runs = [0, 1, 2, 3, 4].map((f) =>
        absaRun(
          all.filter((_, i) => i % 5 !== f),
          all.filter((_, i) => i % 5 === f),
        ),
      );
      const cvCat = multiLabel(
        runs.flatMap((r) => r.gold),
        runs.flatMap((r) => r.pred),
      );
      const cvPol = classify(
        runs.flatMap((r) => r.polGold),
        runs.flatMap((r) => r.polPred),
      );
      const perFold = runs.map((r) => multiLabel(r.gold, r.pred).microF1.toFixed(3)).join(' ');
      printMulti('5-fold CV categories', cvCat);
      console.log(`    per fold: ${perFold}`);
      printClass('5-fold CV polarity', cvPol);
      fig.cv5 = { categories: cvCat, polarity: cvPol };
    }
    out[g.base] = fig;
  }
}

function taskIntents(dataDir: string, out: Figures): void {
  console.log('\n(c) per-org training: intents (single-label)');
  for (const g of discover(dataDir, 'support')) {
    const te = trainEval(g);
    if (!te) {
      console.log(` ${g.base}: no train file found, skipped`);
      continue;
    }
    const { train, evalRows, how } = te;
    const t0 = Date.now();
    const model = trainTextClassifier(
      train.map((r) => ({ text: r.text, labels: [String(r.label)] })),
      { ...TRAIN_OPTS, mode: 'single' },
    );
    const trainMs = Date.now() - t0;
    const gold = evalRows.map((r) => String(r.label));
    const ours = classify(
      gold,
      evalRows.map((r) => predictLabels(model, r.text)[0]?.label ?? ''),
    );
    const maj = majority(train.map((r) => String(r.label)));
    const base = classify(
      gold,
      gold.map(() => maj),
    );
    const size = JSON.stringify(model).length;
    console.log(
      ` ${g.base}: ${how}; ${train.length} train, ${evalRows.length} eval rows; ${model.labels.length} intents; trained in ${trainMs} ms; model ${(size / 1e6).toFixed(2)} MB JSON`,
    );
    printClass('canopy', ours);
    printConfusion(ours);
    printClass('baseline majority', base);
    out[g.base] = { how, canopy: ours, majority: base, trainMs, modelBytes: size };
  }
}

function taskReviews(dataDir: string, out: Figures): void {
  console.log('\n(d) Spearman correlation of sentiment score with review stars');
  const dir = join(dataDir, 'reviews');
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.jsonl'))
    .sort()) {
    const rows = readJsonl(join(dir, f)).filter((r) => typeof r.stars === 'number' || typeof r.rating === 'number');
    const stars = rows.map((r) => Number(r.stars ?? r.rating));
    const ours = spearman(
      rows.map((r) => analyzeText(r.text).sentiment.score),
      stars,
    );
    const vad = spearman(
      rows.map((r) => vaderLabel(r.text).score),
      stars,
    );
    const af = spearman(
      rows.map((r) => afinnScore(r.text)),
      stars,
    );
    console.log(
      `  ${f.padEnd(44)} n=${rows.length}  canopy ${ours.toFixed(3)}  VADER ${vad.toFixed(3)}  AFINN ${af.toFixed(3)}`,
    );
    out[f] = { n: rows.length, canopy: ours, vader: vad, afinn: af };
  }
}

/** `--onnx <folder>`: an org's own sentiment model on the sentiment (a) and review (d) sets. */
async function taskOnnx(dataDir: string, folder: string, out: Figures, only: string | null): Promise<void> {
  const model = await loadOnnxTextClassifier(folder, { threads: availableParallelism(), batchSize: 32 });
  try {
    const read = labelSentimentReader(model.labels);
    console.log(`\n(e) ONNX model '${model.name}': labels ${model.labels.join(', ')} read as ${read.scheme}`);
    const scores = async (texts: string[]) => (await model.classify(texts)).map((p) => read.read(p));
    const sentDir = join(dataDir, 'sentiment');
    if ((!only || only === 'sentiment') && existsSync(sentDir)) {
      for (const f of readdirSync(sentDir)
        .filter((x) => x.endsWith('.jsonl'))
        .sort()) {
        const rows = readJsonl(join(sentDir, f)).filter((r) => SENT_LABELS.includes(String(r.label)));
        const t0 = performance.now();
        const got = await scores(rows.map((r) => r.text));
        const perS = rows.length / ((performance.now() - t0) / 1000);
        const fig = classify(
          rows.map((r) => String(r.label)),
          got.map((g) => g.label),
          SENT_LABELS,
        );
        console.log(` ${f} (${Math.round(perS)} texts/s)`);
        printClass(`onnx ${model.name}`.slice(0, 22), fig);
        printConfusion(fig);
        out[f] = { onnx: fig, textsPerSecond: perS };
      }
    }
    const revDir = join(dataDir, 'reviews');
    if ((!only || only === 'reviews') && existsSync(revDir)) {
      for (const f of readdirSync(revDir)
        .filter((x) => x.endsWith('.jsonl'))
        .sort()) {
        const rows = readJsonl(join(revDir, f)).filter(
          (r) => typeof r.stars === 'number' || typeof r.rating === 'number',
        );
        const got = await scores(rows.map((r) => r.text));
        const rho = spearman(
          got.map((g) => g.score),
          rows.map((r) => Number(r.stars ?? r.rating)),
        );
        console.log(`  ${f.padEnd(44)} n=${rows.length}  onnx ${rho.toFixed(3)}`);
        out[f] = { n: rows.length, onnx: rho };
      }
    }
  } finally {
    await model.close();
  }
}

/** A category key as the words an aspect model is asked about ("FOOD#QUALITY" → "food quality"). */
const aspectWords = (category: string) =>
  category.replace(/[#_]/g, ' ').replace(/\//g, ' or ').replace(/\s+/g, ' ').trim().toLowerCase();

/** `--onnx-aspect <folder>`: a sentence-pair aspect-sentiment model on the aspect sets' gold categories. */
async function taskOnnxAspect(dataDir: string, folder: string, out: Figures): Promise<void> {
  const model = await loadOnnxTextClassifier(folder, { threads: availableParallelism(), batchSize: 32 });
  try {
    const read = labelSentimentReader(model.labels);
    console.log(`\n(e) ONNX aspect model '${model.name}': labels ${model.labels.join(', ')} read as ${read.scheme}`);
    for (const g of discover(dataDir, 'absa')) {
      const te = trainEval(g);
      if (!te) continue;
      const pairs: [string, string][] = [];
      const gold: string[] = [];
      for (const r of te.evalRows) {
        for (const [cat, pol] of Object.entries((r.polarities as Record<string, string>) ?? {})) {
          pairs.push([r.text, aspectWords(cat)]);
          gold.push(pol);
        }
      }
      const t0 = performance.now();
      const got = (await model.classifyPairs(pairs)).map((p) => read.read(p).label);
      const perS = pairs.length / ((performance.now() - t0) / 1000);
      const fig = classify(gold, got);
      console.log(
        ` ${g.base}: ${te.evalRows.length} eval rows (as the per-org polarity figure), ${Math.round(perS)} pairs/s`,
      );
      printClass(`onnx ${model.name}`.slice(0, 22), fig);
      printConfusion(fig);
      out[g.base] = { polarity: fig, pairsPerSecond: perS };
    }
  } finally {
    await model.close();
  }
}

/** `--onnx-topics <folder>`: the built-in topics plus a topic classifier's, on the zero-shot topic task (b). */
async function taskOnnxTopics(dataDir: string, folder: string, threshold: number, out: Figures): Promise<void> {
  const model = await TopicModel.load(folder, { threads: availableParallelism(), batchSize: 32, threshold });
  try {
    const keys = new Set(DEFAULT_TAXONOMY.topics.map((t) => t.key));
    const used = model.labels.filter((l) => keys.has(l));
    console.log(
      `\n(f) ONNX topic model '${model.name}': ${used.length} of its ${model.labels.length} labels are default-taxonomy keys; threshold ${threshold}`,
    );
    for (const { file, scheme, rows, gold, cats } of reviewTopicSets(dataDir)) {
      const builtIn = rows.map((r) => detectTopics(r.text, DEFAULT_TAXONOMY).map((t) => t.topic));
      const t0 = performance.now();
      const found = await model.detect(rows.map((r) => r.text));
      const perS = rows.length / ((performance.now() - t0) / 1000);
      const toCats = (topics: string[]) => [...new Set(topics.flatMap((t) => topicToCategories(t, scheme)))];
      const alone = multiLabel(gold, builtIn.map(toCats), cats);
      const withModel = multiLabel(
        gold,
        builtIn.map((b, i) => toCats([...b, ...found[i].map((f) => f.topic).filter((k) => keys.has(k))])),
        cats,
      );
      console.log(` ${basename(file)}: ${Math.round(perS)} texts/s`);
      printMulti('canopy topics', alone);
      printMulti(`+ onnx ${model.name}`.slice(0, 22), withModel);
      out[basename(file)] = { canopy: alone, withModel, textsPerSecond: perS };
    }
  } finally {
    await model.close();
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const di = argv.indexOf('--data');
  const ji = argv.indexOf('--json');
  const dataDir = di >= 0 ? resolve(argv[di + 1]) : DEFAULT_DATA;
  const only = argv.indexOf('--task') >= 0 ? argv[argv.indexOf('--task') + 1] : null;
  const folderArg = (flag: string) => {
    const v = argv[argv.indexOf(flag) + 1];
    if (!v || v.startsWith('--')) throw new Error(`${flag} needs a model folder: ${flag} <folder>`);
    const dir = resolve(v);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${flag} ${dir}: not a folder`);
    return dir;
  };
  // Checked before the tasks run: a missing folder is said at once, not after a minute of scoring.
  const onnxFolder = argv.includes('--onnx') ? folderArg('--onnx') : null;
  const aspectFolder = argv.includes('--onnx-aspect') ? folderArg('--onnx-aspect') : null;
  const topicFolder = argv.includes('--onnx-topics') ? folderArg('--onnx-topics') : null;
  const ti = argv.indexOf('--topic-threshold');
  const topicThreshold = ti >= 0 ? Number(argv[ti + 1]) : 0.5;
  if (!(topicThreshold > 0 && topicThreshold < 1))
    throw new Error(`--topic-threshold must be a number between 0 and 1, got '${argv[ti + 1]}'`);
  console.log(`Canopy text analytics evaluation on ${dataDir}`);
  const figures: Record<string, Figures> = {};
  const run = (name: string, sub: string, fn: (d: string, o: Figures) => void) => {
    if (only && only !== name) return;
    if (!existsSync(join(dataDir, sub))) return;
    figures[name] = {};
    fn(dataDir, figures[name]);
  };
  run('sentiment', 'sentiment', taskSentiment);
  run('topics', existsSync(join(dataDir, 'absa')) ? 'absa' : 'support', taskTopics);
  run('absa', 'absa', taskTrainedAbsa);
  run('intents', 'support', taskIntents);
  run('reviews', 'reviews', taskReviews);
  if (onnxFolder) {
    figures.onnx = {};
    await taskOnnx(dataDir, onnxFolder, figures.onnx, only);
  }
  if (aspectFolder && (!only || only === 'absa') && existsSync(join(dataDir, 'absa'))) {
    figures.onnxAspect = {};
    await taskOnnxAspect(dataDir, aspectFolder, figures.onnxAspect);
  }
  if (topicFolder && (!only || only === 'topics') && existsSync(join(dataDir, 'absa'))) {
    figures.onnxTopics = {};
    await taskOnnxTopics(dataDir, topicFolder, topicThreshold, figures.onnxTopics);
  }
  if (ji >= 0) {
    writeFileSync(
      argv[ji + 1],
      `${JSON.stringify({ data: dataDir, when: new Date().toISOString(), figures }, null, 2)}\n`,
    );
    console.log(`\nwrote ${argv[ji + 1]}`);
  }
}

main().catch((err: Error) => {
  console.error(`eval:text: ${err.message}`);
  process.exit(1);
});

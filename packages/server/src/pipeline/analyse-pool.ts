import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import {
  type AnalyzeContext,
  analyzeText,
  DEFAULT_TAXONOMY,
  predictLabels,
  redactPii,
  type TextAnalysis,
  type TrainExample,
  type TrainedTextModel,
  topicsConfigMark,
  trainTextClassifier,
} from '@canopy/core';

/**
 * Text analysis off the main thread: a pool of worker threads (available cores − 1, at least one)
 * that analyse batches of texts with an org's configuration, and one-off workers that train an
 * org's classifiers. The event loop stays free for requests and database I/O while the CPU-bound
 * analysis runs; the main thread analyses its own share of a big batch meanwhile.
 */

export interface AnalysedText {
  analysis: TextAnalysis;
  /** The text with PII replaced, when it had any. */
  redacted: string | null;
}

/** An org's analysis configuration and a key that changes whenever it does (workers cache by key). */
export interface TextConfig {
  key: string;
  ctx: AnalyzeContext;
  /** What finds topics with it (the org's topics mark, stored with each analysis). */
  topics: string;
}

export const DEFAULT_TEXT_CONFIG: TextConfig = {
  key: 'default',
  ctx: {},
  topics: topicsConfigMark(DEFAULT_TAXONOMY, undefined),
};

export function analyseTexts(texts: string[], ctx: AnalyzeContext): AnalysedText[] {
  return texts.map((t) => {
    const analysis = analyzeText(t, ctx);
    return { analysis, redacted: analysis.pii.length ? redactPii(t, analysis.pii) : null };
  });
}

export interface TrainJob {
  kind: 'topics' | 'intents' | 'sentiment';
  examples: TrainExample[];
  /** Share of examples held out (every k-th) to report accuracy/F1 before training on all; 0 = none. */
  holdoutEvery: number;
}

export interface TrainResult {
  model: TrainedTextModel;
  metrics: Record<string, number>;
  trainMs: number;
}

/** Training: single-label for intents/sentiment, multi-label for topics; fewer epochs on big sets. */
export function trainJob(job: TrainJob): TrainResult {
  const t0 = performance.now();
  const mode = job.kind === 'topics' ? 'multi' : 'single';
  const n = job.examples.length;
  // ~20 epochs on small sets, fewer on big ones (the averaged SGD converges on them sooner).
  const epochs = Math.max(4, Math.min(20, Math.round(160_000 / Math.max(1, n))));
  const metrics: Record<string, number> = {};
  if (job.holdoutEvery > 1 && n >= 50 && n <= 20_000) {
    const train = job.examples.filter((_, i) => i % job.holdoutEvery !== 0);
    const test = job.examples.filter((_, i) => i % job.holdoutEvery === 0);
    const m = trainTextClassifier(train, { mode, epochs });
    Object.assign(metrics, evaluate(m, test), { holdout_examples: test.length });
  }
  const model = trainTextClassifier(job.examples, { mode, epochs });
  return { model, metrics, trainMs: performance.now() - t0 };
}

function evaluate(m: TrainedTextModel, test: TrainExample[]): Record<string, number> {
  if (m.mode === 'single') {
    let ok = 0;
    for (const ex of test) {
      const p = predictLabels(m, ex.text)[0]?.label ?? '';
      if (ex.labels.includes(p)) ok++;
    }
    return { holdout_accuracy: round(ok / Math.max(1, test.length)) };
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const ex of test) {
    const gold = new Set(ex.labels);
    const pred = new Set(predictLabels(m, ex.text).map((x) => x.label));
    for (const l of pred)
      if (gold.has(l)) tp++;
      else fp++;
    for (const l of gold) if (!pred.has(l)) fn++;
  }
  return { holdout_micro_f1: round((2 * tp) / Math.max(1, 2 * tp + fp + fn)) };
}

const round = (x: number) => Math.round(x * 10000) / 10000;

// ---------- the worker side ----------

type Request =
  | { id: number; type: 'analyse'; texts: string[]; key: string; ctx?: AnalyzeContext; reset?: boolean; slim?: boolean }
  | { id: number; type: 'train'; job: TrainJob };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

if (!isMainThread && (workerData as { canopyText?: boolean } | null)?.canopyText) {
  const configs = new Map<string, AnalyzeContext>([['default', {}]]);
  parentPort!.on('message', (req: Request) => {
    let reply: Reply;
    try {
      if (req.type === 'analyse') {
        if (req.reset) {
          configs.clear();
          configs.set('default', {});
        }
        if (req.ctx) configs.set(req.key, req.ctx);
        const ctx = configs.get(req.key);
        if (!ctx) throw new Error(`unknown text configuration ${req.key}`);
        const result = analyseTexts(req.texts, ctx);
        // Ingestion stores no per-sentence scores: not sending them back halves the transfer.
        if (req.slim) for (const r of result) r.analysis.sentences = [];
        reply = { id: req.id, ok: true, result };
      } else {
        reply = { id: req.id, ok: true, result: trainJob(req.job) };
      }
    } catch (err) {
      reply = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(reply);
  });
}

// ---------- the main-thread side ----------

interface PoolWorker {
  worker: Worker;
  /** Config keys this worker has been sent. */
  keys: Set<string>;
  inFlight: number;
}

export interface AnalysisPoolOptions {
  /** Worker threads; default: available cores − 1, at least 1. */
  size?: number;
  /** Batches with fewer texts are analysed inline (messaging costs more than it saves). */
  minBatch?: number;
}

export class AnalysisPool {
  readonly size: number;
  readonly minBatch: number;
  private workers: PoolWorker[] = [];
  private seq = 0;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; w: PoolWorker }>();
  private closed = false;

  constructor(opts: AnalysisPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? availableParallelism() - 1);
    this.minBatch = opts.minBatch ?? 200;
  }

  private spawn(): PoolWorker {
    const worker = new Worker(new URL(import.meta.url), { workerData: { canopyText: true } });
    const pw: PoolWorker = { worker, keys: new Set(['default']), inFlight: 0 };
    worker.unref();
    worker.on('message', (r: Reply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      pw.inFlight--;
      if (r.ok) w.resolve(r.result);
      else w.reject(new Error(r.error));
    });
    const fail = (err: Error) => {
      for (const [id, w] of this.waiting) {
        if (w.w !== pw) continue;
        this.waiting.delete(id);
        w.reject(err);
      }
      this.workers = this.workers.filter((x) => x !== pw);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`text analysis worker exited (${code})`)));
    return pw;
  }

  private pick(): PoolWorker {
    if (this.workers.length < this.size) {
      const w = this.spawn();
      this.workers.push(w);
      return w;
    }
    return this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  private call<T>(pw: PoolWorker, req: WithoutId<Request>): Promise<T> {
    const id = ++this.seq;
    pw.inFlight++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, w: pw });
      pw.worker.postMessage({ ...req, id });
    });
  }

  /**
   * Analyses texts: inline when few, else split over the workers with a share for this thread.
   * `slim`: per-sentence scores may be left out (what ingestion stores does not need them).
   */
  async analyse(texts: string[], cfg: TextConfig = DEFAULT_TEXT_CONFIG, slim = false): Promise<AnalysedText[]> {
    if (this.closed || texts.length < this.minBatch) return analyseTexts(texts, cfg.ctx);
    const parts = this.size + 1;
    const per = Math.ceil(texts.length / parts);
    const jobs: Promise<AnalysedText[]>[] = [];
    for (let p = 1; p < parts; p++) {
      const chunk = texts.slice(p * per, (p + 1) * per);
      if (chunk.length === 0) break;
      const pw = this.pick();
      const send = !pw.keys.has(cfg.key);
      // Workers keep a bounded number of org configurations.
      const reset = send && pw.keys.size >= 64;
      if (reset) pw.keys = new Set(['default']);
      if (send) pw.keys.add(cfg.key);
      jobs.push(
        this.call<AnalysedText[]>(pw, {
          type: 'analyse',
          texts: chunk,
          key: cfg.key,
          ctx: send ? cfg.ctx : undefined,
          reset,
          slim,
        }),
      );
    }
    // This thread's share, while the workers do theirs.
    const mine = analyseTexts(texts.slice(0, per), cfg.ctx);
    const rest = await Promise.all(jobs);
    return mine.concat(...rest);
  }

  /** Trains a model in a worker of its own, so neither requests nor ingestion wait on it. */
  async train(job: TrainJob): Promise<TrainResult> {
    const pw = this.spawn();
    try {
      return await this.call<TrainResult>(pw, { type: 'train', job });
    } finally {
      await pw.worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }
}

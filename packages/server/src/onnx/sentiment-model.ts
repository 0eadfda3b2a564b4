import { basename, resolve } from 'node:path';
import { DEFAULT_TAXONOMY, type LabelSentimentReader, labelSentimentReader } from '@canopy/core';
import {
  analysedTexts,
  type Db,
  getOrgTaxonomy,
  setSentiments,
  setTopicSentiments,
  topicMentionTexts,
} from '@canopy/store';
import { enqueueMany, type JobHandler } from '../jobs/index.js';
import { loadOnnxTextClassifier, type OnnxLoadOptions, type OnnxTextClassifier } from './text-classifier.js';
import { type BackfillOptions, backfill, checkModelName, type TextModel } from './text-model.js';

/** The job that re-scores freshly analysed texts with the installation's sentiment model. */
export const SENTIMENT_JOB = 'text.sentiment';

export interface SentimentJobPayload {
  ids: string[];
}

/**
 * Queues the model's job for analyses just written, in the writer's transaction (the job exists
 * exactly when the texts do). For writers without a job runner of their own (imports, the demo):
 * a server with the model runs it.
 */
export async function queueSentimentJob(trx: Db, orgId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await enqueueMany(trx, sentimentJobs(orgId, ids));
}

/**
 * Texts per job: a transformer on one CPU thread reads tens of texts a second, so a job of 64 ends
 * in seconds — well inside the runner's lease (60 s), past which another runner would take it over
 * — and a big import spreads over many jobs that runners share.
 */
export const SENTIMENT_JOB_TEXTS = 64;

/** The model's jobs for analyses just written: SENTIMENT_JOB_TEXTS ids each. */
export function sentimentJobs(orgId: string, ids: string[]) {
  const jobs: { orgId: string; type: string; payload: SentimentJobPayload }[] = [];
  for (let i = 0; i < ids.length; i += SENTIMENT_JOB_TEXTS) {
    jobs.push({ orgId, type: SENTIMENT_JOB, payload: { ids: ids.slice(i, i + SENTIMENT_JOB_TEXTS) } });
  }
  return jobs;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An outside sentiment model (an ONNX folder; see text-classifier.ts) that the installation uses in
 * place of a built-in sentiment score: a text-sentiment model (CANOPY_SENTIMENT_MODEL) re-scores each
 * text's sentiment; an aspect-sentiment model (CANOPY_ASPECT_MODEL, a sentence-pair classifier) re-
 * scores each topic mention's, asked with the text and the topic's label as the aspect. Texts are
 * stored at ingestion with the built-in analysis as always — a transformer on CPU reads tens to
 * hundreds of texts a second, ingestion thousands — and each ingestion transaction queues jobs with
 * its analyses' ids; a job re-scores them and what is kept from them (text rollups, key drivers'
 * negative topics) follows through their triggers. Emotion, effort and PII stay the built-in ones.
 */
export class SentimentModel implements TextModel {
  private constructor(
    readonly name: string,
    /** What it re-scores: texts' sentiment, or their topic mentions' (an aspect model). */
    readonly target: 'text' | 'topics',
    private readonly classifier: OnnxTextClassifier,
    private readonly reader: LabelSentimentReader,
  ) {}

  /** Loads the folder; its labels must read as sentiment (negative/neutral/positive or star ratings). */
  static async load(
    folder: string,
    opts: OnnxLoadOptions & { name?: string; target?: 'text' | 'topics' } = {},
  ): Promise<SentimentModel> {
    const classifier = await loadOnnxTextClassifier(folder, opts);
    let reader: LabelSentimentReader;
    try {
      reader = labelSentimentReader(classifier.labels);
    } catch (err) {
      await classifier.close();
      throw new Error(`${resolve(folder)}: ${(err as Error).message}`);
    }
    const name = checkModelName(opts.name ?? basename(resolve(folder)));
    return new SentimentModel(name, opts.target ?? 'text', classifier, reader);
  }

  /** Sentiment of each text by the model. */
  async score(texts: readonly string[]) {
    return (await this.classifier.classify(texts)).map((p) => this.reader.read(p));
  }

  /**
   * Re-scores the analyses `ids` of an org (those still there and analysable): their sentiment, or
   * their topic mentions'. Returns how many rows changed.
   */
  async rescore(db: Db, orgId: string, ids: string[]): Promise<number> {
    if (this.target === 'topics') return this.rescoreTopics(db, orgId, ids);
    const texts = await analysedTexts(db, orgId, ids);
    if (texts.length === 0) return 0;
    const scores = await this.score(texts.map((t) => t.text));
    return setSentiments(
      db,
      orgId,
      this.name,
      texts.map((t, i) => ({ id: t.id, score: scores[i].score, label: scores[i].label })),
    );
  }

  private async rescoreTopics(db: Db, orgId: string, ids: string[]): Promise<number> {
    const mentions = await topicMentionTexts(db, orgId, ids);
    if (mentions.length === 0) return 0;
    // The aspect asked about is the topic's label in the org's taxonomy ("Late delivery").
    const taxonomy = (await getOrgTaxonomy(db, orgId))?.taxonomy ?? DEFAULT_TAXONOMY;
    const labels = new Map(taxonomy.topics.map((t) => [t.key, t.label]));
    const aspect = (key: string) => (labels.get(key) ?? key.replace(/[._-]+/g, ' ')).toLowerCase();
    // One question per (text, topic): a topic mentioned twice in a text gets one answer.
    const pairOf = new Map<string, number>();
    const pairs: (readonly [string, string])[] = [];
    const which = mentions.map((m) => {
      const k = `${m.analysis_id} ${m.topic}`;
      let i = pairOf.get(k);
      if (i === undefined) {
        i = pairs.push([m.text, aspect(m.topic)]) - 1;
        pairOf.set(k, i);
      }
      return i;
    });
    const probs = await this.classifier.classifyPairs(pairs);
    return setTopicSentiments(
      db,
      orgId,
      this.name,
      mentions.map((m, i) => {
        const r = this.reader.read(probs[which[i]]);
        return { analysisId: m.analysis_id, topic: m.topic, spanStart: m.span_start, score: r.score, label: r.label };
      }),
    );
  }

  /** Re-scores an org's stored texts that this model has not scored yet (see text-model.ts). */
  backfill(db: Db, orgId: string, o: BackfillOptions = {}): Promise<{ scored: number; seconds: number }> {
    return backfill(this, db, orgId, o);
  }

  close(): Promise<void> {
    return this.classifier.close();
  }
}

/**
 * The job handler for the installation's models (registered on the app's job runner), run in the
 * order given: text sentiment, topic detection, aspect sentiment (see text-model.ts).
 */
export function sentimentJobHandler(models: readonly TextModel[]): JobHandler<SentimentJobPayload> {
  return async (job, ctx) => {
    const ids = job.payload?.ids;
    if (!job.orgId || !Array.isArray(ids) || !ids.every((x) => typeof x === 'string' && UUID.test(x))) {
      throw new Error(`${SENTIMENT_JOB} job ${job.id}: payload must be { ids: [uuid, …] } with an org`);
    }
    for (const m of models) await m.rescore(ctx.store.db, job.orgId, ids);
  };
}

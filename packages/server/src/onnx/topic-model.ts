import { basename, resolve } from 'node:path';
import { DEFAULT_TAXONOMY, TOPIC_KEY_RE } from '@canopy/core';
import { addDetectedTopics, analysedTexts, type Db, getOrgTaxonomy } from '@canopy/store';
import { loadOnnxTextClassifier, type OnnxLoadOptions, type OnnxTextClassifier } from './text-classifier.js';
import { type BackfillOptions, backfill, checkModelName, type TextModel } from './text-model.js';

export interface TopicModelOptions extends OnnxLoadOptions {
  name?: string;
  /** Probability from which a label counts as found (default 0.5). */
  threshold?: number;
}

/**
 * An outside topic classifier (an ONNX folder, CANOPY_TOPIC_MODEL) whose labels are taxonomy topic
 * keys ("delivery.late"): a multi-label model (config.json problem_type multi_label_classification,
 * sigmoid) finds any number of topics in a text, a single-label one at most one. After ingestion it
 * reads each stored text and adds the topics it finds with at least `threshold` probability that the
 * org's taxonomy has and the text's mentions lack — the taxonomy phrases' mentions stay, with their
 * spans, as the org's own trained classifier's do. A classifier gives no span, so a mention it adds
 * covers the whole text and carries the text's sentiment (an aspect model, when set, re-scores it).
 * Labels outside an org's taxonomy are skipped for that org: one model serves orgs whose taxonomies
 * differ.
 */
export class TopicModel implements TextModel {
  readonly target = 'detect' as const;

  private constructor(
    readonly name: string,
    private readonly classifier: OnnxTextClassifier,
    readonly threshold: number,
  ) {}

  /** Loads the folder; every label must be shaped as a topic key. */
  static async load(folder: string, opts: TopicModelOptions = {}): Promise<TopicModel> {
    const threshold = opts.threshold ?? 0.5;
    if (!(threshold > 0 && threshold < 1))
      throw new RangeError(`topic model threshold must be between 0 and 1, got ${opts.threshold}`);
    const name = checkModelName(opts.name ?? basename(resolve(folder)));
    const classifier = await loadOnnxTextClassifier(folder, opts);
    const bad = classifier.labels.filter((l) => !TOPIC_KEY_RE.test(l));
    if (bad.length) {
      await classifier.close();
      throw new Error(
        `${resolve(folder)}: config.json id2label must name taxonomy topic keys (lower-case words separated by dots, e.g. delivery.late); not: ${bad
          .slice(0, 5)
          .map((l) => `'${l}'`)
          .join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}`,
      );
    }
    return new TopicModel(name, classifier, threshold);
  }

  get labels(): readonly string[] {
    return this.classifier.labels;
  }

  /** The labels found in each text, most probable first. */
  async detect(texts: readonly string[]): Promise<{ topic: string; score: number }[][]> {
    const probs = await this.classifier.classify(texts);
    const labels = this.classifier.labels;
    return probs.map((p) => {
      const found: { topic: string; score: number }[] = [];
      for (let c = 0; c < p.length; c++) if (p[c] >= this.threshold) found.push({ topic: labels[c], score: p[c] });
      return found.sort((a, b) => b.score - a.score);
    });
  }

  /** Adds the topics found in the analyses `ids` of an org; returns how many mentions were added. */
  async rescore(db: Db, orgId: string, ids: string[]): Promise<number> {
    const texts = await analysedTexts(db, orgId, ids);
    if (texts.length === 0) return 0;
    const taxonomy = (await getOrgTaxonomy(db, orgId))?.taxonomy ?? DEFAULT_TAXONOMY;
    const keys = new Set(taxonomy.topics.map((t) => t.key));
    const found = await this.detect(texts.map((t) => t.text));
    return addDetectedTopics(
      db,
      orgId,
      this.name,
      texts.map((t, i) => ({
        analysisId: t.id,
        topics: found[i].map((f) => f.topic).filter((k) => keys.has(k)),
        textLength: t.text.length,
      })),
    );
  }

  /** Reads an org's stored texts that this model has not read yet (see text-model.ts). */
  backfill(db: Db, orgId: string, o: BackfillOptions = {}): Promise<{ scored: number; seconds: number }> {
    return backfill(this, db, orgId, o);
  }

  close(): Promise<void> {
    return this.classifier.close();
  }
}

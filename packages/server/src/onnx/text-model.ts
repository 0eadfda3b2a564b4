import { analysisIdsToRescore, type Db } from '@canopy/store';

/**
 * An installation's outside model over stored texts (an ONNX folder): it re-reads analyses by id
 * after ingestion (from the job their ingestion queued) or in a backfill.
 *  - 'text': re-scores each text's sentiment (CANOPY_SENTIMENT_MODEL);
 *  - 'detect': adds the taxonomy topics it finds (CANOPY_TOPIC_MODEL);
 *  - 'topics': re-scores each topic mention's sentiment (CANOPY_ASPECT_MODEL).
 * A job runs them in that order, so mentions a topic model adds are scored by the aspect model too.
 */
export interface TextModel {
  readonly name: string;
  readonly target: 'text' | 'detect' | 'topics';
  /** Reads the analyses `ids` of an org (those still there and analysable); returns rows changed. */
  rescore(db: Db, orgId: string, ids: string[]): Promise<number>;
  close(): Promise<void>;
}

export interface BackfillOptions {
  /** Every text again, not only those the model has not read. */
  all?: boolean;
  from?: Date;
  to?: Date;
  pageSize?: number;
  onProgress?: (done: number) => void;
}

/**
 * Runs `model` over an org's stored texts (those it has not read yet, or all with `all`), a page at
 * a time, each page in its own statement: texts stored before the model was configured. Safe to
 * stop and run again: it carries on where the model's mark is missing.
 */
export async function backfill(
  model: TextModel,
  db: Db,
  orgId: string,
  o: BackfillOptions = {},
): Promise<{ scored: number; seconds: number }> {
  const started = performance.now();
  const limit = o.pageSize ?? 256;
  let after: string | undefined;
  let scored = 0;
  for (;;) {
    const ids = await analysisIdsToRescore(db, orgId, {
      model: model.name,
      target: model.target,
      all: o.all,
      from: o.from,
      to: o.to,
      after,
      limit,
    });
    if (ids.length === 0) break;
    scored += await model.rescore(db, orgId, ids);
    after = ids[ids.length - 1];
    o.onProgress?.(scored);
    if (ids.length < limit) break;
  }
  return { scored, seconds: (performance.now() - started) / 1000 };
}

/** A model's name as stored on what it scored: the folder's name unless given. */
export function checkModelName(name: string): string {
  if (!/^[\w.@:+-]{1,100}$/.test(name)) throw new Error(`model name '${name}' must be 1–100 letters, digits or ._@:+-`);
  return name;
}

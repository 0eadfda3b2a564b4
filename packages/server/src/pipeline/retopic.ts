import { analysedTexts, type Db, enqueueJobs, replaceTopics, staleTopicAnalyses } from '@canopy/store';
import type { JobHandler } from '../jobs/index.js';
import type { TextAnalysisStep } from './analyse.js';

/**
 * "Apply the taxonomy to stored texts": after an org changes its taxonomy or trains a topic model,
 * the texts it stored before keep the topics they were given; this job finds them again with the
 * org's configuration now, a page at a time, each page in one transaction (topics replaced, text
 * marked with the configuration: migration 022), so it can stop anywhere and carry on. A job works
 * for a few seconds, then queues its continuation: it never outlives its lease, and other work
 * interleaves. A save while it runs changes the mark; the job then stops, and the next request
 * starts over on what is still unmarked.
 */
export const RETOPIC_JOB = 'text.retopic';

export interface RetopicPayload {
  /** The topics mark the job applies (core's topicsConfigMark). */
  mark: string;
}

export interface RetopicOptions {
  pageSize?: number;
  /** How long one job works before it queues its continuation (ms). */
  sliceMs?: number;
  /** Called in each page's transaction with the analyses whose topics changed (outside models' jobs). */
  afterWrite?: (trx: Db, orgId: string, analysisIds: string[]) => Promise<void>;
}

export function retopicJobHandler(step: TextAnalysisStep, o: RetopicOptions = {}): JobHandler<RetopicPayload> {
  const pageSize = o.pageSize ?? 500;
  const sliceMs = o.sliceMs ?? 8_000;
  return async (job, ctx) => {
    const mark = job.payload?.mark;
    if (!job.orgId || typeof mark !== 'string' || !/^[0-9a-f]{16}\|[\w-]+$/.test(mark)) {
      throw new Error(
        `${RETOPIC_JOB} job ${job.id}: payload must be { mark: '<taxonomy hash>|<model id or ->' } with an org`,
      );
    }
    const orgId = job.orgId;
    const db = ctx.store.db;
    const until = Date.now() + sliceMs;
    for (;;) {
      // Superseded: the org saved another taxonomy (or trained a topic model) since. The version
      // check is one small query; the configuration itself is read again only when it changed.
      if ((await step.configFor(db, orgId, { fresh: true })).topics !== mark) return;
      const ids = await staleTopicAnalyses(db, orgId, mark, pageSize);
      if (ids.length === 0) return;
      const texts = await analysedTexts(db, orgId, ids);
      const analysed = await step.analyseTexts(
        db,
        orgId,
        texts.map((t) => t.text),
      );
      // Out of time with more to do: the continuation is queued with this page's commit.
      const more = ids.length === pageSize && Date.now() > until;
      await db.transaction().execute(async (trx) => {
        await replaceTopics(
          trx,
          orgId,
          mark,
          ids,
          texts.map((t, i) => ({ analysisId: t.id, topics: analysed[i].analysis.topics })),
        );
        if (o.afterWrite && texts.length)
          await o.afterWrite(
            trx,
            orgId,
            texts.map((t) => t.id),
          );
        if (more) await enqueueJobs(trx, [{ orgId, type: RETOPIC_JOB, payload: { mark } }]);
      });
      if (more || ids.length < pageSize) return;
    }
  };
}

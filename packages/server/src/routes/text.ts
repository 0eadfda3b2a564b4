import {
  DEFAULT_TAXONOMY,
  DEPARTMENTS,
  LIMITS,
  packAdditions,
  SEVEN_PS,
  TAXONOMY_PACKS,
  type Taxonomy,
  TOPIC_KEY_RE,
  text,
} from '@canopy/core';
import {
  currentTopicsConfig,
  enqueueJobOnce,
  getJob,
  getOrgTaxonomy,
  listTextModels,
  openJobOf,
  putOrgTaxonomy,
  type Store,
  saveTextModel,
  topicsConfigCounts,
} from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth } from '../auth.js';
import { TextAnalysisStep } from '../pipeline/analyse.js';
import type { AnalysedText } from '../pipeline/analyse-pool.js';
import { AnalysisPool } from '../pipeline/analyse-pool.js';
import { RETOPIC_JOB } from '../pipeline/retopic.js';
import { type FieldError, invalidFieldsDetail, Problem, zodFieldErrors } from '../problem.js';
import { apiRoute } from '../route.js';

/** Limits of the text analytics API. */
export const TEXT_LIMITS = {
  taxonomyTopics: 1_000,
  phrasesPerTopic: 1_000,
  trainMinExamples: 20,
  trainMaxExamples: 100_000,
  trainMaxLabels: 500,
  trainMaxLabelsPerExample: 20,
  trainTextChars: 5_000,
  analyseTexts: 1_000,
};

/** Words someone typed (a label, a phrase): trimmed, not blank, storable (no NUL or lone surrogate: jsonb refuses them). */
const words = (max: number) => text(max).trim().min(1, { error: 'must not be empty' });

const topicSchema = z
  .object({
    key: z
      .string()
      .max(LIMITS.shortText)
      .regex(TOPIC_KEY_RE, { error: 'lower-case words separated by dots, e.g. billing.error' }),
    label: words(LIMITS.shortText),
    parent: text(LIMITS.shortText).nullable().default(null),
    sevenP: z.enum(SEVEN_PS),
    department: z.enum(DEPARTMENTS),
    phrases: z
      .array(words(200).refine((p) => !/^~\s*$/.test(p), { error: 'a "~" qualifier needs words after it, e.g. ~nice' }))
      .max(TEXT_LIMITS.phrasesPerTopic),
  })
  .strict();

const taxonomySchema = z
  .object({
    version: words(LIMITS.shortText).optional(),
    topics: z.array(topicSchema).min(1).max(TEXT_LIMITS.taxonomyTopics),
  })
  .strict();

const label = words(LIMITS.shortText);
const trainSchema = z
  .object({
    kind: z.enum(['topics', 'intents', 'sentiment']),
    examples: z
      .array(
        z
          .object({
            text: words(TEXT_LIMITS.trainTextChars),
            labels: z.array(label).min(1).max(TEXT_LIMITS.trainMaxLabelsPerExample),
          })
          .strict(),
      )
      .min(TEXT_LIMITS.trainMinExamples, { error: `at least ${TEXT_LIMITS.trainMinExamples} examples` })
      .max(TEXT_LIMITS.trainMaxExamples, { error: `at most ${TEXT_LIMITS.trainMaxExamples} examples` }),
  })
  .strict();

const analyseSchema = z.union([
  z.object({ text: text(LIMITS.longText).min(1, { error: 'must not be empty' }) }).strict(),
  z
    .object({
      texts: z
        .array(text(LIMITS.longText).min(1, { error: 'must not be empty' }))
        .min(1)
        .max(TEXT_LIMITS.analyseTexts),
    })
    .strict(),
]);

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const errors = zodFieldErrors(r.error);
    throw new Problem(422, 'Invalid request', invalidFieldsDetail(errors, 'nothing was done'), errors);
  }
  return r.data;
}

/** Tree checks zod cannot make: unique keys, parents that exist, no cycles. */
export function taxonomyErrors(t: { topics: { key: string; parent: string | null }[] }): FieldError[] {
  const errors: FieldError[] = [];
  const index = new Map<string, number>();
  t.topics.forEach((x, i) => {
    if (index.has(x.key)) errors.push({ field: `topics[${i}].key`, reason: `duplicate key '${x.key}'` });
    else index.set(x.key, i);
  });
  t.topics.forEach((x, i) => {
    if (x.parent === null) return;
    if (!index.has(x.parent)) {
      errors.push({ field: `topics[${i}].parent`, reason: `no topic with key '${x.parent}'` });
      return;
    }
    const seen = new Set([x.key]);
    let p: string | null = x.parent;
    while (p !== null) {
      if (seen.has(p)) {
        errors.push({ field: `topics[${i}].parent`, reason: `'${x.key}' is its own ancestor` });
        break;
      }
      seen.add(p);
      p = t.topics[index.get(p)!]?.parent ?? null;
    }
  });
  return errors;
}

/** Label checks for training: enough distinct labels, each with a few examples; sentiment labels fixed. */
function trainErrors(kind: string, examples: { labels: string[] }[]): FieldError[] {
  const counts = new Map<string, number>();
  for (const ex of examples) for (const l of new Set(ex.labels)) counts.set(l, (counts.get(l) ?? 0) + 1);
  const errors: FieldError[] = [];
  if (kind !== 'topics') {
    examples.forEach((ex, i) => {
      if (ex.labels.length !== 1)
        errors.push({ field: `examples[${i}].labels`, reason: `${kind} examples have exactly one label` });
    });
  }
  if (kind === 'sentiment') {
    const ok = new Set(['negative', 'neutral', 'positive']);
    examples.forEach((ex, i) => {
      for (const l of ex.labels)
        if (!ok.has(l))
          errors.push({ field: `examples[${i}].labels`, reason: `'${l}' is not one of negative, neutral, positive` });
    });
  }
  if (counts.size < 2) errors.push({ field: 'examples', reason: 'at least two different labels are needed' });
  if (counts.size > TEXT_LIMITS.trainMaxLabels)
    errors.push({ field: 'examples', reason: `at most ${TEXT_LIMITS.trainMaxLabels} different labels` });
  const rare = [...counts].filter(([, n]) => n < 2).map(([l]) => l);
  if (rare.length)
    errors.push({
      field: 'examples',
      reason: `every label needs at least 2 examples; ${rare.length} have one: ${rare.slice(0, 5).join(', ')}`,
    });
  return errors.slice(0, 100);
}

/**
 * The revision an If-Match header names: one ETag as the taxonomy's GET gives it ("3", weak
 * W/"3" accepted); none or `*`: any revision.
 */
export function ifMatchRevision(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const v = (Array.isArray(header) ? header.join(',') : header).trim();
  if (v === '*' || v === '') return undefined;
  const m = /^(?:W\/)?"(\d{1,9})"$/.exec(v);
  if (!m)
    throw new Problem(400, 'Invalid If-Match', 'If-Match must be one ETag of the taxonomy, e.g. "3"', [
      { field: 'If-Match', reason: `expected one ETag such as "3", got ${JSON.stringify(v.slice(0, 60))}` },
    ]);
  return Number(m[1]);
}

function publicAnalysis(a: AnalysedText) {
  return { ...a.analysis, redacted_text: a.redacted };
}

/**
 * Per-org text analytics: the org's taxonomy, the classifiers it trains on its own labelled
 * examples (used by ingestion from then on), and ad-hoc analysis with the org's configuration.
 */
export function textRoutes(
  app: FastifyInstance,
  store: Store,
  auth: ApiKeyAuth,
  analysis: TextAnalysisStep | undefined,
): void {
  // Ad-hoc analysis and training work without an ingestion step too (e.g. an app without one).
  const step = analysis ?? new TextAnalysisStep({ analyse: () => ({}) as never, redact: (t) => t }, { store });
  const trainer = new AnalysisPool({ size: 1 });
  let training = 0;
  app.addHook('onClose', async () => {
    await trainer.close();
    await step.close();
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/taxonomy',
    summary:
      "The org's topic taxonomy (the default one until the org saves its own), with its revision, also as the ETag a save may send back in If-Match",
    tags: ['text'],
    responses: { 200: '{source, version, revision, updated_at, topics}' },
    handler: async (_req, reply, { org }) => {
      const own = await getOrgTaxonomy(store.db, org.orgId);
      const t: Taxonomy = own?.taxonomy ?? DEFAULT_TAXONOMY;
      const revision = own?.revision ?? 0;
      reply.header('etag', `"${revision}"`);
      return {
        source: own ? 'org' : 'default',
        version: t.version,
        revision,
        updated_at: own?.updatedAt ?? null,
        topics: t.topics,
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/taxonomy/packs',
    summary:
      "Canopy's industry packs (telecom, insurance, travel, software, utilities): topics to add to the taxonomy, each with what the org's taxonomy lacks of it (`adds`)",
    tags: ['text'],
    responses: { 200: '{items: [{id, label, description, topics, adds}]}' },
    handler: async (_req, _reply, { org }) => {
      const keys = ((await getOrgTaxonomy(store.db, org.orgId))?.taxonomy ?? DEFAULT_TAXONOMY).topics.map((t) => t.key);
      return {
        items: TAXONOMY_PACKS.map((p) => ({ ...p, adds: packAdditions(p, keys).map((t) => t.key) })),
      };
    },
  });

  apiRoute(app, auth, {
    method: 'PUT',
    url: '/api/v1/taxonomy',
    permission: 'configure',
    summary:
      "Replace the org's taxonomy: topics with phrases, parent, 7P dimension and owning department. With If-Match (the ETag of the copy it was made from), a save over another one made since is refused with 412",
    tags: ['text'],
    body: taxonomySchema,
    responses: {
      200: '{source, version, revision, updated_at, topics}',
      412: 'the taxonomy was saved since that revision',
    },
    handler: async (req, reply, { org }) => {
      const expected = ifMatchRevision(req.headers['if-match']);
      const body = parse(taxonomySchema, req.body);
      const errors = taxonomyErrors(body);
      if (errors.length) throw new Problem(422, 'Invalid taxonomy', 'the taxonomy is not a valid tree', errors);
      const taxonomy: Taxonomy = {
        version: body.version ?? `org-${new Date().toISOString()}`,
        topics: body.topics.map((t) => ({ ...t, phrases: t.phrases.map((p) => p.toLowerCase()) })),
      };
      const saved = await putOrgTaxonomy(store.db, org.orgId, taxonomy, expected);
      if (!saved) {
        const now = await getOrgTaxonomy(store.db, org.orgId);
        throw new Problem(
          412,
          'Taxonomy changed',
          `the taxonomy was saved by someone else since revision ${expected}` +
            (now ? ` (now revision ${now.revision}, saved ${now.updatedAt})` : ' (it is now the default one)') +
            '; load it again and redo your changes',
          [{ field: 'If-Match', reason: `revision ${expected} is no longer the current one (${now?.revision ?? 0})` }],
        );
      }
      step.invalidate(org.orgId);
      reply.header('etag', `"${saved.revision}"`);
      return {
        source: 'org',
        version: taxonomy.version,
        revision: saved.revision,
        updated_at: saved.updatedAt,
        topics: taxonomy.topics,
      };
    },
  });

  // Stored texts keep the topics they were given; these apply the taxonomy (and topic model) of
  // now to them, in a job (pipeline/retopic.ts).
  const reanalysis = async (orgId: string) => {
    const mark = await currentTopicsConfig(store.db, orgId);
    const [counts, job] = await Promise.all([
      topicsConfigCounts(store.db, orgId, mark),
      openJobOf(store.db, orgId, RETOPIC_JOB),
    ]);
    return {
      ...counts,
      job: job ? { id: job.id, status: job.status, attempts: job.attempts, last_error: job.last_error } : null,
      mark,
    };
  };

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/taxonomy/reanalysis',
    summary:
      "How many stored texts had their topics found with an earlier taxonomy or topic model (`stale` of `analysable`), and the job applying today's, if one runs",
    tags: ['text'],
    responses: { 200: '{analysable, stale, job: {id, status} | null, mark}' },
    handler: async (_req, _reply, { org }) => reanalysis(org.orgId),
  });

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/taxonomy/reanalysis',
    permission: 'configure',
    summary:
      "Finds the topics of stored texts again with the org's taxonomy and topic model of now (a job, a page of texts at a time; GET follows it). One job per org: asking again while it runs returns it",
    tags: ['text'],
    responses: { 202: '{analysable, stale, job: {id, status}, mark}', 200: 'nothing to do: {stale: 0, job: null}' },
    handler: async (req, reply, { org }) => {
      // It takes no body: fields sent would be silently ignored, so they are refused.
      const body = req.body;
      if (body !== undefined && body !== null && !(typeof body === 'object' && Object.keys(body).length === 0))
        throw new Problem(422, 'Invalid request', 'this request takes no body', [
          { field: '(body)', reason: 'must be empty: the job applies the saved taxonomy, nothing else' },
        ]);
      if (!analysis)
        throw new Problem(
          503,
          'Text analysis off',
          'this server does not analyse texts, so it cannot find topics again',
        );
      const now = await reanalysis(org.orgId);
      if (now.job || now.stale === 0) {
        if (now.job) reply.code(202);
        return now;
      }
      // Two requests at once queue one job: the second is answered with the first's.
      const open = await enqueueJobOnce(
        store.db,
        { orgId: org.orgId, type: RETOPIC_JOB, payload: { mark: now.mark } },
        async (trx) => (await topicsConfigCounts(trx, org.orgId, now.mark)).stale > 0,
      );
      // Done just now by a job that ran meanwhile: nothing is left.
      if (!open) return reanalysis(org.orgId);
      const { id } = open;
      reply.code(202);
      // The job as it is now (a small one may be done already).
      const [after, job] = await Promise.all([reanalysis(org.orgId), getJob(store.db, id)]);
      return {
        ...after,
        job: job
          ? { id, status: job.status, attempts: job.attempts, last_error: job.last_error }
          : { id, status: 'queued' },
      };
    },
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/text-models',
    summary: "The org's trained text models (newest first; one active per kind)",
    tags: ['text'],
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({ items: (await listTextModels(store.db, org.orgId)).map(modelOut) }),
  });

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/text-models',
    permission: 'configure',
    summary:
      'Train a topic (multi-label), intent or sentiment classifier on labelled examples; it becomes the active one of its kind',
    tags: ['text'],
    body: trainSchema,
    responses: { 201: 'the model: {id, kind, active, examples, labels, metrics, bytes, train_ms}' },
    handler: async (req, reply, { org }) => {
      const body = parse(trainSchema, req.body);
      const errors = trainErrors(body.kind, body.examples);
      if (errors.length) throw new Problem(422, 'Invalid training set', 'the examples cannot train a model', errors);
      if (training >= 2) throw new Problem(503, 'Busy', 'two models are training already; try again shortly');
      training++;
      let result: Awaited<ReturnType<AnalysisPool['train']>>;
      try {
        // In a worker of its own: the server keeps answering while it trains.
        result = await trainer.train({ kind: body.kind, examples: body.examples, holdoutEvery: 5 });
      } finally {
        training--;
      }
      const saved = await store.db.transaction().execute((trx) =>
        saveTextModel(trx, org.orgId, {
          kind: body.kind,
          model: result.model,
          examples: body.examples.length,
          metrics: result.metrics,
          trainMs: result.trainMs,
        }),
      );
      step.invalidate(org.orgId);
      reply.code(201);
      return modelOut(saved);
    },
  });

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/analyse',
    // Nothing is stored: whoever may read the org's texts may try one.
    permission: 'read',
    summary: "Analyse texts with the org's taxonomy and trained models (nothing is stored)",
    tags: ['text'],
    body: analyseSchema,
    responses: { 200: '{items: [analysis]}' },
    handler: async (req, _reply, { org }) => {
      const body = parse(analyseSchema, req.body);
      const texts = 'text' in body ? [body.text] : body.texts;
      const out = await step.analyseTexts(store.db, org.orgId, texts);
      return { items: out.map(publicAnalysis) };
    },
  });
}

function modelOut(m: Awaited<ReturnType<typeof listTextModels>>[number]) {
  return {
    id: m.id,
    kind: m.kind,
    active: m.active,
    examples: m.examples,
    labels: m.labels,
    metrics: m.metrics,
    bytes: m.bytes,
    train_ms: m.trainMs,
    created_at: m.createdAt,
  };
}

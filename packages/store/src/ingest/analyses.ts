import { ORG_TOPIC_MODEL, type TextAnalysis, type TopicMention } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import type { Db } from './types.js';

export interface AnalysisRow {
  subjectKind: 'interaction' | 'response' | 'event';
  subjectId: string;
  field: string;
  customerId: string | null;
  touchpointId: string | null;
  occurredAt: Date;
  analysis: TextAnalysis;
  /** The text with PII replaced, kept for analysts without the PII permission. */
  redactedText: string | null;
  /** The subject existed before (an updated interaction): its earlier analysis is replaced. */
  replaces?: boolean;
  /** What found its topics (the org's topics mark, text-models.ts); absent: not known. */
  topicsConfig?: string;
}

/**
 * Deletes the analyses of these subjects' fields (field omitted: all of a subject's), with their
 * topic mentions: a re-analysed text, or one that is no longer the customer's words.
 */
export async function deleteAnalyses(
  trx: Db,
  orgId: string,
  subjects: { subjectKind: string; subjectId: string; field?: string }[],
): Promise<void> {
  if (subjects.length === 0) return;
  // text_topics carries no foreign key (see migration 001), so its rows go explicitly.
  const gone = await sql<{ id: string }>`DELETE FROM text_analyses t USING unnest(
      ${subjects.map((r) => r.subjectKind)}::text[], ${subjects.map((r) => r.subjectId)}::uuid[],
      ${subjects.map((r) => r.field ?? null)}::text[]) AS q(k, s, f)
    WHERE t.org_id = ${orgId} AND t.subject_kind = q.k AND t.subject_id = q.s AND (q.f IS NULL OR t.field = q.f)
    RETURNING t.id`.execute(trx);
  if (gone.rows.length) {
    await sql`DELETE FROM text_topics WHERE org_id = ${orgId} AND analysis_id = ANY(${gone.rows.map((r) => r.id)}::uuid[])`.execute(
      trx,
    );
  }
}

/**
 * Stores analyses as typed rows (one per text field, one per topic mention). Re-analysing a
 * subject replaces its earlier analysis. Returns the analyses' ids, in the order of `rows`.
 */
export async function writeAnalyses(trx: Db, orgId: string, rows: AnalysisRow[]): Promise<string[]> {
  if (rows.length === 0) return [];
  // New subjects have nothing to replace: skip the delete (it costs as much as the insert).
  const old = rows.filter((r) => r.replaces);
  if (old.length) await deleteAnalyses(trx, orgId, old);
  const ids = rows.map(() => uuidv7());
  const occurred = rows.map((r) => r.occurredAt.toISOString());
  await sql`
    INSERT INTO text_analyses (org_id, id, subject_kind, subject_id, field, customer_id, touchpoint_id, occurred_at,
      language, analysable, sentiment_score, sentiment_label, emotions, effort, churn_threat, urgent, pii_kinds, redacted_text,
      intent, intent_score, topics_config)
    SELECT ${orgId}::uuid, q.id, q.k, q.s, q.f, q.c, q.t, q.o, q.lang, q.ok, q.score, q.label,
      string_to_array(q.emotions, ','), q.effort, q.churn, q.urgent, string_to_array(q.pii, ','), q.redacted,
      q.intent, q.intent_score, q.topics_config
    FROM unnest(${ids}::uuid[], ${rows.map((r) => r.subjectKind)}::text[], ${rows.map((r) => r.subjectId)}::uuid[],
      ${rows.map((r) => r.field)}::text[], ${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.touchpointId)}::uuid[],
      ${occurred}::timestamptz[], ${rows.map((r) => r.analysis.language)}::text[], ${rows.map((r) => r.analysis.analysable)}::bool[],
      ${rows.map((r) => r.analysis.sentiment.score)}::float8[], ${rows.map((r) => r.analysis.sentiment.label)}::text[],
      ${rows.map((r) => r.analysis.emotions.join(','))}::text[], ${rows.map((r) => r.analysis.effort)}::float8[],
      ${rows.map((r) => r.analysis.churnThreat)}::bool[], ${rows.map((r) => r.analysis.urgent)}::bool[],
      ${rows.map((r) => [...new Set(r.analysis.pii.map((p) => p.kind))].join(','))}::text[],
      ${rows.map((r) => r.redactedText)}::text[], ${rows.map((r) => r.analysis.intents?.[0]?.label ?? null)}::text[],
      ${rows.map((r) => r.analysis.intents?.[0]?.score ?? null)}::float8[], ${rows.map((r) => r.topicsConfig ?? null)}::text[])
      AS q(id, k, s, f, c, t, o, lang, ok, score, label, emotions, effort, churn, urgent, pii, redacted, intent, intent_score,
        topics_config)`.execute(trx);
  const t = { analysis: [] as string[], topic: [] as string[], score: [] as number[], label: [] as string[] };
  const span = { start: [] as number[], end: [] as number[], at: [] as string[], by: [] as (string | null)[] };
  rows.forEach((r, i) => {
    for (const m of r.analysis.topics) {
      t.analysis.push(ids[i]);
      t.topic.push(m.topic);
      t.score.push(m.sentiment.score);
      t.label.push(m.sentiment.label);
      span.start.push(m.start);
      span.end.push(m.end);
      span.at.push(occurred[i]);
      span.by.push(m.detectedBy ?? null);
    }
  });
  if (t.analysis.length) {
    await sql`INSERT INTO text_topics (org_id, analysis_id, topic, sentiment_score, sentiment_label, span_start, span_end, occurred_at,
        detected_by)
      SELECT ${orgId}::uuid, * FROM unnest(${t.analysis}::uuid[], ${t.topic}::text[], ${t.score}::float8[], ${t.label}::text[],
        ${span.start}::int[], ${span.end}::int[], ${span.at}::timestamptz[], ${span.by}::text[])`.execute(trx);
  }
  return ids;
}

export interface AnalysedText {
  id: string;
  text: string;
}

/**
 * The texts behind analyses, as ingestion read them (an interaction's text, else its subject; an
 * event's text; the response's text answer of the analysed field), for the analysable ones among
 * `ids`; absent where the subject is gone.
 */
export async function analysedTexts(db: Db, orgId: string, ids: string[]): Promise<AnalysedText[]> {
  if (ids.length === 0) return [];
  const r = await sql<AnalysedText>`
    SELECT a.id, ${TEXT} AS text
    FROM text_analyses a ${SUBJECTS}
    WHERE a.org_id = ${orgId} AND a.id = ANY(${ids}::uuid[]) AND a.analysable AND ${TEXT} IS NOT NULL`.execute(db);
  return r.rows;
}

/** The subject rows an analysis' text comes from (alias `a` for the analysis). */
const SUBJECTS = sql`
    LEFT JOIN interactions i ON a.subject_kind = 'interaction' AND i.org_id = a.org_id AND i.id = a.subject_id
    LEFT JOIN events e ON a.subject_kind = 'event' AND e.org_id = a.org_id AND e.id = a.subject_id
    LEFT JOIN answers an ON a.subject_kind = 'response' AND an.org_id = a.org_id AND an.response_id = a.subject_id
      AND an.field = a.field`;
/** The analysed text, as ingestion read it. */
const TEXT = sql`coalesce(i.text, i.subject, e.text, an.value_text)`;

export interface TopicMentionText {
  analysis_id: string;
  topic: string;
  span_start: number;
  text: string;
}

/** The topic mentions of analyses (the analysable ones among `ids`), each with its whole text. */
export async function topicMentionTexts(db: Db, orgId: string, ids: string[]): Promise<TopicMentionText[]> {
  if (ids.length === 0) return [];
  const r = await sql<TopicMentionText>`
    SELECT t.analysis_id, t.topic, t.span_start, ${TEXT} AS text
    FROM text_topics t JOIN text_analyses a ON a.org_id = t.org_id AND a.id = t.analysis_id ${SUBJECTS}
    WHERE t.org_id = ${orgId} AND t.analysis_id = ANY(${ids}::uuid[]) AND a.analysable AND ${TEXT} IS NOT NULL`.execute(
    db,
  );
  return r.rows;
}

export interface TopicSentimentUpdate {
  analysisId: string;
  topic: string;
  spanStart: number;
  score: number;
  label: 'negative' | 'neutral' | 'positive';
}

/**
 * Replaces the sentiment of topic mentions with what `model` (an outside aspect-sentiment model)
 * says; the key drivers' negative-topic rows follow through their triggers. Returns rows changed.
 */
export async function setTopicSentiments(
  db: Db,
  orgId: string,
  model: string,
  rows: TopicSentimentUpdate[],
): Promise<number> {
  if (rows.length === 0) return 0;
  for (const r of rows) checkSentiment(r.score, r.label, `${r.analysisId} ${r.topic}`);
  const sorted = [...rows].sort((a, b) =>
    a.analysisId < b.analysisId
      ? -1
      : a.analysisId > b.analysisId
        ? 1
        : a.topic < b.topic
          ? -1
          : a.topic > b.topic
            ? 1
            : a.spanStart - b.spanStart,
  );
  const r = await sql`
    UPDATE text_topics t SET sentiment_score = q.score, sentiment_label = q.label, sentiment_model = ${model}
    FROM unnest(${sorted.map((x) => x.analysisId)}::uuid[], ${sorted.map((x) => x.topic)}::text[],
      ${sorted.map((x) => x.spanStart)}::int[], ${sorted.map((x) => x.score)}::float8[], ${sorted.map((x) => x.label)}::text[])
      AS q(analysis_id, topic, span_start, score, label)
    WHERE t.org_id = ${orgId} AND t.analysis_id = q.analysis_id AND t.topic = q.topic AND t.span_start = q.span_start`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0);
}

function checkSentiment(score: number, label: string, what: string): void {
  if (!Number.isFinite(score) || score < -1 || score > 1)
    throw new RangeError(`sentiment score ${score} of ${what} is not in −1..1`);
  if (label !== 'negative' && label !== 'neutral' && label !== 'positive')
    throw new RangeError(`sentiment label '${label}' of ${what} is not negative, neutral or positive`);
}

export interface SentimentUpdate {
  id: string;
  score: number;
  label: 'negative' | 'neutral' | 'positive';
}

/**
 * Replaces the sentiment of analyses with what `model` (an outside model's name) says; the text
 * rollups follow through their triggers. Returns how many rows changed.
 */
export async function setSentiments(db: Db, orgId: string, model: string, rows: SentimentUpdate[]): Promise<number> {
  if (rows.length === 0) return 0;
  for (const r of rows) {
    if (!Number.isFinite(r.score) || r.score < -1 || r.score > 1)
      throw new RangeError(`sentiment score ${r.score} of ${r.id} is not in −1..1`);
    if (r.label !== 'negative' && r.label !== 'neutral' && r.label !== 'positive')
      throw new RangeError(`sentiment label '${r.label}' of ${r.id} is not negative, neutral or positive`);
  }
  // Key order, so concurrent updates of overlapping rows lock them in the same order.
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const r = await sql`
    UPDATE text_analyses a SET sentiment_score = q.score, sentiment_label = q.label, sentiment_model = ${model}
    FROM unnest(${sorted.map((x) => x.id)}::uuid[], ${sorted.map((x) => x.score)}::float8[], ${sorted.map((x) => x.label)}::text[])
      AS q(id, score, label)
    WHERE a.org_id = ${orgId} AND a.id = q.id`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export interface DetectedTopics {
  analysisId: string;
  /** Taxonomy keys the model found in the text (the caller keeps only the org's). */
  topics: string[];
  /** The text's length: a found topic's span is the whole text (a classifier gives no span). */
  textLength: number;
}

/**
 * Adds the topics an outside topic `model` found in analysed texts as mentions (span: the whole
 * text; sentiment: the text's, for an aspect model to refine), skipping topics a text already has,
 * and marks every text in `rows` as read by the model — one statement, so a job that runs twice
 * adds nothing twice. The key drivers' negative-topic rows follow through their triggers. Returns
 * how many mentions were added.
 */
export async function addDetectedTopics(db: Db, orgId: string, model: string, rows: DetectedTopics[]): Promise<number> {
  if (rows.length === 0) return 0;
  const pairs = rows.flatMap((r) => [...new Set(r.topics)].map((topic) => ({ r, topic })));
  // Key order, so concurrent jobs over overlapping texts lock rows in the same order.
  pairs.sort((a, b) =>
    a.r.analysisId < b.r.analysisId ? -1 : a.r.analysisId > b.r.analysisId ? 1 : a.topic < b.topic ? -1 : 1,
  );
  const r = await sql<{ added: number }>`
    WITH added AS (
      INSERT INTO text_topics (org_id, analysis_id, topic, sentiment_score, sentiment_label, span_start, span_end,
        occurred_at, detected_by)
      SELECT a.org_id, a.id, q.topic, a.sentiment_score, a.sentiment_label, 0, q.len, a.occurred_at, ${model}
      FROM unnest(${pairs.map((p) => p.r.analysisId)}::uuid[], ${pairs.map((p) => p.topic)}::text[],
        ${pairs.map((p) => p.r.textLength)}::int[]) AS q(id, topic, len)
      JOIN text_analyses a ON a.org_id = ${orgId} AND a.id = q.id
      WHERE NOT EXISTS (SELECT 1 FROM text_topics t WHERE t.org_id = a.org_id AND t.analysis_id = a.id AND t.topic = q.topic)
      RETURNING 1
    ), marked AS (
      UPDATE text_analyses a SET topic_model = ${model}
      WHERE a.org_id = ${orgId} AND a.id = ANY(${[...new Set(rows.map((x) => x.analysisId))].sort()}::uuid[])
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM added)::int AS added, (SELECT count(*) FROM marked)::int AS marked`.execute(db);
  return r.rows[0]?.added ?? 0;
}

/**
 * A page of an org's analysable analyses, in id order after `after`, whose sentiment (`target`
 * 'text') or whose topic mentions' sentiment ('topics') is not yet `model`'s, or that topic model
 * `model` has not read yet ('detect') — every one of them (with topic mentions, for 'topics') with
 * `all` — optionally within a time window: what a backfill re-scores.
 */
export async function analysisIdsToRescore(
  db: Db,
  orgId: string,
  o: {
    model: string;
    target?: 'text' | 'topics' | 'detect';
    all?: boolean;
    from?: Date;
    to?: Date;
    after?: string;
    limit: number;
  },
): Promise<string[]> {
  const topics = o.target === 'topics';
  const r = await sql<{ id: string }>`
    SELECT id FROM text_analyses a
    WHERE org_id = ${orgId} AND analysable
      ${
        topics
          ? sql`AND EXISTS (SELECT 1 FROM text_topics t WHERE t.org_id = a.org_id AND t.analysis_id = a.id
              ${o.all ? sql`` : sql`AND t.sentiment_model IS DISTINCT FROM ${o.model}`})`
          : o.all
            ? sql``
            : o.target === 'detect'
              ? sql`AND topic_model IS DISTINCT FROM ${o.model}`
              : sql`AND sentiment_model IS DISTINCT FROM ${o.model}`
      }
      ${o.from ? sql`AND occurred_at >= ${o.from.toISOString()}::timestamptz` : sql``}
      ${o.to ? sql`AND occurred_at < ${o.to.toISOString()}::timestamptz` : sql``}
      ${o.after ? sql`AND id > ${o.after}::uuid` : sql``}
    ORDER BY id
    LIMIT ${o.limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

/**
 * How many of an org's analysable texts there are, and how many had their topics found with
 * another configuration than `mark` (an earlier taxonomy or topic model, or before marks were kept).
 */
export async function topicsConfigCounts(
  db: Db,
  orgId: string,
  mark: string,
): Promise<{ analysable: number; stale: number }> {
  const r = await sql<{ analysable: number; stale: number }>`
    SELECT count(*)::int AS analysable, (count(*) FILTER (WHERE topics_config IS DISTINCT FROM ${mark}))::int AS stale
    FROM text_analyses WHERE org_id = ${orgId} AND analysable`.execute(db);
  return r.rows[0] ?? { analysable: 0, stale: 0 };
}

/** A page of an org's analysable analyses, in id order, whose topics were found with another mark than `mark`. */
export async function staleTopicAnalyses(db: Db, orgId: string, mark: string, limit: number): Promise<string[]> {
  const r = await sql<{ id: string }>`
    SELECT id FROM text_analyses
    WHERE org_id = ${orgId} AND analysable AND topics_config IS DISTINCT FROM ${mark}
    ORDER BY id LIMIT ${limit}`.execute(db);
  return r.rows.map((x) => x.id);
}

export interface RefoundTopics {
  analysisId: string;
  /** The topics found in the text now, with their spans and sentiment. */
  topics: TopicMention[];
}

/**
 * Replaces the topics of stored texts with those found again (the org's taxonomy and topic model
 * now) and marks every analysis in `ids` with `mark` — those in `rows` and those whose text is gone
 * (their topics stay), so a run over an org's texts ends. The mentions the phrases and the org's
 * model found go; an outside topic model's (detected_by its name) stay, but not where the phrases
 * now find the same topic (their span and aspect sentiment say more). Run it in a transaction:
 * rollups and key drivers follow through their triggers. Returns the mentions written.
 */
export async function replaceTopics(
  trx: Db,
  orgId: string,
  mark: string,
  ids: string[],
  rows: RefoundTopics[],
): Promise<number> {
  if (ids.length === 0) return 0;
  // Key order, so concurrent runs over overlapping texts lock rows in the same order.
  const sorted = [...new Set(ids)].sort();
  const marked = await sql<{ id: string; occurred_at: Date | string }>`
    UPDATE text_analyses SET topics_config = ${mark}
    WHERE org_id = ${orgId} AND id = ANY(${sorted}::uuid[])
    RETURNING id, occurred_at`.execute(trx);
  const at = new Map(marked.rows.map((r) => [r.id, new Date(r.occurred_at).toISOString()]));
  const live = rows.filter((r) => at.has(r.analysisId));
  if (live.length === 0) return 0;
  const liveIds = live.map((r) => r.analysisId).sort();
  await sql`DELETE FROM text_topics WHERE org_id = ${orgId} AND analysis_id = ANY(${liveIds}::uuid[])
    AND (detected_by IS NULL OR detected_by = ${ORG_TOPIC_MODEL})`.execute(trx);
  const m = { id: [] as string[], topic: [] as string[], score: [] as number[], label: [] as string[] };
  const span = { start: [] as number[], end: [] as number[], at: [] as string[], by: [] as (string | null)[] };
  for (const r of live) {
    for (const t of r.topics) {
      m.id.push(r.analysisId);
      m.topic.push(t.topic);
      m.score.push(t.sentiment.score);
      m.label.push(t.sentiment.label);
      span.start.push(t.start);
      span.end.push(t.end);
      span.at.push(at.get(r.analysisId)!);
      span.by.push(t.detectedBy ?? null);
    }
  }
  if (m.id.length === 0) return 0;
  await sql`INSERT INTO text_topics (org_id, analysis_id, topic, sentiment_score, sentiment_label, span_start, span_end, occurred_at,
      detected_by)
    SELECT ${orgId}::uuid, * FROM unnest(${m.id}::uuid[], ${m.topic}::text[], ${m.score}::float8[], ${m.label}::text[],
      ${span.start}::int[], ${span.end}::int[], ${span.at}::timestamptz[], ${span.by}::text[])`.execute(trx);
  await sql`DELETE FROM text_topics o WHERE o.org_id = ${orgId} AND o.analysis_id = ANY(${liveIds}::uuid[])
    AND o.detected_by IS NOT NULL AND o.detected_by <> ${ORG_TOPIC_MODEL}
    AND EXISTS (SELECT 1 FROM text_topics p WHERE p.org_id = o.org_id AND p.analysis_id = o.analysis_id AND p.topic = o.topic
      AND (p.detected_by IS NULL OR p.detected_by = ${ORG_TOPIC_MODEL}))`.execute(trx);
  return m.id.length;
}

import type { TextAnalysis } from '@canopy/core';
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
}

/**
 * Stores analyses as typed rows (one per text field, one per topic mention). Re-analysing a
 * subject replaces its earlier analysis.
 */
export async function writeAnalyses(trx: Db, orgId: string, rows: AnalysisRow[]): Promise<void> {
  if (rows.length === 0) return;
  // New subjects have nothing to replace: skip the delete (it costs as much as the insert).
  const old = rows.filter((r) => r.replaces);
  if (old.length) {
    // text_topics carries no foreign key (see migration 001), so its rows go explicitly.
    const gone = await sql<{
      id: string;
    }>`DELETE FROM text_analyses t USING unnest(${old.map((r) => r.subjectKind)}::text[],
        ${old.map((r) => r.subjectId)}::uuid[], ${old.map((r) => r.field)}::text[]) AS q(k, s, f)
      WHERE t.org_id = ${orgId} AND t.subject_kind = q.k AND t.subject_id = q.s AND t.field = q.f
      RETURNING t.id`.execute(trx);
    if (gone.rows.length) {
      await sql`DELETE FROM text_topics WHERE org_id = ${orgId} AND analysis_id = ANY(${gone.rows.map((r) => r.id)}::uuid[])`.execute(
        trx,
      );
    }
  }
  const ids = rows.map(() => uuidv7());
  const occurred = rows.map((r) => r.occurredAt.toISOString());
  await sql`
    INSERT INTO text_analyses (org_id, id, subject_kind, subject_id, field, customer_id, touchpoint_id, occurred_at,
      language, analysable, sentiment_score, sentiment_label, emotions, effort, churn_threat, urgent, pii_kinds, redacted_text,
      intent, intent_score)
    SELECT ${orgId}::uuid, q.id, q.k, q.s, q.f, q.c, q.t, q.o, q.lang, q.ok, q.score, q.label,
      string_to_array(q.emotions, ','), q.effort, q.churn, q.urgent, string_to_array(q.pii, ','), q.redacted,
      q.intent, q.intent_score
    FROM unnest(${ids}::uuid[], ${rows.map((r) => r.subjectKind)}::text[], ${rows.map((r) => r.subjectId)}::uuid[],
      ${rows.map((r) => r.field)}::text[], ${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.touchpointId)}::uuid[],
      ${occurred}::timestamptz[], ${rows.map((r) => r.analysis.language)}::text[], ${rows.map((r) => r.analysis.analysable)}::bool[],
      ${rows.map((r) => r.analysis.sentiment.score)}::float8[], ${rows.map((r) => r.analysis.sentiment.label)}::text[],
      ${rows.map((r) => r.analysis.emotions.join(','))}::text[], ${rows.map((r) => r.analysis.effort)}::float8[],
      ${rows.map((r) => r.analysis.churnThreat)}::bool[], ${rows.map((r) => r.analysis.urgent)}::bool[],
      ${rows.map((r) => [...new Set(r.analysis.pii.map((p) => p.kind))].join(','))}::text[],
      ${rows.map((r) => r.redactedText)}::text[], ${rows.map((r) => r.analysis.intents?.[0]?.label ?? null)}::text[],
      ${rows.map((r) => r.analysis.intents?.[0]?.score ?? null)}::float8[])
      AS q(id, k, s, f, c, t, o, lang, ok, score, label, emotions, effort, churn, urgent, pii, redacted, intent, intent_score)`.execute(
    trx,
  );
  const t = { analysis: [] as string[], topic: [] as string[], score: [] as number[], label: [] as string[] };
  const span = { start: [] as number[], end: [] as number[], at: [] as string[] };
  rows.forEach((r, i) => {
    for (const m of r.analysis.topics) {
      t.analysis.push(ids[i]);
      t.topic.push(m.topic);
      t.score.push(m.sentiment.score);
      t.label.push(m.sentiment.label);
      span.start.push(m.start);
      span.end.push(m.end);
      span.at.push(occurred[i]);
    }
  });
  if (t.analysis.length) {
    await sql`INSERT INTO text_topics (org_id, analysis_id, topic, sentiment_score, sentiment_label, span_start, span_end, occurred_at)
      SELECT ${orgId}::uuid, * FROM unnest(${t.analysis}::uuid[], ${t.topic}::text[], ${t.score}::float8[], ${t.label}::text[],
        ${span.start}::int[], ${span.end}::int[], ${span.at}::timestamptz[])`.execute(trx);
  }
}

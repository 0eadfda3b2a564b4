import type { EventInput, InteractionInput, RecordKind, ResponseInput, TextAnalysis } from '@canopy/core';
import { type AnalysisRow, type Db, type WriteOutcome, writeAnalyses } from '@canopy/store';
import { sql } from 'kysely';

export interface TextAnalyser {
  analyse(text: string): TextAnalysis;
  redact(text: string, analysis: TextAnalysis): string;
}

interface PendingText {
  replaces: boolean;
  subjectKind: AnalysisRow['subjectKind'];
  subjectId: string;
  field: string;
  customerId: string | null;
  touchpointKey: string | undefined;
  occurredAt: Date;
  text: string;
}

/**
 * The "analyse text" step of ingestion: every customer text that arrives (ticket bodies,
 * verbatims, reviews, social posts) gets its analysis stored with the record.
 */
export class TextAnalysisStep {
  constructor(private readonly analyser: TextAnalyser) {}

  async analyse(trx: Db, orgId: string, kind: RecordKind, records: unknown[], outcome: WriteOutcome): Promise<void> {
    const pending: PendingText[] = [];
    records.forEach((rec, i) => {
      if (outcome.statuses[i] === 'duplicate') return;
      const base = {
        subjectId: outcome.ids[i],
        customerId: outcome.customerIds[i],
        replaces: outcome.statuses[i] === 'updated',
      };
      if (kind === 'interactions') {
        const r = rec as InteractionInput;
        const text = r.text ?? r.subject;
        if (text?.trim()) {
          pending.push({
            ...base,
            subjectKind: 'interaction',
            field: 'text',
            touchpointKey: r.touchpoint,
            occurredAt: r.opened_at,
            text,
          });
        }
      } else if (kind === 'responses') {
        const r = rec as ResponseInput;
        for (const a of r.answers) {
          if (a.type === 'text' && a.value.trim()) {
            pending.push({
              ...base,
              subjectKind: 'response',
              field: a.field,
              touchpointKey: r.touchpoint,
              occurredAt: r.submitted_at,
              text: a.value,
            });
          }
        }
      } else if (kind === 'events') {
        const r = rec as EventInput;
        if (r.text?.trim()) {
          pending.push({
            ...base,
            subjectKind: 'event',
            field: 'text',
            touchpointKey: r.touchpoint,
            occurredAt: r.occurred_at,
            text: r.text,
          });
        }
      }
    });
    if (pending.length === 0) return;
    const touchpoints = await touchpointIds(trx, orgId, kind, outcome, pending);
    const rows: AnalysisRow[] = pending.map((p) => {
      const analysis = this.analyser.analyse(p.text);
      return {
        subjectKind: p.subjectKind,
        subjectId: p.subjectId,
        field: p.field,
        customerId: p.customerId,
        touchpointId: touchpoints.get(p.subjectId) ?? null,
        occurredAt: p.occurredAt,
        analysis,
        redactedText: analysis.pii.length ? this.analyser.redact(p.text, analysis) : null,
        replaces: p.replaces,
      };
    });
    await writeAnalyses(trx, orgId, rows);
  }
}

/** The touchpoint each subject was stored with (responses may inherit theirs from an interaction). */
async function touchpointIds(trx: Db, orgId: string, kind: RecordKind, outcome: WriteOutcome, pending: PendingText[]) {
  const table = kind === 'interactions' ? 'interactions' : kind === 'responses' ? 'responses' : 'events';
  const ids = [...new Set(pending.map((p) => p.subjectId))];
  const rows = await sql<{ id: string; touchpoint_id: string | null }>`
    SELECT id, touchpoint_id FROM ${sql.table(table)} WHERE org_id = ${orgId} AND id = ANY(${ids}::uuid[])`.execute(
    trx,
  );
  void outcome;
  return new Map(rows.rows.map((r) => [r.id, r.touchpoint_id]));
}

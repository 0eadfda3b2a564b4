import { availableParallelism } from 'node:os';
import {
  type AnalyzeContext,
  customerWords,
  DEFAULT_TAXONOMY,
  type EventInput,
  type InteractionInput,
  type RecordKind,
  type ResponseInput,
  type TextAnalysis,
  topicsConfigMark,
} from '@canopy/core';
import {
  type AnalysisRow,
  activeTextModels,
  type Db,
  deleteAnalyses,
  getOrgTaxonomy,
  type Store,
  textConfigVersion,
  type WriteOutcome,
  writeAnalyses,
} from '@canopy/store';
import { sql } from 'kysely';
import { type AnalysedText, AnalysisPool, analyseTexts, DEFAULT_TEXT_CONFIG, type TextConfig } from './analyse-pool.js';

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

export interface TextAnalysisOptions {
  /**
   * With a store, the step analyses with Canopy's core analyser and each org's own configuration
   * (its taxonomy and active trained models, migration 003), in worker threads for big batches.
   * Without one, every text goes through the given analyser inline.
   */
  store?: Store;
  /** The worker pool; default: one of (cores − 1) workers, created on first use. `false`: always inline. */
  pool?: AnalysisPool | false;
  /** How long an org's configuration is trusted before its version is checked again (ms). */
  configTtlMs?: number;
  /**
   * Called in the ingestion transaction with the ids of the analyses just written (the app queues
   * the outside sentiment model's job here, so the job exists exactly when the texts do).
   */
  afterWrite?: (trx: Db, orgId: string, analysisIds: string[]) => Promise<void>;
}

interface CachedConfig {
  version: string;
  checkedAt: number;
  cfg: TextConfig;
}

/**
 * The "analyse text" step of ingestion: every customer text that arrives (ticket bodies,
 * verbatims, reviews, social posts) gets its analysis stored with the record, in the batch's
 * transaction. Big batches are analysed in a pool of worker threads so that analysis never holds
 * up the event loop (and with it every other request and batch).
 */
export class TextAnalysisStep {
  private readonly configs = new Map<string, CachedConfig>();
  private poolInstance: AnalysisPool | undefined;

  constructor(
    private readonly analyser: TextAnalyser,
    private readonly options: TextAnalysisOptions = {},
  ) {}

  /** The worker pool (created on first use), or null when analysis runs inline. */
  get pool(): AnalysisPool | null {
    if (this.options.pool === false) return null;
    if (this.options.pool) return this.options.pool;
    // CANOPY_ANALYSIS_WORKERS: worker threads for text analysis (0 = analyse inline). Default:
    // cores − 2 from 4 cores up, else inline — on 2 cores one worker competes with the database
    // and the request thread, and measured slower than inline (3.7–4.7k vs 5.0–5.9k responses/s).
    const env = process.env.CANOPY_ANALYSIS_WORKERS;
    const cores = availableParallelism();
    const size = env === undefined || env === '' ? (cores >= 4 ? cores - 2 : 0) : Number(env);
    if (size === 0) return null;
    this.poolInstance ??= new AnalysisPool({ size: size && size > 0 ? size : undefined });
    return this.poolInstance;
  }

  /** Forget an org's cached configuration (after its taxonomy or models changed here). */
  invalidate(orgId: string): void {
    this.configs.delete(orgId);
  }

  /**
   * The org's analysis configuration: its taxonomy and active models, cached with a version check
   * (every few seconds, or now with `fresh`; the whole configuration is read only when it changed).
   */
  async configFor(db: Db, orgId: string, o: { fresh?: boolean } = {}): Promise<TextConfig> {
    if (!this.options.store) return DEFAULT_TEXT_CONFIG;
    const now = Date.now();
    const hit = this.configs.get(orgId);
    const ttl = this.options.configTtlMs ?? 5_000;
    if (hit && !o.fresh && now - hit.checkedAt < ttl) return hit.cfg;
    const version = await textConfigVersion(db, orgId);
    if (hit && hit.version === version) {
      hit.checkedAt = now;
      return hit.cfg;
    }
    let cfg = DEFAULT_TEXT_CONFIG;
    if (version !== '-|-') {
      const [tax, models] = await Promise.all([getOrgTaxonomy(db, orgId), activeTextModels(db, orgId)]);
      const ctx: AnalyzeContext = { models: models.models };
      if (tax) ctx.taxonomy = tax.taxonomy;
      cfg = {
        key: `${orgId}|${version}`,
        ctx,
        topics: topicsConfigMark(tax?.taxonomy ?? DEFAULT_TAXONOMY, models.idOf.topics),
      };
    }
    if (this.configs.size > 10_000) this.configs.clear();
    this.configs.set(orgId, { version, checkedAt: now, cfg });
    return cfg;
  }

  /** Analyses texts with the org's configuration (inline or in the pool), outside any record. */
  async analyseTexts(db: Db, orgId: string, texts: string[]): Promise<AnalysedText[]> {
    if (!this.options.store) {
      return texts.map((t) => {
        const analysis = this.analyser.analyse(t);
        return { analysis, redacted: analysis.pii.length ? this.analyser.redact(t, analysis) : null };
      });
    }
    return this.run(texts, await this.configFor(db, orgId));
  }

  private run(texts: string[], cfg: TextConfig, slim = false): Promise<AnalysedText[]> {
    const pool = this.pool;
    return pool ? pool.analyse(texts, cfg, slim) : Promise.resolve(analyseTexts(texts, cfg.ctx));
  }

  async close(): Promise<void> {
    await this.poolInstance?.close();
  }

  async analyse(trx: Db, orgId: string, kind: RecordKind, records: unknown[], outcome: WriteOutcome): Promise<void> {
    const pending: PendingText[] = [];
    // An interaction restated as the organisation's own loses what was read from it as the customer's.
    const noLonger: { subjectKind: 'interaction'; subjectId: string }[] = [];
    records.forEach((rec, i) => {
      if (outcome.statuses[i] === 'duplicate') return;
      const base = {
        subjectId: outcome.ids[i],
        customerId: outcome.customerIds[i],
        replaces: outcome.statuses[i] === 'updated',
      };
      if (kind === 'interactions') {
        const r = rec as InteractionInput;
        // The customer's words only: an invoice or a welcome email says nothing of how they feel.
        const text = customerWords(r);
        if (r.direction === 'outbound' && base.replaces)
          noLonger.push({ subjectKind: 'interaction', subjectId: base.subjectId });
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
    await deleteAnalyses(trx, orgId, noLonger);
    if (pending.length === 0) return;
    const texts = pending.map((p) => p.text);
    const cfg = this.options.store ? await this.configFor(trx, orgId) : undefined;
    // The touchpoint lookup goes to the database first; the analysis (this thread's share and the
    // workers') runs while it is out.
    const touchpointsP = touchpointIds(trx, orgId, kind, outcome, pending);
    const analysedP = cfg ? this.run(texts, cfg, true) : this.analyseTexts(trx, orgId, texts);
    const [touchpoints, analysed] = await Promise.all([touchpointsP, analysedP]);
    const rows: AnalysisRow[] = pending.map((p, i) => {
      const { analysis, redacted } = analysed[i];
      return {
        subjectKind: p.subjectKind,
        subjectId: p.subjectId,
        field: p.field,
        customerId: p.customerId,
        touchpointId: touchpoints.get(p.subjectId) ?? null,
        occurredAt: p.occurredAt,
        analysis,
        redactedText: redacted,
        replaces: p.replaces,
        ...(cfg ? { topicsConfig: cfg.topics } : {}),
      };
    });
    const ids = await writeAnalyses(trx, orgId, rows);
    if (this.options.afterWrite) await this.options.afterWrite(trx, orgId, ids);
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

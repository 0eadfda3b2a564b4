import { DEFAULT_TAXONOMY, type Taxonomy, type TrainedTextModel, topicsConfigMark } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from './ids.js';
import type { Db } from './ingest/types.js';

export type TextModelKind = 'topics' | 'intents' | 'sentiment';

export interface TextModelSummary {
  id: string;
  kind: TextModelKind;
  active: boolean;
  examples: number;
  labels: string[];
  metrics: Record<string, unknown>;
  bytes: number;
  trainMs: number;
  createdAt: string;
}

/** An org's saved taxonomy: its revision rises by one with every save (0: never saved, the default). */
export interface OrgTaxonomy {
  taxonomy: Taxonomy;
  revision: number;
  updatedAt: string;
}

/** The org's own taxonomy, or null when it uses the default one. */
export async function getOrgTaxonomy(db: Db, orgId: string): Promise<OrgTaxonomy | null> {
  const r = await sql<{ taxonomy: Taxonomy | string; revision: number; updated_at: Date | string }>`
    SELECT taxonomy, revision, updated_at FROM text_taxonomies WHERE org_id = ${orgId}`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  const taxonomy = typeof row.taxonomy === 'string' ? (JSON.parse(row.taxonomy) as Taxonomy) : row.taxonomy;
  return { taxonomy, revision: Number(row.revision), updatedAt: new Date(row.updated_at).toISOString() };
}

/**
 * Saves the org's taxonomy. With `expectedRevision`, only over that revision (0: only if the org
 * has none saved), in one statement, so two saves from the same copy cannot both land; null when
 * the stored revision is another. Without it, the save wins whatever is stored.
 */
export async function putOrgTaxonomy(
  db: Db,
  orgId: string,
  taxonomy: Taxonomy,
  expectedRevision?: number,
): Promise<{ revision: number; updatedAt: string } | null> {
  const json = JSON.stringify(taxonomy);
  const r =
    expectedRevision === undefined
      ? await sql<{ revision: number; updated_at: Date | string }>`
    INSERT INTO text_taxonomies (org_id, taxonomy, updated_at, revision) VALUES (${orgId}, ${json}::jsonb, now(), 1)
    ON CONFLICT (org_id) DO UPDATE SET taxonomy = EXCLUDED.taxonomy, updated_at = now(),
      revision = text_taxonomies.revision + 1
    RETURNING revision, updated_at`.execute(db)
      : expectedRevision === 0
        ? await sql<{ revision: number; updated_at: Date | string }>`
    INSERT INTO text_taxonomies (org_id, taxonomy, updated_at, revision) VALUES (${orgId}, ${json}::jsonb, now(), 1)
    ON CONFLICT (org_id) DO NOTHING
    RETURNING revision, updated_at`.execute(db)
        : await sql<{ revision: number; updated_at: Date | string }>`
    UPDATE text_taxonomies SET taxonomy = ${json}::jsonb, updated_at = now(), revision = revision + 1
    WHERE org_id = ${orgId} AND revision = ${expectedRevision}
    RETURNING revision, updated_at`.execute(db);
  const row = r.rows[0];
  return row ? { revision: Number(row.revision), updatedAt: new Date(row.updated_at).toISOString() } : null;
}

/** Stores a trained model and makes it the org's active one of its kind. */
export async function saveTextModel(
  db: Db,
  orgId: string,
  m: {
    kind: TextModelKind;
    model: TrainedTextModel;
    examples: number;
    metrics: Record<string, unknown>;
    trainMs: number;
  },
): Promise<TextModelSummary> {
  const id = uuidv7();
  const json = JSON.stringify(m.model);
  await sql`UPDATE text_models SET active = false WHERE org_id = ${orgId} AND kind = ${m.kind} AND active`.execute(db);
  const r = await sql<{ created_at: Date | string }>`
    INSERT INTO text_models (org_id, id, kind, active, examples, labels, metrics, model, bytes, train_ms)
    VALUES (${orgId}, ${id}, ${m.kind}, true, ${m.examples}, ${m.model.labels}::text[], ${JSON.stringify(m.metrics)}::jsonb,
      ${json}::jsonb, ${json.length}, ${Math.round(m.trainMs)})
    RETURNING created_at`.execute(db);
  return {
    id,
    kind: m.kind,
    active: true,
    examples: m.examples,
    labels: m.model.labels,
    metrics: m.metrics,
    bytes: json.length,
    trainMs: Math.round(m.trainMs),
    createdAt: new Date(r.rows[0].created_at).toISOString(),
  };
}

export async function listTextModels(db: Db, orgId: string): Promise<TextModelSummary[]> {
  const r = await sql<{
    id: string;
    kind: TextModelKind;
    active: boolean;
    examples: number;
    labels: string[];
    metrics: Record<string, unknown> | string;
    bytes: number;
    train_ms: number;
    created_at: Date | string;
  }>`SELECT id, kind, active, examples, labels, metrics, bytes, train_ms, created_at FROM text_models
     WHERE org_id = ${orgId} ORDER BY created_at DESC, id DESC`.execute(db);
  return r.rows.map((x) => ({
    id: x.id,
    kind: x.kind,
    active: x.active,
    examples: x.examples,
    labels: x.labels,
    metrics: typeof x.metrics === 'string' ? JSON.parse(x.metrics) : x.metrics,
    bytes: x.bytes,
    trainMs: x.train_ms,
    createdAt: new Date(x.created_at).toISOString(),
  }));
}

/** The org's active models by kind, with a version key that changes whenever they or the taxonomy do. */
export async function activeTextModels(
  db: Db,
  orgId: string,
): Promise<{
  models: Partial<Record<TextModelKind, TrainedTextModel>>;
  ids: string[];
  idOf: Partial<Record<TextModelKind, string>>;
}> {
  const r = await sql<{ id: string; kind: TextModelKind; model: TrainedTextModel | string }>`
    SELECT id, kind, model FROM text_models WHERE org_id = ${orgId} AND active ORDER BY kind`.execute(db);
  const models: Partial<Record<TextModelKind, TrainedTextModel>> = {};
  const idOf: Partial<Record<TextModelKind, string>> = {};
  for (const x of r.rows) {
    models[x.kind] = typeof x.model === 'string' ? JSON.parse(x.model) : x.model;
    idOf[x.kind] = x.id;
  }
  return { models, ids: r.rows.map((x) => x.id), idOf };
}

/** The org's current topics mark (core's topicsConfigMark: its taxonomy's phrases and topic model). */
export async function currentTopicsConfig(db: Db, orgId: string): Promise<string> {
  const [own, model] = await Promise.all([
    getOrgTaxonomy(db, orgId),
    sql<{
      id: string;
    }>`SELECT id::text AS id FROM text_models WHERE org_id = ${orgId} AND kind = 'topics' AND active`.execute(db),
  ]);
  return topicsConfigMark(own?.taxonomy ?? DEFAULT_TAXONOMY, model.rows[0]?.id);
}

/** A cheap fingerprint of an org's text configuration (taxonomy time and active model ids). */
export async function textConfigVersion(db: Db, orgId: string): Promise<string> {
  const r = await sql<{ v: string | null }>`
    SELECT coalesce((SELECT updated_at::text FROM text_taxonomies WHERE org_id = ${orgId}), '-') || '|' ||
      coalesce((SELECT string_agg(id::text, ',' ORDER BY kind) FROM text_models WHERE org_id = ${orgId} AND active), '-') AS v`.execute(
    db,
  );
  return r.rows[0]?.v ?? '-|-';
}

import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import type { Db } from '../ingest/types.js';

/** A rule as stored: condition, customer filter and actions are validated by the API layer. */
export interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  condition: Record<string, unknown> & { type: string };
  customer_filter: Record<string, unknown> | null;
  actions: (Record<string, unknown> & { type: string })[];
  created_at: Date;
  updated_at: Date;
}

export interface RuleWrite {
  name: string;
  enabled: boolean;
  condition: unknown;
  customer_filter: unknown | null;
  actions: unknown[];
}

const cols = sql`id, name, enabled, condition, customer_filter, actions, created_at, updated_at`;

export async function listRules(db: Db, orgId: string, onlyEnabled = false): Promise<RuleRow[]> {
  const r = await sql<RuleRow>`SELECT ${cols} FROM rules WHERE org_id = ${orgId}
    ${onlyEnabled ? sql`AND enabled` : sql``} ORDER BY created_at, id`.execute(db);
  return r.rows;
}

export async function getRule(db: Db, orgId: string, id: string): Promise<RuleRow | undefined> {
  const r = await sql<RuleRow>`SELECT ${cols} FROM rules WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

export async function createRule(db: Db, orgId: string, w: RuleWrite): Promise<RuleRow> {
  const r = await sql<RuleRow>`
    INSERT INTO rules (org_id, id, name, enabled, condition, customer_filter, actions)
    VALUES (${orgId}, ${uuidv7()}, ${w.name}, ${w.enabled}, ${JSON.stringify(w.condition)}::jsonb,
      ${w.customer_filter ? JSON.stringify(w.customer_filter) : null}::jsonb, ${JSON.stringify(w.actions)}::jsonb)
    RETURNING ${cols}`.execute(db);
  return r.rows[0];
}

export async function updateRule(db: Db, orgId: string, id: string, w: RuleWrite): Promise<RuleRow | undefined> {
  const r = await sql<RuleRow>`
    UPDATE rules SET name = ${w.name}, enabled = ${w.enabled}, condition = ${JSON.stringify(w.condition)}::jsonb,
      customer_filter = ${w.customer_filter ? JSON.stringify(w.customer_filter) : null}::jsonb,
      actions = ${JSON.stringify(w.actions)}::jsonb, updated_at = now()
    WHERE org_id = ${orgId} AND id = ${id}::uuid RETURNING ${cols}`.execute(db);
  return r.rows[0];
}

export async function deleteRule(db: Db, orgId: string, id: string): Promise<boolean> {
  const r = await sql`DELETE FROM rules WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/**
 * Records firings; returns the keys that were new (a firing already recorded — a retried batch,
 * a re-sent record, a spike already alerted this hour — is not returned and must not act again).
 */
export async function recordFirings(
  db: Db,
  orgId: string,
  firings: { ruleId: string; key: string }[],
): Promise<Set<string>> {
  if (firings.length === 0) return new Set();
  const r = await sql<{ rule_id: string; dedupe_key: string }>`
    INSERT INTO rule_firings (org_id, rule_id, dedupe_key)
    SELECT ${orgId}::uuid, r, k FROM unnest(${firings.map((f) => f.ruleId)}::uuid[], ${firings.map((f) => f.key)}::text[]) AS q(r, k)
    ON CONFLICT DO NOTHING RETURNING rule_id, dedupe_key`.execute(db);
  return new Set(r.rows.map((x) => `${x.rule_id}|${x.dedupe_key}`));
}

/** Customers for whom the rule fired on a key starting with `prefix` since `since`. */
export async function recentFirings(
  db: Db,
  orgId: string,
  ruleId: string,
  prefixes: string[],
  since: Date,
): Promise<Set<string>> {
  if (prefixes.length === 0) return new Set();
  const r = await sql<{ p: string }>`
    SELECT DISTINCT p FROM rule_firings f, unnest(${prefixes}::text[]) AS p
    WHERE f.org_id = ${orgId} AND f.rule_id = ${ruleId}::uuid AND f.fired_at > ${since.toISOString()}::timestamptz
      AND starts_with(f.dedupe_key, p)`.execute(db);
  return new Set(r.rows.map((x) => x.p));
}

export async function tagRecords(
  db: Db,
  orgId: string,
  tags: { kind: string; id: string; tag: string; ruleId: string | null }[],
): Promise<void> {
  if (tags.length === 0) return;
  await sql`
    INSERT INTO record_tags (org_id, subject_kind, subject_id, tag, rule_id)
    SELECT ${orgId}::uuid, k, s, t, r FROM unnest(${tags.map((t) => t.kind)}::text[], ${tags.map((t) => t.id)}::uuid[],
      ${tags.map((t) => t.tag)}::text[], ${tags.map((t) => t.ruleId)}::uuid[]) AS q(k, s, t, r)
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function tagsOf(db: Db, orgId: string, kind: string, id: string): Promise<string[]> {
  const r = await sql<{ tag: string }>`SELECT tag FROM record_tags WHERE org_id = ${orgId} AND subject_kind = ${kind}
    AND subject_id = ${id}::uuid ORDER BY tag`.execute(db);
  return r.rows.map((x) => x.tag);
}

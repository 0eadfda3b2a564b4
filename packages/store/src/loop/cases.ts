import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import type { Db } from '../ingest/types.js';
import { type Cursor, encodeCursor, type Page } from '../read.js';

export const CASE_STATUSES = ['new', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type CasePriority = (typeof CASE_PRIORITIES)[number];
export type SubjectKind = 'interaction' | 'response' | 'event';

export interface CaseRow {
  id: string;
  title: string;
  rule_id: string | null;
  customer_id: string | null;
  department: string;
  assignee: string | null;
  priority: CasePriority;
  status: CaseStatus;
  sla_due_at: Date;
  root_cause: string | null;
  actions_taken: string[];
  tags: string[];
  trigger: CaseTrigger;
  opened_at: Date;
  first_action_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  recovery_status: 'pending' | 'recovered' | 'not_recovered' | null;
  recovery_at: Date | null;
  recovery_evidence: Record<string, unknown> | null;
  updated_at: Date;
}

/** What opened a case, kept for recovery (the score to beat) and for digests (the verbatim). */
export interface CaseTrigger {
  subject_kind?: SubjectKind;
  subject_id?: string;
  rule_type?: string;
  reason?: string;
  at?: string;
  /** The score that triggered it (nps / csat), if any. */
  score?: { type: string; value: number } | null;
  sentiment?: number | null;
  verbatim?: string | null;
  topic?: string | null;
  /** The department of the triggering touchpoint. */
  department?: string | null;
}

export interface NewCase {
  title: string;
  ruleId: string | null;
  customerId: string | null;
  department: string;
  assignee: string | null;
  priority: CasePriority;
  slaDueAt: Date;
  rootCause: string | null;
  tags: string[];
  trigger: CaseTrigger;
  openedAt?: Date;
  links: { kind: SubjectKind; id: string; reason: string }[];
  /** Who opened it, for the history (default 'rules'). */
  author?: string | null;
}

const cols = sql`c.id, c.title, c.rule_id, c.customer_id, c.department, c.assignee, c.priority, c.status, c.sla_due_at,
  c.root_cause, c.actions_taken, c.tags, c.trigger, c.opened_at, c.first_action_at, c.resolved_at, c.closed_at,
  c.recovery_status, c.recovery_at, c.recovery_evidence, c.updated_at`;

/** Opens cases with their links and 'opened' history in one statement. */
export async function createCases(db: Db, orgId: string, cases: NewCase[]): Promise<CaseRow[]> {
  if (cases.length === 0) return [];
  const ids = cases.map(() => uuidv7());
  const links = cases.flatMap((c, i) => c.links.map((l) => ({ caseId: ids[i], ...l })));
  const r = await sql<CaseRow>`
    WITH ins AS (
      INSERT INTO cases AS c (org_id, id, title, rule_id, customer_id, department, assignee, priority, status, sla_due_at,
        root_cause, tags, trigger, opened_at)
      SELECT ${orgId}::uuid, q.id, q.title, q.rule, q.customer, q.dept, q.assignee, q.priority, 'new', q.sla, q.root,
        coalesce(string_to_array(q.tags, ','), '{}'), q.trig::jsonb, coalesce(q.opened, now())
      FROM unnest(${ids}::uuid[], ${cases.map((c) => c.title)}::text[], ${cases.map((c) => c.ruleId)}::uuid[],
        ${cases.map((c) => c.customerId)}::uuid[], ${cases.map((c) => c.department)}::text[],
        ${cases.map((c) => c.assignee)}::text[], ${cases.map((c) => c.priority)}::text[],
        ${cases.map((c) => c.slaDueAt.toISOString())}::timestamptz[], ${cases.map((c) => c.rootCause)}::text[],
        ${cases.map((c) => (c.tags.length ? c.tags.join(',') : null))}::text[],
        ${cases.map((c) => JSON.stringify(c.trigger))}::text[],
        ${cases.map((c) => c.openedAt?.toISOString() ?? null)}::timestamptz[])
        AS q(id, title, rule, customer, dept, assignee, priority, sla, root, tags, trig, opened)
      RETURNING ${cols}),
    links AS (
      INSERT INTO case_links (org_id, case_id, subject_kind, subject_id, reason)
      SELECT ${orgId}::uuid, lc, lk, ls, lr FROM unnest(${links.map((l) => l.caseId)}::uuid[],
        ${links.map((l) => l.kind)}::text[], ${links.map((l) => l.id)}::uuid[], ${links.map((l) => l.reason)}::text[])
        AS l(lc, lk, ls, lr)
      ON CONFLICT DO NOTHING),
    events AS (
      -- The 'opened' event is dated when the case was opened (a replayed case: its record's time),
      -- never after now(): a note written with the case (dated now()) comes after it, not before.
      INSERT INTO case_events (org_id, id, case_id, kind, author, body, at)
      SELECT ${orgId}::uuid, ei, ec, 'opened', ea, eb::jsonb, least(coalesce(eo, now()), now())
      FROM unnest(${cases.map(() => uuidv7())}::uuid[], ${ids}::uuid[],
        ${cases.map((c) => (c.author === undefined ? 'rules' : c.author))}::text[],
        ${cases.map((c) => JSON.stringify({ reason: c.trigger.reason ?? null }))}::text[],
        ${cases.map((c) => c.openedAt?.toISOString() ?? null)}::timestamptz[]) AS e(ei, ec, ea, eb, eo))
    SELECT * FROM ins`.execute(db);
  // In input order (RETURNING does not promise one).
  const byId = new Map(r.rows.map((row) => [row.id, row]));
  return ids.map((id) => {
    const row = byId.get(id)!;
    row.tags ??= [];
    return row;
  });
}

export async function linkRecords(
  db: Db,
  orgId: string,
  links: { caseId: string; kind: SubjectKind; id: string; reason: string }[],
): Promise<void> {
  if (links.length === 0) return;
  await sql`
    INSERT INTO case_links (org_id, case_id, subject_kind, subject_id, reason)
    SELECT ${orgId}::uuid, c, k, s, r FROM unnest(${links.map((l) => l.caseId)}::uuid[], ${links.map((l) => l.kind)}::text[],
      ${links.map((l) => l.id)}::uuid[], ${links.map((l) => l.reason)}::text[]) AS q(c, k, s, r)
    ON CONFLICT DO NOTHING`.execute(db);
}

export async function addCaseEvents(
  db: Db,
  orgId: string,
  events: { caseId: string; kind: string; author: string | null; body: unknown }[],
): Promise<void> {
  if (events.length === 0) return;
  await sql`
    INSERT INTO case_events (org_id, id, case_id, kind, author, body)
    SELECT ${orgId}::uuid, i, c, k, a, b::jsonb FROM unnest(${events.map(() => uuidv7())}::uuid[],
      ${events.map((e) => e.caseId)}::uuid[], ${events.map((e) => e.kind)}::text[], ${events.map((e) => e.author)}::text[],
      ${events.map((e) => JSON.stringify(e.body ?? {}))}::text[]) AS q(i, c, k, a, b)`.execute(db);
}

/** Which of these records exist in the org (as `kind:id`). */
export async function existingSubjects(
  db: Db,
  orgId: string,
  subjects: { kind: SubjectKind; id: string }[],
): Promise<Set<string>> {
  if (subjects.length === 0) return new Set();
  const r = await sql<{ k: string }>`
    SELECT q.kind || ':' || q.id AS k FROM unnest(${subjects.map((s) => s.kind)}::text[], ${subjects.map((s) => s.id)}::uuid[]) AS q(kind, id)
    WHERE (q.kind = 'interaction' AND EXISTS (SELECT 1 FROM interactions x WHERE x.org_id = ${orgId} AND x.id = q.id))
       OR (q.kind = 'response' AND EXISTS (SELECT 1 FROM responses x WHERE x.org_id = ${orgId} AND x.id = q.id))
       OR (q.kind = 'event' AND EXISTS (SELECT 1 FROM events x WHERE x.org_id = ${orgId} AND x.id = q.id))`.execute(db);
  return new Set(r.rows.map((x) => x.k));
}

/** Open (not resolved or closed) cases of these customers opened by these rules. */
export async function openCasesFor(
  db: Db,
  orgId: string,
  customerIds: string[],
  ruleIds: string[],
): Promise<{ id: string; customer_id: string; rule_id: string }[]> {
  if (customerIds.length === 0 || ruleIds.length === 0) return [];
  const r = await sql<{ id: string; customer_id: string; rule_id: string }>`
    SELECT id, customer_id, rule_id FROM cases WHERE org_id = ${orgId} AND customer_id = ANY(${customerIds}::uuid[])
      AND rule_id = ANY(${ruleIds}::uuid[]) AND status NOT IN ('resolved','closed')`.execute(db);
  return r.rows;
}

export async function getCase(db: Db, orgId: string, id: string, forUpdate = false): Promise<CaseRow | undefined> {
  const r = await sql<CaseRow>`SELECT ${cols} FROM cases c WHERE c.org_id = ${orgId} AND c.id = ${id}::uuid
    ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0];
}

export interface CaseFilter {
  department?: string;
  status?: CaseStatus[];
  assignee?: string;
  priority?: CasePriority;
  customerId?: string;
  overdue?: boolean;
  cursor?: Cursor | null;
  limit: number;
}

/** Newest first, keyset-paginated. */
export async function listCases(db: Db, orgId: string, f: CaseFilter): Promise<Page<CaseRow>> {
  const r = await sql<CaseRow>`SELECT ${cols} FROM cases c WHERE c.org_id = ${orgId}
    ${f.department ? sql`AND c.department = ${f.department}` : sql``}
    ${f.status?.length ? sql`AND c.status = ANY(${f.status}::text[])` : sql``}
    ${f.assignee ? sql`AND c.assignee = ${f.assignee}` : sql``}
    ${f.priority ? sql`AND c.priority = ${f.priority}` : sql``}
    ${f.customerId ? sql`AND c.customer_id = ${f.customerId}::uuid` : sql``}
    ${f.overdue ? sql`AND c.status NOT IN ('resolved','closed') AND c.sla_due_at < now()` : sql``}
    ${f.cursor ? sql`AND (c.opened_at, c.id) < (${f.cursor.at}::timestamptz, ${f.cursor.id}::uuid)` : sql``}
    ORDER BY c.opened_at DESC, c.id DESC LIMIT ${f.limit + 1}`.execute(db);
  const more = r.rows.length > f.limit;
  const items = more ? r.rows.slice(0, f.limit) : r.rows;
  const last = items.at(-1);
  return {
    items,
    next_cursor: more && last ? encodeCursor({ at: new Date(last.opened_at).toISOString(), id: last.id }) : null,
  };
}

/** Counts per department and status, and each department's open cases, most urgent first. */
export async function caseBoard(
  db: Db,
  orgId: string,
  perDepartment: number,
): Promise<{ counts: { department: string; status: CaseStatus; n: number; overdue: number }[]; open: CaseRow[] }> {
  const counts = await sql<{ department: string; status: CaseStatus; n: number; overdue: number }>`
    SELECT department, status, count(*)::int AS n,
      count(*) FILTER (WHERE status NOT IN ('resolved','closed') AND sla_due_at < now())::int AS overdue
    FROM cases WHERE org_id = ${orgId} GROUP BY department, status ORDER BY department, status`.execute(db);
  const open = await sql<CaseRow>`
    SELECT * FROM (
      SELECT ${cols}, row_number() OVER (PARTITION BY c.department ORDER BY
        CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, c.sla_due_at, c.id) AS rn
      FROM cases c WHERE c.org_id = ${orgId} AND c.status NOT IN ('resolved','closed')) t
    WHERE rn <= ${perDepartment} ORDER BY department, rn`.execute(db);
  return { counts: counts.rows, open: open.rows };
}

export interface CaseChange {
  status?: CaseStatus;
  assignee?: string | null;
  priority?: CasePriority;
  department?: string;
  rootCause?: string | null;
  slaDueAt?: Date;
  actionsTaken?: string[];
  recovery?: 'pending' | null;
}

export async function updateCase(db: Db, orgId: string, id: string, c: CaseChange): Promise<CaseRow> {
  const set = [sql`updated_at = now()`];
  if (c.status !== undefined) {
    set.push(sql`status = ${c.status}`);
    if (c.status !== 'new') set.push(sql`first_action_at = coalesce(first_action_at, now())`);
    if (c.status === 'resolved') set.push(sql`resolved_at = now()`);
    if (c.status === 'closed') set.push(sql`closed_at = now()`, sql`resolved_at = coalesce(resolved_at, now())`);
    if (c.status === 'in_progress' || c.status === 'waiting' || c.status === 'new') {
      set.push(sql`resolved_at = NULL`, sql`closed_at = NULL`);
    }
  }
  if (c.recovery !== undefined) {
    set.push(sql`recovery_status = ${c.recovery}`, sql`recovery_at = NULL`, sql`recovery_evidence = NULL`);
  }
  if (c.assignee !== undefined) set.push(sql`assignee = ${c.assignee}`);
  if (c.priority !== undefined) set.push(sql`priority = ${c.priority}`);
  if (c.department !== undefined) set.push(sql`department = ${c.department}`);
  if (c.rootCause !== undefined) set.push(sql`root_cause = ${c.rootCause}`);
  if (c.slaDueAt !== undefined) set.push(sql`sla_due_at = ${c.slaDueAt.toISOString()}::timestamptz`);
  if (c.actionsTaken !== undefined) set.push(sql`actions_taken = ${c.actionsTaken}::text[]`);
  const r = await sql<CaseRow>`UPDATE cases c SET ${sql.join(set)} WHERE c.org_id = ${orgId} AND c.id = ${id}::uuid
    RETURNING ${cols}`.execute(db);
  return r.rows[0];
}

export interface CaseEventRow {
  id: string;
  kind: string;
  author: string | null;
  body: Record<string, unknown>;
  at: Date;
}

export async function caseEvents(db: Db, orgId: string, caseId: string): Promise<CaseEventRow[]> {
  const r = await sql<CaseEventRow>`SELECT id, kind, author, body, at FROM case_events
    WHERE org_id = ${orgId} AND case_id = ${caseId}::uuid ORDER BY at, id`.execute(db);
  return r.rows;
}

export async function caseLinks(
  db: Db,
  orgId: string,
  caseId: string,
): Promise<{ subject_kind: SubjectKind; subject_id: string; reason: string; created_at: Date }[]> {
  const r = await sql<{ subject_kind: SubjectKind; subject_id: string; reason: string; created_at: Date }>`
    SELECT subject_kind, subject_id, reason, created_at FROM case_links WHERE org_id = ${orgId} AND case_id = ${caseId}::uuid
    ORDER BY created_at, subject_id`.execute(db);
  return r.rows;
}

/** Closed cases of these customers still waiting for the customer's next signal. */
export async function pendingRecoveries(db: Db, orgId: string, customerIds: string[]): Promise<CaseRow[]> {
  if (customerIds.length === 0) return [];
  const r = await sql<CaseRow>`SELECT ${cols} FROM cases c WHERE c.org_id = ${orgId} AND c.recovery_status = 'pending'
    AND c.customer_id = ANY(${customerIds}::uuid[])`.execute(db);
  return r.rows;
}

export async function setRecovery(
  db: Db,
  orgId: string,
  outcomes: { caseId: string; status: 'recovered' | 'not_recovered'; at: Date; evidence: unknown }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await sql`
    UPDATE cases c SET recovery_status = q.s, recovery_at = q.a, recovery_evidence = q.e::jsonb, updated_at = now()
    FROM unnest(${outcomes.map((o) => o.caseId)}::uuid[], ${outcomes.map((o) => o.status)}::text[],
      ${outcomes.map((o) => o.at.toISOString())}::timestamptz[], ${outcomes.map((o) => JSON.stringify(o.evidence))}::text[])
      AS q(id, s, a, e)
    WHERE c.org_id = ${orgId} AND c.id = q.id AND c.recovery_status = 'pending'`.execute(db);
  await addCaseEvents(
    db,
    orgId,
    outcomes.map((o) => ({
      caseId: o.caseId,
      kind: 'recovery',
      author: 'rules',
      body: { status: o.status, evidence: o.evidence },
    })),
  );
}

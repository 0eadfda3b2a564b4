import {
  DEMO_AGENTS,
  DEMO_DEPARTMENTS,
  DEMO_ORG,
  DEMO_SURVEYS,
  DEMO_TOUCHPOINTS,
  demoCaseHandling,
  departmentInput,
  generateDemoRecords,
  type RecordKind,
  surveyDefinitionInput,
  touchpointInput,
  type UserRole,
} from '@canopy/core';
import {
  createApiKey,
  createOrg,
  createRule,
  createUser,
  emailTaken,
  findOrgBySlug,
  insertSurvey,
  rebuildAnswerState,
  refreshStatistics,
  type Store,
  setAnswerStateTriggers,
  slugTaken,
  upsertAgents,
  upsertDepartments,
  upsertTouchpoints,
  uuidv7,
} from '@canopy/store';
import { sql } from 'kysely';
import { RulesEngine } from './loop/engine.js';
import { type RuleInput, ruleInput } from './loop/schema.js';
import type { TextAnalysisStep } from './pipeline/analyse.js';
import { type IngestOptions, ingestBatch, type RecordOf } from './pipeline/ingest.js';
import { validateBatch } from './pipeline/validate.js';

export const DEMO_LOGIN = { email: 'demo@canopy.local', password: 'canopy-demo' };

/** The demo admin's colleagues, one per other role (they share the demo password). */
export const DEMO_TEAM: { email: string; name: string; role: UserRole; department?: string }[] = [
  { email: 'olivia.owner@canopy.local', name: 'Olivia Owner', role: 'owner' },
  { email: 'ana.analyst@canopy.local', name: 'Ana Analyst', role: 'analyst' },
  { email: 'bea.billing@canopy.local', name: 'Bea Billing', role: 'department_owner', department: 'billing' },
  { email: 'sam.support@canopy.local', name: 'Sam Support', role: 'agent', department: 'service' },
  { email: 'vic.viewer@canopy.local', name: 'Vic Viewer', role: 'viewer' },
];

export interface DemoLoaded {
  orgId: string;
  slug: string;
  name: string;
  apiKey: string;
  login: typeof DEMO_LOGIN;
  counts: Record<RecordKind, number>;
  seconds: number;
  /**
   * Whether the load ran in bulk mode (answer-state triggers off, state filled once at the end):
   * only into a store with no other org; with others it keeps the triggers on and takes longer.
   */
  bulk: boolean;
}

export interface DemoOptions {
  customers: number;
  seed: number;
  /** End of the demo window (ISO); defaults to the start of today, so "last 90 days" has data. */
  now?: string;
  slug?: string;
  analysis?: TextAnalysisStep;
  onProgress?: (written: number) => void;
  /**
   * The closed loop: when given, the demo's rules (detractors, churn threats) are created and
   * judge the whole history as it is written, opening each case when its record happened (a
   * RulesEngine is made to replay); the team's handling of them follows (demoCaseHandling), so
   * cases, recovery and digests have two years of history.
   */
  rules?: IngestOptions['rules'];
}

/** The rules a new org would likely start with. */
const DEMO_RULES: RuleInput[] = [
  ruleInput.parse({
    name: 'Detractor',
    condition: { type: 'nps', max: 6 },
    actions: [
      { type: 'open_case', sla_hours: 48 },
      { type: 'tag', tag: 'detractor' },
    ],
  }),
  ruleInput.parse({
    name: 'Churn risk',
    condition: { type: 'churn_threat' },
    actions: [
      { type: 'open_case', priority: 'urgent', sla_hours: 24 },
      { type: 'tag', tag: 'churn-risk' },
    ],
  }),
  ruleInput.parse({
    name: 'Unhappy contact (CSAT 1–2)',
    condition: { type: 'csat', max: 2 },
    actions: [{ type: 'tag', tag: 'unhappy' }],
  }),
];

// Flush order matters: a response may rate an interaction of the same chunk.
const FLUSH_ORDER: RecordKind[] = ['customers', 'interactions', 'responses', 'events'];
const CHUNK = 4000;

/**
 * Writes the demo organisation through the same validation and ingestion pipeline as the API,
 * so the demo exercises — and proves — the real path.
 */
export async function loadDemo(store: Store, opts: DemoOptions): Promise<DemoLoaded> {
  const started = Date.now();
  const slug = opts.slug ?? DEMO_ORG.slug;
  if (await findOrgBySlug(store.db, slug)) throw new Error(`an organisation '${slug}' exists already`);
  const org = await createOrg(store.db, slug, DEMO_ORG.name);
  await store.db.transaction().execute(async (trx) => {
    await upsertDepartments(
      trx,
      org.id,
      DEMO_DEPARTMENTS.map((d) => departmentInput.parse(d)),
    );
    const unknown = await upsertTouchpoints(
      trx,
      org.id,
      DEMO_TOUCHPOINTS.map((t) => touchpointInput.parse(t)),
    );
    if (unknown.length) throw new Error(`demo touchpoints with unknown departments: ${unknown.join(', ')}`);
    await upsertAgents(
      trx,
      org.id,
      DEMO_AGENTS.map((a) => ({ key: a.key, name: a.name, team: a.team })),
    );
  });
  await createUser(store.db, org.id, {
    email: DEMO_LOGIN.email,
    name: 'Demo Admin',
    role: 'admin',
    password: DEMO_LOGIN.password,
  });
  // Colleagues in the other roles, so the Users page and what each role sees can be tried
  // (same password; personal data is hidden from the department owner, agent and viewer).
  const depIds = new Map(
    (await store.db.selectFrom('departments').select(['key', 'id']).where('org_id', '=', org.id).execute()).map((d) => [
      d.key,
      d.id,
    ]),
  );
  for (const u of DEMO_TEAM) {
    if (await emailTaken(store.db, u.email)) continue;
    const departmentId = u.department ? depIds.get(u.department) : undefined;
    await createUser(store.db, org.id, {
      email: u.email,
      name: u.name,
      role: u.role,
      password: DEMO_LOGIN.password,
      ...(departmentId ? { departmentId } : {}),
    });
  }
  const { key } = await createApiKey(store.db, org.id, 'demo');
  if (opts.rules) {
    for (const r of DEMO_RULES) {
      await createRule(store.db, org.id, {
        name: r.name,
        enabled: r.enabled,
        condition: r.condition,
        customer_filter: null,
        actions: r.actions,
      });
    }
  }

  // The surveys the demo's answers come from, as the org would have defined them.
  for (const raw of DEMO_SURVEYS) {
    const d = surveyDefinitionInput.parse(raw);
    // Slugs are unique across orgs: another demo in the store gets its own.
    let surveySlug = d.key;
    if (await slugTaken(store.db, surveySlug)) surveySlug = `${d.key}-${org.id.slice(-8)}`;
    await insertSurvey(store.db, org.id, {
      key: d.key,
      slug: surveySlug,
      name: d.name,
      status: 'active',
      definition: { ...raw, slug: surveySlug },
      hasTriggers: d.triggers.length > 0,
    });
  }

  const now = opts.now ?? `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;
  // History replayed through the rules opens its cases when their records happened.
  const rules = opts.rules instanceof RulesEngine ? opts.rules.replaying() : opts.rules;
  const buffers: Record<RecordKind, unknown[]> = { customers: [], interactions: [], responses: [], events: [] };
  const counts: Record<RecordKind, number> = { customers: 0, interactions: 0, responses: 0, events: 0 };
  let buffered = 0;
  let written = 0;
  const flush = async () => {
    for (const kind of FLUSH_ORDER) {
      const raw = buffers[kind];
      if (raw.length === 0) continue;
      // Every record goes through the rules, as it would have when it arrived.
      const { records, errors } = validateBatch(kind, raw);
      if (errors.length) {
        throw new Error(`demo generator wrote an invalid ${kind} record: ${JSON.stringify(errors.slice(0, 3))}`);
      }
      await ingestBatch(store, org.id, kind, records as RecordOf<RecordKind>[], { analysis: opts.analysis, rules });
      counts[kind] += raw.length;
      written += raw.length;
      buffers[kind] = [];
    }
    buffered = 0;
    opts.onProgress?.(written);
  };
  // The per-answer state (loyalty, key drivers) is filled once at the end: kept per batch by its
  // triggers, the demo's history took ~10× as long to load (220 s instead of 22 s at 1,500 customers).
  // Turning the triggers off is table-wide, so only into a store with no other org (the first
  // start): another org's writes meanwhile would skip its state. Otherwise they stay on.
  const bulk = !(
    await sql<{ other: boolean }>`SELECT EXISTS (SELECT 1 FROM orgs WHERE id <> ${org.id}) AS other`.execute(store.db)
  ).rows[0].other;
  if (bulk) await setAnswerStateTriggers(store.db, false);
  try {
    for (const item of generateDemoRecords({ customers: opts.customers, seed: opts.seed, now })) {
      buffers[item.kind].push(item.record);
      if (++buffered >= CHUNK) await flush();
    }
    await flush();
    if (rules) await handleDemoCases(store, org.id, opts.seed, new Date(now));
    if (bulk) {
      // Statistics before the fills: without them they probe an index per answer.
      await refreshStatistics(store);
      await rebuildAnswerState(store.db, org.id);
    }
  } finally {
    if (bulk) await setAnswerStateTriggers(store.db, true);
  }
  await refreshStatistics(store);
  return {
    orgId: org.id,
    slug,
    name: DEMO_ORG.name,
    apiKey: key,
    login: DEMO_LOGIN,
    counts,
    seconds: (Date.now() - started) / 1000,
    bulk,
  };
}

const RECOVERY_EVENTS = ['renewal', 'purchase', 'referral_made', 'referral_converted', 'cancellation'];
const RECOVERED = new Set(RECOVERY_EVENTS.slice(0, 4));

/**
 * The team's handling of the cases the rules opened (demoCaseHandling: who, when, what was done,
 * how far a recent one got), then each closed case's recovery, judged as the rules judge it: by
 * the customer's first score (NPS or CSAT: better than the one that opened the case) or telling
 * event (a purchase, renewal or referral; a cancellation) after the case closed.
 */
async function handleDemoCases(store: Store, orgId: string, seed: number, now: Date): Promise<void> {
  const cases = await sql<{
    id: string;
    opened_at: Date;
    priority: 'low' | 'normal' | 'high' | 'urgent';
    department: string;
    title: string;
    ext: string | null;
  }>`SELECT c.id, c.opened_at, c.priority, c.department, c.title,
      (SELECT min(i.value) FROM customer_identities i
       WHERE i.org_id = c.org_id AND i.customer_id = c.customer_id AND i.kind = 'external') AS ext
    FROM cases c WHERE c.org_id = ${orgId}`.execute(store.db);
  if (cases.rows.length === 0) return;
  const plans = cases.rows.map((c) => {
    const opened = new Date(c.opened_at);
    return {
      id: c.id,
      h: demoCaseHandling(
        seed,
        {
          key: `${c.ext}|${c.title}|${opened.toISOString()}`,
          openedAt: opened,
          priority: c.priority,
          department: c.department,
        },
        now,
      ),
    };
  });
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  await store.db.transaction().execute(async (trx) => {
    await sql`
      UPDATE cases c SET status = q.status, assignee = q.assignee, first_action_at = q.first, resolved_at = q.resolved,
        closed_at = q.closed, actions_taken = coalesce(string_to_array(q.actions, '|'), '{}'),
        recovery_status = CASE WHEN q.status = 'closed' THEN 'pending' END, updated_at = q.updated
      FROM unnest(${plans.map((p) => p.id)}::uuid[], ${plans.map((p) => p.h.status)}::text[],
        ${plans.map((p) => p.h.assignee)}::text[], ${plans.map((p) => iso(p.h.firstActionAt))}::timestamptz[],
        ${plans.map((p) => iso(p.h.resolvedAt))}::timestamptz[], ${plans.map((p) => iso(p.h.closedAt))}::timestamptz[],
        ${plans.map((p) => (p.h.actionsTaken.length ? p.h.actionsTaken.join('|') : null))}::text[],
        ${plans.map((p) => p.h.updatedAt.toISOString())}::timestamptz[])
        AS q(id, status, assignee, first, resolved, closed, actions, updated)
      WHERE c.org_id = ${orgId} AND c.id = q.id`.execute(trx);
    const steps = plans.flatMap((p) => p.h.steps.map((s) => ({ caseId: p.id, author: p.h.assignee, ...s })));
    for (let i = 0; i < steps.length; i += 5000) {
      const part = steps.slice(i, i + 5000);
      await sql`
        INSERT INTO case_events (org_id, id, case_id, kind, author, body, at)
        SELECT ${orgId}::uuid, q.id, q.c, q.k, q.a, q.b::jsonb, q.at
        FROM unnest(${part.map(() => uuidv7())}::uuid[], ${part.map((s) => s.caseId)}::uuid[],
          ${part.map((s) => s.kind)}::text[], ${part.map((s) => s.author)}::text[],
          ${part.map((s) => JSON.stringify({ from: s.from, to: s.to }))}::text[],
          ${part.map((s) => s.at.toISOString())}::timestamptz[]) AS q(id, c, k, a, b, at)`.execute(trx);
    }
    // The first telling signal after each closing: a score (vs the one that opened the case) or an event.
    const signals = await sql<{
      id: string;
      trig: { subject_id?: string; score?: { type: string; value: number } | null } | null;
      s_kind: 'response' | 'event';
      s_id: string;
      s_at: Date;
      signal: string;
      value: number | null;
    }>`
      SELECT c.id, c.trigger AS trig, s.kind AS s_kind, s.sid AS s_id, s.at AS s_at, s.signal, s.value
      FROM cases c CROSS JOIN LATERAL (
        SELECT * FROM (
          (SELECT 'response' AS kind, a.response_id AS sid, a.submitted_at AS at, a.type AS signal, a.value_num AS value
           FROM answers a WHERE a.org_id = c.org_id AND a.customer_id = c.customer_id AND a.submitted_at > c.closed_at
             AND a.type IN ('nps','csat') AND a.value_num IS NOT NULL
           ORDER BY a.submitted_at, a.type DESC LIMIT 1)
          UNION ALL
          (SELECT 'event', e.id, e.occurred_at, e.type, NULL::float8
           FROM events e WHERE e.org_id = c.org_id AND e.customer_id = c.customer_id AND e.occurred_at > c.closed_at
             AND e.type = ANY(${RECOVERY_EVENTS}::text[])
           ORDER BY e.occurred_at LIMIT 1)) x
        ORDER BY x.at LIMIT 1) s
      WHERE c.org_id = ${orgId} AND c.recovery_status = 'pending'`.execute(trx);
    const outcomes = signals.rows.map((r) => {
      let good: boolean;
      let evidence: Record<string, unknown>;
      if (r.s_kind === 'response') {
        const base = r.trig?.score?.type === r.signal ? r.trig.score.value : null;
        const v = r.value as number;
        good = base !== null ? v > base : r.signal === 'nps' ? v >= 7 : v >= 4;
        evidence = { subject_kind: 'response', subject_id: r.s_id, signal: r.signal, value: v, baseline: base };
      } else {
        good = RECOVERED.has(r.signal);
        evidence = { subject_kind: 'event', subject_id: r.s_id, signal: r.signal };
      }
      return { id: r.id, status: good ? 'recovered' : 'not_recovered', at: new Date(r.s_at), evidence };
    });
    if (outcomes.length === 0) return;
    await sql`
      UPDATE cases c SET recovery_status = q.s, recovery_at = q.a, recovery_evidence = q.e::jsonb
      FROM unnest(${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.status)}::text[],
        ${outcomes.map((o) => o.at.toISOString())}::timestamptz[], ${outcomes.map((o) => JSON.stringify(o.evidence))}::text[])
        AS q(id, s, a, e)
      WHERE c.org_id = ${orgId} AND c.id = q.id`.execute(trx);
    await sql`
      INSERT INTO case_events (org_id, id, case_id, kind, author, body, at)
      SELECT ${orgId}::uuid, q.id, q.c, 'recovery', 'rules', q.b::jsonb, q.at
      FROM unnest(${outcomes.map(() => uuidv7())}::uuid[], ${outcomes.map((o) => o.id)}::uuid[],
        ${outcomes.map((o) => JSON.stringify({ status: o.status, evidence: o.evidence }))}::text[],
        ${outcomes.map((o) => o.at.toISOString())}::timestamptz[]) AS q(id, c, b, at)`.execute(trx);
  });
}

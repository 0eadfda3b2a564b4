import {
  DEMO_AGENTS,
  DEMO_DEPARTMENTS,
  DEMO_ORG,
  DEMO_TOUCHPOINTS,
  departmentInput,
  generateDemoRecords,
  type RecordKind,
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
  rebuildAnswerState,
  refreshStatistics,
  type Store,
  setAnswerStateTriggers,
  upsertAgents,
  upsertDepartments,
  upsertTouchpoints,
} from '@canopy/store';
import { sql } from 'kysely';
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
   * evaluated on the last LOOP_DAYS of records as they are written, so cases start filled.
   */
  rules?: IngestOptions['rules'];
}

/** How far back the demo's rules look when it is loaded (older records are history). */
const LOOP_DAYS = 45;

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

const TIME_FIELD: Record<RecordKind, string | null> = {
  customers: null,
  interactions: 'opened_at',
  responses: 'submitted_at',
  events: 'occurred_at',
};

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

  const now = opts.now ?? `${new Date().toISOString().slice(0, 10)}T00:00:00Z`;
  const loopFrom = new Date(Date.parse(now) - LOOP_DAYS * 86_400_000).toISOString();
  const buffers: Record<RecordKind, unknown[]> = { customers: [], interactions: [], responses: [], events: [] };
  const counts: Record<RecordKind, number> = { customers: 0, interactions: 0, responses: 0, events: 0 };
  let buffered = 0;
  let written = 0;
  const flush = async () => {
    for (const kind of FLUSH_ORDER) {
      const raw = buffers[kind];
      if (raw.length === 0) continue;
      // History is written as it was; the last days go through the rules, as live data would.
      const field = TIME_FIELD[kind];
      const recent = (r: unknown) =>
        !!opts.rules && !!field && String((r as Record<string, unknown>)[field]) >= loopFrom;
      for (const [part, rules] of [
        [raw.filter((r) => !recent(r)), undefined],
        [raw.filter(recent), opts.rules],
      ] as const) {
        if (part.length === 0) continue;
        const { records, errors } = validateBatch(kind, part);
        if (errors.length) {
          throw new Error(`demo generator wrote an invalid ${kind} record: ${JSON.stringify(errors.slice(0, 3))}`);
        }
        await ingestBatch(store, org.id, kind, records as RecordOf<RecordKind>[], { analysis: opts.analysis, rules });
      }
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

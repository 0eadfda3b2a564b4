import {
  customerWords,
  type EventInput,
  type InteractionInput,
  type RecordKind,
  type ResponseInput,
} from '@canopy/core';
import {
  addCaseEvents,
  type CasePriority,
  type CaseRow,
  type CaseTrigger,
  createCases,
  type Db,
  linkRecords,
  listRules,
  type NewCase,
  openCasesFor,
  pendingRecoveries,
  type RuleRow,
  recentFirings,
  recordFirings,
  type SubjectKind,
  setRecovery,
  tagRecords,
  type WebhookRow,
  type WriteOutcome,
} from '@canopy/store';
import { sql } from 'kysely';
import { enqueueMany, type JobRunner } from '../jobs/index.js';
import type { CustomerFilter, RuleAction, RuleCondition } from './schema.js';
import { SLA_HOURS } from './schema.js';
import { type LoopTaxonomy, loopTaxonomy, topicDepartment } from './taxonomy.js';
import { caseView, emitMany, loadHooks, type Message } from './webhooks.js';

/** One incoming record, with what the rules look at. */
interface Subject {
  kind: SubjectKind;
  id: string;
  customerId: string | null;
  at: Date;
  department: string | null;
  scores: { type: 'nps' | 'csat'; field: string; value: number }[];
  eventType?: string;
  text: string | null;
  analysis?: {
    sentiment: number;
    label: string;
    churn: boolean;
    urgent: boolean;
    topics: { topic: string; score: number; label: string }[];
    redacted: string | null;
  };
}

interface Rule extends Omit<RuleRow, 'condition' | 'actions' | 'customer_filter'> {
  condition: RuleCondition;
  customer_filter: CustomerFilter | null;
  actions: RuleAction[];
}

interface Firing {
  rule: Rule;
  key: string;
  subjects: Subject[];
  customerId: string | null;
  reason: string;
  topic: string | null;
  trigger: CaseTrigger;
  urgent: boolean;
  severe: boolean;
}

const KIND: Record<Exclude<RecordKind, 'customers'>, SubjectKind> = {
  interactions: 'interaction',
  responses: 'response',
  events: 'event',
};
const TABLE = { interaction: 'interactions', response: 'responses', event: 'events' } as const;
const RECOVERED_EVENTS = new Set(['renewal', 'purchase', 'referral_made', 'referral_converted']);
const HOUR = 3_600_000;

const clip = (s: string | null | undefined, n = 500) => (s ? (s.length > n ? `${s.slice(0, n - 1)}…` : s) : null);

/**
 * The "evaluate rules" step of ingestion, inside the batch's transaction: a detractor's case
 * exists when the request that brought it is answered, and its notifications are jobs in the
 * same commit. Also judges recovery: the first signal from a customer after their case closed.
 */
export class RulesEngine {
  private readonly cache = new Map<
    string,
    { at: number; rules: Rule[]; taxonomy: LoopTaxonomy; touchpointDept: Map<string, string | null> }
  >();
  /** Topic-spike baselines, counted once per org, topic, window and hour (not per batch). */
  readonly baselines = new BaselineCache();

  /**
   * `runner`: the job runner of this process; the webhooks a batch fires are sent by it right
   * after the batch commits (the fast path) instead of waiting for a claim.
   */
  constructor(
    private readonly ttlMs = 5000,
    private readonly runner: JobRunner | null = null,
    /**
     * 'record': a case opens when its triggering record happened (its SLA counts from then), for
     * history replayed through the rules (the demo); 'now' (default): when the rules judge it.
     */
    private readonly openAt: 'now' | 'record' = 'now',
  ) {}

  /** The same rules, opening cases when their triggering records happened (for replayed history). */
  replaying(): RulesEngine {
    return new RulesEngine(this.ttlMs, this.runner, 'record');
  }

  private readonly hookCache = new Map<string, { at: number; hooks: WebhookRow[] }>();

  /** Rule and webhook changes in this process apply to the next batch; other nodes pick them up within the TTL. */
  invalidate(orgId: string): void {
    this.cache.delete(orgId);
    this.hookCache.delete(orgId);
  }

  /** The org's enabled webhooks, cached for the TTL. */
  private async hooks(db: Db, orgId: string): Promise<WebhookRow[]> {
    const hit = this.hookCache.get(orgId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.hooks;
    const hooks = await loadHooks(db, orgId);
    this.hookCache.set(orgId, { at: Date.now(), hooks });
    return hooks;
  }

  /** The org's enabled rules and its taxonomy, cached for the TTL. */
  private async config(
    db: Db,
    orgId: string,
  ): Promise<{ rules: Rule[]; taxonomy: LoopTaxonomy; touchpointDept: Map<string, string | null> }> {
    const hit = this.cache.get(orgId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit;
    const rules = (await listRules(db, orgId, true)) as unknown as Rule[];
    const taxonomy = await loopTaxonomy(db, orgId);
    // Touchpoint key → its department's key (a touchpoint added since is looked up per record).
    const tps = await sql<{ key: string; department: string | null }>`
      SELECT tp.key, d.key AS department FROM touchpoints tp
      LEFT JOIN departments d ON d.org_id = tp.org_id AND d.id = tp.department_id
      WHERE tp.org_id = ${orgId}`.execute(db);
    const touchpointDept = new Map(tps.rows.map((r) => [r.key, r.department]));
    const entry = { at: Date.now(), rules, taxonomy, touchpointDept };
    this.cache.set(orgId, entry);
    return entry;
  }

  async evaluate(trx: Db, orgId: string, kind: RecordKind, records: unknown[], outcome: WriteOutcome): Promise<void> {
    if (kind === 'customers') return;
    const live: number[] = [];
    outcome.statuses.forEach((s, i) => {
      if (s !== 'duplicate') live.push(i);
    });
    if (live.length === 0) return;
    const { rules, taxonomy, touchpointDept } = await this.config(trx, orgId);
    const customerIds = [...new Set(live.flatMap((i) => (outcome.customerIds[i] ? [outcome.customerIds[i]!] : [])))];
    const pending = await pendingRecoveries(trx, orgId, customerIds);
    if (rules.length === 0 && pending.length === 0) return;

    const subjects = await loadSubjects(trx, orgId, KIND[kind], live, records, outcome, touchpointDept);
    // Text analyses: for every record when a rule or a recovery judges text; otherwise only for
    // the records a score rule fires on (their root cause and verbatim).
    const scoreOnly = pending.length === 0 && rules.every((r) => SCORE_ONLY.has(r.condition.type));
    await attachAnalyses(
      trx,
      orgId,
      KIND[kind],
      scoreOnly ? subjects.filter((s) => rules.some((r) => matchRecord(r, r.condition, s) !== null)) : subjects,
    );
    const hooks = await this.hooks(trx, orgId);
    const messages: Message[] = [];
    if (pending.length) await judgeRecovery(trx, orgId, pending, subjects, messages);
    if (rules.length === 0) return this.send(trx, orgId, hooks, messages);

    const customers = rules.some((r) => r.customer_filter) ? await loadCustomers(trx, orgId, customerIds) : new Map();
    const candidates: Firing[] = [];
    for (const rule of rules) {
      const pass = (s: Subject) => matchesCustomer(rule.customer_filter, s.customerId, customers);
      const c = rule.condition;
      if (c.type === 'repeat_contact') {
        if (KIND[kind] === 'interaction')
          candidates.push(...(await repeatContacts(trx, orgId, rule, c, subjects.filter(pass))));
      } else if (c.type === 'topic_spike') {
        candidates.push(...(await topicSpikes(trx, orgId, rule, c, subjects, this.baselines)));
      } else {
        for (const s of subjects) {
          if (!pass(s)) continue;
          const f = matchRecord(rule, c, s);
          if (f) candidates.push(f);
        }
      }
    }
    if (candidates.length === 0) return this.send(trx, orgId, hooks, messages);
    const fresh = await recordFirings(
      trx,
      orgId,
      candidates.map((f) => ({ ruleId: f.rule.id, key: f.key })),
    );
    const firings = candidates.filter((f) => fresh.has(`${f.rule.id}|${f.key}`));
    if (firings.length) await act(trx, orgId, firings, messages, taxonomy, this.openAt);
    await this.send(trx, orgId, hooks, messages);
  }

  private async send(trx: Db, orgId: string, hooks: Awaited<ReturnType<typeof loadHooks>>, messages: Message[]) {
    if (messages.length && hooks.length) await emitMany(trx, orgId, hooks, messages, this.runner);
  }
}

/**
 * A topic's mention count over the `days` before the hour it is judged in: the baseline of a
 * spike. It moves by an hour's worth out of days × 24, so it is counted once per hour and kept
 * (bounded, oldest dropped first); the current hour is still counted on every batch.
 */
export class BaselineCache {
  private readonly m = new Map<string, number>();
  /** Counts run (for tests and diagnostics). */
  misses = 0;

  constructor(private readonly max = 10_000) {}

  async get(trx: Db, orgId: string, days: number, qs: { topic: string; hour: number }[]): Promise<number[]> {
    const keyOf = (q: { topic: string; hour: number }) => `${orgId}|${days}|${q.hour}|${q.topic}`;
    const missing = qs.filter((q) => !this.m.has(keyOf(q)));
    if (missing.length) {
      this.misses += missing.length;
      // The baseline ends where the hour before the judged one starts: it never overlaps the
      // last hour being compared with it.
      const r = await sql<{ n: number }>`
        SELECT (SELECT count(*) FROM text_topics t WHERE t.org_id = ${orgId} AND t.topic = q.topic
            AND t.occurred_at > q.upto - ${`${days} days`}::interval AND t.occurred_at <= q.upto)::int AS n
        FROM unnest(${missing.map((q) => q.topic)}::text[],
          ${missing.map((q) => new Date((q.hour - 1) * HOUR).toISOString())}::timestamptz[]) WITH ORDINALITY AS q(topic, upto, i)
        ORDER BY q.i`.execute(trx);
      missing.forEach((q, i) => {
        this.m.set(keyOf(q), r.rows[i]?.n ?? 0);
      });
      while (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
    }
    return qs.map((q) => this.m.get(keyOf(q)) ?? 0);
  }

  clear(): void {
    this.m.clear();
  }
}

/** Conditions decided by a record's scores alone: the text analysis is needed only for those that fire. */
const SCORE_ONLY = new Set(['nps', 'csat']);

async function loadSubjects(
  trx: Db,
  orgId: string,
  kind: SubjectKind,
  live: number[],
  records: unknown[],
  outcome: WriteOutcome,
  touchpointDept: Map<string, string | null>,
): Promise<Subject[]> {
  // The department comes from the record's touchpoint (a cached map); records without a known
  // touchpoint key are looked up.
  const deptOf = new Map<string, string | null>();
  const unknown: string[] = [];
  for (const i of live) {
    const tp = (records[i] as { touchpoint?: string }).touchpoint;
    if (tp !== undefined && touchpointDept.has(tp)) deptOf.set(outcome.ids[i], touchpointDept.get(tp)!);
    else unknown.push(outcome.ids[i]);
  }
  if (unknown.length) {
    const depts = await sql<{ id: string; department: string | null }>`
      SELECT x.id, d.key AS department FROM ${sql.table(TABLE[kind])} x
      JOIN touchpoints tp ON tp.org_id = x.org_id AND tp.id = x.touchpoint_id
      JOIN departments d ON d.org_id = tp.org_id AND d.id = tp.department_id
      WHERE x.org_id = ${orgId} AND x.id = ANY(${unknown}::uuid[])`.execute(trx);
    for (const r of depts.rows) deptOf.set(r.id, r.department);
  }
  return live.map((i) => {
    const id = outcome.ids[i];
    const s: Subject = {
      kind,
      id,
      customerId: outcome.customerIds[i],
      at: new Date(),
      department: deptOf.get(id) ?? null,
      scores: [],
      text: null,
    };
    if (kind === 'response') {
      const r = records[i] as ResponseInput;
      s.at = r.submitted_at;
      for (const a of r.answers) {
        if (a.type === 'nps' || a.type === 'csat') s.scores.push({ type: a.type, field: a.field, value: a.value });
      }
      const texts = r.answers.flatMap((a) => (a.type === 'text' && a.value.trim() ? [a.value] : []));
      s.text = texts.length ? texts.join(' / ') : null;
    } else if (kind === 'interaction') {
      const r = records[i] as InteractionInput;
      s.at = r.opened_at;
      s.text = customerWords(r) ?? null;
    } else {
      const r = records[i] as EventInput;
      s.at = r.occurred_at;
      s.eventType = r.type;
      s.text = r.text ?? null;
    }
    return s;
  });
}

/** Adds the text analyses (sentiment, churn, topics, redacted text) of these subjects, in one query. */
async function attachAnalyses(trx: Db, orgId: string, kind: SubjectKind, subjects: Subject[]): Promise<void> {
  const withText = subjects.filter((s) => s.text !== null || kind === 'response');
  if (withText.length === 0) return;
  const r = await sql<{
    subject_id: string;
    id: string;
    sentiment: number;
    label: string;
    churn: boolean;
    urgent: boolean;
    redacted: string | null;
    topic: string | null;
    t_score: number | null;
    t_label: string | null;
  }>`
    SELECT a.subject_id, a.id, a.sentiment_score::float8 AS sentiment, a.sentiment_label AS label,
      a.churn_threat AS churn, a.urgent, a.redacted_text AS redacted,
      t.topic, t.sentiment_score::float8 AS t_score, t.sentiment_label AS t_label
    FROM text_analyses a LEFT JOIN text_topics t ON t.org_id = a.org_id AND t.analysis_id = a.id
    WHERE a.org_id = ${orgId} AND a.subject_kind = ${kind} AND a.subject_id = ANY(${withText.map((s) => s.id)}::uuid[])
    ORDER BY a.subject_id, a.id`.execute(trx);
  const bySubject = new Map(withText.map((s) => [s.id, s]));
  const seen = new Set<string>();
  for (const row of r.rows) {
    const s = bySubject.get(row.subject_id);
    if (!s) continue;
    s.analysis ??= {
      sentiment: row.sentiment,
      label: row.label,
      churn: false,
      urgent: false,
      topics: [],
      redacted: null,
    };
    const an = s.analysis;
    if (!seen.has(row.id)) {
      // Several analysed fields: the most negative speaks for the record.
      seen.add(row.id);
      if (row.sentiment < an.sentiment) {
        an.sentiment = row.sentiment;
        an.label = row.label;
      }
      an.churn ||= row.churn;
      an.urgent ||= row.urgent;
      if (row.redacted !== null) an.redacted = an.redacted === null ? row.redacted : `${an.redacted} / ${row.redacted}`;
    }
    if (row.topic !== null)
      an.topics.push({ topic: row.topic, score: row.t_score ?? 0, label: row.t_label ?? 'neutral' });
  }
}

async function loadCustomers(trx: Db, orgId: string, ids: string[]) {
  const r = await sql<{ id: string; segment: string | null; attrs: Record<string, unknown> | null }>`
    SELECT c.id, c.segment, (SELECT json_object_agg(a.key, CASE a.type WHEN 'number' THEN to_jsonb(a.value_num)
        WHEN 'boolean' THEN to_jsonb(a.value_bool) WHEN 'date' THEN to_jsonb(a.value_time) ELSE to_jsonb(a.value_text) END)
      FROM customer_attributes a WHERE a.org_id = c.org_id AND a.customer_id = c.id) AS attrs
    FROM customers c WHERE c.org_id = ${orgId} AND c.id = ANY(${ids}::uuid[])`.execute(trx);
  return new Map(r.rows.map((x) => [x.id, x]));
}

function matchesCustomer(
  f: CustomerFilter | null,
  customerId: string | null,
  customers: Map<string, { segment: string | null; attrs: Record<string, unknown> | null }>,
): boolean {
  if (!f || (!f.segment && !f.attribute)) return true;
  const c = customerId ? customers.get(customerId) : undefined;
  if (!c) return false;
  if (f.segment && c.segment !== f.segment) return false;
  if (f.attribute && c.attrs?.[f.attribute.key] !== f.attribute.equals) return false;
  return true;
}

/** The verbatim to show: the PII-redacted text where PII was found. */
const verbatimOf = (s: Subject) => clip(s.analysis?.redacted ?? s.text);

/** The most negative topic of a text: the likely root cause. */
function worstTopic(s: Subject, within?: string): string | null {
  const ts = (s.analysis?.topics ?? []).filter(
    (t) => !within || t.topic === within || t.topic.startsWith(`${within}.`),
  );
  if (ts.length === 0) return null;
  return ts.reduce((a, b) => (b.score < a.score ? b : a)).topic;
}

function firing(
  rule: Rule,
  s: Subject,
  reason: string,
  opts: { topic?: string | null; severe?: boolean } = {},
): Firing {
  const score = s.scores.find((x) => x.type === rule.condition.type) ?? s.scores[0] ?? null;
  const topic = opts.topic !== undefined ? opts.topic : worstTopic(s);
  return {
    rule,
    key: `${s.kind}:${s.id}`,
    subjects: [s],
    customerId: s.customerId,
    reason,
    topic,
    urgent: s.analysis?.urgent ?? false,
    severe: opts.severe ?? false,
    trigger: {
      subject_kind: s.kind,
      subject_id: s.id,
      rule_type: rule.condition.type,
      reason,
      at: s.at.toISOString(),
      score: score ? { type: score.type, value: score.value } : null,
      sentiment: s.analysis?.sentiment ?? null,
      verbatim: verbatimOf(s),
      topic,
      department: s.department,
    } as CaseTrigger,
  };
}

function matchRecord(rule: Rule, c: RuleCondition, s: Subject): Firing | null {
  switch (c.type) {
    case 'nps':
    case 'csat': {
      const hit = s.scores.find((x) => x.type === c.type && (!c.field || x.field === c.field) && x.value <= c.max);
      if (!hit) return null;
      const label = c.type === 'nps' ? 'NPS' : 'CSAT';
      return firing(rule, s, `${label} ${hit.value}`, { severe: c.type === 'nps' ? hit.value <= 3 : hit.value <= 1 });
    }
    case 'churn_threat':
      return s.analysis?.churn ? firing(rule, s, 'churn threat in the customer’s words', { severe: true }) : null;
    case 'negative_sentiment': {
      if (!s.analysis) return null;
      if (c.topic) {
        const t = s.analysis.topics
          .filter((x) => (x.topic === c.topic || x.topic.startsWith(`${c.topic}.`)) && x.score <= c.max_score)
          .sort((a, b) => a.score - b.score)[0];
        return t
          ? firing(rule, s, `negative sentiment on ${t.topic} (${t.score.toFixed(2)})`, { topic: t.topic })
          : null;
      }
      return s.analysis.label === 'negative' && s.analysis.sentiment <= c.max_score
        ? firing(rule, s, `negative sentiment (${s.analysis.sentiment.toFixed(2)})`)
        : null;
    }
    default:
      return null;
  }
}

async function repeatContacts(
  trx: Db,
  orgId: string,
  rule: Rule,
  c: Extract<RuleCondition, { type: 'repeat_contact' }>,
  subjects: Subject[],
): Promise<Firing[]> {
  // Per customer, the latest contact of the batch closes the window.
  const latest = new Map<string, Subject>();
  for (const s of subjects) {
    if (!s.customerId) continue;
    const l = latest.get(s.customerId);
    if (!l || s.at > l.at) latest.set(s.customerId, s);
  }
  if (latest.size === 0) return [];
  const list = [...latest.values()];
  const windowMs = c.days * 86_400_000;
  const r = await sql<{ customer_id: string; n: number }>`
    SELECT q.c AS customer_id, (SELECT count(*) FROM interactions x WHERE x.org_id = ${orgId} AND x.customer_id = q.c
        AND x.opened_at > q.at - ${`${c.days} days`}::interval AND x.opened_at <= q.at)::int AS n
    FROM unnest(${list.map((s) => s.customerId)}::uuid[], ${list.map((s) => s.at.toISOString())}::timestamptz[]) AS q(c, at)`.execute(
    trx,
  );
  const hits = r.rows.filter((x) => x.n >= c.count);
  if (hits.length === 0) return [];
  const earliest = new Date(Math.min(...list.map((s) => s.at.getTime())) - windowMs);
  const recent = await recentFirings(
    trx,
    orgId,
    rule.id,
    hits.map((h) => `repeat:${h.customer_id}:`),
    earliest,
  );
  return hits
    .filter((h) => !recent.has(`repeat:${h.customer_id}:`))
    .map((h) => {
      const s = latest.get(h.customer_id)!;
      const f = firing(rule, s, `contact #${h.n} in ${c.days} days`);
      f.key = `repeat:${h.customer_id}:${s.id}`;
      return f;
    });
}

async function topicSpikes(
  trx: Db,
  orgId: string,
  rule: Rule,
  c: Extract<RuleCondition, { type: 'topic_spike' }>,
  subjects: Subject[],
  baselines: BaselineCache,
): Promise<Firing[]> {
  const byTopic = new Map<string, Subject[]>();
  for (const s of subjects) {
    for (const t of s.analysis?.topics ?? []) {
      if (c.topic && t.topic !== c.topic && !t.topic.startsWith(`${c.topic}.`)) continue;
      const l = byTopic.get(t.topic) ?? [];
      if (!l.includes(s)) l.push(s);
      byTopic.set(t.topic, l);
    }
  }
  if (byTopic.size === 0) return [];
  const topics = [...byTopic.keys()];
  const ats = topics.map((t) => new Date(Math.max(...byTopic.get(t)!.map((s) => s.at.getTime()))));
  const r = await sql<{ topic: string; cur: number }>`
    SELECT q.topic,
      (SELECT count(*) FROM text_topics t WHERE t.org_id = ${orgId} AND t.topic = q.topic
         AND t.occurred_at > q.at - interval '1 hour' AND t.occurred_at <= q.at)::int AS cur
    FROM unnest(${topics}::text[], ${ats.map((d) => d.toISOString())}::timestamptz[]) AS q(topic, at)`.execute(trx);
  const bases = await baselines.get(
    trx,
    orgId,
    c.baseline_days,
    topics.map((topic, i) => ({ topic, hour: Math.floor(ats[i].getTime() / HOUR) })),
  );
  const out: Firing[] = [];
  r.rows.forEach((row, i) => {
    const hourly = bases[i] / (c.baseline_days * 24);
    if (row.cur < c.min_count || row.cur <= c.factor * hourly) return;
    const subs = byTopic.get(row.topic)!;
    const at = ats[i];
    const reason = `${row.topic}: ${row.cur} mentions in the last hour vs ${hourly.toFixed(2)}/hour baseline`;
    const f = firing(rule, subs[0], reason, { topic: row.topic });
    f.key = `spike:${row.topic}:${Math.floor(at.getTime() / HOUR)}`;
    f.customerId = null;
    f.subjects = subs.slice(0, 20);
    f.trigger = { ...f.trigger, score: null, sentiment: null, subject_kind: undefined, subject_id: undefined };
    out.push(f);
  });
  return out;
}

function departmentFor(
  f: Firing,
  action: Extract<RuleAction, { type: 'open_case' }> | undefined,
  tax: LoopTaxonomy,
): string {
  const s = f.subjects[0];
  if (action?.department) return action.department;
  if (f.rule.condition.type !== 'topic_spike' && s.department) return s.department;
  // The topic or its nearest ancestor in the org's taxonomy names the owning department.
  const d = f.topic ? topicDepartment(tax, f.topic) : null;
  return d ?? s.department ?? 'service';
}

async function act(
  trx: Db,
  orgId: string,
  firings: Firing[],
  messages: Message[],
  tax: LoopTaxonomy,
  openAt: 'now' | 'record' = 'now',
) {
  // One open case per customer and rule: a later trigger is linked to it, not a new case.
  const caseRules = firings.filter((f) => f.rule.actions.some((a) => a.type === 'open_case'));
  const open = await openCasesFor(
    trx,
    orgId,
    [...new Set(caseRules.flatMap((f) => (f.customerId ? [f.customerId] : [])))],
    [...new Set(caseRules.map((f) => f.rule.id))],
  );
  const openOf = new Map(open.map((o) => [`${o.customer_id}|${o.rule_id}`, o.id]));
  const newCases: NewCase[] = [];
  const newCaseOf = new Map<Firing, number>();
  const linked: { caseId: string; kind: SubjectKind; id: string; reason: string }[] = [];
  const tags: { kind: string; id: string; tag: string; ruleId: string | null }[] = [];
  for (const f of firings) {
    const oc = f.rule.actions.find((a) => a.type === 'open_case') as
      | Extract<RuleAction, { type: 'open_case' }>
      | undefined;
    const ruleTags = f.rule.actions.flatMap((a) => (a.type === 'tag' ? [a.tag] : []));
    for (const s of f.subjects)
      for (const tag of ruleTags) tags.push({ kind: s.kind, id: s.id, tag, ruleId: f.rule.id });
    if (!oc) continue;
    const existing = f.customerId ? openOf.get(`${f.customerId}|${f.rule.id}`) : undefined;
    if (existing) {
      for (const s of f.subjects) linked.push({ caseId: existing, kind: s.kind, id: s.id, reason: f.reason });
      continue;
    }
    const priority: CasePriority = oc.priority ?? (f.urgent ? 'urgent' : f.severe ? 'high' : 'normal');
    const at = f.subjects[0].at;
    const opened = openAt === 'record' ? new Date(at) : new Date();
    newCaseOf.set(f, newCases.length);
    newCases.push({
      title: `${f.rule.name}: ${f.reason}`.slice(0, 300),
      ruleId: f.rule.id,
      customerId: f.customerId,
      department: departmentFor(f, oc, tax),
      assignee: oc.assignee ?? null,
      priority,
      slaDueAt: new Date(opened.getTime() + (oc.sla_hours ?? SLA_HOURS[priority]) * HOUR),
      rootCause: f.topic,
      tags: ruleTags,
      trigger: { ...f.trigger, at: at.toISOString() },
      openedAt: opened,
      links: f.subjects.map((s) => ({ kind: s.kind, id: s.id, reason: f.reason })),
    });
  }
  const created = await createCases(trx, orgId, newCases);
  if (linked.length) {
    await linkRecords(trx, orgId, linked);
    await addCaseEvents(
      trx,
      orgId,
      linked.map((l) => ({
        caseId: l.caseId,
        kind: 'linked',
        author: 'rules',
        body: { subject_kind: l.kind, subject_id: l.id, reason: l.reason },
      })),
    );
  }
  await tagRecords(trx, orgId, tags);

  const caseOf = (f: Firing): CaseRow | null => {
    const i = newCaseOf.get(f);
    return i === undefined ? null : created[i];
  };
  const emails: { orgId: string; type: string; payload: unknown }[] = [];
  for (const f of firings) {
    const c = caseOf(f);
    const data = {
      rule: { id: f.rule.id, name: f.rule.name, type: f.rule.condition.type },
      reason: f.reason,
      customer_id: f.customerId,
      department: c?.department ?? departmentFor(f, undefined, tax),
      root_cause: f.topic,
      subjects: f.subjects.map((s) => ({ kind: s.kind, id: s.id })),
      occurred_at: f.subjects[0].at.toISOString(),
      verbatim: f.trigger.verbatim ?? null,
      case: c ? caseView(c) : null,
    };
    for (const a of f.rule.actions) {
      if (a.type === 'webhook')
        messages.push({ type: 'alert.fired', data, only: a.webhook_id ? [a.webhook_id] : undefined });
      if (a.type === 'email') {
        emails.push({
          orgId,
          type: 'email.send',
          payload: {
            to: a.to,
            subject: `[Canopy] ${f.rule.name}: ${f.reason}`,
            text: [
              `Rule: ${f.rule.name}`,
              `Why: ${f.reason}`,
              `Department: ${data.department}`,
              f.customerId ? `Customer: ${f.customerId}` : null,
              f.topic ? `Root cause: ${f.topic}` : null,
              c ? `Case: ${c.id} (${c.priority}, due ${new Date(c.sla_due_at).toISOString()})` : null,
              data.verbatim ? `\n“${data.verbatim}”` : null,
            ]
              .filter(Boolean)
              .join('\n'),
          },
        });
      }
    }
  }
  for (const c of created) messages.push({ type: 'case.opened', data: { case: caseView(c) } });
  await enqueueMany(trx, emails);
}

/** The first signal after a case closed says whether the customer recovered. */
async function judgeRecovery(trx: Db, orgId: string, pending: CaseRow[], subjects: Subject[], messages: Message[]) {
  const outcomes: {
    caseId: string;
    status: 'recovered' | 'not_recovered';
    at: Date;
    evidence: Record<string, unknown>;
  }[] = [];
  const sorted = [...subjects].sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const c of pending) {
    const since = new Date(c.closed_at ?? c.resolved_at ?? c.updated_at);
    for (const s of sorted) {
      if (s.customerId !== c.customer_id || s.at <= since || s.id === c.trigger?.subject_id) continue;
      const verdict = judge(c.trigger ?? {}, s);
      if (!verdict) continue;
      outcomes.push({
        caseId: c.id,
        status: verdict.status,
        at: s.at,
        evidence: { subject_kind: s.kind, subject_id: s.id, ...verdict.evidence },
      });
      break;
    }
  }
  if (outcomes.length === 0) return;
  await setRecovery(trx, orgId, outcomes);
  for (const o of outcomes) {
    messages.push({
      type: 'case.recovered',
      data: { case_id: o.caseId, recovery: o.status, evidence: o.evidence },
    });
  }
}

function judge(
  t: CaseTrigger,
  s: Subject,
): { status: 'recovered' | 'not_recovered'; evidence: Record<string, unknown> } | null {
  for (const type of ['nps', 'csat'] as const) {
    const score = s.scores.find((x) => x.type === type);
    if (!score) continue;
    const base = t.score?.type === type ? t.score.value : null;
    const good = base !== null ? score.value > base : type === 'nps' ? score.value >= 7 : score.value >= 4;
    return {
      status: good ? 'recovered' : 'not_recovered',
      evidence: { signal: type, value: score.value, baseline: base },
    };
  }
  if (s.kind === 'event' && s.eventType) {
    if (RECOVERED_EVENTS.has(s.eventType)) return { status: 'recovered', evidence: { signal: s.eventType } };
    if (s.eventType === 'cancellation') return { status: 'not_recovered', evidence: { signal: 'cancellation' } };
  }
  if (s.analysis && s.analysis.label !== 'neutral') {
    const base = typeof t.sentiment === 'number' ? t.sentiment : null;
    const good = s.analysis.label === 'positive' && (base === null || s.analysis.sentiment > base);
    return {
      status: good ? 'recovered' : 'not_recovered',
      evidence: { signal: 'sentiment', value: s.analysis.sentiment, baseline: base },
    };
  }
  return null;
}

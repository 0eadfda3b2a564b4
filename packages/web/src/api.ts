import { useEffect, useRef, useState } from 'react';
import type { TopicEntry } from './taxonomy/taxonomy-edit';

/** An RFC 7807 problem from the API, thrown by `api()`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly body: unknown,
  ) {
    super(`${title}: ${detail}`);
  }
}

export type Params = Record<string, string | number | undefined | null>;

export function withQuery(path: string, params?: Params): string {
  if (!params) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

let onUnauthorized: () => void = () => {};
/** The app signs the user out of its state when any call answers 401. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
  headers?: Record<string, string>,
): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as { title?: string; detail?: string };
    if (res.status === 401 && path !== '/api/v1/session') onUnauthorized();
    throw new ApiError(res.status, p.title ?? res.statusText, p.detail ?? '', parsed);
  }
  return parsed as T;
}

// Answers are kept for a short while, so going back to a page is instant. Metadata that rarely
// changes (departments, touchpoints, taxonomy) is kept longer: see LONG.
const cache = new Map<string, { at: number; data: unknown }>();
const TTL = 60_000;
const LONG = 10 * 60_000;
const LONG_PATHS = /^\/api\/v1\/(departments|touchpoints|taxonomy|agents)(\?|$)/;
const ttlOf = (url: string) => (LONG_PATHS.test(url) ? LONG : TTL);
const inflight = new Map<string, Promise<unknown>>();

export function clearApiCache(prefix?: string): void {
  if (!prefix) cache.clear();
  else for (const k of [...cache.keys()]) if (k.startsWith(prefix)) cache.delete(k);
}

/** A GET shared by everyone asking for the same URL at once, answered from the cache when fresh. */
export function getCached<T>(url: string, signal?: AbortSignal): Promise<T> {
  const c = cache.get(url);
  if (c && Date.now() - c.at < ttlOf(url)) return Promise.resolve(c.data as T);
  let p = inflight.get(url) as Promise<T> | undefined;
  if (!p) {
    p = api<T>('GET', url).then(
      (data) => {
        cache.set(url, { at: Date.now(), data });
        inflight.delete(url);
        return data;
      },
      (e) => {
        inflight.delete(url);
        throw e;
      },
    );
    inflight.set(url, p);
  }
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new DOMException('aborted', 'AbortError'));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    p.then(resolve, reject);
  });
}

/** Starts loading URLs a page is about to ask for (e.g. metadata at sign-in). */
export function prefetch(...urls: string[]): void {
  for (const u of urls) getCached(u).catch(() => undefined);
}

/** Field errors of a 422 problem, keyed by field path (`actions[0].department`), one reason each. */
export function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) {
    const errs = (e.body as { errors?: { field: string; reason: string }[] } | null)?.errors ?? [];
    // One message a field: the first reason (a second one about the same value only repeats it).
    for (const x of errs) out[x.field] ??= x.reason;
  }
  return out;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
}

/** GET `path` with `params`; null path = do not load. Re-runs when the URL changes. */
export function useApi<T>(path: string | null, params?: Params, version = 0): Loaded<T> {
  const url = path ? withQuery(path, params) : null;
  const hit = url ? cache.get(url) : undefined;
  const fresh = url && hit && Date.now() - hit.at < ttlOf(url) ? (hit.data as T) : undefined;
  const [state, setState] = useState<Loaded<T>>({ data: fresh, error: undefined, loading: !!url && !fresh });
  const last = useRef<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version reloads after a change
  useEffect(() => {
    if (!url) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    const c = cache.get(url);
    if (c && Date.now() - c.at < ttlOf(url)) {
      setState({ data: c.data as T, error: undefined, loading: false });
      last.current = url;
      return;
    }
    const ctl = new AbortController();
    setState((s) => ({ data: last.current === url ? s.data : undefined, error: undefined, loading: true }));
    getCached<T>(url, ctl.signal).then(
      (data) => {
        last.current = url;
        setState({ data, error: undefined, loading: false });
      },
      (error: Error) => {
        if (ctl.signal.aborted) return;
        setState({ data: undefined, error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [url, version]);
  return state;
}

// ---- shapes of the metrics API (docs/api-metrics.md) ----

export type Unit = 'nps' | 'percent' | 'mean' | 'index' | 'count' | 'seconds' | 'currency' | 'score';

export interface Figure {
  value: number | null;
  n: number;
  margin: number | null;
  ci: { lower: number; upper: number } | null;
  unit: Unit;
  small_n: boolean;
  flags: string[];
  /** ISO 4217 code of a money figure (unit 'currency'), where the data names one. */
  currency?: string | null;
}
export interface Comparison {
  previous: Figure;
  change: number | null;
  p_value: number | null;
  significant: boolean;
  test: string | null;
}
export interface Point extends Figure {
  bucket: string;
  label: string;
  /** A first or last bucket the window covers only in part (days of it covered, of how many). */
  partial?: { days: number; of: number };
}
export interface Window {
  from: string;
  to: string;
  granularity: string;
}
export type Kpi = Figure & Comparison & { sparkline: Point[] };

export interface Overview {
  window: Window;
  previous_window: { from: string; to: string };
  source: string;
  service: Record<string, Kpi>;
  experience: Record<string, Kpi>;
  engagement: Record<string, Kpi>;
}

export interface Series {
  metric: string;
  window: Window;
  group_by: string | null;
  series: { key: string | null; label: string | null; total: Figure; points: Point[] }[];
}

export interface Breakdown {
  metric: string;
  window: Window;
  group_by: string;
  total: Figure;
  groups: (Figure & { key: string; label: string; vs_rest: Comparison })[];
}

export interface Rate {
  value: number | null;
  n: number;
  successes: number;
  ci: { lower: number; upper: number } | null;
}
export interface Test {
  difference: number | null;
  p_value: number | null;
  significant: boolean;
  ci: { lower: number; upper: number } | null;
  /** Customers behind the top box and the box below it (outcome known). */
  n_top: number;
  n_next: number;
  small_n: boolean;
}
export interface Loyalty {
  scale: { min: number; max: number };
  window: Window;
  horizon_days: number;
  /** Rates come from answers whose follow-up window has passed: none yet (pending), some, or all. */
  follow_up: { status: 'pending' | 'partial' | 'complete'; complete_before: string; followed_up_to: string | null };
  min_n: number;
  rows: {
    box: number;
    n: number;
    retention: Rate;
    repurchase: Rate;
    referral: Rate;
    small_n: boolean;
    flags: string[];
  }[];
  groups: { group: string; n: number; retention: Rate; repurchase: Rate; referral: Rate }[];
  top_vs_next: { retention: Test; repurchase: Test; referral: Test };
}

export interface Driver {
  key: string;
  label: string;
  department: string | null;
  weight: number;
  signed_weight: number;
  correlation: number;
  p_value: number | null;
  significant: boolean;
  rank: number;
  coverage: number;
  performance: number | null;
  quadrant: 'fix_first' | 'maintain' | 'nice_to_have' | 'low_priority' | null;
}
export interface Drivers {
  outcome: string;
  drivers_kind: string;
  window: Window;
  n: number;
  /** null when there is not enough data (see not_enough_data). */
  r2: number | null;
  method: string;
  drivers: Driver[];
  /** Important, under-performing and significant, most important first. */
  fix_first: string[];
  /** In the fix-first quadrant, but their effect could be chance. */
  fix_first_not_significant: string[];
  /** Set when the period holds too little data to analyse drivers (then drivers is empty). */
  not_enough_data: { code: string; detail: string } | null;
}

export interface JourneyTouchpoint {
  key: string;
  label: string;
  department: string | null;
  channel: string | null;
  interactions: number;
  responses: number;
  nps: Figure;
  csat: Figure;
  sentiment: Figure;
}
export interface Journey {
  window: Window;
  stages: {
    stage: string;
    customers: number;
    interactions: number;
    responses: number;
    nps: Figure;
    csat: Figure;
    sentiment: Figure;
    drop_off: { from_previous: number | null };
    median_days_from_previous: number | null;
    touchpoints: JourneyTouchpoint[];
  }[];
  paths: { path: string[]; customers: number }[];
}

export interface AgentCard {
  key?: string;
  name?: string;
  team: string | null;
  csat: Figure & Partial<Comparison>;
  ces: Figure;
  nps: Figure;
  interactions: number;
  resolution_rate: Figure;
  first_response_p50: Figure;
  resolution_p50: Figure;
  trend?: Point[];
  /** n: this period's customers with an NPS answer; previous_n: the previous period's. */
  loyalty_change: Figure & { previous_n?: number };
}
export interface Agents {
  window: Window;
  agents: (AgentCard & { key: string; name: string })[];
  teams: AgentCard[];
}

export interface Topic {
  key: string;
  label: string;
  parent: string | null;
  department: string | null;
  seven_p: string | null;
  mentions: number;
  share: number;
  sentiment: Figure;
  negative_share: number;
  trend: {
    bucket: string;
    label: string;
    mentions: number;
    sentiment: number | null;
    /** A first or last bucket the window covers only in part. */
    partial?: { days: number; of: number };
  }[];
  previous_mentions: number;
  change: number | null;
  baseline_daily: number;
  last_day: number;
  spike: boolean;
  children: Topic[];
}
export interface Topics {
  window: Window;
  topics: Topic[];
}

export interface Verbatim {
  response_id?: string;
  interaction_id?: string;
  customer_id: string | null;
  submitted_at?: string;
  opened_at?: string;
  touchpoint: string | null;
  agent: string | null;
  survey?: string | null;
  score?: number | null;
  score_type?: string | null;
  text: string;
  field?: string;
  sentiment: { score: number; label: string } | null;
  topics: (string | { topic: string; start?: number; end?: number })[];
}
export interface Verbatims {
  items: Verbatim[];
  next_cursor: string | null;
}

// ---- shapes of the read API ----

export interface TopicSpan {
  topic: string;
  /** model: the installation's aspect-sentiment model that re-scored the mention; null: built-in. */
  sentiment: { score: number; label: string; model?: string | null };
  start: number;
  end: number;
  /**
   * The classifier that found it (its span is then the whole text): the installation's topic model,
   * or 'org-topic-model' for the org's own trained one; null: the taxonomy phrases.
   */
  detected_by?: string | null;
  /** The same in an unstored analysis (POST /api/v1/analyse). */
  detectedBy?: string;
}
export interface Analysis {
  field: string;
  language: string;
  /** model: the installation's own sentiment model that re-scored the text; null: the built-in analyser. */
  sentiment: { score: number; label: string; model?: string | null };
  emotions: string[];
  effort: number;
  churn_threat: boolean;
  urgent: boolean;
  pii_kinds: string[];
  redacted_text: string | null;
  /** The support intent from the org's trained intent model (absent from older servers). */
  intent?: { label: string; score: number } | null;
  topics: TopicSpan[];
}
export interface Answer {
  field: string;
  type: string;
  value: number | string | string[] | null;
  scale_min?: number | null;
  scale_max?: number | null;
}
export interface ResponseRow {
  id: string;
  customer_id: string | null;
  survey: string | null;
  source: string;
  touchpoint: string | null;
  department: string | null;
  agent: string | null;
  submitted_at: string;
  answers: Answer[];
  analysis?: Analysis[];
}
export interface InteractionRow {
  id: string;
  customer_id: string;
  kind: string;
  touchpoint: string | null;
  department: string | null;
  channel: string | null;
  agent: string | null;
  team: string | null;
  subject: string | null;
  text: string | null;
  status: string | null;
  outcome: string | null;
  opened_at: string;
  first_response_at: string | null;
  resolved_at: string | null;
  /** inbound: the customer's words; outbound: the organisation's (an invoice, a welcome email). */
  direction: 'inbound' | 'outbound';
  analysis?: Analysis[];
}
export interface EventRow {
  id: string;
  customer_id: string;
  type: string;
  occurred_at: string;
  touchpoint: string | null;
  channel: string | null;
  value: number | null;
  currency: string | null;
  rating: number | null;
  text: string | null;
  analysis?: Analysis[];
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
/** Records of a whole filtered list with a text mentioning a top-level topic (`topic_counts=true`). */
export interface TopicCount {
  topic: string;
  records: number;
}
export interface Customer {
  id: string;
  name: string | null;
  segment: string | null;
  acquired_at: string | null;
  acquisition_source: string | null;
  referred_by: string | null;
  created_at: string;
  identities: { kind: string; value: string }[];
  attributes: Record<string, string | number | boolean | null>;
}
export type TimelineItem =
  | ({ record_type: 'interaction'; at: string } & InteractionRow)
  | ({ record_type: 'response'; at: string } & ResponseRow)
  | ({ record_type: 'event'; at: string } & EventRow);

export interface Me {
  user: {
    id: string;
    email: string;
    name: string;
    role: string;
    department: string | null;
    /** What this person may do (older servers leave it out). */
    permissions?: string[];
  } | null;
  org: { id: string; slug: string; name: string };
  via: string;
  /** An API key's permissions (a signed-in user's are on `user`). */
  permissions?: string[];
}

/** Whether the signed-in user (or API key) may `permission` ('configure', 'write' …); the API checks again. */
export function may(me: Me, permission: string): boolean {
  return (me.user ? (me.user.permissions ?? []) : (me.permissions ?? [])).includes(permission);
}
export interface Touchpoint {
  key: string;
  name: string;
  department: string;
  channel: string;
  journey_stage: string;
}
export interface Department {
  key: string;
  name: string;
}

// ---- closed loop: cases, rules, digest ----

export const CASE_STATUSES = ['new', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export const CASE_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface CaseView {
  id: string;
  title: string;
  status: CaseStatus;
  priority: (typeof CASE_PRIORITIES)[number];
  department: string;
  assignee: string | null;
  customer_id: string | null;
  rule_id: string | null;
  root_cause: string | null;
  actions_taken: string[];
  tags: string[];
  sla_due_at: string;
  overdue: boolean;
  opened_at: string;
  first_action_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  recovery: { status: string | null; at: string | null; evidence: unknown };
  trigger: unknown;
  updated_at: string;
}
export interface CaseEvent {
  id: string;
  kind: string;
  author: string | null;
  body: Record<string, unknown>;
  at: string;
}
export interface CaseDetail extends CaseView {
  links: { record_type?: string; record_id?: string; kind?: string; [k: string]: unknown }[];
  history: CaseEvent[];
  notes: { id: string; author: string | null; body: string; at: string }[];
  customer: Customer | null;
  timeline: Page<TimelineItem> | null;
}
export interface CaseBoard {
  departments: { department: string; counts: Record<CaseStatus, number>; overdue: number; open: CaseView[] }[];
}

export interface Rule {
  id: string;
  name: string;
  enabled: boolean;
  condition: { type: string; [k: string]: unknown };
  customer?: { segment?: string; attribute?: { key: string; equals: string | number | boolean } };
  actions: { type: string; [k: string]: unknown }[];
  created_at: string;
  updated_at: string;
}

export interface TaxonomyTopic {
  key: string;
  label: string;
  parent?: string | null;
  department?: string | null;
}

/** A topic as the taxonomy API takes and gives it (GET/PUT /api/v1/taxonomy); defined with the editor's pure rules. */
export type TaxonomyEntry = TopicEntry;
export interface TaxonomyDoc {
  /** 'default': Canopy's own, until the org saves its own. */
  source: 'default' | 'org';
  version: string;
  /** Raised by every save (0: the default); a save names the one it was made from (If-Match). */
  revision: number;
  updated_at: string | null;
  topics: TaxonomyEntry[];
}

/** A trained text classifier (GET /api/v1/text-models); the newest of each kind is the active one. */
export interface TextModel {
  id: string;
  kind: 'topics' | 'intents' | 'sentiment';
  active: boolean;
  examples: number;
  labels: string[];
  /** holdout_accuracy (intents, sentiment) or holdout_micro_f1 (topics), with holdout_examples; empty when not measured. */
  metrics: Record<string, number>;
  bytes: number;
  train_ms: number;
  created_at: string;
}

/** One text's analysis from POST /api/v1/analyse (nothing stored). */
export interface TextAnalysisResult {
  language: string;
  /** False when the text is not English: sentiment and topics are then left neutral and empty. */
  analysable?: boolean;
  sentiment: { score: number; label: string };
  emotions: string[];
  topics: TopicSpan[];
  /** 0..1: how hard the customer had to try. */
  effort: number;
  churnThreat?: boolean;
  churn_threat?: boolean;
  urgent: boolean;
  pii?: { kind: string; start: number; end: number }[];
  redacted_text: string | null;
  /** The active topics model's labels, best first. */
  labels?: { label: string; score: number }[];
  /** The active intents model's best intent. */
  intents?: { label: string; score: number }[];
  /** 'model' when the org's trained sentiment model scored the text. */
  sentimentSource?: 'lexicon' | 'model';
}

export interface DigestDepartment {
  department: string;
  week: { from: string; to: string };
  cases_opened: number;
  top_root_causes: {
    root_cause: string | null;
    label: string | null;
    cases: number;
    customers: number;
    revenue_at_risk: number;
  }[];
  top_root_causes_by_impact: DigestDepartment['top_root_causes'];
  /** The week's cases together: customers concerned and their last 12 months' purchases and renewals. */
  revenue_at_risk?: { customers: number; total: number; currency?: string | null };
  topics: {
    topic: string;
    label: string | null;
    mentions: number;
    negative: number;
    weekly_baseline: number;
    kind: 'new' | 'spiking';
  }[];
  unresolved: { count: number; overdue: number; oldest: CaseView[] };
  verbatims: { case_id: string; verbatim: string; root_cause: string | null; sentiment: number | null }[];
}
export interface Digest {
  week: { from: string; to: string };
  departments: DigestDepartment[];
  /** Whether this server can send email (SMTP set); older servers leave it out. */
  email_configured?: boolean;
}

// ---- surveys ----

export const QUESTION_TYPES = [
  'nps',
  'csat',
  'ces',
  'rating',
  'expectation',
  'single_choice',
  'multi_choice',
  'text',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];
export type LocalizedText = string | Record<string, string>;
export interface ShowIf {
  question: string;
  min?: number;
  max?: number;
  in?: string[];
}
export interface Question {
  id: string;
  type: QuestionType;
  text: LocalizedText;
  help?: LocalizedText;
  required?: boolean;
  page?: number;
  show_if?: ShowIf;
  low_label?: LocalizedText;
  high_label?: LocalizedText;
  scale_min?: number;
  scale_max?: number;
  higher_is_easier?: boolean;
  options?: { value: string; label: LocalizedText }[];
  max_choices?: number;
  max_length?: number;
  multiline?: boolean;
}
export interface Ending {
  id: string;
  title: LocalizedText;
  text?: LocalizedText;
  link_url?: string;
  link_label?: LocalizedText;
  show_if?: ShowIf;
}
export interface SurveyDefinition {
  key: string;
  name: string;
  slug?: string;
  default_language?: string;
  touchpoint?: string;
  questions: Question[];
  endings?: Ending[];
  public_link?: boolean;
  [k: string]: unknown;
}
export interface Survey {
  id: string;
  key: string;
  slug: string;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  version: number;
  url: string;
  definition: SurveyDefinition;
  created_at: string;
  updated_at: string;
}
export interface FunnelRow {
  channel?: string | null;
  touchpoint?: string | null;
  invited: number;
  sent: number;
  opened: number;
  started: number;
  completed: number;
  skipped: number;
  failed: number;
  open_rate: number | null;
  start_rate: number | null;
  response_rate: number | null;
  completion_rate: number | null;
}
export interface Funnel {
  survey: string;
  total: FunnelRow;
  groups: FunnelRow[];
}

import { useEffect, useRef, useState } from 'react';

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

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
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

// Answers are kept for a short while, so going back to a page is instant.
const cache = new Map<string, { at: number; data: unknown }>();
const TTL = 60_000;

export function clearApiCache(): void {
  cache.clear();
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
}

/** GET `path` with `params`; null path = do not load. Re-runs when the URL changes. */
export function useApi<T>(path: string | null, params?: Params): Loaded<T> {
  const url = path ? withQuery(path, params) : null;
  const hit = url ? cache.get(url) : undefined;
  const fresh = hit && Date.now() - hit.at < TTL ? (hit.data as T) : undefined;
  const [state, setState] = useState<Loaded<T>>({ data: fresh, error: undefined, loading: !!url && !fresh });
  const last = useRef<string | null>(null);
  useEffect(() => {
    if (!url) {
      setState({ data: undefined, error: undefined, loading: false });
      return;
    }
    const c = cache.get(url);
    if (c && Date.now() - c.at < TTL) {
      setState({ data: c.data as T, error: undefined, loading: false });
      last.current = url;
      return;
    }
    const ctl = new AbortController();
    setState((s) => ({ data: last.current === url ? s.data : undefined, error: undefined, loading: true }));
    api<T>('GET', url, undefined, ctl.signal).then(
      (data) => {
        cache.set(url, { at: Date.now(), data });
        last.current = url;
        setState({ data, error: undefined, loading: false });
      },
      (error: Error) => {
        if (ctl.signal.aborted) return;
        setState({ data: undefined, error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [url]);
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
}
export interface Loyalty {
  scale: { min: number; max: number };
  window: Window;
  horizon_days: number;
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
  r2: number;
  method: string;
  drivers: Driver[];
  fix_first: string[];
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
  loyalty_change: Figure;
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
  trend: { bucket: string; label: string; mentions: number; sentiment: number | null }[];
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
  sentiment: { score: number; label: string };
  start: number;
  end: number;
}
export interface Analysis {
  field: string;
  language: string;
  sentiment: { score: number; label: string };
  emotions: string[];
  effort: number;
  churn_threat: boolean;
  urgent: boolean;
  pii_kinds: string[];
  redacted_text: string | null;
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
  user: { id: string; email: string; name: string; role: string; department: string | null } | null;
  org: { id: string; slug: string; name: string };
  via: string;
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

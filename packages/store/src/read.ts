import { sql } from 'kysely';
import type { Db } from './ingest/types.js';

/** Keyset cursor over (time, id): stable under concurrent inserts, unlike OFFSET. */
export interface Cursor {
  at: string;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

export function decodeCursor(s: string): Cursor | null {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') return null;
    if (Number.isNaN(Date.parse(v[0])) || !/^[0-9a-f-]{36}$/.test(v[1])) return null;
    return { at: v[0], id: v[1] };
  } catch {
    return null;
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface AnalysisView {
  field: string;
  language: string;
  analysable: boolean;
  /** model: null for Canopy's built-in analyser, else the outside model that re-scored the text. */
  sentiment: { score: number; label: string; model: string | null };
  emotions: string[];
  effort: number;
  churn_threat: boolean;
  urgent: boolean;
  pii_kinds: string[];
  redacted_text: string | null;
  /** The support intent from the org's trained intent model; null without one. */
  intent: { label: string; score: number } | null;
  /**
   * Each mention's sentiment, with the aspect model that re-scored it (null: the built-in analyser),
   * and the classifier that found it (an outside topic model, or 'org-topic-model' for the org's own
   * trained one; null: the taxonomy phrases).
   */
  topics: {
    topic: string;
    sentiment: { score: number; label: string; model: string | null };
    start: number;
    end: number;
    detected_by: string | null;
  }[];
}

/** Analyses of the given subjects, keyed by subject id. */
export async function analysesFor(
  db: Db,
  orgId: string,
  subjectKind: string,
  ids: string[],
): Promise<Map<string, AnalysisView[]>> {
  const out = new Map<string, AnalysisView[]>();
  if (ids.length === 0) return out;
  const rows = await sql<{
    id: string;
    subject_id: string;
    field: string;
    language: string;
    analysable: boolean;
    sentiment_score: number;
    sentiment_label: string;
    sentiment_model: string | null;
    emotions: string[];
    effort: number;
    churn_threat: boolean;
    urgent: boolean;
    pii_kinds: string[];
    redacted_text: string | null;
    intent: string | null;
    intent_score: number | null;
    topics:
      | {
          topic: string;
          score: number;
          label: string;
          model: string | null;
          start: number;
          end: number;
          by: string | null;
        }[]
      | null;
  }>`
    SELECT a.id, a.subject_id, a.field, a.language, a.analysable, a.sentiment_score::float8 AS sentiment_score,
      a.sentiment_label, a.sentiment_model, a.emotions, a.effort::float8 AS effort, a.churn_threat, a.urgent, a.pii_kinds, a.redacted_text,
      a.intent, a.intent_score::float8 AS intent_score,
      (SELECT json_agg(json_build_object('topic', t.topic, 'score', t.sentiment_score, 'label', t.sentiment_label, 'model', t.sentiment_model,
              'start', t.span_start, 'end', t.span_end, 'by', t.detected_by) ORDER BY t.span_start)
         FROM text_topics t WHERE t.org_id = a.org_id AND t.analysis_id = a.id) AS topics
    FROM text_analyses a
    WHERE a.org_id = ${orgId} AND a.subject_kind = ${subjectKind} AND a.subject_id = ANY(${ids}::uuid[])`.execute(db);
  for (const r of rows.rows) {
    const list = out.get(r.subject_id) ?? [];
    list.push({
      field: r.field,
      language: r.language,
      analysable: r.analysable,
      sentiment: { score: round(r.sentiment_score), label: r.sentiment_label, model: r.sentiment_model },
      emotions: r.emotions,
      effort: round(r.effort),
      churn_threat: r.churn_threat,
      urgent: r.urgent,
      pii_kinds: r.pii_kinds,
      redacted_text: r.redacted_text,
      intent: r.intent ? { label: r.intent, score: round(r.intent_score ?? 0) } : null,
      topics: (r.topics ?? []).map((t) => ({
        topic: t.topic,
        sentiment: { score: round(t.score), label: t.label, model: t.model },
        start: t.start,
        end: t.end,
        detected_by: t.by,
      })),
    });
    out.set(r.subject_id, list);
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export interface ListFilter {
  /** Restrict to these record ids (used to hydrate a timeline page). */
  ids?: string[];
  customerId?: string;
  touchpoint?: string;
  agent?: string;
  kind?: string;
  type?: string;
  status?: string;
  survey?: string;
  department?: string;
  channel?: string;
  segment?: string;
  /** A taxonomy topic; a parent topic matches its children too ("delivery" → "delivery.late"). */
  topic?: string;
  sentiment?: 'negative' | 'neutral' | 'positive';
  /** Only records with an analysed text. */
  hasText?: boolean;
  /** Texts the org's intent model gave this intent. */
  intent?: string;
  from?: Date;
  to?: Date;
  cursor?: Cursor | null;
  limit: number;
  order: 'asc' | 'desc';
}

function keyset(timeCol: string, f: ListFilter) {
  if (!f.cursor) return sql``;
  const op = f.order === 'asc' ? sql`>` : sql`<`;
  return sql`AND (x.${sql.ref(timeCol)}, x.id) ${op} (${f.cursor.at}::timestamptz, ${f.cursor.id}::uuid)`;
}

function window(timeCol: string, f: ListFilter) {
  return sql`${f.from ? sql`AND x.${sql.ref(timeCol)} >= ${f.from.toISOString()}::timestamptz` : sql``}
    ${f.to ? sql`AND x.${sql.ref(timeCol)} < ${f.to.toISOString()}::timestamptz` : sql``}`;
}

/** Filters shared by interactions and responses: owner, channel, customer segment, what the text says. */
function textAndOwnerFilters(
  orgId: string,
  subjectKind: 'interaction' | 'response',
  channelCol: string,
  f: ListFilter,
) {
  const analysis = (cond: ReturnType<typeof sql>) =>
    sql`AND EXISTS (SELECT 1 FROM text_analyses a WHERE a.org_id = x.org_id AND a.subject_kind = ${subjectKind}
      AND a.subject_id = x.id ${cond})`;
  return sql`
    ${f.department ? sql`AND d.key = ${f.department}` : sql``}
    ${f.channel ? sql`AND ${sql.raw(channelCol)} = ${f.channel}` : sql``}
    ${
      f.segment
        ? sql`AND EXISTS (SELECT 1 FROM customers c WHERE c.org_id = x.org_id AND c.id = x.customer_id AND lower(c.segment) = lower(${f.segment}))`
        : sql``
    }
    ${f.sentiment ? analysis(sql`AND a.sentiment_label = ${f.sentiment}`) : sql``}
    ${f.hasText ? analysis(sql``) : sql``}
    ${f.intent ? analysis(sql`AND a.intent = ${f.intent}`) : sql``}
    ${
      f.topic
        ? // A semi-join computed once (a correlated EXISTS with OR/LIKE rescanned text_topics per row),
          // narrowed to the list's window: a topic mention carries its record's time.
          sql`AND x.id IN (SELECT a.subject_id FROM text_topics t
            JOIN text_analyses a ON a.org_id = t.org_id AND a.id = t.analysis_id
            WHERE t.org_id = ${orgId}::uuid AND a.subject_kind = ${subjectKind}
              ${f.from ? sql`AND t.occurred_at >= ${f.from.toISOString()}::timestamptz` : sql``}
              ${f.to ? sql`AND t.occurred_at < ${f.to.toISOString()}::timestamptz` : sql``}
              AND (t.topic = ${f.topic} OR t.topic LIKE ${`${f.topic.replace(/[\\%_]/g, (m) => `\\${m}`)}.%`}))`
        : sql``
    }`;
}

function pageOf<T extends { id: string }>(rows: T[], f: ListFilter, at: (r: T) => Date): Page<T> {
  const more = rows.length > f.limit;
  const items = more ? rows.slice(0, f.limit) : rows;
  const last = items.at(-1);
  return { items, next_cursor: more && last ? encodeCursor({ at: at(last).toISOString(), id: last.id }) : null };
}

const dir = (f: ListFilter) => (f.order === 'asc' ? sql`ASC` : sql`DESC`);

export interface InteractionView {
  id: string;
  customer_id: string;
  kind: string;
  touchpoint: string | null;
  department: string | null;
  channel: string | null;
  agent: string | null;
  team: string | null;
  external_id: string | null;
  subject: string | null;
  text: string | null;
  status: string | null;
  outcome: string | null;
  opened_at: Date;
  first_response_at: Date | null;
  resolved_at: Date | null;
  contact_count: number | null;
  transfers: number | null;
  direction: string;
  analysis?: AnalysisView[];
}

/** Touchpoint, its department and the agent of an interaction or response `x`. */
const ownerJoins = sql`
    LEFT JOIN touchpoints tp ON tp.org_id = x.org_id AND tp.id = x.touchpoint_id
    LEFT JOIN departments d ON d.org_id = tp.org_id AND d.id = tp.department_id
    LEFT JOIN agents ag ON ag.org_id = x.org_id AND ag.id = x.agent_id`;

/** Filters every interaction or response list takes (needs `ownerJoins`). */
function recordFilters(f: ListFilter) {
  return sql`
      ${f.ids ? sql`AND x.id = ANY(${f.ids}::uuid[])` : sql``}
      ${f.customerId ? sql`AND x.customer_id = ${f.customerId}::uuid` : sql``}
      ${f.touchpoint ? sql`AND tp.key = ${f.touchpoint}` : sql``}
      ${f.agent ? sql`AND ag.key = ${f.agent}` : sql``}`;
}

export async function listInteractions(db: Db, orgId: string, f: ListFilter): Promise<Page<InteractionView>> {
  const rows = await sql<InteractionView>`
    SELECT x.id, x.customer_id, x.kind, tp.key AS touchpoint, d.key AS department, x.channel, ag.key AS agent, x.team,
      x.external_id, x.subject, x.text, x.status, x.outcome, x.opened_at, x.first_response_at, x.resolved_at,
      x.contact_count, x.transfers, x.direction
    FROM interactions x
    ${ownerJoins}
    WHERE x.org_id = ${orgId}
      ${recordFilters(f)}
      ${f.kind ? sql`AND x.kind = ${f.kind}` : sql``}
      ${f.status ? sql`AND x.status = ${f.status}` : sql``}
      ${textAndOwnerFilters(orgId, 'interaction', 'x.channel', f)}
      ${window('opened_at', f)} ${keyset('opened_at', f)}
    ORDER BY x.opened_at ${dir(f)}, x.id ${dir(f)} LIMIT ${f.limit + 1}`.execute(db);
  const page = pageOf(rows.rows, f, (r) => r.opened_at);
  const analyses = await analysesFor(
    db,
    orgId,
    'interaction',
    page.items.map((r) => r.id),
  );
  for (const r of page.items) r.analysis = analyses.get(r.id) ?? [];
  return page;
}

export interface AnswerView {
  field: string;
  type: string;
  value: number | string | string[] | null;
  scale_min?: number | null;
  scale_max?: number | null;
  higher_is_easier?: boolean | null;
}

export interface ResponseView {
  id: string;
  customer_id: string | null;
  survey: string | null;
  source: string;
  touchpoint: string | null;
  department: string | null;
  interaction_id: string | null;
  agent: string | null;
  language: string | null;
  submitted_at: Date;
  external_id: string | null;
  answers: AnswerView[];
  analysis?: AnalysisView[];
}

export async function listResponses(db: Db, orgId: string, f: ListFilter): Promise<Page<ResponseView>> {
  const rows = await sql<ResponseView>`
    SELECT x.id, x.customer_id, x.survey, x.source, tp.key AS touchpoint, d.key AS department, x.interaction_id,
      ag.key AS agent, x.language, x.submitted_at, x.external_id,
      (SELECT json_agg(json_build_object('field', a.field, 'type', a.type,
              'value', CASE WHEN a.type = 'text' THEN to_jsonb(a.value_text)
                            WHEN a.type = 'choice' THEN to_jsonb(a.value_choices)
                            ELSE to_jsonb(a.value_num) END,
              'scale_min', a.scale_min, 'scale_max', a.scale_max, 'higher_is_easier', a.higher_is_easier) ORDER BY a.field)
         FROM answers a WHERE a.org_id = x.org_id AND a.response_id = x.id) AS answers
    FROM responses x
    ${ownerJoins}
    WHERE x.org_id = ${orgId}
      ${recordFilters(f)}
      ${f.survey ? sql`AND x.survey = ${f.survey}` : sql``}
      ${textAndOwnerFilters(orgId, 'response', 'tp.channel', f)}
      ${window('submitted_at', f)} ${keyset('submitted_at', f)}
    ORDER BY x.submitted_at ${dir(f)}, x.id ${dir(f)} LIMIT ${f.limit + 1}`.execute(db);
  const page = pageOf(rows.rows, f, (r) => r.submitted_at);
  const analyses = await analysesFor(
    db,
    orgId,
    'response',
    page.items.map((r) => r.id),
  );
  for (const r of page.items) {
    r.answers = (r.answers ?? []).map(tidyAnswer);
    r.analysis = analyses.get(r.id) ?? [];
  }
  return page;
}

export interface TopicCount {
  /** A top-level taxonomy topic (a child's mentions count for its parent). */
  topic: string;
  /** Records with a text that mentions it (and has the sentiment asked for). */
  records: number;
}

/**
 * Per top-level topic, how many interactions or responses the list's filters match (the whole
 * set, not a page) have a text that mentions it, or one of its children, with the sentiment asked
 * for: what picking that topic would list. The topic filter itself is left out, so every topic
 * keeps its count while one is picked; the cursor and limit do not apply. Most mentioned first;
 * a picked child topic ("billing.error") is counted too, as one more entry.
 */
export async function recordTopicCounts(
  db: Db,
  orgId: string,
  kind: 'interactions' | 'responses',
  f: Omit<ListFilter, 'cursor' | 'limit' | 'order'>,
  max = 50,
): Promise<TopicCount[]> {
  const subjectKind = kind === 'interactions' ? 'interaction' : 'response';
  const timeCol = kind === 'interactions' ? 'opened_at' : 'submitted_at';
  const rest: ListFilter = { ...f, topic: undefined, sentiment: undefined, hasText: false, limit: 0, order: 'desc' };
  const child = f.topic?.includes('.') ? f.topic : null;
  const r = await sql<TopicCount>`
    WITH m AS (SELECT x.id, t.topic
    FROM ${sql.table(kind)} x
    ${ownerJoins}
    JOIN text_analyses a ON a.org_id = x.org_id AND a.subject_kind = ${subjectKind} AND a.subject_id = x.id
    JOIN text_topics t ON t.org_id = a.org_id AND t.analysis_id = a.id
    WHERE x.org_id = ${orgId}
      ${recordFilters(rest)}
      ${kind === 'interactions' && f.kind ? sql`AND x.kind = ${f.kind}` : sql``}
      ${kind === 'interactions' && f.status ? sql`AND x.status = ${f.status}` : sql``}
      ${kind === 'responses' && f.survey ? sql`AND x.survey = ${f.survey}` : sql``}
      ${textAndOwnerFilters(orgId, subjectKind, kind === 'interactions' ? 'x.channel' : 'tp.channel', rest)}
      ${f.sentiment ? sql`AND a.sentiment_label = ${f.sentiment}` : sql``}
      ${window(timeCol, rest)})
    (SELECT split_part(m.topic, '.', 1) AS topic, count(DISTINCT m.id)::int AS records FROM m
      GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${max})
    ${
      child
        ? sql`UNION ALL SELECT ${child}::text, count(DISTINCT m.id)::int FROM m
            WHERE m.topic = ${child} OR m.topic LIKE ${`${child.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`}`
        : sql``
    }`.execute(db);
  return r.rows;
}

/** Scale fields only where they mean something (numeric answers). */
function tidyAnswer(a: AnswerView): AnswerView {
  if (a.type === 'text' || a.type === 'choice') return { field: a.field, type: a.type, value: a.value };
  const out: AnswerView = {
    field: a.field,
    type: a.type,
    value: a.value,
    scale_min: a.scale_min,
    scale_max: a.scale_max,
  };
  if (a.type === 'ces') out.higher_is_easier = a.higher_is_easier;
  return out;
}

export interface EventView {
  id: string;
  customer_id: string;
  type: string;
  occurred_at: Date;
  touchpoint: string | null;
  channel: string | null;
  value: number | null;
  currency: string | null;
  rating: number | null;
  text: string | null;
  properties: Record<string, unknown> | null;
  analysis?: AnalysisView[];
}

export async function listEvents(db: Db, orgId: string, f: ListFilter): Promise<Page<EventView>> {
  const rows = await sql<EventView>`
    SELECT x.id, x.customer_id, x.type, x.occurred_at, tp.key AS touchpoint, x.channel, x.value, x.currency, x.rating,
      x.text, x.properties
    FROM events x
    LEFT JOIN touchpoints tp ON tp.org_id = x.org_id AND tp.id = x.touchpoint_id
    WHERE x.org_id = ${orgId}
      ${f.ids ? sql`AND x.id = ANY(${f.ids}::uuid[])` : sql``}
      ${f.customerId ? sql`AND x.customer_id = ${f.customerId}::uuid` : sql``}
      ${f.touchpoint ? sql`AND tp.key = ${f.touchpoint}` : sql``}
      ${f.type ? sql`AND x.type = ${f.type}` : sql``}
      ${window('occurred_at', f)} ${keyset('occurred_at', f)}
    ORDER BY x.occurred_at ${dir(f)}, x.id ${dir(f)} LIMIT ${f.limit + 1}`.execute(db);
  const page = pageOf(rows.rows, f, (r) => r.occurred_at);
  const withText = page.items.filter((r) => r.text).map((r) => r.id);
  const analyses = await analysesFor(db, orgId, 'event', withText);
  for (const r of page.items) r.analysis = analyses.get(r.id) ?? [];
  return page;
}

export interface CustomerView {
  id: string;
  name: string | null;
  segment: string | null;
  acquired_at: Date | null;
  acquisition_source: string | null;
  referred_by: string | null;
  created_at: Date;
  updated_at: Date;
  identities: { kind: string; value: string }[];
  attributes: Record<string, string | number | boolean | null>;
}

const customerSelect = sql`
  SELECT c.id, c.name, c.segment, c.acquired_at, c.acquisition_source, c.referred_by, c.created_at, c.updated_at,
    COALESCE((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value) ORDER BY i.kind, i.value)
      FROM customer_identities i WHERE i.org_id = c.org_id AND i.customer_id = c.id), '[]') AS identities,
    COALESCE((SELECT json_object_agg(a.key, CASE a.type WHEN 'number' THEN to_jsonb(a.value_num)
        WHEN 'boolean' THEN to_jsonb(a.value_bool) WHEN 'date' THEN to_jsonb(a.value_time) ELSE to_jsonb(a.value_text) END)
      FROM customer_attributes a WHERE a.org_id = c.org_id AND a.customer_id = c.id), '{}') AS attributes
  FROM customers c`;

/** A customer by id; a merged-away id answers with the profile it was merged into. */
export async function getCustomer(db: Db, orgId: string, id: string): Promise<CustomerView | undefined> {
  const row = await sql<{ merged_into: string | null }>`
    SELECT merged_into FROM customers WHERE org_id = ${orgId} AND id = ${id}::uuid`.execute(db);
  if (!row.rows[0]) return undefined;
  const live = row.rows[0].merged_into ?? id;
  const r = await sql<CustomerView>`${customerSelect} WHERE c.org_id = ${orgId} AND c.id = ${live}::uuid`.execute(db);
  return r.rows[0];
}

export interface CustomerFilter {
  email?: string;
  phone?: string;
  externalId?: string;
  segment?: string;
  q?: string;
  cursor?: Cursor | null;
  limit: number;
}

export async function listCustomers(db: Db, orgId: string, f: CustomerFilter): Promise<Page<CustomerView>> {
  const ident = (kind: string, value: string) =>
    sql`AND EXISTS (SELECT 1 FROM customer_identities i WHERE i.org_id = c.org_id AND i.customer_id = c.id
      AND i.kind = ${kind} AND i.value = ${value})`;
  const q = f.q?.trim().toLowerCase();
  const rows = await sql<CustomerView>`${customerSelect}
    WHERE c.org_id = ${orgId} AND c.merged_into IS NULL
      ${f.email ? ident('email', f.email) : sql``}
      ${f.phone ? ident('phone', f.phone) : sql``}
      ${f.externalId ? ident('external', f.externalId) : sql``}
      ${f.segment ? sql`AND lower(c.segment) = lower(${f.segment})` : sql``}
      ${
        q
          ? sql`AND (lower(c.name) LIKE ${`%${escapeLike(q)}%`} OR EXISTS (SELECT 1 FROM customer_identities i
              WHERE i.org_id = c.org_id AND i.customer_id = c.id AND lower(i.value) LIKE ${`%${escapeLike(q)}%`}))`
          : sql``
      }
      ${f.cursor ? sql`AND (c.created_at, c.id) < (${f.cursor.at}::timestamptz, ${f.cursor.id}::uuid)` : sql``}
    ORDER BY c.created_at DESC, c.id DESC LIMIT ${f.limit + 1}`.execute(db);
  return pageOf(rows.rows, { limit: f.limit, order: 'desc' }, (r) => r.created_at);
}

/** One segment of the org's customers, in lower case (segments compare without case). */
export interface SegmentCount {
  segment: string;
  customers: number;
}

/**
 * The org's customer segments, largest first: at most `limit`, and whether that is all of them
 * (a handful makes a pick list; hundreds are better typed). Grouped by the lower-cased segment,
 * as the filter compares (customers_segment_ci).
 */
export async function customerSegments(
  db: Db,
  orgId: string,
  limit: number,
): Promise<{ items: SegmentCount[]; complete: boolean }> {
  const r = await sql<SegmentCount>`SELECT lower(segment) AS segment, count(*)::int AS customers FROM customers
    WHERE org_id = ${orgId} AND segment IS NOT NULL AND merged_into IS NULL
    GROUP BY lower(segment) ORDER BY customers DESC, segment LIMIT ${limit + 1}`.execute(db);
  return { items: r.rows.slice(0, limit), complete: r.rows.length <= limit };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** `record_type` says which kind of record an item is (an interaction's own `kind` is ticket, call …). */
export type TimelineItem =
  | ({ record_type: 'interaction'; at: Date } & InteractionView)
  | ({ record_type: 'response'; at: Date } & ResponseView)
  | ({ record_type: 'event'; at: Date } & EventView);

/**
 * A customer's whole history across departments — interactions, responses with their answers,
 * events — in time order, each with its text analysis, one keyset page at a time.
 */
export async function customerTimeline(
  db: Db,
  orgId: string,
  customerId: string,
  f: { cursor?: Cursor | null; limit: number; order: 'asc' | 'desc' },
): Promise<Page<TimelineItem>> {
  const op = f.order === 'asc' ? sql`>` : sql`<`;
  const d = f.order === 'asc' ? sql`ASC` : sql`DESC`;
  const rows = await sql<{ kind: 'interaction' | 'response' | 'event'; id: string; at: Date }>`
    SELECT * FROM (
      SELECT 'interaction' AS kind, id, opened_at AS at FROM interactions WHERE org_id = ${orgId} AND customer_id = ${customerId}::uuid
      UNION ALL
      SELECT 'response', id, submitted_at FROM responses WHERE org_id = ${orgId} AND customer_id = ${customerId}::uuid
      UNION ALL
      SELECT 'event', id, occurred_at FROM events WHERE org_id = ${orgId} AND customer_id = ${customerId}::uuid
    ) t
    ${f.cursor ? sql`WHERE (t.at, t.id) ${op} (${f.cursor.at}::timestamptz, ${f.cursor.id}::uuid)` : sql``}
    ORDER BY t.at ${d}, t.id ${d} LIMIT ${f.limit + 1}`.execute(db);
  const page = pageOf(rows.rows, { limit: f.limit, order: f.order }, (r) => new Date(r.at));
  const ofKind = (k: string) => page.items.filter((r) => r.kind === k).map((r) => r.id);
  const base: ListFilter = { customerId, limit: f.limit + 1, order: f.order };
  const [ix, rs, ev] = await Promise.all([
    hydrate(ofKind('interaction'), (ids) => listInteractionsByIds(db, orgId, ids, base)),
    hydrate(ofKind('response'), (ids) => listResponsesByIds(db, orgId, ids, base)),
    hydrate(ofKind('event'), (ids) => listEventsByIds(db, orgId, ids, base)),
  ]);
  const items: TimelineItem[] = [];
  for (const r of page.items) {
    const full = r.kind === 'interaction' ? ix.get(r.id) : r.kind === 'response' ? rs.get(r.id) : ev.get(r.id);
    if (full) items.push({ record_type: r.kind, at: new Date(r.at), ...full } as TimelineItem);
  }
  return { items, next_cursor: page.next_cursor };
}

async function hydrate<T extends { id: string }>(ids: string[], load: (ids: string[]) => Promise<T[]>) {
  const m = new Map<string, T>();
  if (ids.length === 0) return m;
  for (const r of await load(ids)) m.set(r.id, r);
  return m;
}

// The list queries restricted to a set of ids: the timeline reuses their joins and hydration.
async function listInteractionsByIds(db: Db, orgId: string, ids: string[], f: ListFilter) {
  return (await listInteractions(db, orgId, { ...f, ids, limit: ids.length })).items;
}
async function listResponsesByIds(db: Db, orgId: string, ids: string[], f: ListFilter) {
  return (await listResponses(db, orgId, { ...f, ids, limit: ids.length })).items;
}
async function listEventsByIds(db: Db, orgId: string, ids: string[], f: ListFilter) {
  return (await listEvents(db, orgId, { ...f, ids, limit: ids.length })).items;
}

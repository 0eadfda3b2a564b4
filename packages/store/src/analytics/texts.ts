import { sql } from 'kysely';
import type { Db } from '../ingest/types.js';
import { type Cursor, encodeCursor } from '../read.js';
import { type Family, filterSql, type Granularity, joinsSql, type MetricFilter } from './query.js';

export interface TopicBucketRow {
  topic: string;
  bucket: string;
  mentions: number;
  positive: number;
  negative: number;
}

const textsCtx = {
  family: 'texts' as Family,
  rollup: false,
  spec: {
    table: 'text_analyses',
    time: 'occurred_at',
    customer: 'customer_id',
    agent: false,
    subjectKind: null,
    subjectId: 'id',
  },
};

/**
 * Topic mentions per topic key (every ancestor counted too, once per text) and bucket. A text's
 * sentiment on a topic: negative if any mention of it is negative, else positive if any is.
 */
export async function topicBuckets(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; granularity: Granularity; filter: MetricFilter },
): Promise<{ rows: TopicBucketRow[]; texts: number }> {
  return (await topicBucketsMany(db, orgId, { windows: [q], filter: q.filter }))[0];
}

/**
 * topicBuckets for several windows, each with its own granularity, in one statement: the
 * mentions of the windows' whole span are read once (a dashboard asks for the period, the one
 * before and the last days).
 */
export async function topicBucketsMany(
  db: Db,
  orgId: string,
  q: { windows: { from: Date; to: Date; granularity: Granularity }[]; filter: MetricFilter },
): Promise<{ rows: TopicBucketRow[]; texts: number }[]> {
  if (!q.windows.length) return [];
  const froms = q.windows.map((w) => w.from.toISOString());
  const tos = q.windows.map((w) => w.to.toISOString());
  const grans = q.windows.map((w) => w.granularity);
  const lo = new Date(Math.min(...q.windows.map((w) => w.from.getTime()))).toISOString();
  const hi = new Date(Math.max(...q.windows.map((w) => w.to.getTime()))).toISOString();
  const f = { ...q.filter, topic: undefined };
  const r = await sql<TopicBucketRow & { k: number }>`
    WITH win AS MATERIALIZED (
      SELECT k::int AS k, wf, wt, g FROM unnest(${froms}::timestamptz[], ${tos}::timestamptz[], ${grans}::text[])
        WITH ORDINALITY AS w(wf, wt, g, k)
    ),
    texts AS MATERIALIZED (
      SELECT f.id, f.occurred_at FROM text_analyses f
      ${joinsSql(textsCtx as never, !!f.segment?.length, false)}
      WHERE f.org_id = ${orgId}::uuid AND f.occurred_at >= ${lo}::timestamptz AND f.occurred_at < ${hi}::timestamptz AND f.analysable
        ${filterSql(f, textsCtx as never)}
    ),
    m AS MATERIALIZED (
      SELECT x.id, x.occurred_at, k.key AS topic,
        bool_or(t.sentiment_label = 'negative') AS neg, bool_or(t.sentiment_label = 'positive') AS pos
      FROM texts x
      JOIN text_topics t ON t.org_id = ${orgId}::uuid AND t.analysis_id = x.id
      CROSS JOIN LATERAL (SELECT array_to_string((string_to_array(t.topic, '.'))[1:i], '.') AS key
        FROM generate_series(1, cardinality(string_to_array(t.topic, '.'))) i) k
      GROUP BY x.id, x.occurred_at, k.key
    )
    SELECT win.k, m.topic, to_char(date_trunc(win.g, m.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS bucket,
      count(*)::int AS mentions, (count(*) FILTER (WHERE m.pos AND NOT m.neg))::int AS positive,
      (count(*) FILTER (WHERE m.neg))::int AS negative
    FROM win JOIN m ON m.occurred_at >= win.wf AND m.occurred_at < win.wt
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT win.k, NULL, NULL, count(x.id)::int, 0, 0
    FROM win LEFT JOIN texts x ON x.occurred_at >= win.wf AND x.occurred_at < win.wt GROUP BY 1
    ORDER BY 1, 2, 3`.execute(db);
  const out = q.windows.map(() => ({ rows: [] as TopicBucketRow[], texts: 0 }));
  for (const { k, ...row } of r.rows) {
    const o = out[k - 1];
    if (row.topic === null) o.texts = row.mentions;
    else o.rows.push(row);
  }
  return out;
}

/** Daily mention counts of every topic key (with ancestors) in [from, to), for spike detection. */
export async function topicDaily(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; filter: MetricFilter },
): Promise<{ topic: string; day: string; mentions: number }[]> {
  return (await topicBuckets(db, orgId, { ...q, granularity: 'day' })).rows.map((r) => ({
    topic: r.topic,
    day: r.bucket,
    mentions: r.mentions,
  }));
}

export interface VerbatimRow {
  response_id: string;
  customer_id: string | null;
  submitted_at: Date;
  touchpoint: string | null;
  agent: string | null;
  survey: string | null;
  score: number | null;
  score_type: string | null;
  field: string | null;
  text: string | null;
  sentiment_score: number | null;
  sentiment_label: string | null;
  topics: string[] | null;
}

/** The responses behind a number: those with an answer of `type` (in `box`), filtered, newest first. */
export async function verbatims(
  db: Db,
  orgId: string,
  q: {
    from: Date;
    to: Date;
    filter: MetricFilter;
    type: 'nps' | 'csat' | 'ces' | null;
    box: { min: number; max: number } | null;
    sentiment: string | null;
    withText: boolean;
    cursor: Cursor | null;
    limit: number;
  },
): Promise<{ items: VerbatimRow[]; next_cursor: string | null }> {
  const ctx = {
    family: 'responses' as Family,
    rollup: false,
    spec: {
      table: 'responses',
      time: 'submitted_at',
      customer: 'customer_id',
      agent: true,
      subjectKind: 'response',
      subjectId: 'id',
    },
  };
  const r = await sql<VerbatimRow>`
    SELECT f.id AS response_id, f.customer_id, f.submitted_at, tp.key AS touchpoint, ag.key AS agent, f.survey,
      sc.value_num AS score, sc.type AS score_type, tx.field, tx.value_text AS text,
      ta.sentiment_score::float8 AS sentiment_score, ta.sentiment_label,
      (SELECT array_agg(DISTINCT t.topic ORDER BY t.topic) FROM text_topics t WHERE t.org_id = f.org_id AND t.analysis_id = ta.id) AS topics
    FROM responses f
    ${joinsSql(ctx as never, !!q.filter.segment?.length, false)}
    LEFT JOIN LATERAL (SELECT a.type, a.value_num FROM answers a WHERE a.org_id = f.org_id AND a.response_id = f.id
      AND a.type = ${q.type ?? 'nps'} AND a.value_num IS NOT NULL ORDER BY a.field LIMIT 1) sc ON ${q.type !== null}
    LEFT JOIN LATERAL (SELECT a.field, a.value_text FROM answers a WHERE a.org_id = f.org_id AND a.response_id = f.id
      AND a.type = 'text' AND a.value_text IS NOT NULL ORDER BY a.field LIMIT 1) tx ON true
    LEFT JOIN text_analyses ta ON ta.org_id = f.org_id AND ta.subject_kind = 'response' AND ta.subject_id = f.id AND ta.field = tx.field
    WHERE f.org_id = ${orgId}::uuid AND f.submitted_at >= ${q.from.toISOString()}::timestamptz AND f.submitted_at < ${q.to.toISOString()}::timestamptz
      ${filterSql(q.filter, ctx as never)}
      ${q.type ? sql`AND sc.value_num IS NOT NULL` : sql``}
      ${q.box ? sql`AND sc.value_num >= ${q.box.min} AND sc.value_num <= ${q.box.max}` : sql``}
      ${q.sentiment ? sql`AND ta.sentiment_label = ${q.sentiment}` : sql``}
      ${q.withText ? sql`AND tx.value_text IS NOT NULL` : sql``}
      ${q.cursor ? sql`AND (f.submitted_at, f.id) < (${q.cursor.at}::timestamptz, ${q.cursor.id}::uuid)` : sql``}
    ORDER BY f.submitted_at DESC, f.id DESC LIMIT ${q.limit + 1}`.execute(db);
  const more = r.rows.length > q.limit;
  const items = more ? r.rows.slice(0, q.limit) : r.rows;
  const last = items.at(-1);
  return {
    items,
    next_cursor:
      more && last ? encodeCursor({ at: new Date(last.submitted_at).toISOString(), id: last.response_id }) : null,
  };
}

/**
 * NPS counts of the customers each agent (or team) served in a window: answers of type nps in
 * the window by customers who had an interaction with that agent in the window.
 */
export async function servedCustomerNps(
  db: Db,
  orgId: string,
  q: { from: Date; to: Date; by: 'agent' | 'team' },
): Promise<{ key: string; promoters: number; passives: number; detractors: number }[]> {
  const from = q.from.toISOString();
  const to = q.to.toISOString();
  const key = q.by === 'agent' ? sql`ag.key` : sql`coalesce(i.team, ag.team)`;
  const r = await sql<{ key: string; promoters: number; passives: number; detractors: number }>`
    WITH served AS (
      SELECT DISTINCT ${key} AS key, i.customer_id FROM interactions i
      JOIN agents ag ON ag.org_id = i.org_id AND ag.id = i.agent_id
      WHERE i.org_id = ${orgId}::uuid AND i.opened_at >= ${from}::timestamptz AND i.opened_at < ${to}::timestamptz
    )
    SELECT s.key, (count(*) FILTER (WHERE a.value_num >= 9))::int AS promoters,
      (count(*) FILTER (WHERE a.value_num >= 7 AND a.value_num < 9))::int AS passives,
      (count(*) FILTER (WHERE a.value_num < 7))::int AS detractors
    FROM served s JOIN answers a ON a.org_id = ${orgId}::uuid AND a.customer_id = s.customer_id AND a.type = 'nps'
      AND a.submitted_at >= ${from}::timestamptz AND a.submitted_at < ${to}::timestamptz AND a.value_num IS NOT NULL
    WHERE s.key IS NOT NULL GROUP BY s.key`.execute(db);
  return r.rows;
}

import type { RecordKind } from '@canopy/core';
import { sql } from 'kysely';
import type { Db } from './ingest/types.js';
import type { Cursor } from './read.js';

/**
 * Records in the shape the ingestion API and importer accept, so an export re-imports (into
 * the same org, or another: customers are named by their identities, not by Canopy ids).
 */
export interface ExportPage {
  records: Record<string, unknown>[];
  next: Cursor | null;
}

const identities = sql`
  (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.customer_id AND i.kind = 'email') AS customer_email,
  (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.customer_id AND i.kind = 'phone') AS customer_phone,
  (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.customer_id AND i.kind = 'external') AS customer_external_id`;

function clean(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (v === null || v === undefined || k === '_at' || k === '_id') continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

export async function exportPage(
  db: Db,
  orgId: string,
  kind: RecordKind,
  opts: { from?: Date; to?: Date; after?: Cursor | null; limit: number },
): Promise<ExportPage> {
  const time = { interactions: 'opened_at', responses: 'submitted_at', events: 'occurred_at', customers: 'created_at' }[
    kind
  ];
  const where = sql`x.org_id = ${orgId}
    ${opts.from ? sql`AND x.${sql.ref(time)} >= ${opts.from.toISOString()}::timestamptz` : sql``}
    ${opts.to ? sql`AND x.${sql.ref(time)} < ${opts.to.toISOString()}::timestamptz` : sql``}
    ${opts.after ? sql`AND (x.${sql.ref(time)}, x.id) > (${opts.after.at}::timestamptz, ${opts.after.id}::uuid)` : sql``}`;
  const order = sql`ORDER BY x.${sql.ref(time)}, x.id LIMIT ${opts.limit}`;
  let rows: Record<string, unknown>[];
  if (kind === 'interactions') {
    rows = (
      await sql<Record<string, unknown>>`
      SELECT x.opened_at AS _at, x.id AS _id, ${identities}, x.idempotency_key, x.external_id, x.kind,
        tp.key AS touchpoint, x.channel, ag.key AS agent, ag.name AS agent_name, x.team, x.subject, x.text, x.status,
        x.outcome, x.opened_at, x.first_response_at, x.resolved_at, x.contact_count, x.transfers, x.direction
      FROM interactions x
      LEFT JOIN touchpoints tp ON tp.org_id = x.org_id AND tp.id = x.touchpoint_id
      LEFT JOIN agents ag ON ag.org_id = x.org_id AND ag.id = x.agent_id
      WHERE ${where} ${order}`.execute(db)
    ).rows;
  } else if (kind === 'responses') {
    rows = (
      await sql<Record<string, unknown>>`
      SELECT x.submitted_at AS _at, x.id AS _id, ${identities}, x.idempotency_key, x.external_id, x.survey, x.source,
        tp.key AS touchpoint, ix.external_id AS interaction_external_id, ag.key AS agent, x.language, x.submitted_at,
        (SELECT json_agg(json_strip_nulls(json_build_object('field', a.field, 'type', a.type,
            'value', CASE WHEN a.type = 'text' THEN to_jsonb(a.value_text)
                          WHEN a.type = 'choice' THEN to_jsonb(a.value_choices) ELSE to_jsonb(a.value_num) END,
            'scale_min', CASE WHEN a.type = 'rating' THEN a.scale_min END,
            'scale_max', CASE WHEN a.type IN ('rating', 'ces') THEN a.scale_max END,
            'higher_is_easier', CASE WHEN a.type = 'ces' THEN a.higher_is_easier END)) ORDER BY a.field)
          FROM answers a WHERE a.org_id = x.org_id AND a.response_id = x.id) AS answers
      FROM responses x
      LEFT JOIN touchpoints tp ON tp.org_id = x.org_id AND tp.id = x.touchpoint_id
      LEFT JOIN interactions ix ON ix.org_id = x.org_id AND ix.id = x.interaction_id
      LEFT JOIN agents ag ON ag.org_id = x.org_id AND ag.id = x.agent_id
      WHERE ${where} ${order}`.execute(db)
    ).rows;
  } else if (kind === 'events') {
    rows = (
      await sql<Record<string, unknown>>`
      SELECT x.occurred_at AS _at, x.id AS _id, ${identities}, x.idempotency_key, x.type, x.occurred_at,
        tp.key AS touchpoint, x.channel, x.value, x.currency, x.rating, x.text, x.properties
      FROM events x LEFT JOIN touchpoints tp ON tp.org_id = x.org_id AND tp.id = x.touchpoint_id
      WHERE ${where} ${order}`.execute(db)
    ).rows;
  } else {
    rows = (
      await sql<Record<string, unknown>>`
      SELECT x.created_at AS _at, x.id AS _id,
        (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.id AND i.kind = 'email') AS customer_email,
        (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.id AND i.kind = 'phone') AS customer_phone,
        (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.id AND i.kind = 'external') AS customer_external_id,
        x.name, x.segment, x.acquired_at, x.acquisition_source,
        (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.referred_by AND i.kind = 'email') AS referred_by_email,
        (SELECT min(value) FROM customer_identities i WHERE i.org_id = x.org_id AND i.customer_id = x.referred_by AND i.kind = 'external') AS referred_by_external_id,
        (SELECT json_object_agg(a.key, CASE a.type WHEN 'number' THEN to_jsonb(a.value_num)
            WHEN 'boolean' THEN to_jsonb(a.value_bool) WHEN 'date' THEN to_jsonb(a.value_time) ELSE to_jsonb(a.value_text) END)
          FROM customer_attributes a WHERE a.org_id = x.org_id AND a.customer_id = x.id) AS attributes
      FROM customers x WHERE ${where} AND x.merged_into IS NULL ${order}`.execute(db)
    ).rows;
  }
  const last = rows.at(-1);
  const next =
    rows.length === opts.limit && last ? { at: (last._at as Date).toISOString(), id: last._id as string } : null;
  return { records: rows.map(clean), next };
}

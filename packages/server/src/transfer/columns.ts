import { ANSWER_TYPES, type AnswerType, type RecordKind } from '@canopy/core';

/**
 * How CSV columns map onto API records. JSON Lines need none of this: each line is an API record.
 * - Scalar fields by their API names (a few customer aliases: email, phone, external_id).
 * - `attributes.<key>` (customers) and `properties.<key>` (events) build the maps.
 * - Responses: every other column is an answer — `<field>:<type>` (e.g. `q3:rating`,
 *   `comment:text`), or a bare `nps`, `csat`, `ces`, `expectation`, or a text column named
 *   comment/verbatim/reason/feedback/text.
 */
const SCALARS: Record<RecordKind, string[]> = {
  customers: [
    'customer_id',
    'customer_email',
    'customer_phone',
    'customer_external_id',
    'name',
    'segment',
    'acquired_at',
    'acquisition_source',
    'referred_by_email',
    'referred_by_external_id',
  ],
  interactions: [
    'customer_id',
    'customer_email',
    'customer_phone',
    'customer_external_id',
    'idempotency_key',
    'external_id',
    'kind',
    'direction',
    'touchpoint',
    'channel',
    'agent',
    'agent_name',
    'team',
    'subject',
    'text',
    'status',
    'outcome',
    'opened_at',
    'first_response_at',
    'resolved_at',
    'contact_count',
    'transfers',
  ],
  responses: [
    'customer_id',
    'customer_email',
    'customer_phone',
    'customer_external_id',
    'idempotency_key',
    'external_id',
    'survey',
    'source',
    'touchpoint',
    'interaction_id',
    'interaction_external_id',
    'agent',
    'language',
    'submitted_at',
  ],
  events: [
    'customer_id',
    'customer_email',
    'customer_phone',
    'customer_external_id',
    'idempotency_key',
    'type',
    'occurred_at',
    'touchpoint',
    'channel',
    'value',
    'currency',
    'rating',
    'text',
  ],
};

const NUMERIC = new Set(['contact_count', 'transfers', 'value', 'rating']);
const ALIASES: Record<string, string> = {
  email: 'customer_email',
  phone: 'customer_phone',
  external_id: 'customer_external_id',
};
const TEXT_ANSWERS = new Set(['comment', 'comments', 'verbatim', 'reason', 'feedback', 'text']);
const BARE_TYPES = new Set<AnswerType>(['nps', 'csat', 'ces', 'expectation']);

type Column =
  | { kind: 'scalar'; name: string; numeric: boolean }
  | { kind: 'map'; map: 'attributes' | 'properties'; key: string }
  | { kind: 'answer'; field: string; type: AnswerType };

export interface ColumnPlan {
  columns: Column[];
}

export function planColumns(kind: RecordKind, header: string[]): ColumnPlan | { error: string } {
  const scalars = new Set(SCALARS[kind]);
  const columns: Column[] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const raw of header) {
    const h = raw.trim();
    if (seen.has(h)) return { error: `column '${h}' appears twice in the header` };
    seen.add(h);
    const name = kind === 'customers' ? (ALIASES[h] ?? h) : h;
    if (scalars.has(name)) {
      columns.push({ kind: 'scalar', name, numeric: NUMERIC.has(name) });
      continue;
    }
    const map = kind === 'customers' ? 'attributes' : kind === 'events' ? 'properties' : null;
    if (map && (h.startsWith(`${map}.`) || h.startsWith(map === 'attributes' ? 'attr.' : 'prop.'))) {
      columns.push({ kind: 'map', map, key: h.slice(h.indexOf('.') + 1) });
      continue;
    }
    if (kind === 'responses') {
      const m = /^(.+):([a-z]+)$/.exec(h);
      if (m && (ANSWER_TYPES as readonly string[]).includes(m[2])) {
        columns.push({ kind: 'answer', field: m[1], type: m[2] as AnswerType });
        continue;
      }
      if (BARE_TYPES.has(h as AnswerType)) {
        columns.push({ kind: 'answer', field: h, type: h as AnswerType });
        continue;
      }
      if (TEXT_ANSWERS.has(h.toLowerCase())) {
        columns.push({ kind: 'answer', field: h, type: 'text' });
        continue;
      }
    }
    unknown.push(h);
  }
  if (unknown.length) {
    const hint =
      kind === 'responses'
        ? '; name answer columns <field>:<type> (types: nps, csat, ces, rating, expectation, choice, text)'
        : kind === 'customers'
          ? '; name attribute columns attributes.<key>'
          : kind === 'events'
            ? '; name property columns properties.<key>'
            : '';
    return { error: `unknown column(s): ${unknown.join(', ')}${hint}` };
  }
  return { columns };
}

/** Numbers written as numbers; "01234"-style codes stay text. */
function inferScalar(v: string): string | number | boolean {
  if (v === 'true' || v === 'false') return v === 'true';
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(v) && v.length <= 16) return Number(v);
  return v;
}

/** One CSV row → an API record (before validation). Empty cells are absent fields. */
export function rowToRecord(plan: ColumnPlan, row: string[]): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const answers: Record<string, unknown>[] = [];
  plan.columns.forEach((c, i) => {
    const v = row[i];
    if (v === undefined || v === '') return;
    if (c.kind === 'scalar') {
      rec[c.name] = c.numeric && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
    } else if (c.kind === 'map') {
      if (!rec[c.map]) rec[c.map] = {};
      (rec[c.map] as Record<string, unknown>)[c.key] = inferScalar(v);
    } else {
      let value: unknown = v;
      if (c.type === 'choice') value = v.includes('|') ? v.split('|') : v;
      else if (c.type !== 'text') value = /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
      answers.push({ field: c.field, type: c.type, value });
    }
  });
  if (plan.columns.some((c) => c.kind === 'answer')) rec.answers = answers;
  return rec;
}

/** Header and row for CSV export, the inverse of planColumns/rowToRecord. */
export function recordToCells(kind: RecordKind, rec: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(rec)) {
    if (v === null || v === undefined) continue;
    if (k === 'attributes' || k === 'properties') {
      for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) {
        if (mv !== null) out.set(`${k}.${mk}`, String(mv));
      }
    } else if (k === 'answers' && kind === 'responses') {
      for (const a of v as { field: string; type: string; value: unknown }[]) {
        out.set(`${a.field}:${a.type}`, Array.isArray(a.value) ? a.value.join('|') : String(a.value));
      }
    } else out.set(k, String(v));
  }
  return out;
}

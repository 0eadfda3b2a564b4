import type { CustomerInput, CustomerRef } from '@canopy/core';
import { sql } from 'kysely';
import { resolveSubset } from './resolve.js';
import { type Db, type RecordProblem, RecordProblems, type WriteOutcome } from './types.js';

type AttrType = 'text' | 'number' | 'boolean' | 'date';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** Attributes are typed by their JSON value; an ISO date string is a date. Null deletes. */
function attributeType(v: string | number | boolean): AttrType {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  return ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)) ? 'date' : 'text';
}

/**
 * Upserts customer profiles: identities resolve (and merge) exactly as on other records; the
 * fields a record names overwrite, the ones it leaves out are kept.
 */
export async function writeCustomers(trx: Db, orgId: string, records: CustomerInput[]): Promise<WriteOutcome> {
  const n = records.length;
  const problems: RecordProblem[] = [];
  // Referrers resolve in the same pass (appended after the records) so a referrer named by
  // email in this batch is the same customer as a record for that email.
  const refs: (CustomerRef | null)[] = [...records];
  const referrerIndex = new Map<number, number>();
  records.forEach((r, i) => {
    if (r.referred_by_email || r.referred_by_external_id) {
      referrerIndex.set(i, refs.length);
      refs.push({ customer_email: r.referred_by_email, customer_external_id: r.referred_by_external_id });
    }
  });
  const all = refs.map((_, i) => i);
  const resolution = await resolveSubset(trx, orgId, refs, all, problems);
  records.forEach((_r, i) => {
    const j = referrerIndex.get(i);
    if (j !== undefined && resolution.customerIds[j] === resolution.customerIds[i]) {
      problems.push({ index: i, field: 'referred_by_email', reason: 'a customer cannot refer themselves' });
    }
  });
  if (problems.length) throw new RecordProblems(problems.filter((p) => p.index < n));

  const customerIds = resolution.customerIds.slice(0, n);
  const statuses = customerIds.map(
    (id) => (resolution.created.has(id!) ? 'created' : 'updated') as 'created' | 'updated',
  );
  await updateProfiles(trx, orgId, records, customerIds as string[], (i) =>
    referrerIndex.has(i) ? resolution.customerIds[referrerIndex.get(i)!] : null,
  );
  await writeAttributes(trx, orgId, records, customerIds as string[]);
  return { ids: customerIds as string[], statuses, customerIds };
}

/** One UPDATE for the batch; later records for the same customer win, as if applied one by one. */
async function updateProfiles(
  trx: Db,
  orgId: string,
  records: CustomerInput[],
  customerIds: string[],
  referrerOf: (i: number) => string | null,
) {
  const folded = new Map<
    string,
    {
      name: string | null;
      segment: string | null;
      acquired: string | null;
      source: string | null;
      referrer: string | null;
    }
  >();
  records.forEach((r, i) => {
    const id = customerIds[i];
    const prev = folded.get(id);
    folded.set(id, {
      name: r.name ?? prev?.name ?? null,
      segment: r.segment ?? prev?.segment ?? null,
      acquired: r.acquired_at?.toISOString() ?? prev?.acquired ?? null,
      source: r.acquisition_source ?? prev?.source ?? null,
      referrer: referrerOf(i) ?? prev?.referrer ?? null,
    });
  });
  const ids = [...folded.keys()];
  const v = [...folded.values()];
  await sql`UPDATE customers c SET
      name = COALESCE(u.name, c.name), segment = COALESCE(u.segment, c.segment),
      acquired_at = COALESCE(u.acquired, c.acquired_at), acquisition_source = COALESCE(u.source, c.acquisition_source),
      referred_by = COALESCE(u.referrer, c.referred_by), updated_at = now()
    FROM unnest(${ids}::uuid[], ${v.map((x) => x.name)}::text[], ${v.map((x) => x.segment)}::text[],
      ${v.map((x) => x.acquired)}::timestamptz[], ${v.map((x) => x.source)}::text[], ${v.map((x) => x.referrer)}::uuid[])
      AS u(id, name, segment, acquired, source, referrer)
    WHERE c.org_id = ${orgId} AND c.id = u.id`.execute(trx);
}

async function writeAttributes(trx: Db, orgId: string, records: CustomerInput[], customerIds: string[]) {
  // Last write per (customer, key) wins within the batch.
  const latest = new Map<string, { customer: string; key: string; value: string | number | boolean | null }>();
  records.forEach((r, i) => {
    for (const [key, value] of Object.entries(r.attributes ?? {})) {
      latest.set(`${customerIds[i]}\u0000${key}`, { customer: customerIds[i], key, value });
    }
  });
  const del = [...latest.values()].filter((a) => a.value === null);
  const set = [...latest.values()].filter((a) => a.value !== null) as {
    customer: string;
    key: string;
    value: string | number | boolean;
  }[];
  if (del.length) {
    await sql`DELETE FROM customer_attributes a USING unnest(${del.map((d) => d.customer)}::uuid[], ${del.map((d) => d.key)}::text[]) AS d(c, k)
      WHERE a.org_id = ${orgId} AND a.customer_id = d.c AND a.key = d.k`.execute(trx);
  }
  if (set.length) {
    const types = set.map((a) => attributeType(a.value));
    await sql`
      INSERT INTO customer_attributes (org_id, customer_id, key, type, value_text, value_num, value_bool, value_time)
      SELECT ${orgId}::uuid, * FROM unnest(
        ${set.map((a) => a.customer)}::uuid[], ${set.map((a) => a.key)}::text[], ${types}::text[],
        ${set.map((a, i) => (types[i] === 'text' ? String(a.value) : null))}::text[],
        ${set.map((a) => (typeof a.value === 'number' ? a.value : null))}::float8[],
        ${set.map((a) => (typeof a.value === 'boolean' ? a.value : null))}::bool[],
        ${set.map((a, i) => (types[i] === 'date' ? String(a.value) : null))}::timestamptz[])
      ON CONFLICT (org_id, customer_id, key) DO UPDATE SET type = EXCLUDED.type, value_text = EXCLUDED.value_text,
        value_num = EXCLUDED.value_num, value_bool = EXCLUDED.value_bool, value_time = EXCLUDED.value_time,
        updated_at = now()`.execute(trx);
  }
}

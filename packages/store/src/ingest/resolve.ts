import type { CustomerRef } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import { ConcurrentWriteConflict, type Db, type RecordProblem } from './types.js';

type IdentityKind = 'email' | 'phone' | 'external';

function identitiesOf(r: CustomerRef): [IdentityKind, string][] {
  const out: [IdentityKind, string][] = [];
  if (r.customer_email) out.push(['email', r.customer_email]);
  if (r.customer_phone) out.push(['phone', r.customer_phone]);
  if (r.customer_external_id) out.push(['external', r.customer_external_id]);
  return out;
}

/** Union-find over string nodes: identities and customer ids that one record ties together. */
class Links {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p === x) return x;
    p = this.find(p);
    this.parent.set(x, p);
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

export interface Resolution {
  /** Customer id per record (null where the record named none — anonymous responses). */
  customerIds: (string | null)[];
  /** Customers created by this batch. */
  created: Set<string>;
  /** Merges performed: loser → winner. */
  merged: Map<string, string>;
}

/**
 * Identity resolution for a batch: every record names its customer by id and/or identities.
 * Known identities map to their customer; identities that appear together (in one record, or
 * across records of the batch) belong to one customer; unknown ones get a new customer; two
 * known customers tied together are merged into the older one. Runs inside the batch's
 * transaction, so a rejected batch leaves no customers behind.
 */
export async function resolveCustomers(
  trx: Db,
  orgId: string,
  refs: (CustomerRef | null)[],
  problems: RecordProblem[],
): Promise<Resolution> {
  const links = new Links();
  const idNode = (id: string) => `c:${id}`;
  const identNode = (k: string, v: string) => `${k}:${v}`;

  // 1. Look up named customer ids (following earlier merges) and known identities.
  const namedIds = [...new Set(refs.flatMap((r) => (r?.customer_id ? [r.customer_id] : [])))];
  const liveId = new Map<string, string>();
  if (namedIds.length) {
    const rows = await sql<{ id: string; merged_into: string | null }>`
      SELECT id, merged_into FROM customers WHERE org_id = ${orgId} AND id = ANY(${namedIds}::uuid[])`.execute(trx);
    const byId = new Map(rows.rows.map((r) => [r.id, r.merged_into]));
    for (const id of namedIds) {
      if (!byId.has(id)) continue;
      let cur = id;
      // Merges are flattened when made, so one hop is enough; a second guards against old data.
      for (let hops = 0; hops < 2; hops++) {
        const next = byId.get(cur);
        if (!next) break;
        const more = await sql<{ merged_into: string | null }>`
          SELECT merged_into FROM customers WHERE org_id = ${orgId} AND id = ${next}::uuid`.execute(trx);
        byId.set(next, more.rows[0]?.merged_into ?? null);
        cur = next;
      }
      liveId.set(id, cur);
    }
  }
  const kinds: string[] = [];
  const values: string[] = [];
  const seen = new Set<string>();
  for (const r of refs) {
    if (!r) continue;
    for (const [k, v] of identitiesOf(r)) {
      const n = identNode(k, v);
      if (!seen.has(n)) {
        seen.add(n);
        kinds.push(k);
        values.push(v);
      }
    }
  }
  const known = new Map<string, string>();
  if (kinds.length) {
    const rows = await sql<{ kind: string; value: string; customer_id: string }>`
      SELECT i.kind, i.value, i.customer_id FROM customer_identities i
      JOIN unnest(${kinds}::text[], ${values}::text[]) AS q(kind, value) ON q.kind = i.kind AND q.value = i.value
      WHERE i.org_id = ${orgId}`.execute(trx);
    for (const row of rows.rows) known.set(identNode(row.kind, row.value), row.customer_id);
  }

  // 2. Tie together what each record names.
  refs.forEach((r, index) => {
    if (!r) return;
    const nodes: string[] = [];
    if (r.customer_id) {
      const live = liveId.get(r.customer_id);
      if (!live) {
        problems.push({ index, field: 'customer_id', reason: `no customer ${r.customer_id} in this organisation` });
        return;
      }
      nodes.push(idNode(live));
    }
    for (const [k, v] of identitiesOf(r)) {
      const n = identNode(k, v);
      nodes.push(n);
      const c = known.get(n);
      if (c) links.union(n, idNode(c));
    }
    for (let i = 1; i < nodes.length; i++) links.union(nodes[0], nodes[i]);
  });

  // 3. Each group of linked nodes is one customer: the oldest existing one (uuidv7 ids sort by
  // creation), or a new one.
  const groupCustomers = new Map<string, Set<string>>();
  const addToGroup = (node: string) => {
    const root = links.find(node);
    let set = groupCustomers.get(root);
    if (!set) {
      set = new Set();
      groupCustomers.set(root, set);
    }
    if (node.startsWith('c:')) set.add(node.slice(2));
  };
  for (const c of liveId.values()) addToGroup(idNode(c));
  for (const [n, c] of known) {
    addToGroup(n);
    addToGroup(idNode(c));
  }
  for (const n of seen) addToGroup(n);

  const winnerOf = new Map<string, string>();
  const created = new Set<string>();
  const merged = new Map<string, string>();
  for (const [root, customers] of groupCustomers) {
    if (customers.size === 0) {
      const id = uuidv7();
      created.add(id);
      winnerOf.set(root, id);
    } else {
      const sorted = [...customers].sort();
      winnerOf.set(root, sorted[0]);
      for (const loser of sorted.slice(1)) merged.set(loser, sorted[0]);
    }
  }

  const customerIds = refs.map((r) => {
    if (!r) return null;
    const first = r.customer_id ? liveId.get(r.customer_id) : undefined;
    const node = first ? idNode(first) : identitiesOf(r).map(([k, v]) => identNode(k, v))[0];
    return node ? (winnerOf.get(links.find(node)) ?? null) : null;
  });

  if (problems.length) return { customerIds, created, merged };

  // 4. Write: new customers, new identities, merges.
  if (created.size) {
    const ids = [...created];
    await sql`INSERT INTO customers (org_id, id) SELECT ${orgId}::uuid, unnest(${ids}::uuid[])`.execute(trx);
  }
  const newKinds: string[] = [];
  const newValues: string[] = [];
  const newOwners: string[] = [];
  for (let i = 0; i < kinds.length; i++) {
    const n = identNode(kinds[i], values[i]);
    const owner = winnerOf.get(links.find(n))!;
    const existing = known.get(n);
    if (existing === undefined) {
      newKinds.push(kinds[i]);
      newValues.push(values[i]);
      newOwners.push(owner);
    }
  }
  if (newKinds.length) {
    const inserted = await sql<{ value: string }>`
      INSERT INTO customer_identities (org_id, kind, value, customer_id)
      SELECT ${orgId}::uuid, * FROM unnest(${newKinds}::text[], ${newValues}::text[], ${newOwners}::uuid[])
      ON CONFLICT DO NOTHING RETURNING value`.execute(trx);
    // Another batch claimed one of these identities since we looked: retry against its rows.
    if (inserted.rows.length !== newKinds.length) throw new ConcurrentWriteConflict('identity created concurrently');
  }
  for (const [loser, winner] of merged) await mergeCustomer(trx, orgId, loser, winner);
  return { customerIds, created, merged };
}

/** Moves everything of `loser` onto `winner` and leaves a forwarding pointer. */
export async function mergeCustomer(trx: Db, orgId: string, loser: string, winner: string): Promise<void> {
  for (const table of ['customer_identities', 'interactions', 'responses', 'answers', 'events', 'text_analyses']) {
    await sql`UPDATE ${sql.table(table)} SET customer_id = ${winner}::uuid
      WHERE org_id = ${orgId} AND customer_id = ${loser}::uuid`.execute(trx);
  }
  // Attributes the winner already has win; the loser's others move over.
  await sql`DELETE FROM customer_attributes l USING customer_attributes w
    WHERE l.org_id = ${orgId} AND l.customer_id = ${loser}::uuid
      AND w.org_id = l.org_id AND w.customer_id = ${winner}::uuid AND w.key = l.key`.execute(trx);
  await sql`UPDATE customer_attributes SET customer_id = ${winner}::uuid
    WHERE org_id = ${orgId} AND customer_id = ${loser}::uuid`.execute(trx);
  await sql`UPDATE customers SET referred_by = ${winner}::uuid WHERE org_id = ${orgId} AND referred_by = ${loser}::uuid`.execute(
    trx,
  );
  // Fill the winner's profile gaps from the loser, then forward the loser (and anything that
  // already forwarded to it) to the winner so old ids keep resolving.
  await sql`UPDATE customers w SET
      name = COALESCE(w.name, l.name), segment = COALESCE(w.segment, l.segment),
      acquired_at = LEAST(w.acquired_at, l.acquired_at),
      acquisition_source = COALESCE(w.acquisition_source, l.acquisition_source),
      referred_by = COALESCE(w.referred_by, l.referred_by), updated_at = now()
    FROM customers l WHERE w.org_id = ${orgId} AND w.id = ${winner}::uuid AND l.org_id = w.org_id AND l.id = ${loser}::uuid`.execute(
    trx,
  );
  await sql`UPDATE customers SET merged_into = ${winner}::uuid, updated_at = now()
    WHERE org_id = ${orgId} AND (id = ${loser}::uuid OR merged_into = ${loser}::uuid)`.execute(trx);
}

/** Resolves the customers of records[live[j]], reporting problems by batch index. */
export async function resolveSubset(
  trx: Db,
  orgId: string,
  records: (CustomerRef | null)[],
  live: number[],
  problems: RecordProblem[],
): Promise<Resolution> {
  const own: RecordProblem[] = [];
  const resolution = await resolveCustomers(
    trx,
    orgId,
    live.map((i) => records[i]),
    own,
  );
  for (const p of own) problems.push({ ...p, index: live[p.index] });
  return resolution;
}

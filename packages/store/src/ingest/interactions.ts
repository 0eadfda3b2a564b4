import type { InteractionInput } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import {
  checkTouchpoints,
  existingByKey,
  loadTouchpoints,
  type RetryOptions,
  retryDigest,
  splitRetries,
  upsertAgents,
} from './lookups.js';
import { resolveSubset } from './resolve.js';
import { ConcurrentWriteConflict, type Db, type RecordProblem, RecordProblems, type WriteOutcome } from './types.js';

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

/**
 * Writes a validated batch of interactions in the caller's transaction. A repeated
 * idempotency_key is a retry (nothing written, the first id returned); a known external_id is
 * the same ticket/call seen again, so it is updated (status, times, text) rather than duplicated.
 */
export async function writeInteractions(
  trx: Db,
  orgId: string,
  records: InteractionInput[],
  retries: RetryOptions = {},
): Promise<WriteOutcome> {
  const problems: RecordProblem[] = [];
  const { outcome, live } = await splitRetries(trx, 'interactions', orgId, records, false, retries);
  const { ids, statuses, customerIds } = outcome;
  if (live.length === 0) return outcome;

  const touchpoints = await loadTouchpoints(trx, orgId);
  checkTouchpoints(records, live, touchpoints, problems);
  const known = await existingByKey(
    trx,
    'interactions',
    'external_id',
    orgId,
    live.flatMap((i) => (records[i].external_id ? [records[i].external_id!] : [])),
  );
  const resolution = await resolveSubset(trx, orgId, records, live, problems);
  if (problems.length) throw new RecordProblems(problems);
  live.forEach((i, j) => {
    customerIds[i] = resolution.customerIds[j];
  });

  const agents = await upsertAgents(
    trx,
    orgId,
    live.flatMap((i) => {
      const r = records[i];
      return r.agent ? [{ key: r.agent, name: r.agent_name, team: r.team }] : [];
    }),
  );

  const cols = {
    id: [] as string[],
    customer: [] as string[],
    touchpoint: [] as (string | null)[],
    agent: [] as (string | null)[],
    team: [] as (string | null)[],
    kind: [] as string[],
    channel: [] as (string | null)[],
    external: [] as (string | null)[],
    idem: [] as (string | null)[],
    digest: [] as (string | null)[],
    subject: [] as (string | null)[],
    text: [] as (string | null)[],
    status: [] as (string | null)[],
    outcome: [] as (string | null)[],
    opened: [] as string[],
    firstResponse: [] as (string | null)[],
    resolved: [] as (string | null)[],
    contacts: [] as (number | null)[],
    transfers: [] as (number | null)[],
    direction: [] as string[],
  };
  const inserted: number[] = [];
  for (const i of live) {
    const r = records[i];
    const tp = r.touchpoint ? touchpoints.get(r.touchpoint) : undefined;
    const existing = r.external_id ? known.get(r.external_id) : undefined;
    const id = existing ?? uuidv7();
    ids[i] = id;
    statuses[i] = existing ? 'updated' : 'created';
    if (!existing) inserted.push(i);
    cols.id.push(id);
    cols.customer.push(customerIds[i]!);
    cols.touchpoint.push(tp?.id ?? null);
    cols.agent.push(r.agent ? agents.get(r.agent)! : null);
    cols.team.push(r.team ?? null);
    cols.kind.push(r.kind);
    cols.channel.push(r.channel ?? tp?.channel ?? null);
    cols.external.push(r.external_id ?? null);
    cols.idem.push(r.idempotency_key ?? null);
    cols.digest.push(r.idempotency_key ? retryDigest(r) : null);
    cols.subject.push(r.subject ?? null);
    cols.text.push(r.text ?? null);
    cols.status.push(r.status ?? (r.resolved_at ? 'resolved' : null));
    cols.outcome.push(r.outcome ?? null);
    cols.opened.push(r.opened_at.toISOString());
    cols.firstResponse.push(iso(r.first_response_at));
    cols.resolved.push(iso(r.resolved_at));
    cols.contacts.push(r.contact_count ?? null);
    cols.transfers.push(r.transfers ?? null);
    cols.direction.push(r.direction ?? 'inbound');
  }
  // One statement for new rows and updates: ON CONFLICT on the source system's id keeps what the
  // update does not mention.
  const result = await sql<{ id: string }>`
    INSERT INTO interactions (org_id, id, customer_id, touchpoint_id, agent_id, team, kind, channel, external_id,
      idempotency_key, subject, text, status, outcome, opened_at, first_response_at, resolved_at, contact_count, transfers,
      direction, idempotency_digest)
    SELECT ${orgId}::uuid, * FROM unnest(${cols.id}::uuid[], ${cols.customer}::uuid[], ${cols.touchpoint}::uuid[],
      ${cols.agent}::uuid[], ${cols.team}::text[], ${cols.kind}::text[], ${cols.channel}::text[], ${cols.external}::text[],
      ${cols.idem}::text[], ${cols.subject}::text[], ${cols.text}::text[], ${cols.status}::text[], ${cols.outcome}::text[],
      ${cols.opened}::timestamptz[], ${cols.firstResponse}::timestamptz[], ${cols.resolved}::timestamptz[],
      ${cols.contacts}::int[], ${cols.transfers}::int[], ${cols.direction}::text[], ${cols.digest}::text[])
    ON CONFLICT (org_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
      customer_id = EXCLUDED.customer_id,
      touchpoint_id = COALESCE(EXCLUDED.touchpoint_id, interactions.touchpoint_id),
      agent_id = COALESCE(EXCLUDED.agent_id, interactions.agent_id),
      team = COALESCE(EXCLUDED.team, interactions.team),
      kind = EXCLUDED.kind,
      channel = COALESCE(EXCLUDED.channel, interactions.channel),
      subject = COALESCE(EXCLUDED.subject, interactions.subject),
      text = COALESCE(EXCLUDED.text, interactions.text),
      status = COALESCE(EXCLUDED.status, interactions.status),
      outcome = COALESCE(EXCLUDED.outcome, interactions.outcome),
      opened_at = EXCLUDED.opened_at,
      first_response_at = COALESCE(EXCLUDED.first_response_at, interactions.first_response_at),
      resolved_at = COALESCE(EXCLUDED.resolved_at, interactions.resolved_at),
      contact_count = COALESCE(EXCLUDED.contact_count, interactions.contact_count),
      transfers = COALESCE(EXCLUDED.transfers, interactions.transfers),
      direction = EXCLUDED.direction
    RETURNING id`.execute(trx);
  if (result.rows.length !== live.length) throw new ConcurrentWriteConflict('interaction written concurrently');
  return { ids, statuses, customerIds };
}

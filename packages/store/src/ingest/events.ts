import type { EventInput } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import { checkTouchpoints, loadTouchpoints, type RetryOptions, retryDigest, splitRetries } from './lookups.js';
import { resolveSubset } from './resolve.js';
import { ConcurrentWriteConflict, type Db, type RecordProblem, RecordProblems, type WriteOutcome } from './types.js';

/** Writes a validated batch of engagement/business events; a repeated idempotency_key is a retry. */
export async function writeEvents(
  trx: Db,
  orgId: string,
  records: EventInput[],
  retries: RetryOptions = {},
): Promise<WriteOutcome> {
  const problems: RecordProblem[] = [];
  const { outcome, live } = await splitRetries(trx, 'events', orgId, records, false, retries);
  const { ids, statuses, customerIds } = outcome;
  if (live.length === 0) return outcome;

  const touchpoints = live.some((i) => records[i].touchpoint) ? await loadTouchpoints(trx, orgId) : new Map();
  checkTouchpoints(records, live, touchpoints, problems);
  const resolution = await resolveSubset(trx, orgId, records, live, problems);
  if (problems.length) throw new RecordProblems(problems);

  const m = live.length;
  const col = {
    id: new Array<string>(m),
    customer: new Array<string>(m),
    type: new Array<string>(m),
    occurred: new Array<string>(m),
    touchpoint: new Array<string | null>(m),
    channel: new Array<string | null>(m),
    value: new Array<number | null>(m),
    currency: new Array<string | null>(m),
    rating: new Array<number | null>(m),
    text: new Array<string | null>(m),
    properties: new Array<string | null>(m),
    idem: new Array<string | null>(m),
    digest: new Array<string | null>(m),
  };
  live.forEach((i, j) => {
    const r = records[i];
    const id = uuidv7();
    ids[i] = id;
    statuses[i] = 'created';
    customerIds[i] = resolution.customerIds[j];
    const tp = r.touchpoint ? touchpoints.get(r.touchpoint) : undefined;
    col.id[j] = id;
    col.customer[j] = resolution.customerIds[j]!;
    col.type[j] = r.type;
    col.occurred[j] = r.occurred_at.toISOString();
    col.touchpoint[j] = tp?.id ?? null;
    col.channel[j] = r.channel ?? tp?.channel ?? null;
    col.value[j] = r.value ?? null;
    col.currency[j] = r.currency ?? null;
    col.rating[j] = r.rating ?? null;
    col.text[j] = r.text ?? null;
    col.properties[j] = r.properties ? JSON.stringify(r.properties) : null;
    col.idem[j] = r.idempotency_key ?? null;
    col.digest[j] = r.idempotency_key ? retryDigest(r) : null;
  });
  const result = await sql`
    INSERT INTO events (org_id, id, customer_id, type, occurred_at, touchpoint_id, channel, value, currency, rating,
      text, properties, idempotency_key, idempotency_digest)
    SELECT ${orgId}::uuid, * FROM unnest(${col.id}::uuid[], ${col.customer}::uuid[], ${col.type}::text[],
      ${col.occurred}::timestamptz[], ${col.touchpoint}::uuid[], ${col.channel}::text[], ${col.value}::float8[],
      ${col.currency}::text[], ${col.rating}::float8[], ${col.text}::text[], ${col.properties}::jsonb[], ${col.idem}::text[],
      ${col.digest}::text[])
    ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`.execute(trx);
  if (Number(result.numAffectedRows ?? m) !== m) throw new ConcurrentWriteConflict('event written concurrently');
  return { ids, statuses, customerIds };
}

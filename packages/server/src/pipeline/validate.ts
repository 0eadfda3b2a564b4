import { LIMITS, type RecordKind, recordSchemas } from '@canopy/core';
import type { FieldError } from '../problem.js';
import { zodFieldErrors } from '../problem.js';

export interface Validated<T> {
  records: T[];
  errors: FieldError[];
}

/**
 * Step 1 of ingestion: every record against its schema, and the batch against itself
 * (a key used twice in one batch is an error, not a silent merge). Collects every problem so
 * a client fixes a batch in one round trip.
 */
export function validateBatch<K extends RecordKind>(
  kind: K,
  raw: unknown[],
  batchKey?: string,
  firstIndex = 0,
): Validated<ReturnType<(typeof recordSchemas)[K]['parse']>> {
  const schema = recordSchemas[kind];
  const records: ReturnType<(typeof recordSchemas)[K]['parse']>[] = [];
  const errors: FieldError[] = [];
  const idemSeen = new Map<string, number>();
  const extSeen = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    const index = firstIndex + i;
    const input = raw[i];
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      errors.push({ index, field: '(record)', reason: 'must be a JSON object' });
      continue;
    }
    // A batch Idempotency-Key gives each record without its own key a derived one.
    const withKey =
      batchKey && kind !== 'customers' && !('idempotency_key' in input)
        ? { ...input, idempotency_key: `${batchKey}#${index}` }
        : input;
    const r = schema.safeParse(withKey);
    if (!r.success) {
      errors.push(...zodFieldErrors(r.error, index));
      continue;
    }
    const rec = r.data as { idempotency_key?: string; external_id?: string };
    if (rec.idempotency_key !== undefined) {
      const prev = idemSeen.get(rec.idempotency_key);
      if (prev !== undefined) {
        errors.push({ index, field: 'idempotency_key', reason: `duplicate of record ${prev} in this batch` });
      } else idemSeen.set(rec.idempotency_key, index);
    }
    if (rec.external_id !== undefined) {
      const prev = extSeen.get(rec.external_id);
      if (prev !== undefined) {
        errors.push({ index, field: 'external_id', reason: `duplicate of record ${prev} in this batch` });
      } else extSeen.set(rec.external_id, index);
    }
    records.push(r.data as ReturnType<(typeof recordSchemas)[K]['parse']>);
  }
  return { records, errors };
}

export const MAX_BATCH = LIMITS.batchRecords;

import type { CustomerInput, EventInput, InteractionInput, RecordKind, ResponseInput } from '@canopy/core';
import {
  ConcurrentWriteConflict,
  type Db,
  RecordProblems,
  type RetryOptions,
  type Store,
  type WriteOutcome,
  writeCustomers,
  writeEvents,
  writeInteractions,
  writeResponses,
} from '@canopy/store';
import { invalidFields } from '../problem.js';
import type { TextAnalysisStep } from './analyse.js';

export type RecordOf<K extends RecordKind> = K extends 'customers'
  ? CustomerInput
  : K extends 'interactions'
    ? InteractionInput
    : K extends 'responses'
      ? ResponseInput
      : EventInput;

const WRITERS: {
  [K in RecordKind]: (trx: Db, orgId: string, records: RecordOf<K>[], retries?: RetryOptions) => Promise<WriteOutcome>;
} = {
  customers: writeCustomers,
  interactions: writeInteractions,
  responses: writeResponses,
  events: writeEvents,
};

/** Serialisation failures, deadlocks and unique races between concurrent batches are retried. */
function isRetryable(err: unknown): boolean {
  if (err instanceof ConcurrentWriteConflict) return true;
  const code = (err as { code?: string }).code;
  return code === '23505' || code === '40001' || code === '40P01';
}

export interface IngestOptions {
  analysis?: TextAnalysisStep;
  /** The "evaluate rules" step (closed loop): cases and notifications in the batch's transaction. */
  rules?: {
    evaluate(trx: Db, orgId: string, kind: RecordKind, records: unknown[], outcome: WriteOutcome): Promise<void>;
  };
  /**
   * A known idempotency key must come with the record it was first sent with (else a 422 naming
   * it): the API's and the importer's retries. The survey pages save one growing response under
   * one key and leave it off.
   */
  sameRecordRetries?: boolean;
}

/**
 * Steps after validation, in one transaction per batch: idempotency → identity resolution →
 * persist → analyse text. A problem found on the way (unknown customer id, touchpoint,
 * interaction) rejects the whole batch and nothing stays written.
 */
export async function ingestBatch<K extends RecordKind>(
  store: Store,
  orgId: string,
  kind: K,
  records: RecordOf<K>[],
  opts: IngestOptions = {},
): Promise<WriteOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(async (trx) => {
        const outcome = await WRITERS[kind](trx, orgId, records, { sameRecord: opts.sameRecordRetries });
        if (opts.analysis && kind !== 'customers') {
          await opts.analysis.analyse(trx, orgId, kind, records as never[], outcome);
        }
        await opts.rules?.evaluate(trx, orgId, kind, records, outcome);
        return outcome;
      });
    } catch (err) {
      if (err instanceof RecordProblems) {
        const errors = err.problems.sort((a, b) => a.index - b.index);
        throw invalidFields(
          'Invalid records',
          errors,
          `${errors.length} problem(s) in ${records.length} record(s); nothing was written`,
        );
      }
      if (attempt < 5 && isRetryable(err)) continue;
      throw err;
    }
  }
}

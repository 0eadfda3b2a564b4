import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.js';

export type Db = Kysely<Database> | Transaction<Database>;

/** A record that failed a check only the database can make (unknown customer id, touchpoint …). */
export interface RecordProblem {
  index: number;
  field: string;
  reason: string;
}

/** Thrown when a batch has record problems: the transaction rolls back and nothing is written. */
export class RecordProblems extends Error {
  constructor(readonly problems: RecordProblem[]) {
    super(`${problems.length} record(s) rejected`);
  }
}

/**
 * Thrown when a concurrent batch created the same identity or key between our read and our
 * write. The caller retries the whole transaction; the retry sees the other batch's rows.
 */
export class ConcurrentWriteConflict extends Error {}

export interface WriteOutcome {
  /** Canopy id of each record, in input order. */
  ids: string[];
  /** 'created', 'updated' (interaction by external_id, customer by identity) or 'duplicate' (idempotent retry). */
  statuses: ('created' | 'updated' | 'duplicate')[];
  customerIds: (string | null)[];
}

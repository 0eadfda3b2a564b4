import { sql } from 'kysely';
import { uuidv7 } from './ids.js';
import type { Db } from './ingest/types.js';

/** The channel a commit that enqueued work notifies (LISTEN/NOTIFY; delivered at commit). */
export const JOBS_CHANNEL = 'canopy_jobs';

export interface NewJob {
  /** The org the work belongs to (null for installation-wide work). */
  orgId: string | null;
  type: string;
  payload: unknown;
  /** When the job may run first (default: now). */
  runAt?: Date;
  /** Attempts before the job is marked failed (default 12). */
  maxAttempts?: number;
}

export interface JobRow {
  id: string;
  org_id: string | null;
  type: string;
  payload: unknown;
  status: 'queued' | 'running' | 'done' | 'failed';
  run_at: Date;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

/**
 * Adds jobs in the caller's transaction: the work exists exactly when the data that asked for
 * it was committed (a transactional outbox). Returns the job ids.
 */
export async function enqueueJobs(db: Db, jobs: NewJob[]): Promise<string[]> {
  if (jobs.length === 0) return [];
  const ids = jobs.map(() => uuidv7());
  await insertJobs(db, ids, jobs, null, '');
  return ids;
}

/**
 * Queues one job of `type` for the org unless one is queued or running already: the check and the
 * insert hold a lock on (org, type) until commit, so requests at the same moment queue one job and
 * the others are answered with it. `wanted` (asked under the lock, only when none is open) says
 * whether there is work at all; a job that finished just before may have done it. Answers the open
 * job's id and whether this call queued it, or null when nothing was wanted. A job may still queue
 * its own continuation without this (it is the open one).
 */
export async function enqueueJobOnce(
  db: Db,
  job: NewJob & { orgId: string },
  wanted: (trx: Db) => Promise<boolean> = async () => true,
): Promise<{ id: string; queued: boolean } | null> {
  const once = async (trx: Db) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${job.orgId}/${job.type}`}, 0))`.execute(trx);
    const open = await openJobOf(trx, job.orgId, job.type);
    if (open) return { id: open.id, queued: false };
    if (!(await wanted(trx))) return null;
    const [id] = await enqueueJobs(trx, [job]);
    return { id: id!, queued: true };
  };
  return db.isTransaction ? once(db) : db.transaction().execute(once);
}

/**
 * Adds jobs already claimed by the caller (status running, first attempt, leased for
 * `leaseMs`), in the caller's transaction: the enqueuing process runs them itself right after
 * the commit, with no claim round trip. If it dies first, the lease runs out and any runner
 * claims them as usual. `notify` (when given) is sent on the jobs channel at commit: the
 * enqueuer learns from it that the transaction committed. `ids` are the job ids to use.
 */
export async function enqueueClaimedJobs(
  db: Db,
  ids: string[],
  jobs: NewJob[],
  leaseMs: number,
  notify: string | null,
): Promise<void> {
  if (jobs.length === 0) return;
  await insertJobs(db, ids, jobs, leaseMs, notify);
}

/** The insert and its notification in one statement (one round trip). */
async function insertJobs(
  db: Db,
  ids: string[],
  jobs: NewJob[],
  leaseMs: number | null,
  notify: string | null,
): Promise<void> {
  const claimed = leaseMs !== null;
  await sql`
    WITH ins AS (INSERT INTO jobs (id, org_id, type, payload, status, run_at, attempts, locked_until, max_attempts)
    SELECT id, org_id, type, payload::jsonb, ${claimed ? 'running' : 'queued'}, coalesce(run_at, now()), ${claimed ? 1 : 0},
      ${claimed ? sql`now() + ${`${leaseMs} milliseconds`}::interval` : sql`NULL::timestamptz`}, coalesce(max_attempts, 12)
    FROM unnest(${ids}::uuid[], ${jobs.map((j) => j.orgId)}::uuid[], ${jobs.map((j) => j.type)}::text[],
      ${jobs.map((j) => JSON.stringify(j.payload ?? {}))}::text[],
      ${jobs.map((j) => (j.runAt ? j.runAt.toISOString() : null))}::timestamptz[],
      ${jobs.map((j) => j.maxAttempts ?? null)}::int[]) AS t(id, org_id, type, payload, run_at, max_attempts))
    ${notify === null ? sql`SELECT 1` : sql`SELECT pg_notify(${JOBS_CHANNEL}, ${notify})`}`.execute(db);
}

/** Gives claimed jobs that were never started back to the queue (a runner stopping). */
export async function releaseJobs(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), locked_until = NULL
    WHERE id = ANY(${ids}::uuid[]) AND status = 'running'`.execute(db);
}

/**
 * Claims up to `limit` due jobs of the given types: queued ones whose time has come, and running
 * ones whose lease ran out (their worker died). SKIP LOCKED lets several workers claim at once
 * without waiting on each other or taking the same job.
 */
export async function claimJobs(db: Db, types: string[], limit: number, leaseMs: number): Promise<JobRow[]> {
  if (types.length === 0) return [];
  const r = await sql<JobRow>`
    UPDATE jobs j SET status = 'running', attempts = j.attempts + 1,
      locked_until = now() + ${`${leaseMs} milliseconds`}::interval
    WHERE j.id IN (
      SELECT id FROM jobs
      WHERE status IN ('queued','running') AND type = ANY(${types}::text[])
        AND ((status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now()))
      ORDER BY run_at LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING j.id, j.org_id, j.type, j.payload, j.status, j.run_at, j.attempts, j.max_attempts, j.last_error,
      j.created_at, j.finished_at`.execute(db);
  return r.rows;
}

export async function completeJob(db: Db, id: string): Promise<void> {
  await completeJobs(db, [id]);
}

/** Marks jobs done in one statement (a runner batches the completions that pile up while it writes). */
export async function completeJobs(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL
    WHERE id = ANY(${ids}::uuid[])`.execute(db);
}

/** A failed attempt: again after `retryInMs`, or failed for good when attempts are used up. */
export async function failJob(db: Db, job: JobRow, error: string, retryInMs: number): Promise<'retry' | 'failed'> {
  const final = job.attempts >= job.max_attempts;
  await sql`UPDATE jobs SET status = ${final ? 'failed' : 'queued'}, locked_until = NULL, last_error = ${error.slice(0, 2000)},
      run_at = CASE WHEN ${final} THEN run_at ELSE now() + ${`${Math.max(0, Math.round(retryInMs))} milliseconds`}::interval END,
      finished_at = CASE WHEN ${final} THEN now() ELSE NULL END
    WHERE id = ${job.id}::uuid`.execute(db);
  return final ? 'failed' : 'retry';
}

/** When the next queued job of these types is due (null: none), so an idle runner sleeps until then. */
export async function nextJobDue(db: Db, types: string[]): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`
    SELECT min(CASE WHEN status = 'queued' THEN run_at ELSE locked_until END) AS at FROM jobs
    WHERE status IN ('queued','running') AND type = ANY(${types}::text[])`.execute(db);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

export async function getJob(db: Db, id: string): Promise<JobRow | undefined> {
  const r = await sql<JobRow>`SELECT id, org_id, type, payload, status, run_at, attempts, max_attempts, last_error,
    created_at, finished_at FROM jobs WHERE id = ${id}::uuid`.execute(db);
  return r.rows[0];
}

/** The org's newest job of `type` still to run or running, if any. */
export async function openJobOf(db: Db, orgId: string, type: string): Promise<JobRow | undefined> {
  const r = await sql<JobRow>`
    SELECT id, org_id, type, payload, status, run_at, attempts, max_attempts, last_error, created_at, finished_at
    FROM jobs WHERE org_id = ${orgId} AND type = ${type} AND status IN ('queued', 'running')
    ORDER BY created_at DESC LIMIT 1`.execute(db);
  return r.rows[0];
}

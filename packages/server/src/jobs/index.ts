import {
  claimJobs,
  completeJobs,
  type Db,
  enqueueClaimedJobs,
  enqueueJobs,
  failJob,
  JOBS_CHANNEL,
  type JobRow,
  type NewJob,
  nextJobDue,
  releaseJobs,
  type Store,
  uuidv7,
} from '@canopy/store';

/**
 * The durable job queue: work that may lag (webhooks, emails, delayed survey sends) is a row in
 * `jobs`, written in the same transaction as the data that asked for it, and run by a
 * JobRunner with retries and exponential backoff. It survives restarts: a queued job waits in
 * the table, and a job whose worker died is claimed again when its lease runs out.
 *
 * On PostgreSQL several runners (API nodes, workers) share the table through
 * `SELECT … FOR UPDATE SKIP LOCKED`; LISTEN/NOTIFY wakes them at commit. On PGlite the same SQL
 * runs in-process on the one connection, woken the same way.
 *
 * Usage:
 *   registerHandler('survey.send', async (job, ctx) => { … });   // throw to retry
 *   await enqueue(trx, { orgId, type: 'survey.send', payload: {...}, runAt: new Date(...) });
 *
 * Fast path: `runner.enqueueNow(trx, jobs)` writes the jobs already claimed by this runner and
 * runs them the moment the transaction commits (its NOTIFY names them), with no claim round
 * trip and with in-memory context (`hint`) so a handler need not read back what the enqueuer
 * knew. They are still rows in the table: a failure retries through the queue, and a crash
 * before they finish leaves them to any runner once the lease runs out.
 */
export interface Job<P = unknown> {
  id: string;
  orgId: string | null;
  type: string;
  payload: P;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
  /** What the enqueuer passed to `enqueueNow`, on the fast path only (absent when claimed from the table). */
  hint?: unknown;
}

export interface JobContext {
  store: Store;
}

export type JobHandler<P = unknown> = (job: Job<P>, ctx: JobContext) => Promise<void>;

/** A handler may throw this to choose its own retry delay (e.g. from a Retry-After header). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryInMs: number,
  ) {
    super(message);
  }
}

const registry = new Map<string, JobHandler>();

/** Registers a handler for a job type on every runner (a runner's own `register` wins). */
export function registerHandler<P = unknown>(type: string, fn: JobHandler<P>): void {
  registry.set(type, fn as JobHandler);
}

export interface EnqueueInput<P = unknown> {
  orgId: string | null;
  type: string;
  payload: P;
  runAt?: Date;
  maxAttempts?: number;
}

/** Enqueues one job in `db` (pass the transaction to make it part of it). Returns the job id. */
export async function enqueue<P>(db: Db, job: EnqueueInput<P>): Promise<string> {
  const [id] = await enqueueJobs(db, [job as NewJob]);
  return id;
}

export async function enqueueMany(db: Db, jobs: EnqueueInput[]): Promise<string[]> {
  return enqueueJobs(db, jobs as NewJob[]);
}

/**
 * Batches calls: items that arrive while a flush is writing go in the next flush (group commit),
 * so under load one statement carries many, and alone an item is written at once.
 */
export function coalesce<T>(flush: (items: T[]) => Promise<void>, max = 500): (item: T) => Promise<void> {
  let queue: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let busy = false;
  const pump = async () => {
    busy = true;
    while (queue.length) {
      const batch = queue.slice(0, max);
      queue = queue.slice(batch.length);
      try {
        await flush(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    busy = false;
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!busy) void pump();
    });
}

/** A job for the fast path, with in-process context for its handler. */
export interface EnqueueNowInput<P = unknown> extends EnqueueInput<P> {
  hint?: unknown;
}

const FAST_PREFIX = 'run:';

export interface JobRunnerOptions {
  /** How often an idle runner looks for due work anyway (ms; notifications wake it sooner). */
  pollMs?: number;
  /** How long a claimed job is held before another runner may take it over (ms). */
  leaseMs?: number;
  /** Jobs run at once by this runner. */
  concurrency?: number;
  /** Retry delay: baseMs · 2^(attempt−1), capped at maxMs, ±20% jitter. */
  backoff?: { baseMs?: number; maxMs?: number };
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private readonly inFlight = new Set<Promise<void>>();
  private unlisten: (() => Promise<void>) | null = null;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private listening = false;
  /** Fast-path jobs by the token their transaction notifies at commit. */
  private readonly afterCommit = new Map<string, { at: number; rows: JobRow[]; hints: unknown[] }>();
  private readonly tokens = new WeakMap<object, string>();
  private readonly complete: (id: string) => Promise<void>;

  constructor(
    private readonly store: Store,
    opts: JobRunnerOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.concurrency = opts.concurrency ?? 8;
    this.baseMs = opts.backoff?.baseMs ?? 1000;
    this.maxMs = opts.backoff?.maxMs ?? 3_600_000;
    this.complete = coalesce((ids: string[]) => completeJobs(this.store.db, ids));
  }

  register<P = unknown>(type: string, fn: JobHandler<P>): this {
    this.handlers.set(type, fn as JobHandler);
    return this;
  }

  private types(): string[] {
    return [...new Set([...registry.keys(), ...this.handlers.keys()])];
  }

  private handler(type: string): JobHandler | undefined {
    return this.handlers.get(type) ?? registry.get(type);
  }

  /**
   * Enqueues jobs in `db`'s transaction and runs them on this runner right after it commits
   * (see the fast path above). Falls back to `enqueueMany` when this runner is not running or
   * not listening, or lacks a handler for a type. Returns the job ids.
   */
  async enqueueNow(db: Db, jobs: EnqueueNowInput[]): Promise<string[]> {
    if (jobs.length === 0) return [];
    if (!this.running || !this.listening || jobs.some((j) => !this.handler(j.type))) return enqueueMany(db, jobs);
    // One token (one NOTIFY) per transaction; a statement outside one commits on its own.
    const trx = db.isTransaction ? db : null;
    let token = trx ? this.tokens.get(trx) : undefined;
    const first = token === undefined;
    if (token === undefined) {
      token = uuidv7();
      if (trx) this.tokens.set(trx, token);
    }
    const ids = jobs.map(() => uuidv7());
    const now = new Date();
    let entry = this.afterCommit.get(token);
    if (!entry) {
      entry = { at: Date.now(), rows: [], hints: [] };
      this.afterCommit.set(token, entry);
    }
    jobs.forEach((j, i) => {
      entry.rows.push({
        id: ids[i],
        org_id: j.orgId,
        type: j.type,
        payload: JSON.parse(JSON.stringify(j.payload ?? {})),
        status: 'running',
        run_at: now,
        attempts: 1,
        max_attempts: j.maxAttempts ?? 12,
        last_error: null,
        created_at: now,
        finished_at: null,
      });
      entry.hints.push(j.hint);
    });
    await enqueueClaimedJobs(db, ids, jobs as NewJob[], this.leaseMs, first ? FAST_PREFIX + token : null);
    return ids;
  }

  /** A notification on the jobs channel: a commit that carries fast-path jobs of ours, or new work. */
  private onNotify(payload: string | undefined): void {
    if (!payload?.startsWith(FAST_PREFIX)) {
      this.kick();
      return;
    }
    const token = payload.slice(FAST_PREFIX.length);
    const entry = this.afterCommit.get(token);
    // Another runner's (it runs them), or ours after stop (released there).
    if (!entry || !this.running) return;
    this.afterCommit.delete(token);
    entry.rows.forEach((row, i) => {
      this.track(this.execute(row, entry.hints[i]));
    });
  }

  private track(run: Promise<void>): void {
    const p = run.finally(() => {
      this.inFlight.delete(p);
      this.kick();
    });
    this.inFlight.add(p);
  }

  /** Forgets fast-path entries whose transaction never committed (rolled back, or a lost notification: the lease covers it). */
  private sweep(): void {
    const old = Date.now() - this.leaseMs;
    for (const [token, e] of this.afterCommit) if (e.at < old) this.afterCommit.delete(token);
  }

  /** Wakes the loop now (new work, or a slot came free). */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen().catch(() => undefined);
    this.loop = this.run();
  }

  /** Stops claiming, waits for the jobs in flight, stops listening. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = null;
    this.listening = false;
    // Fast-path jobs committed but not started go back to the queue for whoever runs next.
    const unstarted = [...this.afterCommit.values()].flatMap((e) => e.rows.map((r) => r.id));
    this.afterCommit.clear();
    await releaseJobs(this.store.db, unstarted).catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const onNotify = (payload?: string) => this.onNotify(payload);
    if (this.store.pgPool) {
      const client = await this.store.pgPool.connect();
      const onPg = (msg: { payload?: string }) => onNotify(msg.payload);
      client.on('notification', onPg);
      client.on('error', () => undefined);
      await client.query(`LISTEN ${JOBS_CHANNEL}`);
      this.unlisten = async () => {
        client.removeListener('notification', onPg);
        try {
          await client.query(`UNLISTEN ${JOBS_CHANNEL}`);
        } finally {
          client.release();
        }
      };
    } else if (this.store.pglite) {
      // Through the pool's mutex: LISTEN must not land inside another caller's transaction.
      const off = await this.store.pglite.withConnection((pg) => pg.listen(JOBS_CHANNEL, onNotify));
      this.unlisten = () => this.store.pglite!.withConnection(() => off());
    }
    this.listening = this.unlisten !== null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      const free = this.concurrency - this.inFlight.size;
      let claimed: JobRow[] = [];
      if (free > 0) {
        try {
          claimed = await claimJobs(this.store.db, this.types(), free, this.leaseMs);
        } catch (err) {
          if (!this.running) break;
          console.error('job runner: claim failed', err);
        }
      }
      for (const row of claimed) this.track(this.execute(row));
      this.sweep();
      if (claimed.length > 0 && claimed.length === free) continue;
      if (!this.running || this.kicked) continue;
      let sleep = this.pollMs;
      if (this.inFlight.size < this.concurrency) {
        try {
          const due = await nextJobDue(this.store.db, this.types());
          if (due) sleep = Math.min(sleep, Math.max(0, due.getTime() - Date.now()) + 5);
        } catch {}
      }
      if (!this.running || this.kicked) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, sleep);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private async execute(row: JobRow, hint?: unknown): Promise<void> {
    const fn = this.handler(row.type);
    const job: Job = {
      id: row.id,
      orgId: row.org_id,
      type: row.type,
      payload: row.payload,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      ...(hint === undefined ? {} : { hint }),
    };
    try {
      if (!fn) throw new Error(`no handler for job type '${row.type}'`);
      await fn(job, { store: this.store });
      await this.complete(row.id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const exp = Math.min(this.maxMs, this.baseMs * 2 ** Math.max(0, row.attempts - 1));
      const delay = err instanceof RetryLater ? err.retryInMs : exp * (0.8 + Math.random() * 0.4);
      try {
        await failJob(this.store.db, row, message, delay);
      } catch (e) {
        // The lease runs out and the job is claimed again.
        if (this.running) console.error('job runner: could not record a failure', e);
      }
    }
  }
}

import { closeSync, fsync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Kysely's PostgresDialect over PGlite. PGlite is one connection, so the "pool" hands out a
 * single client at a time (a FIFO mutex): a transaction holds it from BEGIN to COMMIT and
 * every other query waits its turn — the same isolation a real pool gives, serialised.
 * (Third-party PGlite dialects pin old PGlite versions; this is the whole adapter.)
 */
export class PGlitePool implements PostgresPool {
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private inTransaction = false;

  /**
   * `walDir`: when set, every commit fsyncs the WAL segments it wrote. PGlite's file system
   * layer passes writes to the OS but never fsyncs (measured with strace, whatever its fsync
   * setting), so without this a commit survives a process crash but not a power cut.
   */
  constructor(
    readonly pg: PGlite,
    private readonly walDir?: string,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    if (this.busy) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.busy = true;
    let released = false;
    const client = {
      query: async (sqlText: string, parameters: readonly unknown[]) => {
        // The extended protocol takes one statement; parameterless SQL (migrations) may hold several.
        const r =
          parameters.length === 0
            ? ((await this.pg.exec(sqlText)).at(-1) ?? { rows: [], affectedRows: 0 })
            : await this.pg.query(sqlText, parameters as unknown[]);
        await this.afterStatement(sqlText);
        return {
          command: commandOf(sqlText, r.affectedRows),
          rowCount: r.affectedRows ?? r.rows.length,
          rows: r.rows,
        } as PostgresQueryResult<unknown>;
      },
      release: () => {
        if (released) return;
        released = true;
        this.release();
      },
    };
    return client as unknown as PostgresPoolClient;
  }

  private async afterStatement(sqlText: string): Promise<void> {
    if (!this.walDir) return;
    const word = /^\s*(\w+)/.exec(sqlText)?.[1]?.toLowerCase();
    if (word === 'begin' || word === 'start') this.inTransaction = true;
    else if (word === 'rollback') this.inTransaction = false;
    else if (word === 'commit' || word === 'end') {
      this.inTransaction = false;
      await this.syncWal();
    } else if (!this.inTransaction && word !== 'select' && word !== 'show' && !readOnlyWith(word, sqlText)) {
      await this.syncWal();
    }
  }

  /**
   * The fsync itself runs off the main thread (libuv's pool): the commit is still acknowledged
   * only after it, and the connection stays held, but the event loop serves sockets meanwhile.
   */
  private async syncWal(): Promise<void> {
    const dir = this.walDir!;
    // The newest two segments: a commit may have crossed into a new one.
    const segments = readdirSync(dir)
      .filter((f) => /^[0-9A-F]{24}$/.test(f))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(0, 2);
    await Promise.all(
      segments.map(({ f }) => {
        const fd = openSync(join(dir, f), 'r+');
        return new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve()))).finally(() =>
          closeSync(fd),
        );
      }),
    );
  }

  /** Runs fn with the connection held, for work outside Kysely (COPY from a blob). */
  async withConnection<T>(fn: (pg: PGlite) => Promise<T>): Promise<T> {
    const c = await this.connect();
    try {
      return await fn(this.pg);
    } finally {
      c.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    // Hand over through the event loop, not in the same microtask run: PGlite executes
    // synchronously, so a queue of transactions handed on directly would run back to back
    // and starve all I/O (sockets, timers) until it drains. Still FIFO.
    if (next) setImmediate(next);
    else this.busy = false;
  }

  async end(): Promise<void> {
    await this.pg.close();
  }
}

/**
 * A `WITH … SELECT` that changes nothing writes no WAL worth an fsync (the analytics queries are
 * mostly these). Any data-changing word anywhere in it — a modifying CTE — keeps the fsync; a
 * false alarm (the word in a string) only costs one.
 */
export function readOnlyWith(word: string | undefined, sqlText: string): boolean {
  return word === 'with' && !/\b(insert|update|delete|merge)\b/i.test(sqlText);
}

/** Kysely reports affected rows only for data-changing commands; PGlite does not name the command. */
function commandOf(sqlText: string, affected: number | undefined): PostgresQueryResult<unknown>['command'] {
  const m = /^\s*(\w+)/.exec(sqlText);
  const word = m ? m[1].toUpperCase() : '';
  if (word === 'INSERT' || word === 'UPDATE' || word === 'DELETE' || word === 'MERGE') return word;
  return affected && affected > 0 && word === 'WITH' ? 'UPDATE' : 'SELECT';
}

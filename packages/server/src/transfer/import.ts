import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  createReadStream,
  createWriteStream,
  openSync,
  readSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { type RecordKind, recordSchemas } from '@canopy/core';
import { refreshStatistics, type Store } from '@canopy/store';
import { parse } from 'csv-parse';
import type { TextAnalysisStep } from '../pipeline/analyse.js';
import { type IngestOptions, ingestBatch, type RecordOf } from '../pipeline/ingest.js';
import { type FieldError, Problem, zodFieldErrors } from '../problem.js';
import { planColumns, rowToRecord } from './columns.js';

export interface ImportOptions {
  file: string;
  kind: RecordKind;
  orgId: string;
  format?: 'csv' | 'jsonl';
  /** Where rejected rows go (JSON Lines: line, errors, row). Default: <file>.rejects.jsonl. */
  rejectFile?: string;
  chunk?: number;
  /** Chunks written at once (default: 2 on PostgreSQL, 1 on PGlite). */
  concurrency?: number;
  analysis?: TextAnalysisStep;
  rules?: IngestOptions['rules'];
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
}

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  duplicates: number;
  rejected: number;
  rejectFile: string | null;
  seconds: number;
  /** A problem that stopped the import (malformed CSV quoting, unreadable file); rows before it were written. */
  fatal: string | null;
}

interface Pending {
  line: number;
  raw: unknown;
  record: unknown;
}

/** Import keys are derived from the row's content, so importing a file again writes nothing twice. */
function contentKey(kind: RecordKind, raw: unknown): string {
  return `import:${kind}:${createHash('sha256').update(JSON.stringify(raw)).digest('base64url').slice(0, 32)}`;
}

/**
 * The first line of a file that is not UTF-8, or null. Read before anything is written, so a file
 * saved in another encoding (Latin-1, Windows-1252) is refused whole instead of imported with its
 * accented letters silently turned into U+FFFD.
 */
async function firstNonUtf8Line(file: string): Promise<number | null> {
  let line = 1;
  let carry: Buffer = Buffer.alloc(0);
  const check = (part: Buffer): number | null => {
    if (!isUtf8(part)) {
      // Which line: a newline byte never occurs inside a UTF-8 sequence.
      let start = 0;
      for (;;) {
        const nl = part.indexOf(0x0a, start);
        const end = nl < 0 ? part.length : nl + 1;
        if (!isUtf8(part.subarray(start, end))) return line;
        line++;
        start = end;
      }
    }
    for (let i = part.indexOf(0x0a); i >= 0; i = part.indexOf(0x0a, i + 1)) line++;
    return null;
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    // Up to the start of the last character, which may continue in the next chunk.
    let cut = buf.length;
    while (cut > 0 && buf.length - cut < 4 && (buf[cut - 1] & 0xc0) === 0x80) cut--;
    if (cut > 0 && buf[cut - 1] >= 0xc0) cut--;
    const bad = check(buf.subarray(0, cut));
    if (bad !== null) return bad;
    carry = Buffer.from(buf.subarray(cut));
  }
  return carry.length ? check(carry) : null;
}

/**
 * Streams a CSV or JSON Lines file into the store through the same validation and ingestion
 * pipeline as the API, chunk by chunk (memory stays flat for any file size). Bad rows are
 * rejected with their line number and reasons into a reject file; good rows are written.
 */
export async function importFile(store: Store, opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const format = opts.format ?? (/\.jsonl?$|\.ndjson$/i.test(opts.file) ? 'jsonl' : 'csv');
  const chunkSize = opts.chunk ?? 5000;
  const schema = recordSchemas[opts.kind];
  const summary: ImportSummary = {
    rows: 0,
    created: 0,
    updated: 0,
    duplicates: 0,
    rejected: 0,
    rejectFile: null,
    seconds: 0,
    fatal: null,
  };
  const stop = (fatal: string) => {
    summary.fatal = fatal;
    summary.seconds = (Date.now() - started) / 1000;
    return summary;
  };
  // What cannot be read or written is said before anything is: a missing file, a folder, a reject
  // file in a folder that does not exist (it failed mid-import, after rows were written).
  let totalBytes: number;
  try {
    const st = statSync(opts.file);
    if (!st.isFile()) return stop(`${opts.file} is not a file; nothing was written`);
    totalBytes = st.size;
  } catch (err) {
    return stop(`cannot read ${opts.file}: ${(err as Error).message}; nothing was written`);
  }
  const rejectPath = opts.rejectFile ?? `${opts.file}.rejects.jsonl`;
  try {
    accessSync(dirname(resolve(rejectPath)), constants.W_OK);
  } catch {
    return stop(
      `cannot write the reject file ${rejectPath}: its folder does not exist or is not writable; nothing was written`,
    );
  }
  // A UTF-16 CSV with its byte-order mark is decoded by the CSV parser; anything else must be UTF-8.
  const head = Buffer.alloc(2);
  const fd = openSync(opts.file, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const utf16 = format === 'csv' && head[0] === 0xff && head[1] === 0xfe;
  const notUtf8 = utf16 ? null : await firstNonUtf8Line(opts.file);
  if (notUtf8 !== null) {
    return stop(`line ${notUtf8} is not valid UTF-8: save the file as UTF-8 and import it again; nothing was written`);
  }
  let rejects: WriteStream | null = null;
  let rejectError: Error | null = null;
  const reject = (line: number, errors: Omit<FieldError, 'index'>[], raw: unknown) => {
    summary.rejected++;
    if (!rejects) {
      summary.rejectFile = rejectPath;
      rejects = createWriteStream(rejectPath);
      // A write that fails later (a full disk) is reported, not an unhandled error that kills the import.
      rejects.on('error', (err) => {
        rejectError ??= err;
      });
    }
    rejects.write(`${JSON.stringify({ line, errors, row: raw })}\n`);
  };

  let pending: Pending[] = [];
  const seenKeys = new Set<string>();
  // PostgreSQL writes on its own cores while we parse and validate the next chunk: keep up to
  // two chunks in flight there. PGlite runs in this thread, so there is nothing to overlap.
  const maxInFlight = opts.concurrency ?? (store.kind === 'postgres' ? 2 : 1);
  const inFlight = new Set<Promise<void>>();
  // A chunk that fails while nobody awaits it is remembered and rethrown at the next step.
  let failure: unknown = null;
  const flush = async () => {
    if (failure) throw failure;
    const batch = pending;
    pending = [];
    seenKeys.clear();
    if (batch.length === 0) return;
    const p: Promise<void> = write(batch)
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  const drain = async () => {
    await flush();
    await Promise.all(inFlight);
    if (failure) throw failure;
  };
  const write = async (rows: Pending[]) => {
    let batch = rows;
    // A database-level problem (unknown touchpoint …) rejects its rows; the rest of the chunk is retried.
    while (batch.length) {
      try {
        const outcome = await ingestBatch(
          store,
          opts.orgId,
          opts.kind,
          batch.map((p) => p.record) as RecordOf<RecordKind>[],
          { analysis: opts.analysis, rules: opts.rules, sameRecordRetries: true },
        );
        for (const s of outcome.statuses) {
          if (s === 'created') summary.created++;
          else if (s === 'updated') summary.updated++;
          else summary.duplicates++;
        }
        return;
      } catch (err) {
        if (!(err instanceof Problem) || !err.errors) throw err;
        const bad = new Map<number, Omit<FieldError, 'index'>[]>();
        for (const e of err.errors) {
          const list = bad.get(e.index!) ?? [];
          list.push({ field: e.field, reason: e.reason });
          bad.set(e.index!, list);
        }
        for (const [i, errors] of bad) reject(batch[i].line, errors, batch[i].raw);
        batch = batch.filter((_, i) => !bad.has(i));
      }
    }
  };

  const accept = async (line: number, raw: unknown) => {
    summary.rows++;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      reject(line, [{ field: '(record)', reason: 'must be a JSON object' }], raw);
      return;
    }
    const input =
      opts.kind !== 'customers' && !('idempotency_key' in raw)
        ? { ...raw, idempotency_key: contentKey(opts.kind, raw) }
        : raw;
    const r = schema.safeParse(input);
    if (!r.success) {
      reject(
        line,
        zodFieldErrors(r.error).map(({ index: _i, ...e }) => e),
        raw,
      );
      return;
    }
    const key = (r.data as { idempotency_key?: string }).idempotency_key;
    if (key !== undefined) {
      // The same row twice in one chunk is a duplicate, as it would be across chunks.
      if (seenKeys.has(key)) {
        summary.duplicates++;
        return;
      }
      seenKeys.add(key);
    }
    pending.push({ line, raw, record: r.data });
    if (pending.length >= chunkSize) await flush();
  };

  let bytes = 0;
  let lastReport = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const report = () => {
    const now = Date.now();
    if (opts.onProgress && now - lastReport > 200) {
      lastReport = now;
      opts.onProgress({ bytes, totalBytes, rows: summary.rows });
    }
  };
  const source = createReadStream(opts.file).pipe(counter);

  try {
    if (format === 'jsonl') {
      let line = 0;
      for await (const text of createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY })) {
        line++;
        if (text.trim() === '') continue;
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch (err) {
          summary.rows++;
          reject(line, [{ field: '(line)', reason: `not valid JSON: ${(err as Error).message}` }], text);
          continue;
        }
        await accept(line, raw);
        report();
      }
    } else {
      const parser = source.pipe(
        parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1 << 20 }),
      );
      let plan: ReturnType<typeof planColumns> | null = null;
      let width = 0;
      for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
        if (!plan) {
          plan = planColumns(opts.kind, record);
          if ('error' in plan) throw new Error(`line 1: ${plan.error}`);
          width = record.length;
          continue;
        }
        if ('error' in plan) break;
        if (record.length !== width) {
          summary.rows++;
          reject(
            info.lines,
            [{ field: '(row)', reason: `has ${record.length} columns; the header has ${width}` }],
            record,
          );
          continue;
        }
        await accept(info.lines, rowToRecord(plan, record));
        report();
      }
      if (!plan) throw new Error('the file is empty: a CSV import needs a header row');
    }
    await drain();
  } catch (err) {
    if (err instanceof Problem) throw err;
    summary.fatal = err instanceof Error ? err.message : String(err);
    // What was validated before the break is still good: write it.
    await drain().catch(() => undefined);
  } finally {
    if (rejects && !rejectError) await new Promise((done) => (rejects as WriteStream).end(done));
  }
  if (rejectError) summary.fatal ??= `could not write the reject file ${rejectPath}: ${(rejectError as Error).message}`;
  opts.onProgress?.({ bytes: totalBytes, totalBytes, rows: summary.rows });
  if (summary.created + summary.updated > 1000) await refreshStatistics(store);
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

import type { Writable } from 'node:stream';
import type { RecordKind } from '@canopy/core';
import { exportPage, type Store } from '@canopy/store';
import { stringify } from 'csv-stringify/sync';
import { recordToCells } from './columns.js';

export interface ExportOptions {
  kind: RecordKind;
  orgId: string;
  format: 'csv' | 'jsonl';
  from?: Date;
  to?: Date;
  out: Writable;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await new Promise((resolve) => out.once('drain', resolve));
}

/**
 * Streams an org's records out in the importer's format, page by page in time order. CSV needs
 * its header up front, so a CSV export makes one pass for the columns and one for the rows.
 */
export async function exportRecords(store: Store, opts: ExportOptions): Promise<number> {
  const page = (after: Parameters<typeof exportPage>[3]['after']) =>
    exportPage(store.db, opts.orgId, opts.kind, { from: opts.from, to: opts.to, after, limit: 2000 });
  let header: string[] | null = null;
  if (opts.format === 'csv') {
    const cols = new Set<string>();
    let after = null;
    do {
      const p = await page(after);
      for (const r of p.records) for (const k of recordToCells(opts.kind, r).keys()) cols.add(k);
      after = p.next;
    } while (after);
    header = [...cols];
    await write(opts.out, stringify([header]));
  }
  let n = 0;
  let after = null;
  do {
    const p = await page(after);
    let chunk = '';
    for (const r of p.records) {
      if (header) {
        const cells = recordToCells(opts.kind, r);
        chunk += stringify([header.map((h) => cells.get(h) ?? '')]);
      } else chunk += `${JSON.stringify(r)}\n`;
      n++;
    }
    await write(opts.out, chunk);
    after = p.next;
  } while (after);
  return n;
}

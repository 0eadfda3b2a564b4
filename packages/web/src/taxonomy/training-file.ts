// A file of labelled examples for training a text model, read in the browser before anything is
// sent: CSV with a text,label header, or JSON Lines. Every error names the file's line. No React,
// no DOM and no imports, so Node's test runner runs it as it is (packages/web/test).

/** The server's limits (packages/server/src/routes/text.ts). */
export const TRAIN_MIN = 20;
export const TRAIN_MAX = 100_000;
export const TRAIN_TEXT = 5_000;
export const MAX_LABEL = 200;
/** The largest request body the server reads. */
export const BODY_BYTES = 32 * 1024 * 1024;

// format.ts's count(), which this module cannot import (format.ts reaches api.ts and React).
const nf0 = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const count = (n: number): string => nf0.format(n);

export interface Example {
  text: string;
  labels: string[];
}

export interface ParsedTrainingFile {
  name: string;
  examples: Example[];
  /** The file line each example came from. */
  lines: number[];
}

export interface CsvRecord {
  fields: string[];
  /** The line the record starts on (1-based). */
  line: number;
}

/** CSV records with the line each starts on (RFC 4180: quotes, doubled quotes, line breaks inside quotes). */
export function csvRecords(s: string): { records: CsvRecord[]; error?: string } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 1;
  let after = false; // just closed a quoted field
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          after = true;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === ',') {
      fields.push(field);
      field = '';
      after = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ fields, line: start });
      fields = [];
      field = '';
      after = false;
      line++;
      start = line;
    } else if (after) {
      return {
        records,
        error: `Line ${line}: unexpected text after a closing quote (a " inside a quoted text is written "")`,
      };
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      quoteLine = line;
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) return { records, error: `Line ${quoteLine}: a quoted text is not closed (a " is missing)` };
  if (field !== '' || fields.length) records.push({ fields: [...fields, field], line: start });
  return { records };
}

/** A CSV label cell's labels: `refund|late`, trimmed, empty ones dropped. */
export function labelsOf(v: string): string[] {
  return v
    .split('|')
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Reads a training file: CSV with a text,label header, or JSON Lines. Errors name the line. */
export function parseTrainingFile(name: string, content: string): { parsed?: ParsedTrainingFile; errors: string[] } {
  const s = content.replace(/^\uFEFF/, '');
  const examples: Example[] = [];
  const lines: number[] = [];
  const errors: string[] = [];
  const check = (line: number, text: string, labels: string[]) => {
    if (!text.trim()) errors.push(`Line ${line}: the text is empty`);
    else if (text.length > TRAIN_TEXT)
      errors.push(`Line ${line}: the text is longer than ${count(TRAIN_TEXT)} characters`);
    else if (labels.length === 0) errors.push(`Line ${line}: no label`);
    else if (labels.some((l) => l.length > MAX_LABEL))
      errors.push(`Line ${line}: a label is longer than ${MAX_LABEL} characters`);
    else {
      examples.push({ text: text.trim(), labels });
      lines.push(line);
    }
  };
  const first = s.trimStart()[0];
  if (first === undefined) return { errors: ['The file is empty'] };
  if (first === '[')
    return { errors: ['Line 1: this is a JSON array; write one object per line instead (JSON Lines)'] };
  if (first === '{') {
    s.split(/\r?\n/).forEach((raw, i) => {
      const line = i + 1;
      if (!raw.trim()) return;
      let o: unknown;
      try {
        o = JSON.parse(raw);
      } catch (e) {
        errors.push(`Line ${line}: not valid JSON (${(e as Error).message})`);
        return;
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) {
        errors.push(`Line ${line}: expected an object like {"text": "…", "labels": ["…"]}`);
        return;
      }
      const r = o as { text?: unknown; labels?: unknown; label?: unknown };
      if (typeof r.text !== 'string') {
        errors.push(`Line ${line}: "text" is missing or not a string`);
        return;
      }
      let labels: string[];
      if (Array.isArray(r.labels) && r.labels.every((l) => typeof l === 'string'))
        labels = r.labels.map((l) => l.trim());
      else if (typeof r.label === 'string') labels = [r.label.trim()];
      else {
        errors.push(`Line ${line}: needs "labels" (a list of strings) or "label" (a string)`);
        return;
      }
      check(line, r.text, labels.filter(Boolean));
    });
  } else {
    const { records, error } = csvRecords(s);
    if (error) return { errors: [error] };
    const rows = records.filter((r) => r.fields.some((f) => f.trim() !== ''));
    const head = rows[0];
    const cols = head?.fields.map((f) => f.trim().toLowerCase()) ?? [];
    const ti = cols.indexOf('text');
    const li = cols.indexOf('label') >= 0 ? cols.indexOf('label') : cols.indexOf('labels');
    if (!head || ti < 0 || li < 0)
      return {
        errors: [
          `Line ${head?.line ?? 1}: the first line must name the columns text and label (found: ${cols.join(', ') || 'nothing'})`,
        ],
      };
    for (const r of rows.slice(1)) {
      if (r.fields.length !== cols.length) {
        errors.push(
          `Line ${r.line}: ${r.fields.length} fields where the header has ${cols.length} (put "quotes" around a text with commas)`,
        );
        continue;
      }
      check(r.line, r.fields[ti]!, labelsOf(r.fields[li]!));
    }
  }
  if (errors.length) return { errors };
  if (examples.length < TRAIN_MIN) return { errors: [`${examples.length} examples: at least ${TRAIN_MIN} are needed`] };
  if (examples.length > TRAIN_MAX)
    return { errors: [`${count(examples.length)} examples: at most ${count(TRAIN_MAX)}`] };
  return { parsed: { name, examples, lines }, errors: [] };
}

/**
 * The server's field errors on a training request (`examples[12].labels`, `examples`) as lines for
 * the form: an example's error names the file line it came from (`lines`, as parsed).
 */
export function trainingErrorLines(errs: Record<string, string>, lines: number[]): string[] {
  return Object.entries(errs).map(([f, r]) => {
    const m = /^examples\[(\d+)\]/.exec(f);
    const line = m ? lines[Number(m[1])] : undefined;
    return line !== undefined ? `Line ${line}: ${r}` : `${f === 'examples' ? 'The examples' : f}: ${r}`;
  });
}

import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** One bad field of one record: what the API, the importer and the CLI all report. */
export interface FieldError {
  /** Index of the record in the batch (absent for a single-object request or a query parameter). */
  index?: number;
  /** Path to the field, e.g. `answers[0].value`. */
  field: string;
  reason: string;
}

/** RFC 7807 problem details. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  ) {
    super(detail);
  }

  body(instance?: string) {
    return {
      type: `https://canopy.dev/problems/${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export function sendProblem(reply: FastifyReply, p: Problem, instance?: string): FastifyReply {
  return reply.code(p.status).type('application/problem+json; charset=utf-8').send(p.body(instance));
}

/**
 * A 422's detail that names what to fix ("url: must be an absolute http or https URL; nothing
 * was written") instead of "the body has invalid fields": the first three, then how many more.
 */
export function invalidFieldsDetail(errors: FieldError[], outcome = 'nothing was written'): string {
  if (!errors.length) return `the body has invalid fields; ${outcome}`;
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of errors) {
    const s = `${e.index === undefined ? '' : `[${e.index}].`}${e.field}: ${e.reason}`;
    if (!seen.has(s)) parts.push(s);
    seen.add(s);
  }
  const more = parts.length > 3 ? ` and ${parts.length - 3} more` : '';
  return `${parts.slice(0, 3).join('; ')}${more}; ${outcome}`;
}

/** A 422 whose detail names what to fix (the first bad fields and their reasons), not only "nothing was written". */
export function invalidFields(title: string, errors: FieldError[], outcome?: string): Problem {
  return new Problem(422, title, invalidFieldsDetail(errors, outcome), errors);
}

/** `answers[0].value` from zod's path array. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/** Flattens zod issues to field errors; an unknown field is named by itself. */
export function zodFieldErrors(error: z.ZodError, index?: number): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) {
        out.push({
          ...(index === undefined ? {} : { index }),
          field: fieldPath([...issue.path, k]),
          reason: 'unknown field',
        });
      }
      continue;
    }
    out.push({
      ...(index === undefined ? {} : { index }),
      field: fieldPath(issue.path) || '(record)',
      reason: reasonOf(issue),
    });
  }
  return out;
}

/**
 * An issue's reason: the schema's own message, or zod's default one ("Too small: expected string
 * to have >=1 characters") in the words the rest of the API uses ("must not be empty").
 */
function reasonOf(issue: z.core.$ZodIssue): string {
  const reason = issue.message;
  const m = /^Invalid input: expected (\w+), received (\w+)$/.exec(reason);
  if (m) {
    if (m[2] === 'undefined') return 'is required';
    if (m[1] === 'int') return 'must be a whole number';
    return `must be ${/^[aeiou]/.test(m[1]) ? 'an' : 'a'} ${m[1]}, not ${m[2]}`;
  }
  if ((issue.code === 'too_small' || issue.code === 'too_big') && /^Too (small|big): expected /.test(reason)) {
    const small = issue.code === 'too_small';
    const n = Number(small ? issue.minimum : issue.maximum);
    const bound = small
      ? issue.inclusive === false
        ? 'more than'
        : 'at least'
      : issue.inclusive === false
        ? 'less than'
        : 'at most';
    if (issue.origin === 'string')
      return small && n === 1 ? 'must not be empty' : `must be ${bound} ${n} character${n === 1 ? '' : 's'}`;
    if (issue.origin === 'array' || issue.origin === 'set')
      return small && n === 1 ? 'must have at least one item' : `must have ${bound} ${n} item${n === 1 ? '' : 's'}`;
    return `must be ${bound} ${n}`;
  }
  if (issue.code === 'invalid_union' && reason === 'Invalid input') {
    // None of a union's forms fit: name them ("must be 5 or 7", "must be a string or an array, not object").
    const firsts = issue.errors.map((e) => e[0]).filter((e) => e && e.path.length === 0);
    if (firsts.length === issue.errors.length && firsts.length > 0) {
      if (firsts.every((e) => e.code === 'invalid_value')) {
        return `must be ${orList(firsts.flatMap((e) => (e.code === 'invalid_value' ? e.values : [])).map((v) => JSON.stringify(v)))}`;
      }
      const types = firsts.map((e) => /^Invalid input: expected (\w+), received (\w+)$/.exec(e.message));
      if (types.every((t) => t)) {
        const kinds = [...new Set(types.map((t) => t![1]))].map((k) =>
          k === 'null' ? 'null' : `${/^[aeiou]/.test(k) ? 'an' : 'a'} ${k}`,
        );
        return `must be ${orList(kinds)}, not ${types[0]![2]}`;
      }
    }
    // Forms of different shapes (one object or another): what each one missed.
    const missed = issue.errors.flatMap((e) => {
      const first = e[0];
      if (!first) return [];
      if (first.code === 'unrecognized_keys') return [`${fieldPath([...first.path, first.keys[0]!])}: unknown field`];
      return [`${fieldPath(first.path) || 'the value'}: ${reasonOf(first)}`];
    });
    if (missed.length) return `matches none of the accepted forms (${[...new Set(missed)].join('; or ')})`;
  }
  if (issue.code === 'invalid_value' && /^Invalid (option|input)/.test(reason) && issue.values.length > 0)
    return issue.values.length === 1
      ? `must be ${JSON.stringify(issue.values[0])}`
      : `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
  return reason;
}

/** "a, b or c". */
function orList(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

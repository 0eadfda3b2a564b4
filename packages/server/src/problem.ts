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
    let reason = issue.message;
    // zod's default type message ("Invalid input: expected number, received string") in our words.
    const m = /^Invalid input: expected (\w+), received (\w+)$/.exec(reason);
    if (m)
      reason =
        m[2] === 'undefined' ? 'is required' : `must be ${/^[aeiou]/.test(m[1]) ? 'an' : 'a'} ${m[1]}, not ${m[2]}`;
    out.push({ ...(index === undefined ? {} : { index }), field: fieldPath(issue.path) || '(record)', reason });
  }
  return out;
}

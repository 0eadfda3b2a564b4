import type { AnswerInput } from '../schemas/records.js';
import { type Ending, type Question, questionScale, type ShowIf, type SurveyDefinition } from './definition.js';

/** Answers as the hosted page, the email and the widget collect them: by question id. */
export type AnswerValue = number | string | string[];
export type AnswerMap = Record<string, AnswerValue>;

export interface AnswerError {
  question: string;
  reason: string;
}

function holds(c: ShowIf, answers: AnswerMap): boolean {
  const v = answers[c.question];
  if (v === undefined) return false;
  if (c.in) {
    const vals = Array.isArray(v) ? v : [String(v)];
    return vals.some((x) => c.in!.includes(x));
  }
  if (typeof v !== 'number') return false;
  return (c.min === undefined || v >= c.min) && (c.max === undefined || v <= c.max);
}

/** Whether a question is shown, given the answers so far (a follow-up needs its condition met). */
export function isVisible(q: Question, answers: AnswerMap): boolean {
  return !q.show_if || holds(q.show_if, answers);
}

/** Visible questions, in order. */
export function visibleQuestions(d: SurveyDefinition, answers: AnswerMap): Question[] {
  const out: Question[] = [];
  const seen: AnswerMap = {};
  for (const q of d.questions) {
    if (isVisible(q, seen)) {
      out.push(q);
      if (answers[q.id] !== undefined) seen[q.id] = answers[q.id];
    }
  }
  return out;
}

/** The first page at or after `from` that has a visible question; undefined when the survey is done. */
export function nextPage(d: SurveyDefinition, answers: AnswerMap, from: number): number | undefined {
  const pages = visibleQuestions(d, answers)
    .map((q) => q.page)
    .filter((p) => p >= from);
  return pages.length ? Math.min(...pages) : undefined;
}

/** The ending whose condition holds (first match), else the first without a condition. */
export function chooseEnding(d: SurveyDefinition, answers: AnswerMap): Ending | undefined {
  return d.endings.find((e) => e.show_if && holds(e.show_if, answers)) ?? d.endings.find((e) => !e.show_if);
}

/**
 * Checks answers against their questions and coerces form input (scores arrive as text from
 * a form). Unknown question ids, values off the scale, unknown options and over-long texts are
 * errors; an empty value removes the answer.
 */
export function checkAnswers(
  d: SurveyDefinition,
  raw: Record<string, unknown>,
): { answers: AnswerMap; removed: string[]; errors: AnswerError[] } {
  const answers: AnswerMap = {};
  const removed: string[] = [];
  const errors: AnswerError[] = [];
  const byId = new Map(d.questions.map((q) => [q.id, q]));
  for (const [id, value] of Object.entries(raw)) {
    const q = byId.get(id);
    if (!q) {
      errors.push({ question: id, reason: 'is not a question of this survey' });
      continue;
    }
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
      removed.push(id);
      continue;
    }
    const scale = questionScale(q);
    if (scale) {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
      if (!Number.isInteger(n)) errors.push({ question: id, reason: 'must be a whole number' });
      else if (n < scale[0] || n > scale[1]) {
        errors.push({ question: id, reason: `must be between ${scale[0]} and ${scale[1]}` });
      } else answers[id] = n;
      continue;
    }
    if (q.type === 'text') {
      if (typeof value !== 'string') errors.push({ question: id, reason: 'must be a text' });
      else if (value.length > q.max_length) {
        errors.push({ question: id, reason: `must be at most ${q.max_length} characters` });
      } else if (!value.isWellFormed() || value.includes('\u0000')) {
        errors.push({ question: id, reason: 'must be valid Unicode text without NUL characters' });
      } else if (value.trim() === '') removed.push(id);
      else answers[id] = value;
      continue;
    }
    if (q.type === 'single_choice' || q.type === 'multi_choice') {
      const list = Array.isArray(value) ? value : [value];
      const options = new Set(q.options.map((o) => o.value));
      const bad = list.find((v) => typeof v !== 'string' || !options.has(v));
      if (bad !== undefined) {
        errors.push({ question: id, reason: `'${String(bad)}' is not an option` });
      } else if (q.type === 'single_choice' && list.length > 1) {
        errors.push({ question: id, reason: 'takes one choice' });
      } else if (q.type === 'multi_choice' && q.max_choices !== undefined && list.length > q.max_choices) {
        errors.push({ question: id, reason: `takes at most ${q.max_choices} choices` });
      } else {
        answers[id] = q.type === 'single_choice' ? (list[0] as string) : [...new Set(list as string[])];
      }
    }
  }
  return { answers, removed, errors };
}

/** Required visible questions on the given pages that have no answer. */
export function missingRequired(d: SurveyDefinition, answers: AnswerMap, pages: number[]): AnswerError[] {
  return visibleQuestions(d, answers)
    .filter((q) => q.required && pages.includes(q.page) && answers[q.id] === undefined)
    .map((q) => ({ question: q.id, reason: 'is required' }));
}

/** Merges new answers into the saved ones and drops answers to follow-ups no longer shown. */
export function mergeAnswers(d: SurveyDefinition, saved: AnswerMap, add: AnswerMap, removed: string[] = []): AnswerMap {
  const all: AnswerMap = { ...saved, ...add };
  for (const id of removed) delete all[id];
  const visible = new Set(visibleQuestions(d, all).map((q) => q.id));
  const out: AnswerMap = {};
  for (const q of d.questions) if (visible.has(q.id) && all[q.id] !== undefined) out[q.id] = all[q.id];
  return out;
}

/** The typed answers of a response record (core's answerInput) for the survey's answers. */
export function toResponseAnswers(d: SurveyDefinition, answers: AnswerMap): AnswerInput[] {
  const out: AnswerInput[] = [];
  for (const q of d.questions) {
    const v = answers[q.id];
    if (v === undefined) continue;
    switch (q.type) {
      case 'nps':
      case 'csat':
      case 'expectation':
        out.push({ field: q.id, type: q.type, value: v as number });
        break;
      case 'ces':
        out.push({
          field: q.id,
          type: 'ces',
          value: v as number,
          scale_max: q.scale_max,
          higher_is_easier: q.higher_is_easier,
        });
        break;
      case 'rating':
        out.push({ field: q.id, type: 'rating', value: v as number, scale_min: q.scale_min, scale_max: q.scale_max });
        break;
      case 'single_choice':
      case 'multi_choice':
        out.push({ field: q.id, type: 'choice', value: v as string | string[] });
        break;
      case 'text':
        out.push({ field: q.id, type: 'text', value: v as string });
        break;
    }
  }
  return out;
}

/** The first question, when it can be answered with one click in an email (a score). */
export function oneClickQuestion(d: SurveyDefinition): Question | undefined {
  const q = d.questions[0];
  return q && questionScale(q) && !q.show_if ? q : undefined;
}

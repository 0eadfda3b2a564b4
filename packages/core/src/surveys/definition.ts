import { z } from 'zod';
import { EVENT_TYPES, INTERACTION_KINDS } from '../domain.js';
import { key, nonEmptyText, text } from '../schemas/fields.js';
import { LIMITS } from '../schemas/limits.js';

/**
 * Survey definitions: what a survey asks, in which languages, what follows which score, how it
 * ends, and what may trigger it. One schema serves the API, the hosted pages, the email and the
 * widget; every rule that spans fields (follow-ups pointing at earlier questions, a text per
 * language, scales that fit) is checked here with the path of the field at fault.
 */

export const QUESTION_TYPES = [
  'nps',
  'csat',
  'ces',
  'rating',
  'expectation',
  'single_choice',
  'multi_choice',
  'text',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Question types answered on a numeric scale (and so usable as one-click email questions). */
export const SCALE_TYPES: readonly QuestionType[] = ['nps', 'csat', 'ces', 'rating', 'expectation'];

const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: 'must be a language tag such as en or pt-BR' });

/** A text in one language (a plain string) or in several ({"en": "…", "pt": "…"}). */
export const localizedText = (max: number) =>
  z.union([nonEmptyText(max), z.record(languageTag, nonEmptyText(max))], {
    error: 'must be a text, or an object of texts by language tag ({"en": "…"})',
  });
export type LocalizedText = string | Record<string, string>;

/** Shown when an earlier answer is in range (scores) or among values (choices). */
export const showIf = z
  .strictObject({
    question: key,
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    in: z.array(nonEmptyText(LIMITS.mediumText)).min(1).max(50).optional(),
  })
  .refine((c) => c.min !== undefined || c.max !== undefined || c.in !== undefined, {
    error: 'needs min, max or in',
  });
export type ShowIf = z.output<typeof showIf>;

const option = z.strictObject({
  value: key,
  label: localizedText(LIMITS.mediumText),
});

const common = {
  id: key,
  text: localizedText(LIMITS.mediumText),
  /** Helper text under the question. */
  help: localizedText(LIMITS.mediumText).optional(),
  required: z.boolean().default(false),
  /** Questions are shown page by page (hosted page); the widget shows one at a time. */
  page: z.number().int().min(1).max(50).default(1),
  show_if: showIf.optional(),
  /** Labels for the two ends of a scale ("Not at all likely" … "Extremely likely"). */
  low_label: localizedText(LIMITS.shortText).optional(),
  high_label: localizedText(LIMITS.shortText).optional(),
};

export const questionInput = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ ...common, type: z.literal('nps') }),
    z.strictObject({ ...common, type: z.literal('csat') }),
    z.strictObject({
      ...common,
      type: z.literal('ces'),
      scale_max: z.union([z.literal(5), z.literal(7)], { error: 'must be 5 or 7' }).default(7),
      higher_is_easier: z.boolean().default(true),
    }),
    z
      .strictObject({
        ...common,
        type: z.literal('rating'),
        scale_min: z.number().int().min(0).max(1).default(1),
        scale_max: z.number().int().min(2).max(10).default(5),
      })
      .refine((q) => q.scale_max > q.scale_min, { path: ['scale_max'], error: 'must be greater than scale_min' }),
    /** "What did you expect?" on 1–5 (much worse … much better than expected). */
    z.strictObject({ ...common, type: z.literal('expectation') }),
    z.strictObject({
      ...common,
      type: z.literal('single_choice'),
      options: z.array(option).min(2, { error: 'must have at least 2 options' }).max(50),
    }),
    z.strictObject({
      ...common,
      type: z.literal('multi_choice'),
      options: z.array(option).min(2, { error: 'must have at least 2 options' }).max(50),
      max_choices: z.number().int().min(1).max(50).optional(),
    }),
    z.strictObject({
      ...common,
      type: z.literal('text'),
      max_length: z.number().int().min(1).max(LIMITS.longText).default(2000),
      multiline: z.boolean().default(true),
    }),
  ],
  { error: `type must be one of ${QUESTION_TYPES.join(', ')}` },
);
export type Question = z.output<typeof questionInput>;

export const endingInput = z.strictObject({
  id: key,
  title: localizedText(LIMITS.shortText),
  text: localizedText(LIMITS.mediumText).optional(),
  /** Optional call to action (a review site for promoters, a help page for detractors). */
  link_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  link_label: localizedText(LIMITS.shortText).optional(),
  show_if: showIf.optional(),
});
export type Ending = z.output<typeof endingInput>;

/** Server-side triggers: something happened to a customer → ask them after a delay. */
export const triggerInput = z.discriminatedUnion(
  'on',
  [
    z.strictObject({
      on: z.literal('interaction_resolved'),
      kinds: z.array(z.enum(INTERACTION_KINDS)).min(1).optional(),
      touchpoints: z.array(key).min(1).optional(),
      delay_minutes: z
        .number()
        .int()
        .min(0)
        .max(60 * 24 * 90)
        .default(60),
      channel: z.literal('email').default('email'),
    }),
    z.strictObject({
      on: z.literal('event'),
      types: z.array(z.enum(EVENT_TYPES)).min(1),
      touchpoints: z.array(key).min(1).optional(),
      delay_minutes: z
        .number()
        .int()
        .min(0)
        .max(60 * 24 * 90)
        .default(60),
      channel: z.literal('email').default('email'),
    }),
  ],
  { error: 'on must be interaction_resolved or event' },
);
export type SurveyTrigger = z.output<typeof triggerInput>;

/** Client-side triggers for the web widget. */
export const widgetTriggerInput = z.discriminatedUnion(
  'on',
  [
    z.strictObject({ on: z.literal('page_view'), url_contains: text(LIMITS.shortText).optional() }),
    z.strictObject({ on: z.literal('click'), selector: nonEmptyText(LIMITS.shortText) }),
    z.strictObject({ on: z.literal('event'), name: key }),
    z.strictObject({
      on: z.literal('time_on_page'),
      seconds: z.number().int().min(1).max(3600),
      url_contains: text(LIMITS.shortText).optional(),
    }),
  ],
  { error: 'on must be page_view, click, event or time_on_page' },
);
export type WidgetTrigger = z.output<typeof widgetTriggerInput>;

export const HIDDEN_FIELD_BUILTINS = ['touchpoint', 'interaction_id', 'agent'] as const;

export const surveyDefinitionInput = z
  .strictObject({
    /** The org's name for the survey; responses carry it as `survey`. */
    key,
    name: nonEmptyText(LIMITS.shortText),
    /** Public path of the hosted page (/s/<slug>); unique on the server. Defaults to key + random suffix. */
    slug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,62}$/, { error: 'must be 3–63 lower-case letters, digits or -' })
      .optional(),
    default_language: languageTag.default('en'),
    /** Touchpoint the responses belong to unless the invitation names one. */
    touchpoint: key.optional(),
    questions: z
      .array(questionInput)
      .min(1, { error: 'must have at least one question' })
      .max(LIMITS.answers, { error: `must have at most ${LIMITS.answers} questions` }),
    endings: z.array(endingInput).max(20).default([]),
    /** Hidden fields accepted on a link or invitation: the built-ins and the org's own. */
    hidden_fields: z
      .array(key)
      .max(50)
      .default([...HIDDEN_FIELD_BUILTINS]),
    /** Anyone with the link may answer (true), or only holders of a per-recipient token. */
    public_link: z.boolean().default(false),
    /** A token is spent once its survey is completed. */
    single_use: z.boolean().default(true),
    token_ttl_days: z.number().int().min(1).max(365).default(30),
    /** Share of eligible customers asked (widget display percentage, trigger sampling). */
    sample_percent: z.number().min(0).max(100).default(100),
    email: z
      .strictObject({
        subject: localizedText(LIMITS.shortText),
        intro: localizedText(LIMITS.mediumText).optional(),
      })
      .optional(),
    triggers: z.array(triggerInput).max(20).default([]),
    widget: z
      .strictObject({
        triggers: z.array(widgetTriggerInput).min(1).max(20),
        position: z.enum(['bottom-right', 'bottom-left', 'center']).default('bottom-right'),
      })
      .optional(),
  })
  .superRefine((d, ctx) => checkDefinition(d as SurveyDefinition, ctx));
export type SurveyDefinition = z.output<typeof surveyDefinitionInput>;

/** Scale of a question as [min, max]; undefined for choice and text. */
export function questionScale(q: Question): [number, number] | undefined {
  switch (q.type) {
    case 'nps':
      return [0, 10];
    case 'csat':
    case 'expectation':
      return [1, 5];
    case 'ces':
      return [1, q.scale_max];
    case 'rating':
      return [q.scale_min, q.scale_max];
    default:
      return undefined;
  }
}

function languagesOf(t: LocalizedText | undefined): string[] {
  if (t === undefined || typeof t === 'string') return [];
  return Object.keys(t);
}

function checkDefinition(d: SurveyDefinition, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  // Every language used anywhere is the survey's; each localized text must have the default one.
  const texts: [(string | number)[], LocalizedText | undefined][] = [];
  const seen = new Map<string, number>();
  d.questions.forEach((q, i) => {
    const prev = seen.get(q.id);
    if (prev !== undefined) issue(['questions', i, 'id'], `duplicate question id '${q.id}' (also questions[${prev}])`);
    else seen.set(q.id, i);
    texts.push([['questions', i, 'text'], q.text], [['questions', i, 'help'], q.help]);
    texts.push([['questions', i, 'low_label'], q.low_label], [['questions', i, 'high_label'], q.high_label]);
    if (q.type === 'single_choice' || q.type === 'multi_choice') {
      const values = new Set<string>();
      q.options.forEach((o, j) => {
        if (values.has(o.value)) issue(['questions', i, 'options', j, 'value'], `duplicate option '${o.value}'`);
        values.add(o.value);
        texts.push([['questions', i, 'options', j, 'label'], o.label]);
      });
      if (q.type === 'multi_choice' && q.max_choices !== undefined && q.max_choices > q.options.length) {
        issue(['questions', i, 'max_choices'], `must be at most the number of options (${q.options.length})`);
      }
    }
    if (i > 0 && q.page < d.questions[i - 1].page) {
      issue(['questions', i, 'page'], `must not be before the previous question's page (${d.questions[i - 1].page})`);
    }
    if (q.show_if) checkShowIf(d, q.show_if, i, ['questions', i, 'show_if'], issue);
  });
  const endingIds = new Set<string>();
  d.endings.forEach((e, i) => {
    if (endingIds.has(e.id)) issue(['endings', i, 'id'], `duplicate ending id '${e.id}'`);
    endingIds.add(e.id);
    texts.push([['endings', i, 'title'], e.title], [['endings', i, 'text'], e.text]);
    texts.push([['endings', i, 'link_label'], e.link_label]);
    if (e.show_if) checkShowIf(d, e.show_if, d.questions.length, ['endings', i, 'show_if'], issue);
  });
  if (d.email) texts.push([['email', 'subject'], d.email.subject], [['email', 'intro'], d.email.intro]);
  for (const [path, t] of texts) {
    const langs = languagesOf(t);
    if (langs.length && !langs.includes(d.default_language)) {
      issue(path, `has no text in the default language '${d.default_language}'`);
    }
  }
  const hidden = new Set<string>();
  d.hidden_fields.forEach((h, i) => {
    if (hidden.has(h)) issue(['hidden_fields', i], `duplicate hidden field '${h}'`);
    hidden.add(h);
    if (seen.has(h)) issue(['hidden_fields', i], `'${h}' is also a question id`);
  });
}

function checkShowIf(
  d: SurveyDefinition,
  c: ShowIf,
  before: number,
  path: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  const idx = d.questions.findIndex((q) => q.id === c.question);
  if (idx < 0 || idx >= before) {
    issue([...path, 'question'], `must name an earlier question; '${c.question}' is not one`);
    return;
  }
  const target = d.questions[idx];
  const scale = questionScale(target);
  if (scale) {
    if (c.in) issue([...path, 'in'], `'${c.question}' is a ${target.type} question: use min/max, not in`);
    for (const k of ['min', 'max'] as const) {
      const v = c[k];
      if (v !== undefined && (v < scale[0] || v > scale[1])) {
        issue([...path, k], `must be within ${c.question}'s scale ${scale[0]}–${scale[1]}`);
      }
    }
    if (c.min !== undefined && c.max !== undefined && c.min > c.max) issue([...path, 'max'], 'must not be below min');
  } else if (target.type === 'single_choice' || target.type === 'multi_choice') {
    if (c.min !== undefined || c.max !== undefined) {
      issue([...path, c.min !== undefined ? 'min' : 'max'], `'${c.question}' is a choice question: use in`);
    }
    const values = new Set(target.options.map((o) => o.value));
    c.in?.forEach((v, j) => {
      if (!values.has(v)) issue([...path, 'in', j], `'${v}' is not an option of '${c.question}'`);
    });
  } else {
    issue([...path, 'question'], `'${c.question}' is a text question: follow-ups need a score or choice question`);
  }
}

/** The text in the asked language, else its base language (pt for pt-BR), else the default. */
export function pickText(t: LocalizedText | undefined, lang: string, fallback: string): string {
  if (t === undefined) return '';
  if (typeof t === 'string') return t;
  return t[lang] ?? t[lang.split('-')[0]] ?? t[fallback] ?? Object.values(t)[0] ?? '';
}

/** Every language the survey has texts in, the default first. */
export function surveyLanguages(d: SurveyDefinition): string[] {
  const out = new Set<string>([d.default_language]);
  const add = (t: LocalizedText | undefined) => {
    for (const l of languagesOf(t)) out.add(l);
  };
  for (const q of d.questions) {
    add(q.text);
    if (q.type === 'single_choice' || q.type === 'multi_choice') for (const o of q.options) add(o.label);
  }
  return [...out];
}

/**
 * The best language for a visitor: an explicit choice, then the invitation's, then the
 * browser's Accept-Language, then the survey default.
 */
export function chooseLanguage(d: SurveyDefinition, ...wanted: (string | null | undefined)[]): string {
  const langs = surveyLanguages(d);
  for (const w of wanted) {
    if (!w) continue;
    for (const part of w.split(',')) {
      const tag = part.split(';')[0].trim();
      if (!tag) continue;
      const exact = langs.find((l) => l.toLowerCase() === tag.toLowerCase());
      if (exact) return exact;
      const base = langs.find((l) => l.toLowerCase() === tag.split('-')[0].toLowerCase());
      if (base) return base;
    }
  }
  return d.default_language;
}

import { email, key, TOPIC_KEY_RE, text, timestamp, uuid } from '@canopy/core';
import { CASE_PRIORITIES, CASE_STATUSES } from '@canopy/store';
import { z } from 'zod';

/**
 * A topic key's shape; whether it exists is checked against the org's own taxonomy (or the
 * default one) where the rule or case is saved (see taxonomy.ts).
 */
export const topicKey = z
  .string()
  .max(200)
  .regex(TOPIC_KEY_RE, {
    error: (iss) =>
      `unknown topic '${String(iss.input)}': a topic key is lower-case words separated by dots, e.g. delivery.late`,
  });
const whole = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/**
 * Text people type into a rule or a case (name, title, note, author): trimmed, not blank, and storable (no NUL,
 * no lone surrogate: the database refuses the one and silently mangles the other).
 */
const nonEmpty = (max: number) => text(max).trim().min(1, { error: 'must not be empty' });

export const ruleCondition = z.discriminatedUnion(
  'type',
  [
    /** A detractor (or any NPS answer at or below max). */
    z.strictObject({ type: z.literal('nps'), max: whole(0, 10).default(6), field: key.optional() }),
    z.strictObject({ type: z.literal('csat'), max: whole(1, 5).default(2), field: key.optional() }),
    /** Text analytics found a threat to leave. */
    z.strictObject({ type: z.literal('churn_threat') }),
    /** Negative sentiment overall, or on one topic (and its sub-topics). */
    z.strictObject({
      type: z.literal('negative_sentiment'),
      topic: topicKey.optional(),
      max_score: z.number().min(-1).max(1).default(-0.05),
    }),
    /** A topic's mentions in the last hour above factor × its hourly baseline. */
    z.strictObject({
      type: z.literal('topic_spike'),
      topic: topicKey.optional(),
      factor: z.number().min(1).max(1000).default(3),
      min_count: whole(1, 1_000_000).default(5),
      baseline_days: whole(1, 90).default(7),
    }),
    /** A customer's Nth contact (interaction) within so many days. */
    z.strictObject({
      type: z.literal('repeat_contact'),
      count: whole(2, 1000).default(3),
      days: whole(1, 365).default(7),
    }),
  ],
  {
    error: 'condition.type must be one of nps, csat, churn_threat, negative_sentiment, topic_spike, repeat_contact',
  },
);
export type RuleCondition = z.output<typeof ruleCondition>;

export const customerFilter = z.strictObject({
  segment: key.optional(),
  attribute: z.strictObject({ key: key, equals: z.union([text(500), z.number(), z.boolean()]) }).optional(),
});
export type CustomerFilter = z.output<typeof customerFilter>;

export const ruleAction = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('open_case'),
      priority: z.enum(CASE_PRIORITIES).optional(),
      department: key.optional(),
      assignee: nonEmpty(200).optional(),
      sla_hours: z.number().positive().max(8760).optional(),
    }),
    z.strictObject({ type: z.literal('webhook'), webhook_id: uuid.optional() }),
    z.strictObject({ type: z.literal('email'), to: z.array(email).min(1).max(20) }),
    z.strictObject({ type: z.literal('tag'), tag: key }),
  ],
  { error: 'action.type must be one of open_case, webhook, email, tag' },
);
export type RuleAction = z.output<typeof ruleAction>;

export const ruleInput = z.strictObject({
  name: nonEmpty(200),
  enabled: z.boolean().default(true),
  condition: ruleCondition,
  customer: customerFilter.optional(),
  actions: z.array(ruleAction).min(1, { error: 'a rule needs at least one action' }).max(10),
});
export type RuleInput = z.output<typeof ruleInput>;

export const WEBHOOK_EVENTS = ['alert.fired', 'case.opened', 'case.updated', 'case.recovered'] as const;

export const webhookInput = z.strictObject({
  // One check, one message: an absolute http or https address (a second refine doubled the message).
  url: z.url({ protocol: /^https?$/i, error: 'must be an absolute http or https URL' }).max(2000),
  description: text(500).optional(),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).default(['alert.fired']),
  enabled: z.boolean().default(true),
});
export const webhookPatch = webhookInput.partial().strict();

export const casePatch = z
  .strictObject({
    status: z.enum(CASE_STATUSES, { error: `must be one of ${CASE_STATUSES.join(', ')}` }).optional(),
    /** A user of the org by name or email; null or "" unassigns. */
    assignee: text(200).trim().nullable().optional(),
    priority: z.enum(CASE_PRIORITIES, { error: `must be one of ${CASE_PRIORITIES.join(', ')}` }).optional(),
    department: key.optional(),
    root_cause: topicKey.nullable().optional(),
    sla_due_at: timestamp.optional(),
    /** Appends one action to the case's actions taken. */
    action_taken: nonEmpty(2000).optional(),
    author: nonEmpty(200).optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'author'), { error: 'nothing to change' });

/** A case opened by hand (a call, a letter, a tip from a colleague). */
export const caseInput = z.strictObject({
  title: nonEmpty(300),
  /** The owning department (default: the root cause's owner in the taxonomy, else service). */
  department: key.optional(),
  customer_id: uuid.optional(),
  /** A user of the org by name or email ("" leaves it unassigned). */
  assignee: text(200).trim().optional(),
  priority: z.enum(CASE_PRIORITIES, { error: `must be one of ${CASE_PRIORITIES.join(', ')}` }).default('normal'),
  /** Default: now + the priority's SLA. */
  sla_due_at: timestamp.optional(),
  root_cause: topicKey.optional(),
  tags: z.array(key).max(20).default([]),
  /** Records the case is about. */
  links: z
    .array(z.strictObject({ kind: z.enum(['interaction', 'response', 'event']), id: uuid }))
    .max(50)
    .default([]),
  /** A first note. */
  note: nonEmpty(10_000).optional(),
  author: nonEmpty(200).optional(),
});
export type CaseInput = z.output<typeof caseInput>;

export const caseNote = z.strictObject({
  body: nonEmpty(10_000),
  author: nonEmpty(200).optional(),
});

/** The status workflow: new → in_progress ⇄ waiting → resolved → closed (reopen to in_progress). */
export const TRANSITIONS: Record<string, readonly string[]> = {
  new: ['in_progress', 'closed'],
  in_progress: ['waiting', 'resolved', 'closed'],
  waiting: ['in_progress', 'resolved', 'closed'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export const SLA_HOURS: Record<string, number> = { urgent: 4, high: 24, normal: 72, low: 168 };

void email;

import { z } from 'zod';
import {
  ANSWER_TYPES,
  CHANNELS,
  EVENT_TYPES,
  INTERACTION_DIRECTIONS,
  INTERACTION_KINDS,
  INTERACTION_STATUSES,
  RESPONSE_SOURCES,
} from '../domain.js';
import {
  currency,
  email,
  idempotencyKey,
  key,
  money,
  nonEmptyText,
  phone,
  scalarMap,
  text,
  timestamp,
  uuid,
  wholeNumber,
} from './fields.js';
import { LIMITS } from './limits.js';

/**
 * How a record names its customer: by Canopy id, or by any identity the org's systems know.
 * Several identities on one record link them to one customer (and merge customers if they
 * were known apart).
 */
export const customerRefShape = {
  customer_id: uuid.optional(),
  customer_email: email.optional(),
  customer_phone: phone.optional(),
  customer_external_id: nonEmptyText(LIMITS.shortText).optional(),
};

export interface CustomerRef {
  customer_id?: string | undefined;
  customer_email?: string | undefined;
  customer_phone?: string | undefined;
  customer_external_id?: string | undefined;
}

export function hasCustomerRef(r: CustomerRef): boolean {
  return Boolean(r.customer_id || r.customer_email || r.customer_phone || r.customer_external_id);
}

const CUSTOMER_REQUIRED =
  'the record must name its customer: customer_id, customer_email, customer_phone or customer_external_id';

/**
 * The customer check runs even when other fields fail (zod skips refinements on invalid
 * objects by default), so a client sees every problem of a record at once.
 */
const customerRequired = {
  path: ['customer_email'],
  error: CUSTOMER_REQUIRED,
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
};

const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date'] as const;

export const customerInput = z
  .strictObject({
    ...customerRefShape,
    name: text(LIMITS.shortText).optional(),
    segment: key.optional(),
    acquired_at: timestamp.optional(),
    acquisition_source: key.optional(),
    /** The customer who referred this one, by any identity. */
    referred_by_email: email.optional(),
    referred_by_external_id: nonEmptyText(LIMITS.shortText).optional(),
    attributes: scalarMap.optional(),
  })
  .refine(hasCustomerRef, customerRequired);
export type CustomerInput = z.output<typeof customerInput>;
export { ATTRIBUTE_TYPES };

export const interactionInput = z
  .strictObject({
    ...customerRefShape,
    idempotency_key: idempotencyKey.optional(),
    external_id: nonEmptyText(LIMITS.shortText).optional(),
    kind: z.enum(INTERACTION_KINDS),
    // Restated by each write, as kind is: an update that leaves it out means inbound.
    direction: z.enum(INTERACTION_DIRECTIONS).default('inbound'),
    touchpoint: key.optional(),
    channel: z.enum(CHANNELS).optional(),
    agent: key.optional(),
    agent_name: text(LIMITS.shortText).optional(),
    team: key.optional(),
    subject: text(LIMITS.mediumText).optional(),
    text: text(LIMITS.longText).optional(),
    status: z.enum(INTERACTION_STATUSES).optional(),
    outcome: key.optional(),
    opened_at: timestamp,
    first_response_at: timestamp.optional(),
    resolved_at: timestamp.optional(),
    contact_count: wholeNumber(1, 1000).optional(),
    transfers: wholeNumber(0, 1000).optional(),
  })
  .refine(hasCustomerRef, customerRequired)
  .superRefine((r, ctx) => {
    if (r.first_response_at && r.first_response_at < r.opened_at) {
      ctx.addIssue({ code: 'custom', path: ['first_response_at'], message: 'must not be before opened_at' });
    }
    if (r.resolved_at && r.resolved_at < r.opened_at) {
      ctx.addIssue({ code: 'custom', path: ['resolved_at'], message: 'must not be before opened_at' });
    }
  });
export type InteractionInput = z.output<typeof interactionInput>;

/** What of an interaction is the customer's own words (analysed, read by rules): none when we wrote it. */
export function customerWords(r: InteractionInput): string | undefined {
  return r.direction === 'outbound' ? undefined : (r.text ?? r.subject);
}

const field = key;
const scaleBound = z.number().finite().min(-1000).max(1000);

/**
 * One answer, typed. NPS 0–10 and CSAT 1–5 are fixed scales; CES defaults to CES 2.0
 * (1–7, higher = easier) and records its scale and direction so legacy 5-point effort
 * scales (lower = easier) stay comparable.
 */
export const answerInput = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ field, type: z.literal('nps'), value: wholeNumber(0, 10) }),
    z.strictObject({ field, type: z.literal('csat'), value: wholeNumber(1, 5) }),
    z
      .strictObject({
        field,
        type: z.literal('ces'),
        value: wholeNumber(1, 7),
        scale_max: z.union([z.literal(5), z.literal(7)]).default(7),
        higher_is_easier: z.boolean().default(true),
      })
      .superRefine((a, ctx) => {
        if (a.value < 1 || a.value > a.scale_max) {
          ctx.addIssue({ code: 'custom', path: ['value'], message: `must be between 1 and ${a.scale_max}` });
        }
      }),
    z
      .strictObject({
        field,
        type: z.literal('rating'),
        value: z.number().finite(),
        scale_min: scaleBound.default(1),
        scale_max: scaleBound.default(5),
      })
      .superRefine((a, ctx) => {
        if (a.scale_min >= a.scale_max) {
          ctx.addIssue({ code: 'custom', path: ['scale_max'], message: 'must be greater than scale_min' });
        } else if (a.value < a.scale_min || a.value > a.scale_max) {
          ctx.addIssue({
            code: 'custom',
            path: ['value'],
            message: `must be between ${a.scale_min} and ${a.scale_max}`,
          });
        }
      }),
    z.strictObject({
      field,
      type: z.literal('expectation'),
      value: wholeNumber(1, 5),
    }),
    z.strictObject({
      field,
      type: z.literal('choice'),
      value: z.union([
        nonEmptyText(LIMITS.mediumText),
        z.array(nonEmptyText(LIMITS.mediumText)).min(1).max(50, { error: 'must have at most 50 choices' }),
      ]),
    }),
    z.strictObject({ field, type: z.literal('text'), value: text(LIMITS.longText) }),
  ],
  { error: `type must be one of ${ANSWER_TYPES.join(', ')}` },
);
export type AnswerInput = z.output<typeof answerInput>;

export const responseInput = z
  .strictObject({
    ...customerRefShape,
    idempotency_key: idempotencyKey.optional(),
    external_id: nonEmptyText(LIMITS.shortText).optional(),
    survey: key.optional(),
    source: z.enum(RESPONSE_SOURCES).default('api'),
    touchpoint: key.optional(),
    /** The interaction this response rates, by Canopy id or by the source system's id. */
    interaction_id: uuid.optional(),
    interaction_external_id: nonEmptyText(LIMITS.shortText).optional(),
    /** The agent who handled the interaction when the survey was sent (agent credit). */
    agent: key.optional(),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { error: 'must be a language tag such as en or pt-BR' })
      .optional(),
    submitted_at: timestamp,
    answers: z
      .array(answerInput)
      .min(1, { error: 'must have at least one answer' })
      .max(LIMITS.answers, { error: `must have at most ${LIMITS.answers} answers` }),
  })
  .superRefine((r, ctx) => {
    const seen = new Map<string, number>();
    r.answers.forEach((a, i) => {
      const first = seen.get(a.field);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['answers', i, 'field'],
          message: `duplicate field '${a.field}' (also answers[${first}])`,
        });
      } else seen.set(a.field, i);
    });
  });
export type ResponseInput = z.output<typeof responseInput>;

/** Event types that carry money. */
const VALUED_EVENTS = new Set(['purchase', 'renewal', 'cancellation', 'referral_converted']);

export const eventInput = z
  .strictObject({
    ...customerRefShape,
    idempotency_key: idempotencyKey.optional(),
    type: z.enum(EVENT_TYPES),
    occurred_at: timestamp,
    touchpoint: key.optional(),
    channel: z.enum(CHANNELS).optional(),
    value: money.optional(),
    currency: currency.optional(),
    /** Review stars, social post text etc. */
    rating: z.number().finite().min(0).max(10).optional(),
    text: text(LIMITS.longText).optional(),
    properties: scalarMap.optional(),
  })
  .refine(hasCustomerRef, customerRequired)
  .superRefine((r, ctx) => {
    if (r.value !== undefined && !VALUED_EVENTS.has(r.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `is only allowed on ${[...VALUED_EVENTS].join(', ')} events`,
      });
    }
  });
export type EventInput = z.output<typeof eventInput>;

export const RECORD_KINDS = ['customers', 'interactions', 'responses', 'events'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const recordSchemas = {
  customers: customerInput,
  interactions: interactionInput,
  responses: responseInput,
  events: eventInput,
} as const;

export type RecordInput<K extends RecordKind> = z.output<(typeof recordSchemas)[K]>;

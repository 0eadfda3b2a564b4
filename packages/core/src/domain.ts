/**
 * Canopy's domain vocabulary (see shared/DESIGN.md). Plain constants so that the store,
 * the API, the CLI and the dashboards all speak the same words.
 */

/** Owning functions. Every touchpoint and every taxonomy topic belongs to one of them. */
export const DEPARTMENTS = ['marketing', 'sales', 'service', 'billing', 'product', 'delivery'] as const;
export type DepartmentKey = (typeof DEPARTMENTS)[number];

/** The customer journey, in order. */
export const JOURNEY_STAGES = [
  'awareness',
  'consideration',
  'purchase',
  'onboarding',
  'use',
  'support',
  'renewal',
  'advocacy',
] as const;
export type JourneyStage = (typeof JOURNEY_STAGES)[number];

export const CHANNELS = [
  'web',
  'app',
  'email',
  'phone',
  'chat',
  'store',
  'social',
  'sms',
  'mail',
  'field',
  'media',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** The marketing 7Ps: the experience dimensions a topic maps to. */
export const SEVEN_PS = ['product', 'price', 'place', 'promotion', 'process', 'people', 'physical_evidence'] as const;
export type SevenP = (typeof SEVEN_PS)[number];

export const INTERACTION_KINDS = [
  'ticket',
  'call',
  'chat',
  'email',
  'visit',
  'delivery',
  'invoice',
  'order',
  'ad_view',
  'meeting',
  'demo',
  'onboarding_session',
  'other',
] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

export const INTERACTION_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;

/**
 * Who wrote an interaction: the customer (inbound: a ticket, a call, an email to us) or the
 * organisation (outbound: an invoice, a welcome email, a price notice). Only inbound text is read
 * as the customer's experience (sentiment, topics, rules).
 */
export const INTERACTION_DIRECTIONS = ['inbound', 'outbound'] as const;
export type InteractionDirection = (typeof INTERACTION_DIRECTIONS)[number];
export type InteractionStatus = (typeof INTERACTION_STATUSES)[number];

export const EVENT_TYPES = [
  'email_open',
  'email_click',
  'page_view',
  'app_action',
  'social_mention',
  'social_share',
  'review',
  'purchase',
  'renewal',
  'cancellation',
  'referral_made',
  'referral_converted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Engagement events (the behaviour signals) versus business events (the outcomes). */
export const ENGAGEMENT_EVENT_TYPES: readonly EventType[] = [
  'email_open',
  'email_click',
  'page_view',
  'app_action',
  'social_mention',
  'social_share',
  'review',
];

export const ANSWER_TYPES = ['nps', 'csat', 'ces', 'rating', 'expectation', 'choice', 'text'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

/** Default scales per answer type: [min, max]. CES 2.0 is 1–7 with 7 = easiest. */
export const DEFAULT_SCALES: Record<Exclude<AnswerType, 'choice' | 'text'>, readonly [number, number]> = {
  nps: [0, 10],
  csat: [1, 5],
  ces: [1, 7],
  rating: [1, 5],
  expectation: [1, 5],
};

export const RESPONSE_SOURCES = ['api', 'import', 'link', 'email', 'widget', 'sms', 'in_app', 'demo'] as const;
export type ResponseSource = (typeof RESPONSE_SOURCES)[number];

export const USER_ROLES = ['owner', 'admin', 'analyst', 'department_owner', 'agent', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const IDENTITY_KINDS = ['email', 'phone', 'external'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

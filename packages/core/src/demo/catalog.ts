/**
 * The fixed cast of the demo organisation: Brightleaf, a European coffee & tea subscription
 * company that also sells machines, ships parcels, bills annually and runs an app. Every
 * department of DESIGN.md touches its customers.
 */
import type { z } from 'zod';
import type { DepartmentKey } from '../domain.js';
import type { departmentInput, touchpointInput } from '../schemas/config.js';
import type { surveyDefinitionInput } from '../surveys/definition.js';

export type DemoDepartment = z.input<typeof departmentInput>;
export type DemoTouchpoint = z.input<typeof touchpointInput>;

export interface DemoAgent {
  key: string;
  name: string;
  team: string;
}

export const DEMO_ORG = { name: 'Brightleaf Coffee & Tea', slug: 'brightleaf' } as const;

export const DEMO_DEPARTMENTS: readonly DemoDepartment[] = [
  { key: 'marketing', name: 'Marketing', function: 'marketing' },
  { key: 'sales', name: 'Sales', function: 'sales' },
  { key: 'service', name: 'Customer Service', function: 'service' },
  { key: 'billing', name: 'Billing & Finance', function: 'billing' },
  { key: 'product', name: 'Product & App', function: 'product' },
  { key: 'delivery', name: 'Delivery & Logistics', function: 'delivery' },
];

type Tp = Required<Pick<DemoTouchpoint, 'key' | 'name' | 'department' | 'channel' | 'journey_stage'>> & {
  planned: boolean;
  direct: boolean;
  description: string;
};

const tp = (
  key: string,
  name: string,
  department: DepartmentKey,
  channel: Tp['channel'],
  journey_stage: Tp['journey_stage'],
  planned: boolean,
  direct: boolean,
  description: string,
): Tp => ({ key, name, department, channel, journey_stage, planned, direct, description });

export const DEMO_TOUCHPOINTS: readonly Tp[] = [
  tp('press', 'Press & media coverage', 'marketing', 'media', 'awareness', false, false, 'Articles, podcasts, blogs'),
  tp('social_ads', 'Social ads', 'marketing', 'social', 'awareness', true, true, 'Paid campaigns on social networks'),
  tp('newsletter', 'Newsletter', 'marketing', 'email', 'awareness', true, true, 'Twice-monthly newsletter'),
  tp('website', 'Website', 'marketing', 'web', 'consideration', true, true, 'brightleaf.example home and blog'),
  tp(
    'product_pages',
    'Product pages',
    'product',
    'web',
    'consideration',
    true,
    true,
    'Shop pages per blend and machine',
  ),
  tp('sales_call', 'Sales call', 'sales', 'phone', 'consideration', true, true, 'Office plans for SMB and enterprise'),
  tp('product_demo', 'Product demo', 'sales', 'field', 'consideration', true, true, 'On-site machine tasting'),
  tp('store_visit', 'Store visit', 'sales', 'store', 'purchase', true, true, 'Flagship stores and pop-ups'),
  tp('checkout', 'Online checkout', 'sales', 'web', 'purchase', true, true, 'Cart and payment'),
  tp(
    'order_confirmation',
    'Order confirmation email',
    'sales',
    'email',
    'purchase',
    true,
    true,
    'Sent after each order',
  ),
  tp('first_invoice', 'First invoice', 'billing', 'email', 'purchase', true, true, 'Invoice for the first order'),
  tp(
    'welcome_email',
    'Welcome email series',
    'marketing',
    'email',
    'onboarding',
    true,
    true,
    'Three emails after sign-up',
  ),
  tp(
    'onboarding_call',
    'Onboarding call',
    'service',
    'phone',
    'onboarding',
    true,
    true,
    'Machine set-up and taste profile',
  ),
  tp('packaging', 'Packaging & unboxing', 'delivery', 'mail', 'onboarding', true, true, 'Box, sleeve, tasting cards'),
  tp('delivery', 'Delivery', 'delivery', 'field', 'use', true, true, 'Courier delivery of each order'),
  tp('delivery_sms', 'Delivery SMS', 'delivery', 'sms', 'use', true, true, 'Tracking updates by text message'),
  tp('mobile_app', 'Mobile app', 'product', 'app', 'use', true, true, 'Manage subscription, reorder, track'),
  tp('renewal_invoice', 'Renewal invoice', 'billing', 'email', 'renewal', true, true, 'Annual plan invoice'),
  tp('billing_portal', 'Billing portal', 'billing', 'web', 'use', true, true, 'Invoices, payment methods, plan'),
  tp('price_change_notice', 'Price change notice', 'billing', 'email', 'use', true, true, 'Announcement of new prices'),
  tp('help_center', 'Help center', 'service', 'web', 'support', true, true, 'Self-service articles'),
  tp('support_chat', 'Support chat', 'service', 'chat', 'support', false, true, 'Live chat on web and app'),
  tp('phone_support', 'Phone support', 'service', 'phone', 'support', false, true, 'Hotline, weekdays 8–20'),
  tp('support_email', 'Support email', 'service', 'email', 'support', false, true, 'help@brightleaf.example'),
  tp(
    'social_care',
    'Social media care',
    'service',
    'social',
    'support',
    false,
    true,
    'Replies to public posts and DMs',
  ),
  tp(
    'technician_visit',
    'Technician visit',
    'service',
    'field',
    'support',
    false,
    true,
    'Machine repair at home/office',
  ),
  tp(
    'complaint_escalation',
    'Complaint escalation',
    'service',
    'phone',
    'support',
    false,
    true,
    'Tier-2 complaints desk',
  ),
  tp('returns', 'Returns & refunds', 'delivery', 'web', 'support', false, true, 'Return labels and refund policy'),
  tp('renewal_call', 'Renewal call', 'sales', 'phone', 'renewal', true, true, 'Account review before renewal'),
  tp(
    'review_sites',
    'Review sites',
    'marketing',
    'web',
    'advocacy',
    false,
    false,
    'Public reviews (Trustpilot, Google)',
  ),
  tp(
    'social_media',
    'Social media (word of mouth)',
    'marketing',
    'social',
    'advocacy',
    false,
    false,
    'Mentions and shares',
  ),
  tp('referral_program', 'Referral program', 'marketing', 'web', 'advocacy', true, true, 'Give €10, get €10'),
  tp('community_forum', 'Community forum', 'product', 'web', 'advocacy', false, false, 'Brew tips from customers'),
];

export const DEMO_TOUCHPOINT_KEYS: ReadonlySet<string> = new Set(DEMO_TOUCHPOINTS.map((t) => t.key));

export const TOUCHPOINT_CHANNEL: Readonly<Record<string, Tp['channel']>> = Object.fromEntries(
  DEMO_TOUCHPOINTS.map((t) => [t.key, t.channel]),
);

/** Agents, with the latent skill (about −1 … +1) that shifts their CSAT, effort and speed. */
const AGENT_TABLE: readonly (readonly [string, string, string, number])[] = [
  ['anna.berger', 'Anna Berger', 'support-tier1', 0.2],
  ['tom.fischer', 'Tom Fischer', 'support-tier1', -1.0],
  ['lucia.romero', 'Lucía Romero', 'support-tier1', 0.4],
  ['jonas.weber', 'Jonas Weber', 'support-tier1', 0.0],
  ['sophie.martin', 'Sophie Martin', 'support-tier1', 0.6],
  ['kevin.obrien', "Kevin O'Brien", 'support-tier1', -0.4],
  ['mila.novak', 'Mila Novak', 'support-tier1', 0.1],
  ['priya.sharma', 'Priya Sharma', 'support-tier2', 1.1],
  ['marc.dubois', 'Marc Dubois', 'support-tier2', 0.5],
  ['eva.lindqvist', 'Eva Lindqvist', 'support-tier2', 0.3],
  ['rafael.costa', 'Rafael Costa', 'support-tier2', -0.3],
  ['hannah.schulz', 'Hannah Schulz', 'billing-desk', 0.3],
  ['david.kowalski', 'David Kowalski', 'billing-desk', -0.6],
  ['ines.moreau', 'Inès Moreau', 'billing-desk', 0.4],
  ['lars.jensen', 'Lars Jensen', 'delivery-desk', 0.2],
  ['fatima.elamrani', 'Fatima El Amrani', 'delivery-desk', 0.6],
  ['pieter.devries', 'Pieter de Vries', 'delivery-desk', -0.5],
  ['julia.rossi', 'Julia Rossi', 'sales-team', 0.5],
  ['ben.carter', 'Ben Carter', 'sales-team', 0.1],
  ['noah.peeters', 'Noah Peeters', 'sales-team', -0.2],
  ['clara.hoffmann', 'Clara Hoffmann', 'onboarding', 0.7],
  ['sam.okafor', 'Sam Okafor', 'onboarding', 0.2],
];

export const DEMO_AGENTS: readonly DemoAgent[] = AGENT_TABLE.map(([key, name, team]) => ({ key, name, team }));

/** The latent skill of each agent (ground truth for agent scorecards: Priya best, Tom worst). */
export const DEMO_AGENT_SKILLS: Readonly<Record<string, number>> = Object.fromEntries(
  AGENT_TABLE.map(([key, , , skill]) => [key, skill]),
);

export const AGENT_SKILL: readonly number[] = AGENT_TABLE.map((a) => a[3]);

export const DEMO_TEAMS = [
  'support-tier1',
  'support-tier2',
  'billing-desk',
  'delivery-desk',
  'sales-team',
  'onboarding',
] as const;
export type DemoTeam = (typeof DEMO_TEAMS)[number];

export const AGENTS_BY_TEAM: Readonly<Record<DemoTeam, readonly number[]>> = Object.fromEntries(
  DEMO_TEAMS.map((team) => [team, AGENT_TABLE.flatMap((a, i) => (a[2] === team ? [i] : []))]),
) as unknown as Record<DemoTeam, readonly number[]>;

/**
 * Experience areas. Each carries a weight: how many NPS points one unit of (recency-decayed)
 * experience quality there moves the customer's latent likelihood to recommend.
 */
export const AREAS = ['delivery', 'billing', 'service', 'product', 'returns', 'price', 'onboarding', 'sales'] as const;
export type Area = (typeof AREAS)[number];
export const AREA_WEIGHT: Readonly<Record<Area, number>> = {
  delivery: 1.6,
  billing: 1.4,
  service: 0.8,
  product: 0.9,
  returns: 0.9,
  price: 0.7,
  onboarding: 0.6,
  sales: 0.3,
};
/** Monthly decay of an experience's weight in the latent score (half-life ≈ 4 months). */
export const MONTHLY_DECAY = 0.85;

/**
 * Ground truth for key-driver analysis. The latent likelihood to recommend of every demo customer is
 *   L(t) = base(disposition, product liking, segment) + Σ_area weight × Σ_experiences quality × 0.85^(months ago)
 * and an NPS answer is round(L + noise). Churn (monthly hazard 0.002 + 0.1 / (1 + e^(1.8 (L − 6.9)))),
 * referrals, shares, reviews and repurchase all follow L: by latest NPS answer, 12-month retention
 * is ~87 % for 9–10, ~67 % for 7–8 and ~40 % for 0–6 (seed-dependent), and poor or slow service
 * adds churn on top. Everyday experiences are neutral to good; the big negative ones come from a
 * few places, listed by importance (how often × how hard they hit). Measured on 4,000 customers,
 * mean NPS in the 75 days after: nothing notable 8.0, a late parcel 6.8, a billing error 6.5, a
 * refused return 7.0, the price notice 7.5, any support contact 7.3 (service quality varies by agent).
 */
export const DEMO_TRUE_DRIVERS = [
  {
    rank: 1,
    driver: 'late or damaged delivery',
    area: 'delivery',
    department: 'delivery',
    touchpoints: ['delivery', 'packaging', 'delivery_sms'],
    topics: ['delivery_late', 'delivery_damaged', 'delivery_wrong_item'],
    nps_weight: AREA_WEIGHT.delivery,
    note: '~10 % of parcels late (×2.2 during the courier switch, ×1.5 in Nov/Dec, ×0.6 once fixed); delivery CSAT tracks it',
  },
  {
    rank: 2,
    driver: 'billing errors / double charges',
    area: 'billing',
    department: 'billing',
    touchpoints: ['first_invoice', 'renewal_invoice', 'billing_portal'],
    topics: ['billing_error', 'double_charge', 'refund_delay'],
    nps_weight: AREA_WEIGHT.billing,
    note: '8 % of invoices wrong (×3 during the billing-system migration)',
  },
  {
    rank: 3,
    driver: 'support quality (agent skill, wait, resolution time)',
    area: 'service',
    department: 'service',
    touchpoints: ['support_chat', 'phone_support', 'support_email', 'social_care', 'complaint_escalation'],
    topics: ['wait_time', 'rude_staff', 'helpful_staff'],
    nps_weight: AREA_WEIGHT.service,
    note: 'CSAT follows agent skill; slow or poor resolution also raises churn directly',
  },
  {
    rank: 4,
    driver: 'app crashes and machine faults',
    area: 'product',
    department: 'product',
    touchpoints: ['mobile_app', 'technician_visit'],
    topics: ['app_crash', 'app_login', 'machine_fault'],
    nps_weight: AREA_WEIGHT.product,
    note: 'crash rate ×4 in the month of the bad app release',
  },
  {
    rank: 5,
    driver: 'refund policy (returns refused)',
    area: 'returns',
    department: 'delivery',
    touchpoints: ['returns'],
    topics: ['refund_policy'],
    nps_weight: AREA_WEIGHT.returns,
    note: 'a policy problem, not an agent problem: good agents cannot fix it',
  },
  {
    rank: 6,
    driver: 'price increase',
    area: 'price',
    department: 'billing',
    touchpoints: ['price_change_notice'],
    topics: ['price_increase'],
    nps_weight: AREA_WEIGHT.price,
    note: 'one price change for everyone active at ~55 % of the window',
  },
] as const;

/** Minor touchpoints with (almost) no effect on NPS: driver analysis should rank them low. */
export const DEMO_NON_DRIVERS = ['newsletter', 'website', 'product_pages', 'social_ads', 'welcome_email'] as const;

/**
 * The storyline over the window (fractions of the window, start → now), so trend charts
 * have something to find.
 */
export const DEMO_STORYLINE = [
  { from: 0.3, to: 0.38, what: 'billing-system migration: billing errors ×3', area: 'billing' },
  { from: 0.45, to: 0.62, what: 'switch to a new courier: late deliveries ×2.2', area: 'delivery' },
  { from: 0.55, to: 0.55, what: 'price change notice to every active customer (+8 %)', area: 'price' },
  { from: 0.75, to: 0.79, what: 'buggy app release: crashes ×4', area: 'product' },
  { from: 0.8, to: 1.0, what: 'courier fixed: late deliveries ×0.6', area: 'delivery' },
] as const;

// biome-ignore format: a list
export const FIRST_NAMES = [
  'Anna', 'Lukas', 'Sophie', 'Maximilian', 'Emma', 'Noah', 'Léa', 'Lucas', 'Chloé', 'Hugo', 'Mia', 'Finn',
  'Sofia', 'Mateo', 'Giulia', 'Lorenzo', 'Lotte', 'Daan', 'Saoirse', 'Cian', 'Olivia', 'Jack', 'Isabel',
  'Pablo', 'Camille', 'Jules', 'Eva', 'Milan', 'Zoë', 'Liam', 'Marta', 'Tomasz', 'Ingrid', 'Lars', 'Amira',
  'Yusuf', 'Priya', 'Arjun', 'Chen', 'Mei', 'Fatima', 'Omar', 'Elena', 'Nikos', 'Hannah', 'Jonas', 'Clara',
  'Felix', 'Inês', 'Diogo', 'Aisling', 'Conor', 'Freya', 'Oscar', 'Nora', 'Emil', 'Julia', 'Marco', 'Sara',
  'David', 'Ana', 'Matteo', 'Leonie', 'Paul', 'Martina', 'Jakub', 'Astrid', 'Mohammed', 'Aylin', 'Björn',
];

// biome-ignore format: a list
export const LAST_NAMES = [
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Martin', 'Bernard', 'Dubois', 'Moreau', 'Laurent',
  'García', 'Fernández', 'López', 'Martínez', 'Rossi', 'Russo', 'Bianchi', 'de Vries', 'Jansen', 'Bakker',
  'Murphy', 'Kelly', "O'Brien", 'Byrne', 'Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Nowak', 'Kowalski',
  'Andersson', 'Johansson', 'Nielsen', 'Hansen', 'Silva', 'Santos', 'Costa', 'Papadopoulos', 'Yılmaz', 'Kaya',
  'Novak', 'Horvat', 'Kovács', 'Dimitrov', 'Popescu', 'Peeters', 'Janssens', 'Lambert', 'Schwarz', 'Huber',
  'Wagner', 'Becker', 'Hoffmann', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Zimmermann', 'Ricci', 'Marino',
];

// biome-ignore format: a list
export const COMPANY_WORDS_A = ['Nordic', 'Blue', 'Alpine', 'Urban', 'Bright', 'Atlas', 'Harbour', 'Maple', 'Delta', 'Summit', 'Orbit', 'Linden'];
// biome-ignore format: a list
export const COMPANY_WORDS_B = ['Design', 'Legal', 'Labs', 'Consulting', 'Media', 'Logistics', 'Dental', 'Architects', 'Software', 'Studio', 'Partners', 'Health'];
export const COMPANY_SUFFIX = ['GmbH', 'BV', 'SAS', 'Ltd', 'S.L.', 'S.r.l.', 'AB', 'NV', ''];

/** Country, weight, phone prefix, national mobile digits. */
export const COUNTRIES: readonly (readonly [string, number, string, number])[] = [
  ['DE', 24, '+49', 11],
  ['FR', 16, '+33', 9],
  ['NL', 11, '+31', 9],
  ['ES', 10, '+34', 9],
  ['IT', 9, '+39', 10],
  ['BE', 6, '+32', 9],
  ['AT', 6, '+43', 10],
  ['IE', 5, '+353', 9],
  ['PL', 5, '+48', 9],
  ['SE', 4, '+46', 9],
  ['DK', 4, '+45', 8],
];

export type DemoSurvey = z.input<typeof surveyDefinitionInput>;

const reason = (text: string) => ({ id: 'reason', type: 'text' as const, text, required: false });

/**
 * The surveys the demo's answers come from (responses name them by key), as Brightleaf defined
 * them: the relationship NPS twice a year, CSAT after support contacts, deliveries and
 * onboarding, checkout effort in the web widget and the in-app rating. Their questions' ids are
 * the answers' fields. No triggers: the demo sends nothing by itself.
 */
export const DEMO_SURVEYS: DemoSurvey[] = [
  {
    key: 'relationship-nps',
    name: 'Relationship NPS',
    questions: [
      {
        id: 'nps',
        type: 'nps',
        text: 'How likely are you to recommend Brightleaf to a friend or colleague?',
        required: true,
        low_label: 'Not at all likely',
        high_label: 'Extremely likely',
      },
      reason('What is the main reason for your score?'),
      {
        id: 'main_reason',
        type: 'single_choice',
        text: 'Which part of Brightleaf was that mostly about?',
        options: [
          { value: 'delivery', label: 'Delivery' },
          { value: 'billing', label: 'Billing' },
          { value: 'service', label: 'Customer service' },
          { value: 'product', label: 'Product & app' },
          { value: 'returns', label: 'Returns' },
          { value: 'price', label: 'Price' },
          { value: 'onboarding', label: 'Getting started' },
          { value: 'sales', label: 'Sales' },
        ],
      },
    ],
    email: { subject: 'How are we doing?' },
  },
  {
    key: 'support-csat',
    name: 'Support CSAT',
    questions: [
      { id: 'csat', type: 'csat', text: 'How satisfied are you with the help you got?', required: true },
      {
        id: 'effort',
        type: 'ces',
        text: 'It was easy to get my issue sorted.',
        scale_max: 7,
        higher_is_easier: true,
      },
      reason('What could we have done better?'),
    ],
    email: { subject: 'How did we do?' },
  },
  {
    key: 'delivery-csat',
    name: 'Delivery CSAT',
    touchpoint: 'delivery',
    questions: [
      { id: 'csat', type: 'csat', text: 'How satisfied are you with your delivery?', required: true },
      { id: 'expectation', type: 'expectation', text: 'How did the delivery compare with what you expected?' },
      {
        id: 'perception',
        type: 'rating',
        text: 'How would you rate the state your parcel arrived in?',
        scale_min: 1,
        scale_max: 5,
      },
      reason('Anything we should know about this delivery?'),
    ],
    email: { subject: 'Your Brightleaf delivery' },
  },
  {
    key: 'onboarding-csat',
    name: 'Onboarding CSAT',
    questions: [
      { id: 'csat', type: 'csat', text: 'How satisfied are you with getting started?', required: true },
      reason('What would have made it easier?'),
    ],
    email: { subject: 'Settling in with Brightleaf?' },
  },
  {
    key: 'checkout-ces',
    name: 'Checkout effort',
    questions: [{ id: 'effort', type: 'ces', text: 'Checking out was easy.', scale_max: 7, higher_is_easier: true }],
    widget: { triggers: [{ on: 'page_view', url_contains: '/checkout/done' }] },
  },
  {
    key: 'app-feedback',
    name: 'App feedback',
    touchpoint: 'mobile_app',
    questions: [
      {
        id: 'app_rating',
        type: 'rating',
        text: 'How would you rate the app?',
        scale_min: 1,
        scale_max: 5,
        required: true,
      },
      reason('What should we improve?'),
    ],
  },
];

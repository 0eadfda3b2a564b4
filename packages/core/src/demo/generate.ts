/**
 * The demo generator. Two passes over the customers, both pure and seeded:
 *
 * 1. *Skeleton* (cheap, numbers only): acquisition, segment, source and referrer, and a month by
 *    month simulation of each customer's experiences (orders → deliveries, invoices, app and
 *    machine incidents, support contacts with agents, price change, renewals) and of churn,
 *    driven by a latent likelihood-to-recommend L(t) (see DEMO_TRUE_DRIVERS). Pass 1 keeps only
 *    a compact summary per customer (acquisition, churn, L per month) so referrers can be chosen
 *    among earlier, active, mostly promoting customers.
 * 2. *Render*: re-runs the skeleton of one customer (same stream → same result), then writes its
 *    records: the customer, interactions with texts, survey responses scored from L(t) and the
 *    interaction's quality, and engagement/business events. Nothing of other customers is held
 *    except the summary arrays, so 100k customers stream in bounded memory.
 */
import type { z } from 'zod';
import type { InteractionKind, InteractionStatus } from '../domain.js';
import type { customerInput, eventInput, interactionInput, responseInput } from '../schemas/records.js';
import {
  AGENT_SKILL,
  AGENTS_BY_TEAM,
  AREA_WEIGHT,
  AREAS,
  type Area,
  COMPANY_SUFFIX,
  COMPANY_WORDS_A,
  COMPANY_WORDS_B,
  COUNTRIES,
  DEMO_AGENTS,
  DEMO_DEPARTMENTS,
  DEMO_ORG,
  DEMO_TOUCHPOINTS,
  type DemoAgent,
  type DemoDepartment,
  type DemoTeam,
  type DemoTouchpoint,
  FIRST_NAMES,
  LAST_NAMES,
  MONTHLY_DECAY,
  TOUCHPOINT_CHANNEL,
} from './catalog.js';
import { DemoRng } from './rng.js';
import {
  type Mood,
  type Polarity,
  reviewText,
  socialText,
  type TextVars,
  type TicketTopic,
  ticketText,
  verbatim,
} from './texts.js';

export type DemoCustomer = z.input<typeof customerInput>;
export type DemoInteraction = z.input<typeof interactionInput>;
export type DemoResponse = z.input<typeof responseInput>;
export type DemoEvent = z.input<typeof eventInput>;

export interface DemoOrgOptions {
  /** How many customers (≥ 1). */
  customers: number;
  /** Any integer; the same options give byte-identical output. */
  seed: number;
  /** Window start (ISO). Default: `months` before `now`. */
  start?: string;
  /** Window length in months when `start` or `now` is missing. Default 24. */
  months?: number;
  /** Window end (ISO). Default 2026-11-01T00:00:00Z (fixed, so output is deterministic). */
  now?: string;
}

export type DemoRecord =
  | { kind: 'customers'; record: DemoCustomer }
  | { kind: 'interactions'; record: DemoInteraction }
  | { kind: 'responses'; record: DemoResponse }
  | { kind: 'events'; record: DemoEvent };

export interface DemoOrg {
  org: { name: string; slug: string };
  departments: DemoDepartment[];
  touchpoints: DemoTouchpoint[];
  agents: DemoAgent[];
  customers: DemoCustomer[];
  interactions: DemoInteraction[];
  responses: DemoResponse[];
  events: DemoEvent[];
}

export const DEMO_DEFAULT_NOW = '2026-11-01T00:00:00Z';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const MONTH = 30.4375 * DAY;
const YEAR = 365 * DAY;

const SEGMENTS = ['consumer', 'smb', 'enterprise'] as const;
type Segment = (typeof SEGMENTS)[number];
const SOURCES = ['organic', 'paid_social', 'paid_search', 'referral', 'partner', 'store', 'outbound_sales'] as const;
type Source = (typeof SOURCES)[number];
const REFERRAL = 3;

// ---------------------------------------------------------------------------------------------
// Window and storyline
// ---------------------------------------------------------------------------------------------

interface Ctx {
  seed: number;
  n: number;
  start: number;
  now: number;
  months: number;
  /** Month boundaries: monthStart[m] for m in 0..months, the last one = now. */
  monthStart: number[];
  lateF: number[];
  billF: number[];
  crashF: number[];
  priceChangeAt: number;
}

function parseTime(s: string, what: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new Error(`generateDemoOrg: ${what} is not a date: ${s}`);
  return t;
}

function addMonths(t: number, m: number): number {
  const d = new Date(t);
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() + m,
    d.getUTCDate(),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
  );
}

function makeCtx(opts: DemoOrgOptions): Ctx {
  if (!Number.isInteger(opts.customers) || opts.customers < 1) throw new Error('customers must be a positive integer');
  if (!Number.isFinite(opts.seed)) throw new Error('seed must be a number');
  const months = opts.months ?? 24;
  if (!(months >= 1 && months <= 240)) throw new Error('months must be between 1 and 240');
  let start: number;
  let now: number;
  if (opts.start && opts.now) {
    start = parseTime(opts.start, 'start');
    now = parseTime(opts.now, 'now');
  } else if (opts.start) {
    start = parseTime(opts.start, 'start');
    now = addMonths(start, months);
  } else {
    now = parseTime(opts.now ?? DEMO_DEFAULT_NOW, 'now');
    start = addMonths(now, -months);
  }
  if (!(now - start >= 7 * DAY)) throw new Error('the window must be at least a week long');
  const monthStart: number[] = [];
  for (let m = 0; ; m++) {
    const t = addMonths(start, m);
    if (t >= now) break;
    monthStart.push(t);
  }
  monthStart.push(now);
  const nm = monthStart.length - 1;
  const span = now - start;
  const lateF: number[] = [];
  const billF: number[] = [];
  const crashF: number[] = [];
  for (let m = 0; m < nm; m++) {
    const mid = (monthStart[m] + monthStart[m + 1]) / 2;
    const f = (mid - start) / span;
    const calMonth = new Date(mid).getUTCMonth();
    let late = 1;
    if (f >= 0.45 && f < 0.62) late *= 2.2;
    if (f >= 0.8) late *= 0.6;
    if (calMonth === 10 || calMonth === 11) late *= 1.5;
    lateF.push(late);
    billF.push(f >= 0.3 && f < 0.38 ? 3 : 1);
    crashF.push(f >= 0.75 && f < 0.79 ? 4 : 1);
  }
  return {
    seed: Math.trunc(opts.seed) | 0,
    n: opts.customers,
    start,
    now,
    months: nm,
    monthStart,
    lateF,
    billF,
    crashF,
    priceChangeAt: start + 0.55 * span,
  };
}

function monthOf(ctx: Ctx, t: number): number {
  if (t < ctx.start) return -1;
  const guess = Math.min(ctx.months - 1, Math.floor((t - ctx.start) / MONTH));
  let m = Math.max(0, guess);
  while (m > 0 && ctx.monthStart[m] > t) m--;
  while (m < ctx.months - 1 && ctx.monthStart[m + 1] <= t) m++;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Skeleton
// ---------------------------------------------------------------------------------------------

interface Contribution {
  t: number;
  area: Area;
  q: number;
}

type ServiceChannel = 'chat' | 'phone' | 'email' | 'social' | 'web';

interface Episode {
  t: number;
  kind: InteractionKind;
  tp: string;
  q: number;
  area: Area | null;
  topic?: TicketTopic;
  agent?: number;
  team?: DemoTeam;
  first?: number;
  resolved?: number;
  status?: InteractionStatus;
  outcome?: string;
  transfers?: number;
  contacts?: number;
  order?: string;
  days?: number;
  amount?: number;
  mood?: Mood;
  channel?: ServiceChannel;
  survey?: 'service' | 'delivery' | 'onboarding';
  firstDelivery?: boolean;
}

interface Order {
  t: number;
  no: string;
  value: number;
  tp: string;
  items: number;
}

interface Plan {
  i: number;
  segment: Segment;
  source: Source;
  acq: number;
  churn: number;
  churnReason: string;
  e0: number;
  base: number;
  eng: number;
  appUser: boolean;
  hasMachine: boolean;
  optIn: boolean;
  plan: string;
  fee: number;
  preOrders: number;
  activeStart: number;
  activeEnd: number;
  contrib: Contribution[];
  strain: { t: number; w: number }[];
  episodes: Episode[];
  orders: Order[];
  renewals: { t: number; value: number }[];
  /** Latent L at the start of each window month (NaN where not active). */
  monthly: Float32Array;
}

const PLAN_BY_SEGMENT: Record<Segment, readonly (readonly [string, number, number])[]> = {
  consumer: [
    ['basic', 59, 5],
    ['plus', 99, 3],
    ['pro', 149, 1],
  ],
  smb: [
    ['office', 490, 3],
    ['office_plus', 890, 1],
  ],
  enterprise: [['enterprise', 2400, 1]],
};

const LN_DECAY_PER_MS = Math.log(MONTHLY_DECAY) / MONTH;
function decayFactor(dt: number): number {
  return Math.exp(dt * LN_DECAY_PER_MS);
}

/** Latent likelihood to recommend at time t (0–10 scale, unclipped). */
function latentAt(p: Plan, t: number): number {
  let l = p.base;
  for (const c of p.contrib) {
    if (c.t > t) continue;
    l += AREA_WEIGHT[c.area] * c.q * decayFactor(t - c.t);
  }
  return l;
}

function areaScores(p: Plan, t: number): Record<Area, number> {
  const s = { delivery: 0, billing: 0, service: 0, product: 0, returns: 0, price: 0, onboarding: 0, sales: 0 };
  for (const c of p.contrib) {
    if (c.t > t) continue;
    s[c.area] += AREA_WEIGHT[c.area] * c.q * decayFactor(t - c.t);
  }
  return s;
}

function strainAt(p: Plan, t: number): number {
  let s = 0;
  for (const x of p.strain) if (x.t <= t) s += x.w * decayFactor(t - x.t) ** 2;
  return s;
}

function pickAgent(rng: DemoRng, team: DemoTeam): number {
  return rng.pick(AGENTS_BY_TEAM[team]);
}

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

function skeleton(ctx: Ctx, i: number, segment: Segment, source: Source, acq: number): Plan {
  const r = new DemoRng(ctx.seed, i, 0x5c);
  const e0 = r.normal() + (source === 'referral' ? 0.35 : source === 'paid_social' ? -0.2 : 0);
  const productLove = r.normal();
  const planChoices = PLAN_BY_SEGMENT[segment];
  const [plan, fee] = r.weighted(
    planChoices.map((x) => [x[0], x[1]] as const),
    planChoices.map((x) => x[2]),
  );
  const seats = segment === 'enterprise' ? r.int(40, 400) : segment === 'smb' ? r.int(5, 40) : 1;
  const p: Plan = {
    i,
    segment,
    source,
    acq,
    churn: Number.NaN,
    churnReason: '',
    e0,
    base: 7.5 + 1.5 * e0 + 0.45 * productLove + (segment === 'enterprise' ? 0.2 : 0),
    eng: r.normal(0, 0.8),
    appUser: r.chance(segment === 'consumer' ? 0.6 : 0.35),
    hasMachine: r.chance(segment === 'consumer' ? 0.5 : 1),
    optIn: r.chance(0.7),
    plan,
    fee: segment === 'enterprise' ? Math.round(fee + seats * 12) : fee,
    preOrders: 0,
    activeStart: Math.max(acq, ctx.start),
    activeEnd: ctx.now,
    contrib: [],
    strain: [],
    episodes: [],
    orders: [],
    renewals: [],
    monthly: new Float32Array(ctx.months).fill(Number.NaN),
  };
  const orderRate = segment === 'consumer' ? 0.36 : segment === 'smb' ? 0.75 : 1.3;
  if (acq < ctx.start) p.preOrders = r.poisson((orderRate * (ctx.start - acq)) / MONTH);
  const segChurn = segment === 'enterprise' ? 0.55 : segment === 'smb' ? 0.8 : 1;
  let orderSeq = 0;
  const orderNo = () => `BL-${String(100000 + ((i * 7919 + orderSeq++ * 104729) % 900000)).padStart(6, '0')}`;

  const contribute = (t: number, area: Area, q: number) => {
    if (t <= ctx.now) p.contrib.push({ t, area, q });
  };

  const moodFor = (t: number, severity: number): Mood => {
    const l = latentAt(p, t) + r.normal(0, 1);
    if (severity >= 2 || l < 4.5) return 2;
    if (severity >= 1 || l < 6.5) return 1;
    return 0;
  };

  /** A support contact about a topic; may escalate into a complaint. */
  const contact = (
    topic: TicketTopic,
    t: number,
    severity: number,
    incidentArea: Area | null,
    depth = 0,
    order?: string,
    days?: number,
  ) => {
    if (t >= p.activeEnd || t >= ctx.now) return;
    let channel: ServiceChannel;
    if (depth > 0) channel = 'phone';
    else if (topic === 'machine_fault') channel = r.weighted(['phone', 'email', 'chat'] as const, [5, 3, 2]);
    else
      channel = r.weighted(
        ['chat', 'phone', 'email', 'social', 'web'] as const,
        segment === 'consumer' ? [38, 24, 24, 6, 8] : [18, 38, 38, 1, 5],
      );
    const billingTopic = topic === 'billing_error' || topic === 'double_charge' || topic === 'refund_delay';
    const deliveryTopic = topic.startsWith('delivery_');
    let team: DemoTeam =
      depth > 0
        ? 'support-tier2'
        : billingTopic || topic === 'price_increase'
          ? 'billing-desk'
          : deliveryTopic && r.chance(0.6)
            ? 'delivery-desk'
            : 'support-tier1';
    let agent = pickAgent(r, team);
    let transfers = 0;
    if (team === 'support-tier1' && r.chance(0.12 + 0.08 * severity)) {
      transfers = 1;
      team = 'support-tier2';
      agent = pickAgent(r, team);
    }
    const skill = AGENT_SKILL[agent];
    let q = 0.2 + 0.55 * skill - 0.22 * severity + 0.15 * e0 + r.normal(0, 0.45) - 0.15 * transfers;
    if (topic === 'refund_policy') q -= 0.6; // the policy, not the agent
    const slow = 1 + 0.7 * Math.max(0, -q);
    const speed = Math.exp(-0.3 * skill);
    const firstDelay =
      channel === 'chat'
        ? r.exp(2.5 * MIN) + (r.chance(0.2) ? r.exp(12 * MIN) : 0)
        : channel === 'phone'
          ? r.exp(5 * MIN) + (r.chance(0.15) ? r.exp(20 * MIN) : 0)
          : channel === 'social'
            ? r.exp(2.5 * HOUR)
            : r.exp(9 * HOUR) + (r.chance(0.2) ? r.exp(30 * HOUR) : 0);
    const first = t + Math.max(10_000, firstDelay * slow * speed);
    const complex = severity >= 1 || q < 0 || billingTopic || topic === 'machine_fault' || channel === 'email';
    const handle = complex
      ? r.exp(1.4 * DAY) * (1 + 1.5 * Math.max(0, -q)) * speed
      : channel === 'phone'
        ? r.exp(9 * MIN)
        : r.exp(20 * MIN);
    let resolved = first + handle;
    const hours = (resolved - t) / HOUR;
    const qp = clamp(q - 0.12 * Math.log1p(hours / 6), -1.6, 1.2);
    const contacts = 1 + (qp < -0.3 ? r.poisson(1) : 0);
    const neverFixed = qp < -0.5 && r.chance(0.08);
    let status: InteractionStatus = 'resolved';
    let outcome = outcomeFor(r, topic, qp, neverFixed);
    if (neverFixed) {
      status = 'closed';
      resolved = first + r.exp(3 * DAY);
    } else if (r.chance(0.5)) status = 'closed';
    const ep: Episode = {
      t,
      kind: channel === 'chat' ? 'chat' : channel === 'phone' ? 'call' : 'ticket',
      tp:
        depth > 0
          ? 'complaint_escalation'
          : channel === 'chat'
            ? 'support_chat'
            : channel === 'phone'
              ? 'phone_support'
              : channel === 'social'
                ? 'social_care'
                : channel === 'email'
                  ? 'support_email'
                  : 'help_center',
      q: qp,
      area: 'service',
      topic,
      agent,
      team,
      first,
      resolved,
      status,
      outcome,
      transfers,
      contacts,
      mood: moodFor(t, severity),
      channel,
      survey: 'service',
      order,
      days,
    };
    if (first > ctx.now) {
      ep.first = undefined;
      ep.resolved = undefined;
      ep.status = 'open';
      ep.outcome = undefined;
    } else if (resolved > ctx.now) {
      ep.resolved = undefined;
      ep.status = 'pending';
      ep.outcome = undefined;
      outcome = '';
    }
    p.episodes.push(ep);
    const tEffect = ep.resolved ?? ep.first ?? t;
    contribute(tEffect, 'service', qp);
    if (incidentArea && qp > 0.45 && !neverFixed) contribute(tEffect, incidentArea, 0.35);
    if (qp < -0.3 || hours > 72 || neverFixed) p.strain.push({ t: tEffect, w: neverFixed ? 1.5 : 1 });
    if (depth === 0 && qp < -0.55 && r.chance(0.3)) {
      contact(topic, tEffect + r.uniform(HOUR, 4 * DAY), 2, incidentArea, 1, order, days);
    }
  };

  const invoice = (t: number, tp: 'first_invoice' | 'renewal_invoice', m: number) => {
    if (t >= ctx.now) return;
    const errP = 0.08 * (m >= 0 ? ctx.billF[m] : 1);
    const amount = tp === 'renewal_invoice' ? p.fee : Math.round(p.fee * 100) / 100;
    if (r.chance(errP)) {
      const double = r.chance(0.4);
      const q = double ? -1.3 : -1.2;
      p.episodes.push({
        t,
        kind: 'invoice',
        tp,
        q,
        area: 'billing',
        status: 'resolved',
        resolved: Math.min(ctx.now, t + r.uniform(3 * DAY, 20 * DAY)),
        outcome: double ? 'double_charge' : 'error',
        amount,
      });
      contribute(t + DAY, 'billing', q);
      if (r.chance(0.75)) {
        const topic: TicketTopic = double ? 'double_charge' : 'billing_error';
        contact(topic, t + r.uniform(DAY, 6 * DAY), 1, 'billing');
        if (r.chance(0.2)) contact('refund_delay', t + r.uniform(10 * DAY, 25 * DAY), 1, 'billing');
      }
    } else {
      p.episodes.push({
        t,
        kind: 'invoice',
        tp,
        q: 0.05,
        area: 'billing',
        status: 'closed',
        resolved: Math.min(ctx.now, t + r.uniform(HOUR, 9 * DAY)),
        outcome: 'paid',
        amount,
      });
      contribute(t + DAY, 'billing', 0.05);
    }
  };

  const placeOrder = (t: number, m: number, first: boolean) => {
    const value =
      Math.round(
        (segment === 'consumer'
          ? r.logNormal(32, 0.35)
          : segment === 'smb'
            ? r.logNormal(140, 0.4)
            : r.logNormal(620, 0.45)) * 100,
      ) / 100;
    const tp =
      source === 'store' && (first || r.chance(0.2))
        ? 'store_visit'
        : p.appUser && r.chance(0.45)
          ? 'mobile_app'
          : 'checkout';
    const no = orderNo();
    p.orders.push({ t, no, value, tp, items: 1 + r.poisson(segment === 'consumer' ? 1.2 : 4) });
    if (first) invoice(t + r.uniform(MIN, HOUR), 'first_invoice', m);
    // Delivery.
    const ship = t + r.uniform(4 * HOUR, 30 * HOUR);
    const expected = ship + r.int(1, 3) * DAY;
    const lateP = 0.1 * (m >= 0 ? ctx.lateF[m] : 1) * (segment === 'enterprise' ? 0.7 : 1);
    const late = r.chance(lateP);
    const damaged = !late && r.chance(0.035);
    const wrong = !late && !damaged && r.chance(0.015);
    const days = late ? 1 + r.poisson(m >= 0 && ctx.lateF[m] > 2 ? 3 : 2) : 0;
    const delivered = expected + days * DAY + r.uniform(-6 * HOUR, 4 * HOUR);
    const q = late ? -0.55 - 0.12 * days + r.normal(0, 0.1) : damaged ? -0.8 : wrong ? -0.6 : 0.22 + r.normal(0, 0.08);
    if (ship >= ctx.now) return;
    const ep: Episode = {
      t: ship,
      kind: 'delivery',
      tp: 'delivery',
      q,
      area: 'delivery',
      order: no,
      days,
      status: delivered <= ctx.now ? 'closed' : 'pending',
      outcome:
        delivered <= ctx.now ? (late ? 'late' : damaged ? 'damaged' : wrong ? 'wrong_item' : 'on_time') : undefined,
      resolved: delivered <= ctx.now ? delivered : undefined,
      survey: 'delivery',
      firstDelivery: first,
    };
    p.episodes.push(ep);
    if (delivered > ctx.now) return;
    contribute(delivered, 'delivery', q);
    if (late && r.chance(Math.min(0.8, 0.3 + 0.08 * days))) {
      contact(
        'delivery_late',
        expected + r.uniform(2 * HOUR, Math.max(3 * HOUR, Math.min(2 * DAY, delivered - expected))),
        days > 3 ? 2 : 1,
        'delivery',
        0,
        no,
        days,
      );
    } else if (damaged && r.chance(0.85)) {
      contact('delivery_damaged', delivered + r.uniform(HOUR, 2 * DAY), 1, 'delivery', 0, no);
    } else if (wrong && r.chance(0.8)) {
      contact('delivery_wrong_item', delivered + r.uniform(HOUR, 2 * DAY), 1, 'delivery', 0, no);
    }
    // Returns and the refund policy.
    if (r.chance(0.02)) {
      const tr = delivered + r.uniform(DAY, 20 * DAY);
      const refused = r.chance(0.6);
      if (tr < ctx.now && tr < p.activeEnd) {
        p.episodes.push({
          t: tr,
          kind: 'ticket',
          tp: 'returns',
          q: refused ? -0.7 : 0.3,
          area: 'returns',
          topic: 'refund_policy',
          status: 'closed',
          resolved: Math.min(ctx.now, tr + r.uniform(HOUR, 3 * DAY)),
          outcome: refused ? 'return_refused' : 'refunded',
          order: no,
          mood: refused ? 1 : 0,
        });
        contribute(tr, 'returns', refused ? -0.7 : 0.3);
        if (refused && r.chance(0.5)) contact('refund_policy', tr + r.uniform(HOUR, 3 * DAY), 1, 'returns', 0, no);
      }
    }
  };

  const acqInWindow = acq >= ctx.start;
  const m0 = monthOf(ctx, p.activeStart);
  for (let m = Math.max(0, m0); m < ctx.months; m++) {
    const t0 = Math.max(ctx.monthStart[m], p.activeStart);
    const t1 = ctx.monthStart[m + 1];
    if (t0 >= t1) continue;
    p.monthly[m] = latentAt(p, t0);
    // Churn: decided at the start of the month from the current state.
    let end = t1;
    if (t0 - acq > 25 * DAY) {
      const l = latentAt(p, t0) + r.normal(0, 0.4);
      // Top box keeps ~90-95 % a year, one box lower ~60-65 %, detractors ~40 %.
      let h = 0.002 + 0.1 / (1 + Math.exp(1.8 * (l - 6.9)));
      h += 0.02 * strainAt(p, t0);
      h *= segChurn;
      if (r.chance(h)) {
        end = r.uniform(t0, t1);
        p.churn = end;
        p.activeEnd = end;
        const scores = areaScores(p, t0);
        let worst: Area | null = null;
        for (const a of AREAS) if (scores[a] < -0.3 && (worst === null || scores[a] < scores[worst])) worst = a;
        p.churnReason = worst ?? r.pick(['price', 'no_longer_needed', 'competitor', 'moving'] as const);
      }
    }
    const frac = (end - t0) / MONTH;
    // Acquisition month: the first order, onboarding, pre-purchase touches.
    if (acqInWindow && acq >= t0 && acq < t1) {
      if (source === 'paid_social' && acq - 10 * DAY >= ctx.start) {
        p.episodes.push({ t: acq - r.uniform(HOUR, 10 * DAY), kind: 'ad_view', tp: 'social_ads', q: 0, area: null });
      }
      if (segment !== 'consumer' && r.chance(segment === 'enterprise' ? 0.9 : 0.6)) {
        const tc = acq - r.uniform(8 * DAY, 30 * DAY);
        if (tc >= ctx.start) {
          const a = pickAgent(r, 'sales-team');
          const q = 0.2 + 0.4 * AGENT_SKILL[a] + r.normal(0, 0.3);
          p.episodes.push({
            t: tc,
            kind: 'call',
            tp: 'sales_call',
            q,
            area: 'sales',
            agent: a,
            team: 'sales-team',
            status: 'closed',
            resolved: tc + r.uniform(15 * MIN, 50 * MIN),
            outcome: 'qualified',
          });
          contribute(tc, 'sales', q);
          if (segment === 'enterprise' && r.chance(0.7)) {
            const td = acq - r.uniform(DAY, 7 * DAY);
            p.episodes.push({
              t: td,
              kind: 'demo',
              tp: 'product_demo',
              q: q + 0.1,
              area: 'sales',
              agent: a,
              team: 'sales-team',
              status: 'closed',
              resolved: td + r.uniform(HOUR, 2 * HOUR),
              outcome: 'won',
            });
          }
        }
      }
      if (source === 'store')
        p.episodes.push({
          t: acq - r.uniform(10 * MIN, HOUR),
          kind: 'visit',
          tp: 'store_visit',
          q: 0.3,
          area: null,
          status: 'closed',
          outcome: 'purchase',
        });
      placeOrder(acq, m, true);
      p.episodes.push({
        t: acq + r.uniform(HOUR, 6 * HOUR),
        kind: 'email',
        tp: 'welcome_email',
        q: 0,
        area: null,
        status: 'closed',
        outcome: 'sent',
      });
      if (r.chance(segment === 'consumer' ? 0.35 : segment === 'smb' ? 0.7 : 0.95)) {
        const to = acq + r.uniform(2 * DAY, 10 * DAY);
        if (to < ctx.now && to < end) {
          const a = pickAgent(r, 'onboarding');
          const q = 0.25 + 0.5 * AGENT_SKILL[a] + r.normal(0, 0.35);
          const dur = r.uniform(15 * MIN, 60 * MIN);
          p.episodes.push({
            t: to,
            kind: 'onboarding_session',
            tp: 'onboarding_call',
            q,
            area: 'onboarding',
            agent: a,
            team: 'onboarding',
            first: to,
            resolved: Math.min(ctx.now, to + dur),
            status: 'closed',
            outcome: 'completed',
            survey: 'onboarding',
          });
          contribute(to + dur, 'onboarding', q);
        }
      }
      if (r.chance(0.12)) contact('onboarding_setup', acq + r.uniform(DAY, 8 * DAY), 0, 'onboarding');
    }
    // Repeat orders (promoters buy a little more often, detractors less).
    const lNow = latentAt(p, t0);
    const rate = orderRate * (lNow >= 8.5 ? 1.15 : lNow < 6.5 ? 0.8 : 1);
    const nOrders = r.poisson(rate * frac);
    for (let k = 0; k < nOrders; k++) {
      const t = r.uniform(t0, end);
      if (t > acq + DAY) placeOrder(t, m, false);
    }
    // Renewal on each anniversary.
    for (let k = 1; k < 12; k++) {
      const ta = acq + k * YEAR;
      if (ta >= end) break;
      if (ta < t0) continue;
      if (segment !== 'consumer' && r.chance(segment === 'enterprise' ? 0.9 : 0.5)) {
        const tc = Math.max(t0, ta - r.uniform(5 * DAY, 20 * DAY));
        const a = pickAgent(r, 'sales-team');
        const q = 0.15 + 0.4 * AGENT_SKILL[a] + r.normal(0, 0.3);
        p.episodes.push({
          t: tc,
          kind: 'call',
          tp: 'renewal_call',
          q,
          area: 'sales',
          agent: a,
          team: 'sales-team',
          status: 'closed',
          resolved: tc + r.uniform(15 * MIN, 45 * MIN),
          outcome: 'renewal_confirmed',
        });
        contribute(tc, 'sales', q);
      }
      const fee = ta >= ctx.priceChangeAt ? Math.round(p.fee * 1.08) : p.fee;
      p.renewals.push({ t: ta, value: fee });
      invoice(ta, 'renewal_invoice', m);
    }
    // Price change notice.
    if (ctx.priceChangeAt >= t0 && ctx.priceChangeAt < end) {
      const t = ctx.priceChangeAt + r.uniform(0, 6 * HOUR);
      const q = segment === 'consumer' ? -0.45 : -0.25;
      p.episodes.push({
        t,
        kind: 'email',
        tp: 'price_change_notice',
        q,
        area: 'price',
        status: 'closed',
        outcome: 'sent',
      });
      contribute(t, 'price', q);
      if (r.chance(0.07)) contact('price_increase', t + r.uniform(HOUR, 5 * DAY), 1, 'price');
    }
    // App and machine incidents, how-to questions and account changes.
    if (p.appUser) {
      if (r.chance(0.025 * ctx.crashF[m] * frac)) {
        const t = r.uniform(t0, end);
        contribute(t, 'product', -0.5);
        if (r.chance(0.4)) contact('app_crash', t + r.uniform(MIN, 2 * DAY), 1, 'product');
      }
      if (r.chance(0.01 * frac)) contact('app_login', r.uniform(t0, end), 0, 'product');
    }
    if (p.hasMachine && r.chance(0.008 * frac)) {
      const t = r.uniform(t0, end);
      contribute(t, 'product', -0.9);
      if (r.chance(0.9)) {
        contact('machine_fault', t + r.uniform(HOUR, DAY), 1, 'product');
        const tv = t + r.uniform(2 * DAY, 7 * DAY);
        if (tv < ctx.now && tv < end) {
          const q = 0.3 + r.normal(0, 0.3);
          p.episodes.push({
            t: tv,
            kind: 'visit',
            tp: 'technician_visit',
            q,
            area: 'product',
            status: 'resolved',
            resolved: tv + r.uniform(30 * MIN, 3 * HOUR),
            outcome: r.chance(0.8) ? 'repaired' : 'replaced',
          });
          contribute(tv, 'product', q);
        }
      }
    }
    if (r.chance(0.05 * frac)) contact('how_to', r.uniform(t0, end), 0, null);
    if (r.chance(0.01 * frac)) contact('address_change', r.uniform(t0, end), 0, null);
    if (r.chance((segment === 'consumer' ? 0.01 : 0.03) * frac)) contact('plan_change', r.uniform(t0, end), 0, null);
    if (p.churn === end) break;
  }
  p.episodes.sort((a, b) => a.t - b.t);
  p.contrib.sort((a, b) => a.t - b.t);
  return p;
}

function outcomeFor(r: DemoRng, topic: TicketTopic, q: number, neverFixed: boolean): string {
  if (neverFixed) return 'unresolved';
  switch (topic) {
    case 'delivery_late':
      return r.pick(q > 0 ? ['rebooked', 'refund_issued', 'voucher_sent'] : ['explained', 'rebooked']);
    case 'delivery_damaged':
    case 'delivery_wrong_item':
      return r.pick(['replacement_sent', 'refund_issued']);
    case 'billing_error':
      return r.pick(['invoice_corrected', 'credit_applied']);
    case 'double_charge':
    case 'refund_delay':
      return 'refund_issued';
    case 'price_increase':
      return r.pick(['explained', 'plan_changed', 'discount_offered']);
    case 'app_crash':
    case 'app_login':
      return r.pick(['workaround', 'bug_logged']);
    case 'machine_fault':
      return r.pick(['technician_booked', 'replacement_sent']);
    case 'refund_policy':
      return q > 0.3 ? 'exception_granted' : 'refused_per_policy';
    case 'plan_change':
      return 'plan_changed';
    case 'address_change':
      return 'address_updated';
    default:
      return 'explained';
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: acquisition order, sources, referrers, summaries
// ---------------------------------------------------------------------------------------------

interface Population {
  acq: Float64Array;
  churn: Float64Array;
  segment: Uint8Array;
  source: Uint8Array;
  referrer: Int32Array;
  monthly: Float32Array;
  refOffsets: Int32Array;
  refList: Int32Array;
}

function acquisitionTimes(ctx: Ctx): Float64Array {
  const r = new DemoRng(ctx.seed, 0xac0);
  const out = new Float64Array(ctx.n);
  const span = ctx.now - ctx.start;
  for (let k = 0; k < ctx.n; k++) {
    if (r.chance(0.5)) {
      out[k] = ctx.start - 36 * MONTH * r.next() ** 1.4 - r.uniform(0, DAY);
    } else {
      for (;;) {
        const u = r.next();
        const t = ctx.start + u * span;
        const cal = new Date(t).getUTCMonth();
        const w = ((1 + 0.6 * u) / 1.6) * (cal === 10 || cal === 11 ? 1 : cal === 0 ? 0.85 : 0.75);
        if (r.chance(w)) {
          out[k] = t;
          break;
        }
      }
    }
  }
  return out.sort();
}

function population(ctx: Ctx): Population {
  const n = ctx.n;
  const acq = acquisitionTimes(ctx);
  const churn = new Float64Array(n);
  const segment = new Uint8Array(n);
  const source = new Uint8Array(n);
  const referrer = new Int32Array(n).fill(-1);
  const monthly = new Float32Array(n * ctx.months);
  for (let i = 0; i < n; i++) {
    const r = new DemoRng(ctx.seed, i, 0x5e);
    const seg = r.weightedIndex([72, 21, 7]);
    segment[i] = seg;
    let src = -1;
    if (i > 0 && r.chance(seg === 0 ? 0.22 : seg === 1 ? 0.15 : 0.08)) {
      const m = Math.max(0, monthOf(ctx, acq[i]));
      for (let tries = 0; tries < 60; tries++) {
        const j = r.int(0, i - 1);
        if (acq[j] > acq[i] - 5 * DAY) continue;
        if (!Number.isNaN(churn[j]) && churn[j] < acq[i]) continue;
        let l = monthly[j * ctx.months + m];
        if (Number.isNaN(l)) {
          // The referrer's first simulated month (they were acquired shortly before).
          for (let k = m; k < ctx.months && Number.isNaN(l); k++) l = monthly[j * ctx.months + k];
        }
        if (Number.isNaN(l)) continue;
        const w = l >= 8.5 ? 1 : l >= 6.5 ? 0.18 : 0.03;
        if (r.chance(w)) {
          referrer[i] = j;
          src = REFERRAL;
          break;
        }
      }
    }
    if (src < 0) {
      src =
        seg === 0
          ? [0, 1, 2, 4, 5][r.weightedIndex([36, 24, 16, 8, 12])]
          : [0, 2, 4, 6][r.weightedIndex([25, 15, 15, 45])];
    }
    source[i] = src;
    const plan = skeleton(ctx, i, SEGMENTS[seg], SOURCES[src], acq[i]);
    churn[i] = plan.churn;
    monthly.set(plan.monthly, i * ctx.months);
  }
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if (referrer[i] >= 0) counts[referrer[i] + 1]++;
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const refList = new Int32Array(counts[n]);
  const fillAt = counts.slice(0, n);
  for (let i = 0; i < n; i++) if (referrer[i] >= 0) refList[fillAt[referrer[i]]++] = i;
  return { acq, churn, segment, source, referrer, monthly, refOffsets: counts, refList };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: render one customer's records
// ---------------------------------------------------------------------------------------------

/** ISO 8601 UTC with seconds, e.g. 2026-03-01T09:30:00Z (a fast civil-from-days conversion). */
function iso(t: number): string {
  const secs = Math.floor(t / 1000);
  const days = Math.floor(secs / 86400);
  let rem = secs - days * 86400;
  const hh = Math.floor(rem / 3600);
  rem -= hh * 3600;
  const mi = Math.floor(rem / 60);
  const ss = rem - mi * 60;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${two(m)}-${two(d)}T${two(hh)}:${two(mi)}:${two(ss)}Z`;
}
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad = (n: number, w: number) => String(n).padStart(w, '0');
export const demoCustomerId = (i: number): string => `C${pad(i + 1, 6)}`;
const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ı/g, 'i')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();

interface Counters {
  interaction: number;
  response: number;
  event: number;
}

const AREA_LABEL: Record<Area, string> = {
  delivery: 'Delivery',
  billing: 'Billing',
  service: 'Customer service',
  product: 'Product & app',
  returns: 'Returns',
  price: 'Price',
  onboarding: 'Getting started',
  sales: 'Sales',
};

const PAGES: readonly (readonly [string, string, number])[] = [
  ['website', '/', 3],
  ['website', '/blog/brew-guides', 2],
  ['website', '/about', 0.5],
  ['product_pages', '/shop/beans/ethiopia-yirgacheffe', 2],
  ['product_pages', '/shop/beans/house-blend', 2],
  ['product_pages', '/shop/machines/brew-one', 1.2],
  ['product_pages', '/shop/tea/sencha', 0.8],
  ['help_center', '/help/pause-subscription', 1],
  ['help_center', '/help/descaling', 0.8],
  ['help_center', '/help/returns', 0.5],
  ['billing_portal', '/account/invoices', 1],
  ['billing_portal', '/account/plan', 0.6],
  ['community_forum', '/community/brewing', 0.7],
];
const PAGE_WEIGHTS = PAGES.map((p) => p[2]);
const APP_ACTIONS = [
  'skip_delivery',
  'reorder',
  'change_grind',
  'rate_coffee',
  'view_tracking',
  'change_blend',
  'open_app',
];
const APP_ACTION_WEIGHTS = [1.5, 1.2, 0.6, 1, 2, 0.7, 4];

function polarityOf(score: number, scale: 'nps' | 'csat'): Polarity {
  if (scale === 'nps') return score >= 9 ? 'pos' : score >= 7 ? 'mixed' : 'neg';
  return score >= 4 ? 'pos' : score === 3 ? 'mixed' : 'neg';
}

function renderCustomer(ctx: Ctx, pop: Population, i: number, ids: Counters, out: DemoRecord[]): void {
  const seg = SEGMENTS[pop.segment[i]];
  const src = SOURCES[pop.source[i]];
  const p = skeleton(ctx, i, seg, src, pop.acq[i]);
  const r = new DemoRng(ctx.seed, i, 0xd0);
  const ext = demoCustomerId(i);
  // Identity.
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  const email = `${ascii(first)}.${ascii(last)}.${i + 1}@example.com`;
  const [country, , prefix, digits] = COUNTRIES[r.weightedIndex(COUNTRIES.map((c) => c[1]))];
  let national = String(r.int(1, 9));
  while (national.length < digits) national += String(r.int(0, 9));
  const phone = r.chance(0.45) ? `${prefix}${national}` : undefined;
  const company =
    seg === 'consumer'
      ? undefined
      : `${r.pick(COMPANY_WORDS_A)} ${r.pick(COMPANY_WORDS_B)} ${r.pick(COMPANY_SUFFIX)}`.trim();
  const vars: TextVars = { first, last, email, phone, country };
  const attributes: Record<string, string | number | boolean | null> = {
    plan: p.plan,
    country,
    lifetime_orders: p.preOrders + p.orders.length,
    app_user: p.appUser,
    machine_owner: p.hasMachine,
    marketing_opt_in: p.optIn,
    preferred_channel: r.weighted(['email', 'chat', 'phone', 'app'], [4, 3, 2, p.appUser ? 3 : 0]),
    annual_fee_eur: p.fee,
  };
  if (seg === 'consumer') {
    attributes.age_band = r.weighted(['18-24', '25-34', '35-44', '45-54', '55-64', '65+'], [8, 26, 24, 18, 14, 10]);
  } else {
    attributes.company = company ?? null;
    attributes.seats = seg === 'enterprise' ? r.int(40, 400) : r.int(5, 40);
  }
  const customer: DemoCustomer = {
    customer_external_id: ext,
    customer_email: email,
    name: `${first} ${last}`,
    segment: seg,
    acquired_at: iso(p.acq),
    acquisition_source: src,
    attributes,
  };
  if (phone) customer.customer_phone = phone;
  const ref = pop.referrer[i];
  if (ref >= 0) customer.referred_by_external_id = demoCustomerId(ref);
  out.push({ kind: 'customers', record: customer });

  const inWindow = (t: number) => t >= ctx.start && t <= ctx.now;
  const active = (t: number) => t >= p.activeStart && t < p.activeEnd && t <= ctx.now;

  // Interactions.
  const epIds = new Map<Episode, string>();
  for (const ep of p.episodes) {
    if (!inWindow(ep.t)) continue;
    const n = ++ids.interaction;
    const id = `INT-${pad(n, 7)}`;
    epIds.set(ep, id);
    const rec: DemoInteraction = {
      customer_external_id: ext,
      idempotency_key: `demo:i:${pad(n, 7)}`,
      external_id: id,
      kind: ep.kind,
      touchpoint: ep.tp,
      channel: TOUCHPOINT_CHANNEL[ep.tp],
      opened_at: iso(ep.t),
    };
    if (ep.agent !== undefined) {
      rec.agent = DEMO_AGENTS[ep.agent].key;
      rec.agent_name = DEMO_AGENTS[ep.agent].name;
      rec.team = ep.team;
    }
    if (ep.topic && ep.channel) {
      const amount = ep.amount ?? p.fee * (r.chance(0.5) ? 1 : 0.25);
      const tv: TextVars = {
        ...vars,
        order: ep.order ?? (p.orders.length ? r.pick(p.orders).no : 'my order'),
        days: ep.days || (ep.topic === 'refund_delay' ? r.int(8, 30) : r.int(2, 6)),
        amount: `€${amount.toFixed(2)}`,
        card: pad(r.int(0, 9999), 4),
      };
      const tt = ticketText(r, ep.topic, ep.channel === 'web' ? 'email' : ep.channel, ep.mood ?? 0, tv, ep.outcome);
      if (ep.kind === 'ticket') rec.subject = tt.subject;
      rec.text = tt.text;
    } else if (ep.topic === 'refund_policy') {
      rec.subject = `Return request for ${ep.order}`;
      rec.text = ticketText(r, 'refund_policy', 'email', ep.mood ?? 0, { ...vars, order: ep.order ?? '' }).text;
    } else if (ep.kind === 'delivery') {
      rec.subject = `Delivery of order ${ep.order}`;
      if (ep.outcome === 'late')
        rec.text = `Delivered ${ep.days} day${ep.days === 1 ? '' : 's'} after the promised date.`;
    } else if (ep.kind === 'invoice') {
      rec.subject = `${ep.tp === 'first_invoice' ? 'Invoice' : 'Annual renewal invoice'} €${(ep.amount ?? 0).toFixed(2)}`;
      rec.direction = 'outbound';
    } else if (ep.tp === 'price_change_notice') {
      rec.subject = 'Our prices are changing';
      rec.direction = 'outbound';
    } else if (ep.tp === 'welcome_email') {
      rec.subject = `Welcome to Brightleaf, ${first}!`;
      rec.direction = 'outbound';
    }
    if (ep.status) rec.status = ep.status;
    if (ep.outcome) rec.outcome = ep.outcome;
    if (ep.first !== undefined && ep.first <= ctx.now) rec.first_response_at = iso(ep.first);
    if (ep.resolved !== undefined && ep.resolved <= ctx.now) rec.resolved_at = iso(ep.resolved);
    if (ep.contacts !== undefined) rec.contact_count = ep.contacts;
    if (ep.transfers !== undefined) rec.transfers = ep.transfers;
    out.push({ kind: 'interactions', record: rec });
  }

  // Responses.
  const responses: DemoResponse[] = [];
  const areaFocus = (t: number): [Area, Area] => {
    const s = areaScores(p, t);
    let worst: Area = r.pick(['price', 'product', 'delivery', 'service'] as const);
    let best: Area = r.pick(['product', 'delivery', 'service'] as const);
    let lo = -0.15;
    let hi = 0.1;
    for (const a of AREAS) {
      if (s[a] < lo) {
        lo = s[a];
        worst = a;
      }
      if (s[a] > hi && a !== 'billing') {
        hi = s[a];
        best = a;
      }
    }
    return [worst, best];
  };
  const respond = (
    t: number,
    survey: string,
    source: DemoResponse['source'],
    answers: DemoResponse['answers'],
    extra: Partial<DemoResponse> = {},
  ) => {
    if (!inWindow(t) || t > ctx.now) return;
    responses.push({
      customer_external_id: ext,
      idempotency_key: '',
      survey,
      source,
      submitted_at: iso(t),
      answers,
      ...extra,
    });
  };
  // Relationship NPS every six months from a personal offset.
  const offset = r.uniform(0, 6) * MONTH;
  for (let k = -4; k < 60; k++) {
    const inv = ctx.start + offset + k * 6 * MONTH;
    if (inv > ctx.now) break;
    if (inv < p.activeStart + 30 * DAY || !active(inv)) continue;
    const l = latentAt(p, inv);
    if (!r.chance(0.26 + (Math.abs(l - 7.5) > 2.5 ? 0.08 : 0))) continue;
    const ts = inv + r.exp(1.2 * DAY);
    const score = clamp(Math.round(l + r.normal(0, 0.7)), 0, 10);
    const answers: DemoResponse['answers'] = [{ field: 'nps', type: 'nps', value: score }];
    const [worst, best] = areaFocus(ts);
    let language = 'en';
    if (r.chance(score <= 6 ? 0.72 : 0.55)) {
      const v = verbatim(r, polarityOf(score, 'nps'), worst, best, vars, country);
      answers.push({ field: 'reason', type: 'text', value: v.text });
      language = v.language;
    }
    if (r.chance(0.4)) {
      answers.push({ field: 'main_reason', type: 'choice', value: AREA_LABEL[score >= 9 ? best : worst] });
    }
    respond(ts, 'relationship-nps', 'email', answers, { language });
  }
  // Transactional surveys.
  let prevDeliveryQ = 0.1;
  for (const ep of p.episodes) {
    const id = epIds.get(ep);
    if (!id || ep.resolved === undefined || !ep.survey) continue;
    if (ep.survey === 'service') {
      if (!r.chance(ep.channel === 'chat' ? 0.34 : 0.27)) continue;
      const ts = ep.resolved + r.exp(3 * HOUR);
      const csat = clamp(Math.round(3.95 + 1.6 * ep.q + 0.2 * p.e0 + r.normal(0, 0.55)), 1, 5);
      const answers: DemoResponse['answers'] = [{ field: 'csat', type: 'csat', value: csat }];
      if (r.chance(0.75)) {
        const ces = clamp(
          Math.round(5.1 + 1.4 * ep.q - 0.6 * (ep.transfers ?? 0) - 0.4 * ((ep.contacts ?? 1) - 1) + r.normal(0, 0.8)),
          1,
          7,
        );
        answers.push({ field: 'effort', type: 'ces', value: ces, scale_max: 7, higher_is_easier: true });
      }
      let language = 'en';
      if (r.chance(csat <= 2 ? 0.65 : 0.45)) {
        const incident = ep.topic ? topicArea(ep.topic) : 'service';
        const v = verbatim(
          r,
          polarityOf(csat, 'csat'),
          r.chance(0.55) ? 'service' : incident,
          'service',
          {
            ...vars,
            agent: ep.agent !== undefined ? DEMO_AGENTS[ep.agent].name.split(' ')[0] : undefined,
            wait: String(r.int(15, 60)),
            days: String(r.int(2, 9)),
          },
          country,
        );
        answers.push({ field: 'reason', type: 'text', value: v.text });
        language = v.language;
      }
      respond(
        ts,
        'support-csat',
        ep.channel === 'chat' ? 'widget' : ep.channel === 'phone' ? 'sms' : 'email',
        answers,
        {
          touchpoint: ep.tp,
          interaction_external_id: id,
          agent: ep.agent !== undefined ? DEMO_AGENTS[ep.agent].key : undefined,
          language,
        },
      );
    } else if (ep.survey === 'delivery') {
      const q = ep.q;
      const expectBase = prevDeliveryQ;
      prevDeliveryQ = 0.7 * prevDeliveryQ + 0.3 * q;
      if (!r.chance(0.13)) continue;
      const ts = ep.resolved + r.exp(10 * HOUR);
      const csat = clamp(Math.round(3.75 + 2.1 * q + 0.15 * p.e0 + r.normal(0, 0.5)), 1, 5);
      const answers: DemoResponse['answers'] = [{ field: 'csat', type: 'csat', value: csat }];
      if (r.chance(0.4)) {
        const expectation = clamp(Math.round(3.8 + 0.3 * p.e0 + 1.5 * expectBase + r.normal(0, 0.5)), 1, 5);
        const perception = clamp(Math.round(3.3 + 2.2 * q + r.normal(0, 0.6)), 1, 5);
        answers.push(
          { field: 'expectation', type: 'expectation', value: expectation },
          { field: 'perception', type: 'rating', value: perception, scale_min: 1, scale_max: 5 },
        );
      }
      let language = 'en';
      if (r.chance(csat <= 2 ? 0.55 : 0.3)) {
        const v = verbatim(
          r,
          polarityOf(csat, 'csat'),
          'delivery',
          'delivery',
          { ...vars, days: String(ep.days || r.int(2, 5)) },
          country,
        );
        answers.push({ field: 'reason', type: 'text', value: v.text });
        language = v.language;
      }
      respond(ts, 'delivery-csat', r.chance(0.3) ? 'sms' : 'email', answers, {
        touchpoint: ep.firstDelivery && r.chance(0.5) ? 'packaging' : 'delivery',
        interaction_external_id: id,
        language,
      });
    } else if (ep.survey === 'onboarding') {
      if (!r.chance(0.35)) continue;
      const ts = ep.resolved + r.exp(5 * HOUR);
      const csat = clamp(Math.round(3.6 + 1.6 * ep.q + r.normal(0, 0.5)), 1, 5);
      const answers: DemoResponse['answers'] = [{ field: 'csat', type: 'csat', value: csat }];
      if (r.chance(0.45)) {
        const agentFirst = ep.agent !== undefined ? DEMO_AGENTS[ep.agent].name.split(' ')[0] : undefined;
        const v = verbatim(
          r,
          polarityOf(csat, 'csat'),
          'onboarding',
          'onboarding',
          { ...vars, agent: agentFirst },
          country,
        );
        answers.push({ field: 'reason', type: 'text', value: v.text });
      }
      respond(ts, 'onboarding-csat', 'email', answers, {
        touchpoint: ep.tp,
        interaction_external_id: id,
        agent: ep.agent !== undefined ? DEMO_AGENTS[ep.agent].key : undefined,
        language: 'en',
      });
    }
  }
  // Checkout effort and in-app ratings.
  for (const o of p.orders) {
    if (!active(o.t) || !r.chance(0.04)) continue;
    const ces = clamp(Math.round(5.7 + 0.2 * p.e0 + r.normal(0, 0.9)), 1, 7);
    respond(o.t + r.uniform(MIN, 10 * MIN), 'checkout-ces', 'widget', [{ field: 'effort', type: 'ces', value: ces }], {
      touchpoint: o.tp === 'store_visit' ? 'store_visit' : o.tp,
      language: 'en',
    });
  }
  if (p.appUser) {
    for (let m = 0; m < ctx.months; m++) {
      if (!r.chance(0.015)) continue;
      const t = r.uniform(ctx.monthStart[m], ctx.monthStart[m + 1]);
      if (!active(t)) continue;
      const s = areaScores(p, t).product;
      const stars = clamp(Math.round(3.9 + 1.3 * s + r.normal(0, 0.7)), 1, 5);
      const answers: DemoResponse['answers'] = [
        { field: 'app_rating', type: 'rating', value: stars, scale_min: 1, scale_max: 5 },
      ];
      if (r.chance(0.5)) {
        answers.push({
          field: 'reason',
          type: 'text',
          value: verbatim(r, polarityOf(stars, 'csat'), 'product', 'product', vars, '').text,
        });
      }
      respond(t, 'app-feedback', 'in_app', answers, { touchpoint: 'mobile_app', language: 'en' });
    }
  }
  responses.sort((a, b) => (a.submitted_at < b.submitted_at ? -1 : a.submitted_at > b.submitted_at ? 1 : 0));
  for (const rec of responses) {
    rec.idempotency_key = `demo:r:${pad(++ids.response, 7)}`;
    for (const k of Object.keys(rec) as (keyof DemoResponse)[]) if (rec[k] === undefined) delete rec[k];
    out.push({ kind: 'responses', record: rec });
  }

  // Events.
  const events: { t: number; rec: DemoEvent }[] = [];
  const ev = (t: number, type: DemoEvent['type'], tp: string | undefined, extra: Partial<DemoEvent> = {}) => {
    if (!inWindow(t)) return;
    const rec: DemoEvent = { customer_external_id: ext, type, occurred_at: iso(t) };
    if (tp) {
      rec.touchpoint = tp;
      rec.channel = TOUCHPOINT_CHANNEL[tp];
    }
    Object.assign(rec, extra);
    events.push({ t, rec });
  };
  // Before the first purchase: browsing.
  if (p.acq >= ctx.start) {
    const nb = r.int(1, 5);
    for (let k = 0; k < nb; k++) {
      const t = p.acq - r.exp(3 * DAY) - MIN;
      const [tp, path] = r.pick(PAGES.slice(0, 7));
      ev(t, 'page_view', tp, { properties: { path, utm_source: src } });
    }
  }
  for (const o of p.orders) {
    if (!active(o.t) && o.t !== p.acq) continue;
    ev(o.t, 'purchase', o.tp, { value: o.value, currency: 'EUR', properties: { order_id: o.no, items: o.items } });
    if (r.chance(0.3))
      ev(o.t + r.exp(2 * HOUR), 'email_open', 'order_confirmation', { properties: { order_id: o.no } });
  }
  for (const ep of p.episodes) {
    if (ep.kind === 'delivery' && ep.resolved !== undefined && r.chance(0.35)) {
      ev(ep.t + r.uniform(HOUR, DAY), 'page_view', 'delivery_sms', { properties: { path: `/track/${ep.order}` } });
    }
    if (ep.tp === 'price_change_notice' && r.chance(0.5))
      ev(ep.t + r.exp(8 * HOUR), 'email_open', 'price_change_notice', { properties: { campaign: 'price-change' } });
    if (ep.tp === 'welcome_email' && r.chance(0.6))
      ev(ep.t + r.exp(4 * HOUR), 'email_open', 'welcome_email', { properties: { campaign: 'welcome-1' } });
    // Public complaints after bad experiences.
    if (ep.q < -0.7 && ep.area !== 'service' && r.chance(0.04)) {
      const [worst, best] = areaFocus(ep.t + DAY);
      ev(ep.t + r.uniform(HOUR, 3 * DAY), 'social_mention', 'social_media', {
        text: socialText(r, 'neg', worst, best, { ...vars, days: String(ep.days || 3) }),
        properties: { network: r.pick(['x', 'instagram', 'facebook', 'threads']) },
      });
    }
  }
  for (const rn of p.renewals) {
    if (active(rn.t))
      ev(rn.t, 'renewal', 'renewal_invoice', { value: rn.value, currency: 'EUR', properties: { plan: p.plan } });
  }
  if (!Number.isNaN(p.churn)) {
    ev(p.churn, 'cancellation', r.chance(seg === 'consumer' ? 0.6 : 0.2) ? 'billing_portal' : 'phone_support', {
      properties: { reason: p.churnReason, plan: p.plan },
    });
  }
  for (let k = pop.refOffsets[i]; k < pop.refOffsets[i + 1]; k++) {
    const j = pop.refList[k];
    const tr = pop.acq[j];
    const made = Math.max(p.acq + HOUR, tr - r.uniform(2 * DAY, 20 * DAY));
    ev(made, 'referral_made', 'referral_program', {
      properties: { channel: r.pick(['link', 'email', 'whatsapp', 'code']) },
    });
    ev(tr, 'referral_converted', 'referral_program', { properties: { referred_external_id: demoCustomerId(j) } });
  }
  // Monthly engagement.
  for (let m = Math.max(0, monthOf(ctx, p.activeStart)); m < ctx.months; m++) {
    const a = Math.max(ctx.monthStart[m], p.activeStart);
    const b = Math.min(ctx.monthStart[m + 1], p.activeEnd);
    if (a >= b) break;
    const frac = (b - a) / MONTH;
    const l = latentAt(p, a);
    const box = l >= 8.5 ? 2 : l >= 6.5 ? 1 : 0;
    if (p.optIn) {
      for (const day of [2, 16]) {
        const send = ctx.monthStart[m] + day * DAY + 7 * HOUR;
        if (send < a || send >= b) continue;
        const openP = 1 / (1 + Math.exp(-(-0.9 + p.eng + 0.2 * (l - 7.5))));
        if (!r.chance(openP)) continue;
        const d = new Date(send);
        const campaign = `nl-${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}${day === 2 ? 'a' : 'b'}`;
        const to = send + r.exp(6 * HOUR);
        ev(to, 'email_open', 'newsletter', { properties: { campaign } });
        if (r.chance(0.25)) {
          ev(to + r.uniform(30_000, 20 * MIN), 'email_click', 'newsletter', {
            properties: { campaign, link: r.pick(['new-blend', 'brew-guide', 'offer', 'machine-tips', 'recipes']) },
          });
        }
      }
    }
    const nPages = r.poisson(0.9 * Math.exp(0.5 * p.eng) * frac);
    for (let k = 0; k < nPages; k++) {
      const [tp, path] = PAGES[r.weightedIndex(PAGE_WEIGHTS)];
      ev(r.uniform(a, b), 'page_view', tp, { properties: { path } });
    }
    if (p.appUser) {
      const nApp = r.poisson(1.5 * Math.exp(0.4 * p.eng) * (box === 0 ? 0.6 : 1) * frac);
      for (let k = 0; k < nApp; k++) {
        ev(r.uniform(a, b), 'app_action', 'mobile_app', {
          properties: { action: r.weighted(APP_ACTIONS, APP_ACTION_WEIGHTS) },
        });
      }
    }
    if (r.chance([0.001, 0.006, 0.035][box] * frac)) {
      ev(r.uniform(a, b), 'referral_made', 'referral_program', {
        properties: { channel: r.pick(['link', 'email', 'whatsapp', 'code']) },
      });
    }
    if (r.chance([0, 0.004, 0.02][box] * frac)) {
      ev(r.uniform(a, b), 'social_share', 'social_media', {
        properties: {
          network: r.pick(['instagram', 'facebook', 'x', 'linkedin']),
          content: r.pick(['recipe', 'unboxing', 'brew-guide']),
        },
      });
    }
    if (r.chance([0.012, 0.002, 0.006][box] * frac)) {
      const t = r.uniform(a, b);
      const [worst, best] = areaFocus(t);
      const pol: Polarity = box === 2 ? 'pos' : box === 1 ? 'mixed' : 'neg';
      ev(t, 'social_mention', 'social_media', {
        text: socialText(r, pol, worst, best, vars),
        properties: { network: r.pick(['x', 'instagram', 'facebook', 'threads']) },
      });
    }
    if (r.chance([0.012, 0.003, 0.008][box] * frac)) {
      const t = r.uniform(a, b);
      const lo = latentAt(p, t) + r.normal(0, 0.8);
      const stars = lo < 3.5 ? 1 : lo < 5.5 ? 2 : lo < 7 ? 3 : lo < 8.5 ? 4 : 5;
      const [worst, best] = areaFocus(t);
      ev(t, 'review', 'review_sites', {
        rating: stars,
        text: reviewText(r, stars, worst, best, vars),
        properties: { site: r.pick(['trustpilot', 'google', 'trustpilot', 'app_store']) },
      });
    }
  }
  events.sort((x, y) => x.t - y.t);
  for (const e of events) {
    e.rec.idempotency_key = `demo:e:${pad(++ids.event, 8)}`;
    out.push({ kind: 'events', record: e.rec });
  }
}

function topicArea(topic: TicketTopic): Area {
  if (topic.startsWith('delivery_')) return 'delivery';
  if (topic === 'billing_error' || topic === 'double_charge' || topic === 'refund_delay') return 'billing';
  if (topic === 'price_increase') return 'price';
  if (topic === 'app_crash' || topic === 'app_login' || topic === 'machine_fault') return 'product';
  if (topic === 'refund_policy') return 'returns';
  if (topic === 'onboarding_setup') return 'onboarding';
  return 'service';
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Streams a demo organisation's records: each customer, then that customer's interactions
 * (opened order), responses and events (time order). A referrer always comes before the
 * customers it referred. Departments, touchpoints and agents are DEMO_DEPARTMENTS,
 * DEMO_TOUCHPOINTS and DEMO_AGENTS.
 */
export function* generateDemoRecords(opts: DemoOrgOptions): Generator<DemoRecord, void, undefined> {
  const ctx = makeCtx(opts);
  const pop = population(ctx);
  const ids: Counters = { interaction: 0, response: 0, event: 0 };
  const out: DemoRecord[] = [];
  for (let i = 0; i < ctx.n; i++) {
    out.length = 0;
    renderCustomer(ctx, pop, i, ids, out);
    for (const r of out) yield r;
  }
}

/** The whole demo organisation in memory (fine up to ~20k customers). */
export function generateDemoOrg(opts: DemoOrgOptions): DemoOrg {
  const out: DemoOrg = {
    org: { ...DEMO_ORG },
    departments: DEMO_DEPARTMENTS.map((d) => ({ ...d })),
    touchpoints: DEMO_TOUCHPOINTS.map((t) => ({ ...t })),
    agents: DEMO_AGENTS.map((a) => ({ ...a })),
    customers: [],
    interactions: [],
    responses: [],
    events: [],
  };
  for (const r of generateDemoRecords(opts)) {
    switch (r.kind) {
      case 'customers':
        out.customers.push(r.record);
        break;
      case 'interactions':
        out.interactions.push(r.record);
        break;
      case 'responses':
        out.responses.push(r.record);
        break;
      case 'events':
        out.events.push(r.record);
        break;
    }
  }
  return out;
}

/** The resolved window of a set of options: [start, now] as ISO strings. */
export function demoWindow(opts: DemoOrgOptions): { start: string; now: string; months: number } {
  const ctx = makeCtx(opts);
  return { start: iso(ctx.start), now: iso(ctx.now), months: ctx.months };
}

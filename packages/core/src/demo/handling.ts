/**
 * How the demo's team handled a case the rules opened: when someone first acted on it, who, what
 * they did, when it was resolved and closed — or, for a recent case, how far it got by `now`.
 * Pure and deterministic: the same seed and case key give the same history.
 */
import { DemoRng, hash32 } from './rng.js';

export type DemoCaseStatus = 'new' | 'in_progress' | 'waiting' | 'resolved' | 'closed';

export interface DemoCaseInput {
  /** Anything stable that names the case within a seed (its customer, rule and time). */
  key: string;
  openedAt: Date;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  department: string;
}

export interface DemoCaseStep {
  at: Date;
  kind: 'assigned' | 'status';
  from: string | null;
  to: string;
}

export interface DemoCaseHandling {
  status: DemoCaseStatus;
  assignee: string | null;
  firstActionAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  actionsTaken: string[];
  /** What happened, in time order, up to `now` (the case's history). */
  steps: DemoCaseStep[];
  /** When the case last changed (its opening when nothing happened yet). */
  updatedAt: Date;
}

/** Who works a department's cases in the demo (DEMO_TEAM names; each may work cases). */
const OWNER: Record<string, string[]> = {
  billing: ['Bea Billing'],
  service: ['Sam Support', 'Sam Support', 'Demo Admin'],
  delivery: ['Sam Support', 'Demo Admin'],
  product: ['Demo Admin', 'Sam Support'],
};
const ANYONE = ['Demo Admin', 'Sam Support', 'Olivia Owner'];

const ACTIONS: Record<string, string[]> = {
  billing: ['Refunded the overcharge', 'Corrected the invoice', 'Explained the new price', 'Called the customer'],
  delivery: ['Sent a replacement', 'Refunded the delivery fee', 'Rebooked the delivery', 'Called the customer'],
  product: ['Walked the customer through the fix', 'Replaced the machine', 'Reported the bug to the app team'],
  service: ['Called the customer', 'Apologised and followed up by email', 'Credited the next order'],
};
const GENERAL = ['Called the customer', 'Apologised and followed up by email', 'Credited the next order'];

const HOUR = 3_600_000;

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The handling of one case: first action within hours (urgent ones sooner; about one in seven
 * four times slower, often past its SLA), resolution a day or two later (some wait for the customer first), closing
 * after the customer had a chance to answer. Steps after `now` have not happened: a case opened
 * an hour before `now` is still new.
 */
export function demoCaseHandling(seed: number, c: DemoCaseInput, now: Date): DemoCaseHandling {
  const r = new DemoRng(seed, hash32(stringHash(c.key), 0x5ca5e));
  const opened = c.openedAt.getTime();
  const slow = r.chance(0.15) ? 4 : 1;
  const firstH = Math.min(
    24 * 15,
    slow * (c.priority === 'urgent' ? r.logNormal(3, 0.7) : r.logNormal(c.priority === 'high' ? 8 : 16, 0.8)),
  );
  const waits = r.chance(0.3);
  const waitH = waits ? r.logNormal(48, 0.6) : 0;
  const resolveH = Math.min(24 * 20, r.logNormal(36, 0.9)) + waitH;
  // Closed once the customer had a few days to say the fix did not hold.
  const closeH = Math.min(24 * 10, r.logNormal(60, 0.6));
  const pool = OWNER[c.department] ?? ANYONE;
  const assignee = r.pick(pool);
  const acts = ACTIONS[c.department] ?? GENERAL;
  const first = r.pick(acts);
  const second = r.chance(0.35) ? r.pick(acts) : first;
  const actions = first === second ? [first] : [first, second];

  const tFirst = opened + firstH * HOUR;
  const tWait = tFirst + r.uniform(1, 6) * HOUR;
  const tBack = tWait + waitH * HOUR;
  const tResolved = tFirst + resolveH * HOUR;
  const tClosed = tResolved + closeH * HOUR;
  const t = now.getTime();

  const steps: DemoCaseStep[] = [];
  const at = (ms: number) => new Date(Math.round(ms));
  if (tFirst <= t) {
    steps.push({ at: at(tFirst), kind: 'assigned', from: null, to: assignee });
    steps.push({ at: at(tFirst), kind: 'status', from: 'new', to: 'in_progress' });
  }
  if (waits && tWait <= t && tWait < tResolved) {
    steps.push({ at: at(tWait), kind: 'status', from: 'in_progress', to: 'waiting' });
    if (tBack <= t && tBack < tResolved)
      steps.push({ at: at(tBack), kind: 'status', from: 'waiting', to: 'in_progress' });
  }
  if (tResolved <= t) {
    const from = steps.at(-1)?.to === 'waiting' ? 'waiting' : 'in_progress';
    steps.push({ at: at(tResolved), kind: 'status', from, to: 'resolved' });
  }
  if (tClosed <= t) steps.push({ at: at(tClosed), kind: 'status', from: 'resolved', to: 'closed' });

  const lastStatus = [...steps].reverse().find((s) => s.kind === 'status');
  const status = (lastStatus?.to ?? 'new') as DemoCaseStatus;
  return {
    status,
    assignee: tFirst <= t ? assignee : null,
    firstActionAt: tFirst <= t ? at(tFirst) : null,
    resolvedAt: tResolved <= t ? at(tResolved) : null,
    closedAt: tClosed <= t ? at(tClosed) : null,
    actionsTaken: tResolved <= t ? actions : tFirst <= t ? actions.slice(0, 1) : [],
    steps,
    updatedAt: steps.at(-1)?.at ?? c.openedAt,
  };
}

import {
  type CaseRow,
  casesOpenedBetween,
  type Db,
  revenueByCustomer,
  revenueCurrency,
  topicWeekCounts,
  unresolvedCases,
} from '@canopy/store';
import { loopTaxonomy, topicDepartment } from './taxonomy.js';
import { caseView } from './webhooks.js';

const DAY = 86_400_000;

/** Monday 00:00 UTC of the week holding `d`. */
export function weekStart(d: Date): Date {
  const t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const dow = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - dow * DAY);
}

export interface DepartmentDigest {
  department: string;
  week: { from: string; to: string };
  cases_opened: number;
  top_root_causes: {
    root_cause: string | null;
    label: string | null;
    cases: number;
    customers: number;
    /** Purchases and renewals of the affected customers in the 12 months to the week's end. */
    revenue_at_risk: number;
  }[];
  top_root_causes_by_impact: DepartmentDigest['top_root_causes'];
  /**
   * All the week's cases together: the distinct customers they concern and those customers'
   * purchases and renewals in the 12 months to the week's end (0 with no case or no purchases).
   */
  /** `currency`: what the purchases and renewals summed carry most (ISO 4217), null if none says. */
  revenue_at_risk: { customers: number; total: number; currency: string | null };
  /** New or spiking topics that hurt customers: only those with negative mentions this week. */
  topics: {
    topic: string;
    label: string | null;
    mentions: number;
    negative: number;
    weekly_baseline: number;
    kind: 'new' | 'spiking';
  }[];
  /**
   * Cases opened before the week's end that are not resolved or closed now; `overdue`: those of
   * them whose SLA was due before the week's end (this week: before now); `oldest`: the first few.
   */
  unresolved: { count: number; overdue: number; oldest: ReturnType<typeof caseView>[] };
  verbatims: { case_id: string; verbatim: string; root_cause: string | null; sentiment: number | null }[];
}

/**
 * The weekly intelligence digest, per department: what hurt customers (root causes by volume
 * and by revenue at risk), what is new or spiking in what customers say, what is still open,
 * and their own words.
 */
export async function buildDigest(
  db: Db,
  orgId: string,
  week: Date,
  only?: string,
): Promise<{ week: { from: string; to: string }; departments: DepartmentDigest[] }> {
  const from = weekStart(week);
  const to = new Date(from.getTime() + 7 * DAY);
  const range = { from: from.toISOString(), to: to.toISOString() };
  const opened = await casesOpenedBetween(db, orgId, from, to);
  const customers = [...new Set(opened.flatMap((c) => (c.customer_id ? [c.customer_id] : [])))];
  const revenue = await revenueByCustomer(db, orgId, customers, new Date(to.getTime() - 365 * DAY), to);
  const currency = await revenueCurrency(db, orgId, customers, new Date(to.getTime() - 365 * DAY), to);
  // Overdue by the week's end, or by now while the week is not over.
  const unresolved = await unresolvedCases(db, orgId, to, 5, new Date(Math.min(to.getTime(), Date.now())));
  const topics = await topicWeekCounts(db, orgId, from, to, 4);
  const tax = await loopTaxonomy(db, orgId);
  const ownerOf = (topic: string) => topicDepartment(tax, topic);

  const depts = new Set<string>([
    ...opened.map((c) => c.department),
    ...unresolved.counts.map((c) => c.department),
    ...topics.flatMap((t) => (ownerOf(t.topic) ? [ownerOf(t.topic)!] : [])),
  ]);
  const out: DepartmentDigest[] = [];
  for (const d of [...depts].sort()) {
    if (only && d !== only) continue;
    const mine = opened.filter((c) => c.department === d);
    const groups = new Map<string | null, CaseRow[]>();
    for (const c of mine) groups.set(c.root_cause, [...(groups.get(c.root_cause) ?? []), c]);
    const causes = [...groups.entries()].map(([rc, cs]) => {
      const who = [...new Set(cs.flatMap((c) => (c.customer_id ? [c.customer_id] : [])))];
      return {
        root_cause: rc,
        label: rc ? (tax.label.get(rc) ?? null) : null,
        cases: cs.length,
        customers: who.length,
        revenue_at_risk: Math.round(who.reduce((s, id) => s + (revenue.get(id) ?? 0), 0) * 100) / 100,
      };
    });
    const byVolume = [...causes].sort((a, b) => b.cases - a.cases || b.revenue_at_risk - a.revenue_at_risk).slice(0, 5);
    const byImpact = [...causes].sort((a, b) => b.revenue_at_risk - a.revenue_at_risk || b.cases - a.cases).slice(0, 5);
    const affected = [...new Set(mine.flatMap((c) => (c.customer_id ? [c.customer_id] : [])))];
    const atRisk = {
      customers: affected.length,
      total: Math.round(affected.reduce((s, id) => s + (revenue.get(id) ?? 0), 0) * 100) / 100,
      currency,
    };
    // What hurt customers: a topic mentioned only neutrally or in praise is not a complaint.
    const topicRows = topics
      .filter((t) => ownerOf(t.topic) === d && t.negative > 0)
      .flatMap((t) => {
        const baseline = t.previous / 4;
        const kind: 'new' | 'spiking' | null =
          t.previous === 0 && t.current >= 2 ? 'new' : t.current >= 3 && t.current >= 2 * baseline ? 'spiking' : null;
        return kind
          ? [
              {
                topic: t.topic,
                label: tax.label.get(t.topic) ?? null,
                mentions: t.current,
                negative: t.negative,
                weekly_baseline: Math.round(baseline * 100) / 100,
                kind,
              },
            ]
          : [];
      })
      .sort((a, b) => b.negative - a.negative || b.mentions - a.mentions)
      .slice(0, 10);
    const u = unresolved.counts.find((c) => c.department === d);
    const verbatims = mine
      .filter((c) => c.trigger?.verbatim)
      .sort((a, b) => (a.trigger.sentiment ?? 0) - (b.trigger.sentiment ?? 0))
      .slice(0, 5)
      .map((c) => ({
        case_id: c.id,
        verbatim: c.trigger.verbatim!,
        root_cause: c.root_cause,
        sentiment: c.trigger.sentiment ?? null,
      }));
    out.push({
      department: d,
      week: range,
      cases_opened: mine.length,
      top_root_causes: byVolume,
      top_root_causes_by_impact: byImpact,
      revenue_at_risk: atRisk,
      topics: topicRows,
      unresolved: {
        count: u?.n ?? 0,
        overdue: u?.overdue ?? 0,
        oldest: unresolved.oldest.filter((c) => c.department === d).map(caseView),
      },
      verbatims,
    });
  }
  return { week: range, departments: out };
}

/** The last day of a week whose `to` (the next Monday, excluded) is given: YYYY-MM-DD. */
function weekLastDay(to: string): string {
  return new Date(Date.parse(to) - DAY).toISOString().slice(0, 10);
}

/** The digest as a plain-text and HTML email. */
export function renderDigest(org: string, dg: DepartmentDigest): { subject: string; text: string; html: string } {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const subject = `[Canopy] ${dg.department} — weekly intelligence digest (${dg.week.from.slice(0, 10)})`;
  const lines: string[] = [
    `${org}: ${dg.department}, week of ${dg.week.from.slice(0, 10)}`,
    '',
    `Cases opened: ${dg.cases_opened}. Still open (opened by the end of the week, not resolved or closed today): ${dg.unresolved.count}, ${dg.unresolved.overdue} of them past their SLA ${Date.parse(dg.week.to) > Date.now() ? 'now' : `by ${weekLastDay(dg.week.to)}`}.`,
    dg.cases_opened
      ? `Revenue at risk: ${dg.revenue_at_risk.total}${dg.revenue_at_risk.currency ? ` ${dg.revenue_at_risk.currency}` : ''} (purchases and renewals of the ${dg.revenue_at_risk.customers} customers concerned, last 12 months).`
      : 'Revenue at risk: none (no case opened this week).',
    '',
    'Top root causes (volume):',
    ...dg.top_root_causes.map(
      (r) =>
        `  - ${r.label ?? r.root_cause ?? 'unknown'}: ${r.cases} cases, ${r.customers} customers, revenue at risk ${r.revenue_at_risk}`,
    ),
    '',
    'New or spiking complaints:',
    ...(dg.topics.length
      ? dg.topics.map(
          (t) =>
            `  - ${t.label ?? t.topic} (${t.kind}): ${t.mentions} mentions, ${t.negative} negative, vs ${t.weekly_baseline}/week`,
        )
      : ['  (none)']),
    '',
    'In their words:',
    ...(dg.verbatims.length ? dg.verbatims.map((v) => `  “${v.verbatim}”`) : ['  (none)']),
  ];
  const text = lines.join('\n');
  const html = `<pre style="font-family: system-ui, sans-serif">${esc(text)}</pre>`;
  return { subject, text, html };
}

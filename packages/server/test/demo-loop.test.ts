import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { sql } from 'kysely';
import { defaultAnalyser } from '../src/analyser.js';
import { loadDemo } from '../src/demo.js';
import { RulesEngine } from '../src/loop/engine.js';
import { TextAnalysisStep } from '../src/pipeline/analyse.js';
import { eachStore } from './harness.js';

/**
 * `npm start`'s demo starts with its closed loop running: the demo rules are created and judge
 * the whole history as it is written, each case opened when its record happened; the team's
 * handling follows (first action, resolution, closing, recovery), so Cases, recovery and the
 * weekly digest have two years of history, with recent cases still open. The surveys the answers
 * name are defined. Every role has a colleague to sign in as.
 */
const NOW = '2026-11-01T00:00:00Z';
const DAY = 86_400_000;

eachStore('demo with its closed loop', (env) => {
  it('opens cases through the history as the rules would have, handled, closed and judged for recovery', async () => {
    const d = await loadDemo(env().store, {
      customers: 400,
      seed: 5,
      now: NOW,
      slug: `demo-${randomBytes(4).toString('hex')}`,
      analysis: new TextAnalysisStep(defaultAnalyser()),
      rules: new RulesEngine(),
    });
    const rules = (await env().api('GET', '/api/v1/rules', d.apiKey)).body.items;
    assert.deepEqual(
      rules.map((r: { condition: { type: string } }) => r.condition.type),
      ['nps', 'churn_threat', 'csat'],
    );
    const cases = (await env().api('GET', '/api/v1/cases?limit=500', d.apiKey)).body.items;
    assert.ok(cases.length >= 20, `${cases.length} cases`);
    assert.ok(
      cases.every((c: { department: string | null }) => c.department),
      'every case has an owning department',
    );
    assert.ok(
      cases.some((c: { root_cause: string | null }) => c.root_cause),
      'root causes from the texts',
    );
    // Each case opened when what triggered it happened, across the history (not at load time).
    const r = await sql<{ oldest: Date; newest: Date; off: number; n: number }>`
      SELECT min(c.opened_at) AS oldest, max(c.opened_at) AS newest, count(*)::int AS n,
        count(*) FILTER (WHERE c.opened_at <> coalesce(x.opened_at, rs.submitted_at, e.occurred_at))::int AS off
      FROM cases c
      JOIN case_links l ON l.org_id = c.org_id AND l.case_id = c.id
        AND l.subject_id = (c.trigger->>'subject_id')::uuid
      LEFT JOIN interactions x ON x.org_id = l.org_id AND l.subject_kind = 'interaction' AND x.id = l.subject_id
      LEFT JOIN responses rs ON rs.org_id = l.org_id AND l.subject_kind = 'response' AND rs.id = l.subject_id
      LEFT JOIN events e ON e.org_id = l.org_id AND l.subject_kind = 'event' AND e.id = l.subject_id
      WHERE c.org_id = ${d.orgId}`.execute(env().store.db);
    const row = r.rows[0]!;
    assert.ok(row.n > 0);
    assert.equal(row.off, 0, 'cases open at their trigger’s time');
    // Their history says so too: "Opened" first, dated when the case opened (it was dated at load
    // time, so a case's history ended with "3 Dec … Opened" after its November work).
    const ev = await sql<{ n: number; off: number; not_first: number }>`
      SELECT count(*)::int AS n,
        count(*) FILTER (WHERE e.at <> c.opened_at)::int AS off,
        count(*) FILTER (WHERE EXISTS (SELECT 1 FROM case_events o WHERE o.org_id = e.org_id
          AND o.case_id = e.case_id AND o.at < e.at))::int AS not_first
      FROM case_events e JOIN cases c ON c.org_id = e.org_id AND c.id = e.case_id
      WHERE e.org_id = ${d.orgId} AND e.kind = 'opened'`.execute(env().store.db);
    assert.equal(ev.rows[0]!.n, row.n, 'one opened event a case');
    assert.equal(ev.rows[0]!.off, 0, 'each dated when its case opened');
    assert.equal(ev.rows[0]!.not_first, 0, 'and first in its history');
    assert.ok(new Date(row.oldest).getTime() < Date.parse(NOW) - 365 * DAY, `oldest case ${row.oldest}`);
    assert.ok(new Date(row.newest).getTime() <= Date.parse(NOW));
    // Handled as a team would: old cases closed with plausible times, by someone who may work them.
    const old = cases.filter((c: any) => Date.parse(c.opened_at) < Date.parse(NOW) - 60 * DAY);
    assert.ok(old.length > 0 && old.every((c: any) => c.status === 'closed'), 'old cases are closed');
    for (const c of old) {
      const [o, f, rs, cl] = [c.opened_at, c.first_action_at, c.resolved_at, c.closed_at].map((x) => Date.parse(x));
      assert.ok(o < f && f < rs && rs <= cl, `times in order: ${JSON.stringify(c)}`);
      assert.ok(cl - o < 45 * DAY, 'closed within weeks');
      assert.ok(c.assignee, 'someone worked it');
      assert.ok(c.actions_taken.length > 0, 'what was done');
    }
    const assignees = (await env().api('GET', '/api/v1/assignees', d.apiKey)).body.items.map((a: any) => a.name);
    assert.ok(
      cases.every((c: any) => c.assignee === null || assignees.includes(c.assignee)),
      'assignees are users who may work cases',
    );
    // Recovery after closing: judged from the customer's next score or telling event.
    const rec = (
      await env().api(
        'GET',
        `/api/v1/cases/recovery?from=${new Date(Date.parse(NOW) - 365 * DAY).toISOString()}&to=${NOW}`,
        d.apiKey,
      )
    ).body.overall;
    assert.ok(rec.closed > 10, JSON.stringify(rec));
    assert.ok(rec.recovered > 0 && rec.not_recovered > 0, JSON.stringify(rec));
    // The weekly digest of a past week reports the cases opened then.
    const weeks = await sql<{ w: Date; n: number }>`
      SELECT date_trunc('week', opened_at) AS w, count(*)::int AS n FROM cases WHERE org_id = ${d.orgId}
      GROUP BY 1 ORDER BY 2 DESC LIMIT 1`.execute(env().store.db);
    const busy = weeks.rows[0]!;
    const dg = (await env().api('GET', `/api/v1/digest?week=${new Date(busy.w).toISOString().slice(0, 10)}`, d.apiKey))
      .body;
    assert.equal(
      dg.departments.reduce((s: number, x: { cases_opened: number }) => s + x.cases_opened, 0),
      busy.n,
    );
    const tagged = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM record_tags WHERE org_id = ${d.orgId} AND tag = 'unhappy'`.execute(env().store.db);
    assert.ok(tagged.rows[0]!.n > 0, 'low CSAT answers are tagged for review');
    // The surveys the answers name are defined, each listed with its answers; none is unknown.
    const surveys = (await env().api('GET', '/api/v1/surveys', d.apiKey)).body;
    assert.deepEqual(surveys.items.map((s: { key: string }) => s.key).sort(), [
      'app-feedback',
      'checkout-ces',
      'delivery-csat',
      'onboarding-csat',
      'relationship-nps',
      'support-csat',
    ]);
    assert.ok(
      surveys.items.every((s: { responses: number }) => s.responses > 0),
      JSON.stringify(surveys.items),
    );
    assert.deepEqual(surveys.undefined, []);
  });
});

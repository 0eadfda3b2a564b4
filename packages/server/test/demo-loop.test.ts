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
 * the last 45 days as they are written (as live data would be), so Cases has work in it; older
 * history opens nothing. Every role has a colleague to sign in as.
 */
const NOW = '2026-11-01T00:00:00Z';

eachStore('demo with its closed loop', (env) => {
  it('opens cases for recent detractors and churn threats only, with owners and root causes', async () => {
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
    assert.ok(cases.length >= 1, `${cases.length} cases`);
    assert.ok(
      cases.every((c: { department: string | null }) => c.department),
      'every case has an owning department',
    );
    assert.ok(
      cases.some((c: { root_cause: string | null }) => c.root_cause),
      'root causes from the texts',
    );
    // What the cases are about happened in the last 45 days, never in the older history.
    const r = await sql<{ oldest: Date | null; n: number }>`
      SELECT min(coalesce(x.opened_at, rs.submitted_at)) AS oldest, count(*)::int AS n
      FROM case_links l
      LEFT JOIN interactions x ON x.org_id = l.org_id AND l.subject_kind = 'interaction' AND x.id = l.subject_id
      LEFT JOIN responses rs ON rs.org_id = l.org_id AND l.subject_kind = 'response' AND rs.id = l.subject_id
      WHERE l.org_id = ${d.orgId}`.execute(env().store.db);
    assert.ok(r.rows[0]!.n >= cases.length);
    assert.ok(
      new Date(r.rows[0]!.oldest!).getTime() >= Date.parse(NOW) - 45 * 86_400_000,
      `oldest case subject ${r.rows[0]!.oldest}`,
    );
    const tagged = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM record_tags WHERE org_id = ${d.orgId} AND tag = 'unhappy'`.execute(env().store.db);
    assert.ok(tagged.rows[0]!.n > 0, 'low CSAT answers are tagged for review');
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { analyzeText, DEFAULT_TAXONOMY, redactPii, TAXONOMY_PACKS, topicsConfigMark } from '@canopy/core';
import { getJob, getOrgTaxonomy, openStore, putOrgTaxonomy } from '@canopy/store';
import { sql } from 'kysely';
import { TextAnalysisStep } from '../src/pipeline/analyse.js';
import { RETOPIC_JOB, retopicJobHandler } from '../src/pipeline/retopic.js';
import { eachStore, type TestEnv } from './harness.js';
import { canopyCli, importTickets, waitFor } from './model-jobs.js';

const TEXTS = [
  'No signal at home and my calls keep dropping.',
  'The roaming charges in Spain were outrageous.',
  'Lovely coffee, friendly staff.',
];

async function ingest(env: TestEnv, key: string, texts: string[]) {
  const r = await env.api(
    'POST',
    '/api/v1/interactions',
    key,
    texts.map((text, i) => ({
      customer_email: `c${i}@example.com`,
      kind: 'ticket',
      channel: 'email',
      text,
      opened_at: `2026-05-0${i + 1}T10:00:00Z`,
    })),
  );
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.created, texts.length);
}

/** Topics per text (in TEXTS order), with who found them where not the phrases. */
async function topicsOf(env: TestEnv, orgId: string): Promise<string[][]> {
  const r = await sql<{ text: string; topics: string[] | null }>`
    SELECT i.text, array_agg(t.topic || coalesce('@' || t.detected_by, '') ORDER BY t.topic)
      FILTER (WHERE t.topic IS NOT NULL) AS topics
    FROM interactions i JOIN text_analyses a ON a.org_id = i.org_id AND a.subject_id = i.id
    LEFT JOIN text_topics t ON t.org_id = a.org_id AND t.analysis_id = a.id
    WHERE i.org_id = ${orgId} GROUP BY i.text`.execute(env.store.db);
  const by = new Map(r.rows.map((x) => [x.text, x.topics ?? []]));
  return TEXTS.map((t) => by.get(t) ?? []);
}

eachStore('applying the taxonomy to stored texts', (env) => {
  it('finds the topics of stored texts again after a taxonomy change, in a job, once', async () => {
    const { orgId, key } = await env().newOrg();
    await ingest(env(), key, TEXTS);
    let st = await env().api('GET', '/api/v1/taxonomy/reanalysis', key);
    assert.equal(st.status, 200, JSON.stringify(st.body));
    const DEFAULT_MARK = topicsConfigMark(DEFAULT_TAXONOMY, undefined);
    assert.deepEqual(
      st.body,
      { analysable: 3, stale: 0, job: null, mark: DEFAULT_MARK },
      'ingestion marks what found topics',
    );
    assert.ok(!(await topicsOf(env(), orgId))[0].some((t) => t.startsWith('telecom')));

    // An outside topic model had added two topics: one the phrases will find now, one they won't.
    const roaming = await sql<{ id: string }>`SELECT a.id FROM text_analyses a JOIN interactions i
      ON i.org_id = a.org_id AND i.id = a.subject_id WHERE a.org_id = ${orgId} AND i.text = ${TEXTS[1]}`.execute(
      env().store.db,
    );
    for (const topic of ['telecom.roaming', 'billing.error'])
      await sql`INSERT INTO text_topics (org_id, analysis_id, topic, sentiment_score, sentiment_label, span_start, span_end,
          occurred_at, detected_by)
        VALUES (${orgId}, ${roaming.rows[0].id}, ${topic}, -0.5, 'negative', 0, 10, now(), 'outside-model')`.execute(
        env().store.db,
      );

    const packs = await env().api('GET', '/api/v1/taxonomy/packs', key);
    const def = await env().api('GET', '/api/v1/taxonomy', key);
    const put = await env().api('PUT', '/api/v1/taxonomy', key, {
      topics: [...def.body.topics, ...packs.body.items[0].topics],
    });
    assert.equal(put.status, 200);
    const mark = topicsConfigMark({ version: 'x', topics: put.body.topics }, undefined);
    assert.notEqual(mark, DEFAULT_MARK);
    st = await env().api('GET', '/api/v1/taxonomy/reanalysis', key);
    assert.deepEqual(st.body, { analysable: 3, stale: 3, job: null, mark });
    assert.equal((await env().api('POST', '/api/v1/taxonomy/reanalysis', null)).status, 401);
    const withBody = await env().api('POST', '/api/v1/taxonomy/reanalysis', key, { mark: '0|-' });
    assert.equal(withBody.status, 422, 'a body it would ignore is refused');
    assert.equal(withBody.body.errors[0].field, '(body)');
    assert.equal((await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body.job, null, 'nothing started');

    const started = await env().api('POST', '/api/v1/taxonomy/reanalysis', key);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.ok(started.body.job?.id);
    st = await waitFor(
      async () => (await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body,
      (b) => b.stale === 0 && b.job === null,
    );
    assert.equal((await getJob(env().store.db, started.body.job.id))?.status, 'done');
    const now = await topicsOf(env(), orgId);
    assert.ok(now[0].includes('telecom.coverage'), JSON.stringify(now));
    // The phrases found roaming: the outside model's duplicate went; its other topic stayed.
    assert.ok(now[1].includes('telecom.roaming'), JSON.stringify(now));
    assert.ok(!now[1].includes('telecom.roaming@outside-model'));
    assert.ok(now[1].includes('billing.error@outside-model'));
    assert.deepEqual(now[2], (await topicsOf(env(), orgId))[2], 'the coffee text keeps its own');
    // The span and aspect sentiment of a mention found again.
    const span = await sql<{
      span: string;
      label: string;
    }>`SELECT substr(i.text, t.span_start + 1, t.span_end - t.span_start) AS span,
        t.sentiment_label AS label
      FROM text_topics t JOIN text_analyses a ON a.org_id = t.org_id AND a.id = t.analysis_id
      JOIN interactions i ON i.org_id = a.org_id AND i.id = a.subject_id
      WHERE t.org_id = ${orgId} AND t.topic = 'telecom.coverage'`.execute(env().store.db);
    assert.deepEqual(span.rows, [{ span: 'No signal', label: 'negative' }]);

    // The Topics metrics name them as the saved taxonomy does (label, owner), not as the default would.
    const m = await env().api('GET', '/api/v1/metrics/topics?from=2026-04-01&to=2026-06-01', key);
    assert.equal(m.status, 200, JSON.stringify(m.body));
    const tel = m.body.topics.find((t: { key: string }) => t.key === 'telecom');
    assert.deepEqual([tel?.label, tel?.department], ['Telecom and internet', 'product'], JSON.stringify(tel));
    assert.equal(tel.children.find((c: { key: string }) => c.key === 'telecom.coverage')?.label, 'Coverage and signal');

    // Nothing left: asking again starts nothing; texts stored from now on carry the new mark.
    const again = await env().api('POST', '/api/v1/taxonomy/reanalysis', key);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { analysable: 3, stale: 0, job: null, mark });
    // A label or owner changes no mention: the stored texts stay current.
    const relabelled = put.body.topics.map((t: { key: string }) =>
      t.key === 'telecom.roaming' ? { ...t, label: 'Roaming abroad', department: 'billing' } : t,
    );
    assert.equal((await env().api('PUT', '/api/v1/taxonomy', key, { topics: relabelled })).status, 200);
    assert.equal((await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body.stale, 0);
    await ingest(env(), key, ['Internet outage again today.']);
    st = await env().api('GET', '/api/v1/taxonomy/reanalysis', key);
    assert.deepEqual([st.body.analysable, st.body.stale], [4, 0]);
  });

  it('two requests at once queue one job: the second answers the one already open', async () => {
    const { orgId, key } = await env().newOrg();
    await ingest(env(), key, TEXTS);
    const packs = await env().api('GET', '/api/v1/taxonomy/packs', key);
    const def = await env().api('GET', '/api/v1/taxonomy', key);
    const put = await env().api('PUT', '/api/v1/taxonomy', key, {
      topics: [...def.body.topics, ...packs.body.items[0].topics],
    });
    assert.equal(put.status, 200);
    for (let round = 0; round < 3; round++) {
      if (round > 0) {
        // Stale again: another phrase, so the next round has something to do.
        const topics = put.body.topics.map((t: { key: string; phrases: string[] }) =>
          t.key === 'delivery.late' ? { ...t, phrases: [...t.phrases, `tardy${round}`] } : t,
        );
        assert.equal((await env().api('PUT', '/api/v1/taxonomy', key, { topics })).status, 200);
      }
      const { mark } = (await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body;
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => env().api('POST', '/api/v1/taxonomy/reanalysis', key)),
      );
      const jobs = await sql<{ id: string }>`SELECT id FROM jobs
        WHERE org_id = ${orgId} AND type = ${RETOPIC_JOB} AND payload->>'mark' = ${mark}`.execute(env().store.db);
      assert.equal(
        jobs.rows.length,
        1,
        `one job for ${answers.length} requests: ${JSON.stringify(answers.map((a) => a.body))}`,
      );
      for (const a of answers) {
        // Each answers the one job, or (when it had finished already) that nothing is left to do.
        if (a.status === 202) assert.equal(a.body.job?.id, jobs.rows[0].id, JSON.stringify(a.body));
        else assert.deepEqual([a.status, a.body.stale, a.body.job], [200, 0, null], JSON.stringify(a.body));
      }
      assert.equal(answers[0].status, 202);
      await waitFor(
        async () => (await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body,
        (b) => b.stale === 0 && b.job === null,
      );
    }
  });

  it('works a slice at a time, queues its continuation, and stops when a newer taxonomy supersedes it', async () => {
    const { orgId, key } = await env().newOrg();
    await ingest(env(), key, TEXTS);
    const def = await env().api('GET', '/api/v1/taxonomy', key);
    const withPhrase = (p: string) =>
      def.body.topics.map((t: { key: string; phrases: string[] }) =>
        t.key === 'delivery.late' ? { ...t, phrases: [...t.phrases, p] } : t,
      );
    const saved = await env().api('PUT', '/api/v1/taxonomy', key, { topics: withPhrase('tardy') });
    const mark = topicsConfigMark({ version: 'x', topics: saved.body.topics }, undefined);
    const step = new TextAnalysisStep(
      { analyse: (t) => analyzeText(t), redact: (t, a) => redactPii(t, a.pii) },
      { store: env().store, pool: false },
    );
    try {
      const handler = retopicJobHandler(step, { pageSize: 1, sliceMs: 0 });
      const job = (payload: unknown) => ({
        id: 'j',
        orgId,
        type: RETOPIC_JOB,
        payload: payload as never,
        attempt: 1,
        maxAttempts: 3,
      });
      await handler(job({ mark }), { store: env().store });
      // One page of one text, then its continuation queued (the app's runner takes it from there).
      const queued = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs
        WHERE org_id = ${orgId} AND type = ${RETOPIC_JOB} AND payload->>'mark' = ${mark}`.execute(env().store.db);
      assert.equal(queued.rows[0].n, 1, 'its continuation');
      const st = await waitFor(
        async () => (await env().api('GET', '/api/v1/taxonomy/reanalysis', key)).body,
        (b) => b.stale === 0 && b.job === null,
      );
      assert.equal(st.mark, mark);
      // A newer save with other phrases: the old mark's job does nothing.
      await env().api('PUT', '/api/v1/taxonomy', key, { topics: withPhrase('overdue') });
      await handler(job({ mark }), { store: env().store });
      const after = await env().api('GET', '/api/v1/taxonomy/reanalysis', key);
      assert.equal(after.body.stale, 3);
      assert.notEqual(after.body.mark, mark);
      await assert.rejects(handler(job({ mark: 'nonsense' }), { store: env().store }), /payload must be/);
    } finally {
      await step.close();
    }
  });
});

it("canopy taxonomy apply finds the topics of an org's stored texts again, to the end", async () => {
  const root = mkdtempSync(join(tmpdir(), 'canopy-retopic-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const data = join(root, 'data');
  const canopy = canopyCli(data);
  importTickets(
    canopy,
    root,
    [
      'a@acme.test,email,"No signal at home, calls keep dropping.",2026-03-01T10:00:00Z',
      'b@acme.test,chat,"Roaming charges again",2026-03-02T10:00:00Z',
    ],
    {},
  );
  assert.match(
    canopy(['taxonomy', 'apply', '--org', 'acme']).out,
    /^0 of 2 stored texts of acme had their topics found again/,
  );
  // The org adds the telecom pack (the API's PUT, here straight to the store).
  let store = await openStore({ dataDir: data });
  try {
    const org = await sql<{ id: string }>`SELECT id FROM orgs WHERE slug = 'acme'`.execute(store.db);
    const telecom = TAXONOMY_PACKS.find((p) => p.id === 'telecom')!;
    await putOrgTaxonomy(store.db, org.rows[0].id, {
      version: 't',
      topics: [...DEFAULT_TAXONOMY.topics, ...telecom.topics],
    });
    assert.equal((await getOrgTaxonomy(store.db, org.rows[0].id))?.revision, 1);
  } finally {
    await store.close();
  }
  const r = canopy(['taxonomy', 'apply', '--org', 'acme']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^2 of 2 stored texts of acme had their topics found again with the saved taxonomy/);
  assert.equal(canopy(['taxonomy', 'nonsense']).code, 2);
  assert.equal(canopy(['taxonomy', 'apply', '--org', 'nope']).code, 2);
  store = await openStore({ dataDir: data });
  try {
    const topics = await sql<{
      topic: string;
    }>`SELECT topic FROM text_topics WHERE topic LIKE 'telecom%' ORDER BY topic`.execute(store.db);
    assert.deepEqual(
      topics.rows.map((x) => x.topic),
      ['telecom.coverage', 'telecom.roaming'],
    );
  } finally {
    await store.close();
  }
});

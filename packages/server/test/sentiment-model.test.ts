import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore, verifyAnswerDrivers, verifyRollups } from '@canopy/store';
import { sql } from 'kysely';
import { onnxAvailable } from '../src/onnx/runtime.js';
import { SENTIMENT_JOB, SentimentModel, sentimentJobHandler } from '../src/onnx/sentiment-model.js';
import { eachStore, type TestEnv } from './harness.js';
import { canopyCli, importTickets, waitFor } from './model-jobs.js';
import { SENTIMENT_WEIGHTS, softmax, writeFixtureModel } from './onnx-fixture.js';

// An installation's own sentiment model (CANOPY_SENTIMENT_MODEL) re-scoring texts after ingestion.
// The fixture model is a bag of tokens: it cannot read "not", so "not good" is positive to it while
// the built-in analyser says negative — which shows whose score a text ends up with.
const available = await onnxAvailable();
const root = mkdtempSync(join(tmpdir(), 'canopy-sentiment-model-'));
const folder = join(root, 'review-sentiment');
writeFixtureModel(folder, { bias: [0, 0.25, 0] });
const model = available ? await SentimentModel.load(folder) : undefined;
// An aspect model (text, aspect) → polarity: here "drinks" as the aspect pulls hard to negative.
const aspectFolder = join(root, 'aspect-fixture');
writeFixtureModel(aspectFolder, {
  weights: { ...SENTIMENT_WEIGHTS, late: [1.5, 0, -1], delivery: [0.5, 0, 0], drinks: [4, 0, 0] },
});
const aspectModel = available ? await SentimentModel.load(aspectFolder, { target: 'topics' }) : undefined;
after(async () => {
  await model?.close();
  await aspectModel?.close();
  rmSync(root, { recursive: true, force: true });
});

/** P(positive) − P(negative) of the fixture's logits, as the API rounds it. */
const scoreOf = (logits: number[]) => {
  const p = softmax(logits);
  return Math.round((p[2] - p[0]) * 1000) / 1000;
};

interface Analysis {
  field: string;
  sentiment: { score: number; label: string; model: string | null };
}

async function analyses(env: TestEnv, key: string, customerId: string): Promise<Analysis[]> {
  const tl = await env.api('GET', `/api/v1/customers/${customerId}/timeline`, key);
  assert.equal(tl.status, 200, JSON.stringify(tl.body));
  return tl.body.items.flatMap((i: { analysis?: Analysis[] }) => i.analysis ?? []);
}

/** Waits until every analysis of the customer carries the model's mark (the job ran). */
async function rescored(env: TestEnv, key: string, customerId: string, n: number): Promise<Analysis[]> {
  return waitFor(
    () => analyses(env, key, customerId),
    (list) => list.length === n && list.every((a) => a.sentiment.model === 'review-sentiment'),
  );
}

if (!model) {
  describe('outside sentiment model', {
    skip: 'optional packages onnxruntime-node and @huggingface/tokenizers are not installed',
  }, () => {
    it('re-scores ingested texts', () => {});
  });
} else {
  eachStore(
    'outside sentiment model',
    (env) => {
      it('re-scores every text a batch stores (responses, interactions by text or subject, events); the timeline names the model; rollups agree', async () => {
        const { orgId, key } = await env().newOrg();
        const rs = await env().api('POST', '/api/v1/responses', key, {
          customer_email: 'model@example.com',
          survey: 'visit',
          submitted_at: '2026-03-01T12:00:00Z',
          answers: [
            { field: 'nps', type: 'nps', value: 6 },
            { field: 'why', type: 'text', value: 'the food was not good' },
          ],
        });
        assert.equal(rs.status, 201, JSON.stringify(rs.body));
        const customer = rs.body.customer_id as string;
        const ix = await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'model@example.com',
          kind: 'chat',
          text: 'awful service',
          opened_at: '2026-03-02T10:00:00Z',
        });
        assert.equal(ix.status, 201, JSON.stringify(ix.body));
        // An interaction with a subject and no text is analysed (and re-scored) by its subject.
        const subj = await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'model@example.com',
          kind: 'email',
          subject: 'The staff were GREAT',
          opened_at: '2026-03-02T11:00:00Z',
        });
        assert.equal(subj.status, 201, JSON.stringify(subj.body));
        const ev = await env().api('POST', '/api/v1/events', key, {
          customer_email: 'model@example.com',
          type: 'review',
          occurred_at: '2026-03-03T10:00:00Z',
          rating: 3,
          text: 'ok',
        });
        assert.equal(ev.status, 201, JSON.stringify(ev.body));
        const list = await rescored(env(), key, customer, 4);
        const byText = new Map(list.map((a) => [a.sentiment.score, a]));
        // Worked by hand from the fixture's token weights (and bias [0, 0.25, 0]).
        const good = scoreOf([-1, 0.25, 2]);
        const awful = scoreOf([3, 0.25, -1.5]);
        const ok = scoreOf([0, 1.75, 0.5]);
        const great = scoreOf([-1.5, 0.25, 3]);
        assert.deepEqual(
          [...byText.keys()].sort((a, b) => a - b),
          [awful, ok, good, great].sort((a, b) => a - b),
          JSON.stringify(list),
        );
        assert.equal(
          byText.get(good)?.sentiment.label,
          'positive',
          'the model’s reading of "not good", not the built-in one',
        );
        assert.equal(byText.get(awful)?.sentiment.label, 'negative');
        assert.equal(byText.get(ok)?.sentiment.label, 'neutral');
        const diffs = await verifyRollups(env().store.db, orgId);
        assert.deepEqual(
          diffs.filter((d) => d.mismatches > 0),
          [],
          'text rollups follow the new scores',
        );
      });

      it('an aspect model re-scores each topic mention, asked about the topic’s label; key drivers follow', async () => {
        const { orgId, key } = await env().newOrg();
        // The org calls delivery.late "Late delivery" (the default says "Delivery time"): that is what the model is asked.
        const def = await env().api('GET', '/api/v1/taxonomy', key);
        const own = def.body.topics.map((t: { key: string }) =>
          t.key === 'delivery.late' ? { ...t, label: 'Late delivery' } : t,
        );
        assert.equal((await env().api('PUT', '/api/v1/taxonomy', key, { topics: own })).status, 200);
        const ix = await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'aspects@example.com',
          kind: 'chat',
          text: 'great coffee but the delivery was late',
          opened_at: '2026-05-01T10:00:00Z',
        });
        assert.equal(ix.status, 201, JSON.stringify(ix.body));
        const rs = await env().api('POST', '/api/v1/responses', key, {
          customer_email: 'aspects@example.com',
          submitted_at: '2026-05-03T10:00:00Z',
          answers: [{ field: 'nps', type: 'nps', value: 3 }],
        });
        assert.equal(rs.status, 201, JSON.stringify(rs.body));
        type Mention = { topic: string; sentiment: { score: number; label: string; model: string | null } };
        const topics = await waitFor(
          async () => {
            const [a] = (await analyses(env(), key, ix.body.customer_id)) as unknown as { topics: Mention[] }[];
            return a?.topics ?? [];
          },
          (list) => list.length > 0 && list.every((t) => t.sentiment.model === 'aspect-fixture'),
        );
        const by = new Map(topics.map((t) => [t.topic, t.sentiment]));
        // Text tokens: great, coffee, delivery, was, late → [0.5, 0, 2]; plus the aspect's own tokens.
        assert.deepEqual(by.get('hospitality.drinks'), {
          score: scoreOf([4.5, 0, 2]),
          label: 'negative',
          model: 'aspect-fixture',
        });
        assert.deepEqual(by.get('delivery.late'), {
          score: scoreOf([2.5, 0, 1]),
          label: 'negative',
          model: 'aspect-fixture',
        });
        // The built-in analyser called the drinks positive; as a negative topic now it drives the
        // customer's NPS answer two days later, and the kept driver rows say so.
        const drivers = await verifyAnswerDrivers(env().store.db, orgId);
        assert.equal(drivers.mismatches, 0, `${drivers.mismatches} driver rows differ from a recomputation`);
        const kept = await sql<{ driver: string }>`SELECT driver FROM answer_drivers WHERE org_id = ${orgId}
          AND source = 'topics' ORDER BY driver`.execute(env().store.db);
        assert.deepEqual(
          kept.rows.map((r) => r.driver),
          ['delivery.late', 'hospitality.drinks'],
        );
      });

      it('backfills texts stored before the model, once; --all scores them again', async () => {
        const { orgId, key } = await env().newOrg();
        const rs = await env().api('POST', '/api/v1/responses', key, {
          customer_email: 'old@example.com',
          submitted_at: '2026-02-01T12:00:00Z',
          answers: [{ field: 'why', type: 'text', value: 'great but bad' }],
        });
        assert.equal(rs.status, 201, JSON.stringify(rs.body));
        await rescored(env(), key, rs.body.customer_id, 1);
        // As if stored before the installation had the model.
        await sql`UPDATE text_analyses SET sentiment_model = NULL, sentiment_score = 0, sentiment_label = 'neutral'
          WHERE org_id = ${orgId}`.execute(env().store.db);
        const m = model as SentimentModel;
        const first = await m.backfill(env().store.db, orgId, { pageSize: 1 });
        assert.equal(first.scored, 1);
        const [a] = await analyses(env(), key, rs.body.customer_id);
        assert.deepEqual(a.sentiment, { score: scoreOf([0.5, 0.25, 2]), label: 'positive', model: 'review-sentiment' });
        assert.equal((await m.backfill(env().store.db, orgId)).scored, 0, 'nothing left to do');
        assert.equal((await m.backfill(env().store.db, orgId, { all: true })).scored, 1);
        assert.equal((await m.backfill(env().store.db, orgId, { from: new Date('2026-03-01'), all: true })).scored, 0);
        const diffs = await verifyRollups(env().store.db, orgId);
        assert.deepEqual(
          diffs.filter((d) => d.mismatches > 0),
          [],
        );
      });

      it('splits a big batch into jobs of at most 64 texts (each ends well inside a runner’s lease)', async () => {
        const { orgId, key } = await env().newOrg();
        const words = ['good', 'bad', 'ok', 'great', 'awful'];
        const batch = Array.from({ length: 130 }, (_, i) => ({
          customer_email: `many-${i % 7}@example.com`,
          submitted_at: new Date(Date.parse('2026-04-01T00:00:00Z') + i * 60_000).toISOString(),
          answers: [{ field: 'why', type: 'text', value: `it was ${words[i % 5]} (visit ${i})` }],
        }));
        const r = await env().api('POST', '/api/v1/responses', key, batch);
        assert.ok(r.status < 300, JSON.stringify(r.body).slice(0, 300));
        await waitFor(
          async () =>
            (
              await sql<{ n: number }>`SELECT count(*)::int AS n FROM text_analyses
                WHERE org_id = ${orgId} AND analysable AND sentiment_model IS DISTINCT FROM 'review-sentiment'`.execute(
                env().store.db,
              )
            ).rows[0].n,
          (left) => left === 0,
        );
        const jobs = await sql<{ payload: { ids: string[] } }>`SELECT payload FROM jobs
          WHERE org_id = ${orgId} AND type = ${SENTIMENT_JOB}`.execute(env().store.db);
        assert.deepEqual(
          jobs.rows.map((j) => j.payload.ids.length).sort((a, b) => b - a),
          [64, 64, 2],
        );
        const counts = await sql<{ label: string; n: number }>`SELECT sentiment_label AS label, count(*)::int AS n
          FROM text_analyses WHERE org_id = ${orgId} GROUP BY 1 ORDER BY 1`.execute(env().store.db);
        // good, great → positive; bad, awful → negative; ok → neutral (26 texts each word).
        assert.deepEqual(counts.rows, [
          { label: 'negative', n: 52 },
          { label: 'neutral', n: 26 },
          { label: 'positive', n: 52 },
        ]);
      });

      it('a job with a bad payload fails with the reason instead of writing anything', async () => {
        const handler = sentimentJobHandler([model as SentimentModel]);
        const job = { id: 'j1', orgId: null, type: SENTIMENT_JOB, payload: { ids: ['x'] }, attempt: 1, maxAttempts: 3 };
        await assert.rejects(
          handler(job, { store: env().store }),
          /payload must be \{ ids: \[uuid, …\] \} with an org/,
        );
        await assert.rejects(
          handler(
            { ...job, orgId: '00000000-0000-0000-0000-000000000000', payload: { ids: ['not-a-uuid'] } },
            {
              store: env().store,
            },
          ),
          /payload must be/,
        );
      });
    },
    { textModels: [model, aspectModel as SentimentModel] },
  );
}

describe('loading a sentiment model', { skip: available ? false : 'optional packages not installed' }, () => {
  it('refuses a model whose labels do not read as sentiment, and a bad name', async () => {
    const topics = join(root, 'topics');
    writeFixtureModel(topics, { labels: ['food', 'service'], weights: {} });
    await assert.rejects(SentimentModel.load(topics), /topics: sentiment labels 'food', 'service' cannot be read/);
    await assert.rejects(SentimentModel.load(folder, { name: 'has spaces' }), /model name 'has spaces' must be/);
    writeFileSync(join(topics, 'config.json'), '{}');
    await assert.rejects(SentimentModel.load(topics), /config\.json: id2label is missing/);
  });
});

describe('canopy import and sentiment rescore with a model', {
  skip: available ? false : 'optional packages not installed',
}, () => {
  const data = join(root, 'cli-data');
  const canopy = canopyCli(data);

  it('queues imported texts for the model, and rescore scores what is stored', async () => {
    importTickets(
      canopy,
      root,
      [
        'a@acme.test,chat,"the food was not good",2026-03-01T10:00:00Z',
        'b@acme.test,email,"awful service, again",2026-03-02T10:00:00Z',
      ],
      { CANOPY_SENTIMENT_MODEL: folder },
    );
    let store = await openStore({ dataDir: data });
    try {
      const jobs = await sql<{
        payload: { ids: string[] };
      }>`SELECT payload FROM jobs WHERE type = ${SENTIMENT_JOB}`.execute(store.db);
      assert.equal(jobs.rows.flatMap((j) => j.payload.ids).length, 2, 'one queued id per imported text');
    } finally {
      await store.close();
    }
    const bad = canopy(['sentiment', 'rescore', '--org', 'acme']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /usage: canopy sentiment rescore \[--model <folder>\]/);
    const badDate = canopy(['sentiment', 'rescore', '--model', folder, '--org', 'acme', '--from', 'yesterday']);
    assert.equal(badDate.code, 2, badDate.err);
    assert.match(badDate.err, /--from must be an ISO date/);
    const noFolder = canopy(['sentiment', 'rescore', '--model', join(root, 'nope'), '--org', 'acme']);
    assert.equal(noFolder.code, 1);
    assert.match(noFolder.err, /nope: not a folder/);
    const rs = canopy(['sentiment', 'rescore', '--model', folder, '--org', 'acme']);
    assert.equal(rs.code, 0, rs.err);
    assert.match(rs.out, /^2 texts of acme re-scored by 'review-sentiment'/);
    store = await openStore({ dataDir: data });
    try {
      const rows = await sql<{ sentiment_model: string; sentiment_label: string }>`
        SELECT sentiment_model, sentiment_label FROM text_analyses ORDER BY sentiment_label`.execute(store.db);
      assert.deepEqual(rows.rows, [
        { sentiment_model: 'review-sentiment', sentiment_label: 'negative' },
        { sentiment_model: 'review-sentiment', sentiment_label: 'positive' },
      ]);
    } finally {
      await store.close();
    }
    assert.match(canopy(['sentiment', 'rescore', '--model', folder, '--org', 'acme']).out, /^0 texts/);
    const asp = canopy(['sentiment', 'rescore', '--aspect-model', aspectFolder, '--org', 'acme']);
    assert.equal(asp.code, 0, asp.err);
    assert.match(asp.out, /^[1-9]\d* topic mentions of acme re-scored by 'aspect-fixture'/);
    assert.match(
      canopy(['sentiment', 'rescore', '--aspect-model', aspectFolder, '--org', 'acme']).out,
      /^0 topic mentions/,
    );
  });
});

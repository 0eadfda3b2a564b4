import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_TAXONOMY } from '@canopy/core';
import { openStore, verifyAnswerDrivers } from '@canopy/store';
import { sql } from 'kysely';
import { onnxAvailable } from '../src/onnx/runtime.js';
import { SENTIMENT_JOB, SentimentModel, sentimentJobHandler } from '../src/onnx/sentiment-model.js';
import { backfill } from '../src/onnx/text-model.js';
import { TopicModel } from '../src/onnx/topic-model.js';
import { eachStore, type TestEnv } from './harness.js';
import { canopyCli, importTickets, waitFor } from './model-jobs.js';
import { SENTIMENT_WEIGHTS, softmax, writeFixtureModel } from './onnx-fixture.js';

// An installation's own topic classifier (CANOPY_TOPIC_MODEL) adding the taxonomy topics it finds
// to stored texts. The fixture is multi-label (sigmoid): logit = Σ token weights − 2 per label, so
// "ok" gives service.wait_time σ(1) = 0.73, "awful" retail.queue (a key the default taxonomy lacks)
// σ(1), "late" delivery.late σ(1) — which the taxonomy phrases find already.
const available = await onnxAvailable();
const root = mkdtempSync(join(tmpdir(), 'canopy-topic-model-'));
const folder = join(root, 'topic-fixture');
writeFixtureModel(folder, {
  labels: ['delivery.late', 'service.wait_time', 'retail.queue'],
  weights: { late: [3, 0, 0], ok: [0, 3, 0], awful: [0, 0, 3] },
  bias: [-2, -2, -2],
  problemType: 'multi_label_classification',
});
const topicModel = available ? await TopicModel.load(folder) : undefined;
const aspectFolder = join(root, 'aspect-fixture');
// Asked about a topic, the aspect model reads its label ("wait time": two unknown tokens to it).
writeFixtureModel(aspectFolder, { weights: { ...SENTIMENT_WEIGHTS, '[UNK]': [2, 0, 0] } });
const aspectModel = available ? await SentimentModel.load(aspectFolder, { target: 'topics' }) : undefined;
after(async () => {
  await topicModel?.close();
  await aspectModel?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Mention {
  topic: string;
  sentiment: { score: number; label: string; model: string | null };
  start: number;
  end: number;
  detected_by: string | null;
}
interface Analysis {
  field: string;
  sentiment: { score: number; label: string };
  topics: Mention[];
}

async function analyses(env: TestEnv, key: string, customerId: string): Promise<Analysis[]> {
  const tl = await env.api('GET', `/api/v1/customers/${customerId}/timeline`, key);
  assert.equal(tl.status, 200, JSON.stringify(tl.body));
  return tl.body.items.flatMap((i: { analysis?: Analysis[] }) => i.analysis ?? []);
}

const read = (env: TestEnv, orgId: string) =>
  sql<{ n: number }>`SELECT count(*)::int AS n FROM text_analyses WHERE org_id = ${orgId} AND analysable
    AND topic_model IS DISTINCT FROM 'topic-fixture'`
    .execute(env.store.db)
    .then((r) => r.rows[0].n);

if (!topicModel) {
  describe('outside topic model', {
    skip: 'optional packages onnxruntime-node and @huggingface/tokenizers are not installed',
  }, () => {
    it('adds the topics it finds', () => {});
  });
} else {
  eachStore(
    'outside topic model',
    (env) => {
      it('adds the taxonomy topics the phrases missed (whole text, the text’s sentiment), once; labels outside the org’s taxonomy wait for it; key drivers follow', async () => {
        const { orgId, key } = await env().newOrg();
        const a = await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'topics@example.com',
          kind: 'chat',
          text: 'awful, the delivery was late',
          opened_at: '2026-05-01T10:00:00Z',
        });
        assert.equal(a.status, 201, JSON.stringify(a.body));
        const b = await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'topics@example.com',
          kind: 'chat',
          text: 'ok',
          opened_at: '2026-05-02T10:00:00Z',
        });
        assert.equal(b.status, 201, JSON.stringify(b.body));
        const nps = await env().api('POST', '/api/v1/responses', key, {
          customer_email: 'topics@example.com',
          submitted_at: '2026-05-03T10:00:00Z',
          answers: [{ field: 'nps', type: 'nps', value: 2 }],
        });
        assert.equal(nps.status, 201, JSON.stringify(nps.body));
        const customer = a.body.customer_id as string;
        await waitFor(
          () => read(env(), orgId),
          (left) => left === 0,
        );
        const list = await analyses(env(), key, customer);
        const late = list.find((x) => x.topics.some((t) => t.topic === 'delivery.late'));
        const ok = list.find((x) => x.topics.some((t) => t.topic === 'service.wait_time'));
        assert.ok(late && ok, JSON.stringify(list));
        // "late": the phrase's mention stays (with its span); the model's agreeing label adds nothing.
        assert.deepEqual(
          late.topics.map((t) => [t.topic, t.detected_by]),
          [['delivery.late', null]],
          'retail.queue is not in the default taxonomy',
        );
        assert.ok(late.topics[0].start > 0, 'the phrase’s own span');
        assert.deepEqual(ok.topics, [
          {
            topic: 'service.wait_time',
            sentiment: { ...ok.sentiment, model: null },
            start: 0,
            end: 2,
            detected_by: 'topic-fixture',
          },
        ]);
        // A job that runs again adds nothing twice.
        const ids = (
          await sql<{ id: string }>`SELECT id FROM text_analyses WHERE org_id = ${orgId}`.execute(env().store.db)
        ).rows.map((r) => r.id);
        const job = { id: 'again', orgId, type: SENTIMENT_JOB, payload: { ids }, attempt: 2, maxAttempts: 3 };
        await sentimentJobHandler([topicModel])(job, { store: env().store });
        const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM text_topics WHERE org_id = ${orgId}`.execute(
          env().store.db,
        );
        assert.equal(n.rows[0].n, 2);
        // The org adds the topic to its taxonomy; a backfill of every text finds it in the awful one.
        const taxonomy = {
          topics: [
            ...DEFAULT_TAXONOMY.topics,
            {
              key: 'retail.queue',
              label: 'Queue in store',
              parent: null,
              sevenP: 'process',
              department: 'service',
              phrases: [],
            },
          ],
        };
        const put = await env().api('PUT', '/api/v1/taxonomy', key, taxonomy);
        assert.equal(put.status, 200, JSON.stringify(put.body).slice(0, 500));
        assert.equal((await backfill(topicModel, env().store.db, orgId)).scored, 0, 'every text was read already');
        assert.equal((await backfill(topicModel, env().store.db, orgId, { all: true, pageSize: 1 })).scored, 1);
        assert.equal((await backfill(topicModel, env().store.db, orgId, { all: true })).scored, 0);
        const [queue] = (await analyses(env(), key, customer)).flatMap((x) =>
          x.topics.filter((t) => t.topic === 'retail.queue'),
        );
        assert.equal(queue?.detected_by, 'topic-fixture');
        assert.equal(queue.sentiment.label, 'negative', 'the text’s sentiment');
        // A negative topic the model found drives the customer's NPS answer a day later.
        const drivers = await verifyAnswerDrivers(env().store.db, orgId);
        assert.equal(drivers.mismatches, 0, `${drivers.mismatches} driver rows differ from a recomputation`);
        const kept = await sql<{ driver: string }>`SELECT driver FROM answer_drivers WHERE org_id = ${orgId}
          AND source = 'topics' ORDER BY driver`.execute(env().store.db);
        assert.ok(
          kept.rows.some((r) => r.driver === 'retail.queue'),
          JSON.stringify(kept.rows),
        );
      });

      it('runs before the aspect model in a job, so the mentions it adds get their own sentiment', async () => {
        const { orgId, key } = await env().newOrg();
        const r = await env().api('POST', '/api/v1/interactions', key, {
          customer_email: 'order@example.com',
          kind: 'chat',
          text: 'ok',
          opened_at: '2026-06-01T10:00:00Z',
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        await waitFor(
          () => read(env(), orgId),
          (left) => left === 0,
        );
        // This server runs the topic model only: the aspect model is run here, after it, as a job would.
        const ids = (
          await sql<{ id: string }>`SELECT id FROM text_analyses WHERE org_id = ${orgId}`.execute(env().store.db)
        ).rows.map((x) => x.id);
        const job = { id: 'both', orgId, type: SENTIMENT_JOB, payload: { ids }, attempt: 1, maxAttempts: 3 };
        await sentimentJobHandler([topicModel, aspectModel as SentimentModel])(job, { store: env().store });
        const [m] = (await analyses(env(), key, r.body.customer_id)).flatMap((x) => x.topics);
        // Asked about "ok" and the topic's label "wait time": ok [0, 1.5, 0.5] + 2 × [UNK] [2, 0, 0].
        const p = softmax([4, 1.5, 0.5]);
        assert.deepEqual(m.sentiment, {
          score: Math.round((p[2] - p[0]) * 1000) / 1000,
          label: 'negative',
          model: 'aspect-fixture',
        });
        assert.equal(m.detected_by, 'topic-fixture');
      });
    },
    { textModels: [topicModel] },
  );
}

describe('loading a topic model', { skip: available ? false : 'optional packages not installed' }, () => {
  it('refuses labels that are not topic keys, and a threshold outside 0..1', async () => {
    const bad = join(root, 'bad-labels');
    writeFixtureModel(bad, { labels: ['Late delivery', 'delivery.late', 'LABEL_2'], weights: {} });
    await assert.rejects(
      TopicModel.load(bad),
      /bad-labels: config\.json id2label must name taxonomy topic keys .*not: 'Late delivery', 'LABEL_2'/,
    );
    await assert.rejects(TopicModel.load(folder, { threshold: 1 }), /threshold must be between 0 and 1, got 1/);
    const strict = await TopicModel.load(folder, { threshold: 0.9 });
    try {
      // σ(3 − 2) = 0.73 is under 0.9; "late late" gives σ(6 − 2) = 0.98.
      const found = await strict.detect(['ok', 'late late']);
      assert.deepEqual(found[0], []);
      assert.deepEqual(
        found[1].map((f) => f.topic),
        ['delivery.late'],
      );
      assert.ok(Math.abs(found[1][0].score - 1 / (1 + Math.exp(-4))) < 1e-6);
    } finally {
      await strict.close();
    }
  });
});

describe('canopy sentiment rescore --topic-model', {
  skip: available ? false : 'optional packages not installed',
}, () => {
  const data = join(root, 'cli-data');
  const canopy = canopyCli(data);

  it('queues imported texts when CANOPY_TOPIC_MODEL is set and adds what it finds in stored texts', async () => {
    importTickets(
      canopy,
      root,
      ['a@acme.test,chat,ok,2026-03-01T10:00:00Z', 'b@acme.test,email,"the food was great",2026-03-02T10:00:00Z'],
      { CANOPY_TOPIC_MODEL: folder },
    );
    const badThreshold = canopy(['sentiment', 'rescore', '--topic-model', folder, '--threshold', '2', '--org', 'acme']);
    assert.equal(badThreshold.code, 2);
    assert.match(badThreshold.err, /--threshold must be a number between 0 and 1, got '2'/);
    const stray = canopy(['sentiment', 'rescore', '--model', folder, '--threshold', '0.5', '--org', 'acme']);
    assert.equal(stray.code, 2);
    assert.match(stray.err, /--threshold applies to --topic-model only/);
    const rs = canopy(['sentiment', 'rescore', '--topic-model', folder, '--org', 'acme']);
    assert.equal(rs.code, 0, rs.err);
    assert.match(rs.out, /^1 topics of acme added by 'topic-fixture'/);
    assert.match(canopy(['sentiment', 'rescore', '--topic-model', folder, '--org', 'acme']).out, /^0 topics/);
    const store = await openStore({ dataDir: data });
    try {
      const jobs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE type = ${SENTIMENT_JOB}`.execute(
        store.db,
      );
      assert.equal(jobs.rows[0].n, 1, 'the import queued its texts for the model');
      const rows = await sql<{ topic: string; detected_by: string | null }>`
        SELECT topic, detected_by FROM text_topics ORDER BY topic`.execute(store.db);
      assert.deepEqual(
        rows.rows.filter((r) => r.detected_by !== null),
        [{ topic: 'service.wait_time', detected_by: 'topic-fixture' }],
      );
    } finally {
      await store.close();
    }
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addWordVector,
  CLUSTER_DEPTH,
  VECTOR_DIM,
  vectorVocabularySize,
  vocabularySize,
  wordCluster,
  wordIndex,
} from '../../src/text/embeddings.js';
import { predictLabels, scoreLabels, trainTextClassifier } from '../../src/text/index.js';
import { OLD_MODEL, OLD_MODEL_SCORES, OLD_MODEL_TEXTS } from './fixtures/old-model.js';

function vec(w: string): Float64Array {
  const v = new Float64Array(VECTOR_DIM);
  assert.ok(addWordVector(w, 1, v), `no vector for ${w}`);
  return v;
}
const cos = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    s += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  return s / Math.sqrt(na * nb);
};

test('word-vector artifact decodes to its documented size', () => {
  assert.equal(vocabularySize(), 100_000);
  assert.equal(vectorVocabularySize(), 27_000);
  assert.equal(VECTOR_DIM, 100);
  assert.equal(CLUSTER_DEPTH, 12);
  // Most frequent first; absent words say so.
  assert.equal(wordIndex('the'), 0);
  assert.ok(wordIndex('delicious') > 0 && wordIndex('delicious') < 27_000);
  assert.equal(wordIndex('qwzxv'), -1);
  assert.equal(wordCluster('qwzxv'), -1);
  const leaves = new Set<number>();
  for (const w of ['food', 'waiter', 'price', 'refund', 'password', 'delicious', 'rude']) {
    const c = wordCluster(w);
    assert.ok(c >= 0 && c < 1 << CLUSTER_DEPTH, w);
    leaves.add(c);
  }
  assert.ok(leaves.size >= 6);
  // Quantised unit vectors stay close to unit length.
  for (const w of ['food', 'waiter', 'refund']) {
    const v = vec(w);
    const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    assert.ok(n > 0.85 && n < 1.15, `${w}: norm ${n}`);
  }
  // Rarer words (beyond the 27,000 most frequent) have a cluster but no shipped vector.
  assert.ok(wordIndex('lasagna') > 27_000 && wordCluster('lasagna') >= 0);
  assert.equal(addWordVector('lasagna', 1, new Float64Array(VECTOR_DIM)), false);
});

test('similar words are close in vector space and share coarse clusters', () => {
  assert.ok(cos(vec('delicious'), vec('tasty')) > cos(vec('delicious'), vec('parliament')) + 0.3);
  assert.ok(cos(vec('waiter'), vec('waitress')) > 0.6);
  const prefix = (w: string, bits: number) => wordCluster(w) >>> (CLUSTER_DEPTH - bits);
  assert.equal(prefix('pasta', 6), prefix('lasagna', 6));
  assert.notEqual(prefix('pasta', 6), prefix('password', 6));
});

const FOOD = [
  'the pasta was great',
  'loved the pizza',
  'the steak was tasty',
  'the salad was fresh',
  'the soup was cold',
  'the chicken was dry',
  'amazing sushi',
  'the burger was excellent',
];
const SERVICE = [
  'the waiter was great',
  'our waitress was friendly',
  'the staff were helpful',
  'the manager was polite',
  'the hostess was rude',
  'the waiter was slow',
  'amazing staff',
  'the server was excellent',
];

test('a word never seen in training but close in vector space to training words gets their category', () => {
  const ex = [
    ...FOOD.map((text) => ({ text, labels: ['food'] })),
    ...SERVICE.map((text) => ({ text, labels: ['service'] })),
  ];
  // Only word features: no character n-grams or zero-shot taxonomy topics to recognise the new words.
  const lean = { mode: 'single', charNgrams: false, topicFeatures: false } as const;
  const model = JSON.parse(JSON.stringify(trainTextClassifier(ex, lean)));
  assert.deepEqual(model.words, { clusters: [6, 8, 10, 12], clusterWeight: 0.5, dense: 5 });
  const plain = trainTextClassifier(ex, { ...lean, wordClusters: [], denseWeight: 0 });
  assert.equal(plain.words, undefined);
  const score = (m: typeof model, text: string, label: string) =>
    scoreLabels(m, text).find((x) => x.label === label)?.score ?? 0;
  for (const [text, want] of [
    ['the noodles were great', 'food'],
    ['the spaghetti was great', 'food'],
    ['the bartender was great', 'service'],
    ['the clerk was great', 'service'],
  ]) {
    assert.equal(predictLabels(model, text)[0].label, want, text);
    assert.ok(score(model, text, want) > 0.8, text);
    // The same model without word representations can only guess.
    assert.ok(score(plain, text, want) < 0.6, text);
  }
});

test('a model stored before word features existed loads and scores exactly as it did', () => {
  const stored = JSON.parse(JSON.stringify(OLD_MODEL));
  assert.equal(stored.words, undefined);
  OLD_MODEL_TEXTS.forEach((text, i) => {
    const got = scoreLabels(stored, text);
    assert.deepEqual(
      got.map((x) => x.label),
      OLD_MODEL_SCORES[i].map((x) => x.label),
    );
    got.forEach((x, k) => {
      assert.ok(Math.abs(x.score - OLD_MODEL_SCORES[i][k].score) < 1e-12, text);
    });
  });
  assert.equal(predictLabels(stored, 'can you refund me')[0].label, 'refund');
});

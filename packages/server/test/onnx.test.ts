import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { labelSentimentReader } from '@canopy/core';
import { onnxAvailable } from '../src/onnx/runtime.js';
import { loadOnnxTextClassifier, OnnxModelError, type OnnxTextClassifier } from '../src/onnx/text-classifier.js';
import { SENTIMENT_WEIGHTS, softmax, writeFixtureModel } from './onnx-fixture.js';

// The optional packages (onnxruntime-node, @huggingface/tokenizers) are installed by .ci/run; on a
// machine without them these tests are skipped, and say so.
const available = await onnxAvailable();
const skip = available ? false : 'optional packages onnxruntime-node and @huggingface/tokenizers are not installed';

function near(actual: Float32Array, expected: number[], msg = '') {
  assert.equal(actual.length, expected.length, msg);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Math.abs(actual[i] - expected[i]) < 1e-5, `${msg} [${i}] ${actual[i]} ≠ ${expected[i]}`);
}

describe('user-supplied ONNX text classifiers', { skip }, () => {
  let root: string;
  let model: OnnxTextClassifier;
  const folder = (name: string) => join(root, name);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'canopy-onnx-'));
    writeFixtureModel(folder('sentiment'), { bias: [0, 0.25, 0] });
    model = await loadOnnxTextClassifier(folder('sentiment'));
  });
  after(async () => {
    await model?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('reads labels from config.json and scores texts with the model’s own tokenizer', async () => {
    assert.deepEqual(model.labels, ['negative', 'neutral', 'positive']);
    assert.equal(model.multiLabel, false);
    assert.equal(model.name, 'sentiment');
    const [good, awful, ok, empty] = await model.classify(['The food was GOOD', 'awful services', 'ok', '']);
    // Worked by hand: logits = Σ token rows + bias; [CLS], [SEP], the, food, was weigh nothing.
    near(good, softmax([-1, 0.25, 2]), 'good');
    // "services" → service + ##s (WordPiece): both weigh nothing; awful = [3, 0, −1.5].
    near(awful, softmax([3, 0.25, -1.5]), 'awful');
    near(ok, softmax([0, 1.75, 0.5]), 'ok');
    near(empty, softmax([0, 0.25, 0]), 'empty text');
    const read = labelSentimentReader(model.labels);
    assert.equal(read.read(good).label, 'positive');
    assert.equal(read.read(awful).label, 'negative');
    assert.equal(read.read(ok).label, 'neutral');
  });

  it('pads a batch to its longest text without changing any text’s scores, and keeps input order', async () => {
    const texts = ['good', 'the food was great but the service was bad', 'awful', 'ok ok', 'bad bad bad'];
    const together = await model.classify(texts);
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await model.classify([texts[i]]);
      near(together[i], [...alone], texts[i]);
    }
    // great + bad: [−1.5 + 2, 0, 3 − 1] + bias
    near(together[1], softmax([0.5, 0.25, 2]), 'mixed');
    const small = await loadOnnxTextClassifier(folder('sentiment'), { batchSize: 2 });
    try {
      const inTwos = await small.classify(texts);
      for (let i = 0; i < texts.length; i++) near(inTwos[i], [...together[i]], `batch of two: ${texts[i]}`);
    } finally {
      await small.close();
    }
  });

  it('cuts long texts to the model’s length, keeping the closing [SEP]', async () => {
    writeFixtureModel(folder('short'), { maxLength: 5 });
    const m = await loadOnnxTextClassifier(folder('short'));
    try {
      assert.equal(m.maxTokens, 5);
      // [CLS] good good good [SEP] — the two "bad" are cut.
      const [p] = await m.classify(['good good good bad bad']);
      near(p, softmax([-3, 0, 6]));
    } finally {
      await m.close();
    }
    const capped = await loadOnnxTextClassifier(folder('sentiment'), { maxTokens: 4 });
    try {
      near((await capped.classify(['good great bad']))[0], softmax([-2.5, 0.25, 5]));
    } finally {
      await capped.close();
    }
  });

  it('feeds token_type_ids when the model takes them, finds onnx/model.onnx, and uses sigmoid for multi-label models', async () => {
    writeFixtureModel(folder('bert'), { tokenTypes: true, modelPath: 'onnx/model.onnx' });
    const bert = await loadOnnxTextClassifier(folder('bert'));
    try {
      near((await bert.classify(['great']))[0], softmax([-1.5, 0, 3]));
    } finally {
      await bert.close();
    }
    writeFixtureModel(folder('topics'), {
      labels: ['food', 'service'],
      weights: { food: [2, -1], service: [-1, 3], good: [0.5, 0.5] },
      problemType: 'multi_label_classification',
    });
    const topics = await loadOnnxTextClassifier(folder('topics'));
    try {
      assert.equal(topics.multiLabel, true);
      const sig = (x: number) => 1 / (1 + Math.exp(-x));
      near((await topics.classify(['good food and service']))[0], [sig(1.5), sig(2.5)]);
    } finally {
      await topics.close();
    }
  });

  it('reads text pairs (text, aspect) as sentence-pair models do: segment ids, and the text cut before the aspect', async () => {
    writeFixtureModel(folder('aspects'), { weights: { ...SENTIMENT_WEIGHTS, service: [0.5, 0, 0] } });
    const m = await loadOnnxTextClassifier(folder('aspects'));
    try {
      const [service, food] = await m.classifyPairs([
        ['good food', 'service'],
        ['good food', 'food'],
      ]);
      near(service, softmax([-0.5, 0, 2]), 'the aspect’s own tokens count');
      near(food, softmax([-1, 0, 2]));
    } finally {
      await m.close();
    }
    // token_type_ids: [CLS] great [SEP] | service [SEP] — two type-1 tokens add 2 to the first logit.
    writeFixtureModel(folder('bert-pairs'), { tokenTypes: true });
    const bert = await loadOnnxTextClassifier(folder('bert-pairs'));
    try {
      near((await bert.classifyPairs([['great', 'service']]))[0], softmax([-1.5 + 2, 0, 3]));
      near((await bert.classify(['great']))[0], softmax([-1.5, 0, 3]), 'one text: all type 0');
    } finally {
      await bert.close();
    }
    // Five tokens at most: [CLS] good good good bad [SEP] food [SEP] (8) keeps one token of the text.
    writeFixtureModel(folder('short-pairs'), { maxLength: 5, weights: { ...SENTIMENT_WEIGHTS, food: [0, 0.5, 0] } });
    const short = await loadOnnxTextClassifier(folder('short-pairs'));
    try {
      near((await short.classifyPairs([['good good good bad', 'food']]))[0], softmax([-1, 0.5, 2]));
    } finally {
      await short.close();
    }
  });

  it('refuses a folder it cannot use, naming the file and the reason', async () => {
    const bad = (name: string) => {
      const d = folder(name);
      writeFixtureModel(d);
      return d;
    };
    await assert.rejects(loadOnnxTextClassifier(folder('nope')), (e: Error) => {
      assert.ok(e instanceof OnnxModelError);
      assert.match(e.message, /nope: not a folder/);
      return true;
    });
    const noConfig = bad('no-config');
    rmSync(join(noConfig, 'config.json'));
    await assert.rejects(loadOnnxTextClassifier(noConfig), /config\.json: missing/);
    const badJson = bad('bad-json');
    writeFileSync(join(badJson, 'config.json'), '{"id2label": {"0": "neg",');
    await assert.rejects(loadOnnxTextClassifier(badJson), /config\.json: not valid JSON/);
    const noLabels = bad('no-labels');
    writeFileSync(join(noLabels, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    await assert.rejects(loadOnnxTextClassifier(noLabels), /config\.json: id2label is missing/);
    const gap = bad('gap');
    writeFileSync(join(gap, 'config.json'), JSON.stringify({ id2label: { 0: 'negative', 2: 'positive' } }));
    await assert.rejects(loadOnnxTextClassifier(gap), /id2label keys must be 0 to 1, got '2'/);
    const noTok = bad('no-tokenizer');
    rmSync(join(noTok, 'tokenizer.json'));
    await assert.rejects(loadOnnxTextClassifier(noTok), /tokenizer\.json: missing/);
    const noModel = bad('no-model');
    rmSync(join(noModel, 'model.onnx'));
    await assert.rejects(loadOnnxTextClassifier(noModel), /no model file \(looked for model\.onnx, onnx\/model\.onnx/);
    const corrupt = bad('corrupt');
    writeFileSync(join(corrupt, 'model.onnx'), Buffer.from('this is not a protobuf at all'));
    await assert.rejects(loadOnnxTextClassifier(corrupt), /model\.onnx: cannot be loaded/);
    // Four labels in config.json, three logits out of the model: refused at the first call.
    const mismatch = bad('mismatch');
    writeFileSync(
      join(mismatch, 'config.json'),
      JSON.stringify({ id2label: { 0: 'negative', 1: 'neutral', 2: 'positive', 3: 'mixed' } }),
    );
    const m = await loadOnnxTextClassifier(mismatch);
    try {
      await assert.rejects(m.classify(['good']), /output 'logits' must be \[batch, 4\] logits .* got \[1, 3\]/);
    } finally {
      await m.close();
    }
    await assert.rejects(loadOnnxTextClassifier(folder('sentiment'), { batchSize: 0 }), /batchSize must be/);
    mkdirSync(folder('empty'));
    await assert.rejects(loadOnnxTextClassifier(folder('empty')), /config\.json: missing/);
  });
});

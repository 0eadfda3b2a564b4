import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelSentimentReader } from '../../src/text/label-sentiment.js';

describe('reading an outside model’s labels as sentiment', () => {
  it('three polarity classes: score P(pos) − P(neg), label the most probable class', () => {
    const r = labelSentimentReader(['negative', 'neutral', 'positive']);
    assert.equal(r.scheme, 'polarity');
    assert.deepEqual(r.read([0.1, 0.2, 0.7]), { score: 0.6, label: 'positive' });
    const neu = r.read([0.3, 0.45, 0.25]);
    assert.equal(neu.label, 'neutral');
    assert.ok(Math.abs(neu.score - -0.05) < 1e-12);
    assert.equal(r.read([0.5, 0.2, 0.3]).label, 'negative');
  });

  it('two classes (NEGATIVE/POSITIVE, any order and case): neutral inside the band', () => {
    const r = labelSentimentReader(['POSITIVE', 'NEGATIVE']);
    assert.deepEqual(r.read([0.9, 0.1]), { score: 0.8, label: 'positive' });
    assert.equal(r.read([0.6, 0.4]).label, 'neutral');
    assert.equal(r.read([0.2, 0.8]).label, 'negative');
    assert.equal(labelSentimentReader(['neg', 'pos'], 0.1).read([0.4, 0.6]).label, 'positive');
  });

  it('star ratings: expected stars rescaled to −1..1, half a star around the middle is neutral', () => {
    const r = labelSentimentReader(['1 star', '2 stars', '3 stars', '4 stars', '5 stars']);
    assert.equal(r.scheme, 'stars');
    assert.deepEqual(r.read([0, 0, 0, 0, 1]), { score: 1, label: 'positive' });
    assert.deepEqual(r.read([1, 0, 0, 0, 0]), { score: -1, label: 'negative' });
    // E = 0.5×3 + 0.5×4 = 3.5 → (3.5 − 3) / 2 = 0.25, exactly half a star above: positive.
    assert.deepEqual(r.read([0, 0, 0.5, 0.5, 0]), { score: 0.25, label: 'positive' });
    assert.equal(r.read([0, 0.2, 0.6, 0.2, 0]).label, 'neutral');
  });

  it('refuses labels it cannot read, naming them', () => {
    assert.throws(
      () => labelSentimentReader(['LABEL_0', 'LABEL_1', 'LABEL_2']),
      /'LABEL_0', 'LABEL_1', 'LABEL_2' cannot be read/,
    );
    assert.throws(() => labelSentimentReader(['negative', 'positive', 'very positive']), /cannot be read/);
    assert.throws(() => labelSentimentReader(['negative', 'neutral']), /cannot be read/);
    assert.throws(() => labelSentimentReader(['3 stars', '3 stars']), /at least two values/);
  });
});

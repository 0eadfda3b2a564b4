import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyFromName, nameFromKey } from '../src/naming.js';

describe('survey key from its name', () => {
  it('folds a name into a valid key as it is typed', () => {
    assert.equal(keyFromName('After delivery'), 'after-delivery');
    assert.equal(keyFromName('Après-livraison NPS!'), 'apres-livraison-nps');
    assert.equal(keyFromName('  Q3 — Support CSAT  '), 'q3-support-csat');
    assert.equal(keyFromName('A'), 'a');
    assert.equal(keyFromName('!!!'), '');
    // The API's key rule: starts with a letter or digit; letters, digits, spaces and . _ - : /.
    for (const name of ['Ünïcödé survey', '2025 relationship NPS', '#1 feedback', 'x'.repeat(300)]) {
      const k = keyFromName(name);
      assert.match(k, /^[\p{L}\p{N}][\p{L}\p{N}._:/ -]*$/u, name);
      assert.ok(k.length <= 60);
      assert.ok(!k.endsWith('-'));
    }
  });

  it('names a survey known only by its key', () => {
    assert.equal(nameFromKey('delivery-csat'), 'Delivery CSAT');
    assert.equal(nameFromKey('relationship-nps'), 'Relationship NPS');
    assert.equal(nameFromKey('app-feedback'), 'App feedback');
    assert.equal(nameFromKey('nps'), 'NPS');
  });
});

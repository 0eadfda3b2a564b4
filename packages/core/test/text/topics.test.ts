import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DEPARTMENTS, SEVEN_PS } from '../../src/domain.js';
import { FEATURE_TAXONOMY } from '../../src/text/feature-taxonomy.js';
import { DEFAULT_TAXONOMY, detectTopics } from '../../src/text/index.js';

test('default taxonomy is a well-formed tree mapped to 7Ps and departments', () => {
  const keys = new Set(DEFAULT_TAXONOMY.topics.map((t) => t.key));
  assert.equal(keys.size, DEFAULT_TAXONOMY.topics.length, 'unique keys');
  for (const t of DEFAULT_TAXONOMY.topics) {
    if (t.parent !== null) assert.ok(keys.has(t.parent), `${t.key} parent ${t.parent}`);
    assert.ok((SEVEN_PS as readonly string[]).includes(t.sevenP), t.key);
    assert.ok((DEPARTMENTS as readonly string[]).includes(t.department), t.key);
    assert.ok(t.phrases.length > 0, t.key);
  }
  for (const k of [
    'product.quality',
    'product.defect',
    'product.features',
    'price.level',
    'price.value',
    'returns.refund',
    'billing.error',
    'billing.payment',
    'delivery.late',
    'delivery.damaged',
    'delivery.missing',
    'digital.usability',
    'digital.login',
    'service.wait_time',
    'service.staff_attitude',
    'service.staff_knowledge',
    'marketing.spam',
    'marketing.misleading',
    'physical.packaging',
    'contract.cancellation',
    'hospitality.food',
  ])
    assert.ok(keys.has(k), k);
});

test('aspect split: food positive, staff negative, with spans', () => {
  const text = 'The food was great but the waiter was rude';
  const ts = detectTopics(text);
  const food = ts.find((t) => t.topic === 'hospitality.food');
  const staff = ts.find((t) => t.topic.startsWith('service.staff'));
  assert.ok(food, 'food found');
  assert.ok(staff, 'staff found');
  assert.equal(food.sentiment.label, 'positive');
  assert.equal(staff.sentiment.label, 'negative');
  assert.equal(text.slice(food.start, food.end), 'food');
});

test('inflections match ("deliveries", "charged twice")', () => {
  assert.ok(detectTopics('Both deliveries were delayed again').some((t) => t.topic === 'delivery.late'));
  assert.ok(detectTopics('You charged me twice this month').some((t) => t.topic.startsWith('billing')));
  assert.ok(
    detectTopics('I got locked out of my account after resetting the password').some(
      (t) => t.topic === 'digital.login',
    ),
  );
});

test('parent dropped when a child topic is found in the same sentence', () => {
  const ts = detectTopics('My refund has still not arrived');
  assert.ok(ts.some((t) => t.topic === 'returns.refund'));
  assert.ok(!ts.some((t) => t.topic === 'returns'));
});

test('no topics in unrelated text', () => {
  assert.deepEqual(detectTopics('hello there'), []);
});

const topicsOf = (text: string, taxonomy = DEFAULT_TAXONOMY) => detectTopics(text, taxonomy).map((t) => t.topic);

test('a "~" qualifier counts only beside another mention of its family in the sentence', () => {
  // "nice" is the staff's attitude when the staff (or the service) is mentioned, not on its own.
  assert.ok(topicsOf('The waiter was nice').includes('service.staff_attitude'));
  assert.ok(!topicsOf('Nice dress, fits well').includes('service.staff_attitude'));
  assert.ok(topicsOf('Customer service was very professional').includes('service.staff_attitude'));
  // The backing mention must be in the same sentence.
  assert.ok(!topicsOf('The agent called me. Nice of them.').includes('service.staff_attitude'));
  // "been here many times" is a regular, not a repeat contact; with the support desk it is.
  assert.ok(!topicsOf('We have been here many times').includes('service.resolution'));
  assert.ok(topicsOf('I had to call support many times').includes('service.resolution'));
  // An org's own qualifier: "~blue" counts for colour only beside a product mention.
  const taxonomy = {
    version: 'test',
    topics: [
      {
        key: 'product',
        label: 'Product',
        parent: null,
        sevenP: 'product' as const,
        department: 'product' as const,
        phrases: ['shirt'],
      },
      {
        key: 'product.colour',
        label: 'Colour',
        parent: 'product',
        sevenP: 'product' as const,
        department: 'product' as const,
        phrases: ['~blue', 'colour'],
      },
    ],
  };
  assert.deepEqual(topicsOf('The blue sky', taxonomy), []);
  assert.deepEqual(topicsOf('The shirt is blue', taxonomy), ['product.colour'], 'the parent yields to its child');
  assert.deepEqual(topicsOf('Love the colour', taxonomy), ['product.colour']);
});

test('a phrase inside a longer phrase of another topic yields to it', () => {
  // "prix fixe" is the menu, not a fix (its stem matches "fix").
  const ts = topicsOf('The prix fixe was a bargain');
  assert.ok(ts.includes('hospitality.menu'), ts.join());
  assert.ok(!ts.includes('service.resolution'), ts.join());
  assert.ok(topicsOf('They fixed it the same day').includes('service.resolution'));
});

test('stems that collide with common words are not phrases: "a bit", "a rate", "I feel"', () => {
  assert.ok(!topicsOf('It was a bit loud').includes('hospitality.food'));
  assert.ok(!topicsOf('Great exchange rate and a fair rating').includes('physical.cleanliness'));
  assert.ok(!topicsOf('I feel cheated by this company').includes('hospitality.ambience'));
  assert.ok(topicsOf('We saw mice in the dining room').includes('physical.cleanliness'));
});

test('the taxonomy trained classifiers read as features is the fixed 2026-11 snapshot', () => {
  // Stored per-org models score as they did only while this stays the same: an edit of the default
  // taxonomy must keep the topic's earlier phrases in feature-taxonomy.ts.
  const fingerprint = createHash('sha256').update(JSON.stringify(FEATURE_TAXONOMY)).digest('hex');
  assert.equal(fingerprint, '8e26faa36a07b7a0a87c00c833aad45049d54fc45aa6026e9035e3633f895612');
  assert.notEqual(FEATURE_TAXONOMY, DEFAULT_TAXONOMY);
});

test('support requests get their own topic, not every generic word’s', () => {
  const families = (text: string) => [...new Set(topicsOf(text).map((k) => k.split('.')[0]))].sort();
  assert.deepEqual(families('I have an issue with my payment'), ['billing']);
  assert.ok(topicsOf('Your support team never solved my issue').includes('service.resolution'));
  assert.deepEqual(families('What are the delivery options?'), ['delivery']);
  assert.deepEqual(families('How do I subscribe to the newsletter?'), ['marketing']);
  assert.deepEqual(topicsOf('I want to create an account'), ['digital.login']);
  assert.ok(!topicsOf('Where is my last order?').includes('product.quality'));
  assert.ok(topicsOf('The soles did not last a month').includes('product.quality'));
  // Banking: an exchange rate is a price, not a returned item's exchange; a transfer is not a call transfer.
  assert.deepEqual(families('What exchange rate do you use?'), ['price']);
  assert.ok(!topicsOf('My transfer has not gone through yet').includes('service.resolution'));
  assert.ok(topicsOf('I was transferred to another agent three times').includes('service.resolution'));
  assert.ok(!topicsOf('My card was stolen').includes('delivery.missing'));
  assert.ok(topicsOf('My parcel was stolen from the doorstep').includes('delivery.missing'));
});

test('banking: cards, transfers, cash and identity checks, with "card" and "bank" only in a banking sentence', () => {
  assert.deepEqual(topicsOf('My card got stuck in the ATM'), ['banking.cards', 'banking.cash']);
  assert.deepEqual(topicsOf('I need to activate my card'), ['banking.cards']);
  assert.deepEqual(topicsOf('How long does a transfer to another bank take?'), ['banking.transfers']);
  assert.ok(topicsOf('Why do you need my passport to verify my identity?').includes('banking.identity'));
  // A retailer's customer mentioning a card or their bank is talking about a payment.
  assert.deepEqual(topicsOf('I paid by credit card'), ['billing.payment']);
  assert.ok(!topicsOf('My bank shows two payments on the same day').some((k) => k.startsWith('banking')));
  assert.ok(!topicsOf('Love the little tasting cards in every box').some((k) => k.startsWith('banking')));
});

test('the topics mark changes with what finds mentions (keys, parents, phrases, model), not with labels or owners', async () => {
  const { topicsConfigMark } = await import('../../src/text/index.js');
  const base = topicsConfigMark(DEFAULT_TAXONOMY, undefined);
  assert.match(base, /^[0-9a-f]{16}\|-$/);
  const edit = (f: (t: (typeof DEFAULT_TAXONOMY.topics)[number]) => object) => ({
    version: 'x',
    topics: DEFAULT_TAXONOMY.topics.map((t) => (t.key === 'delivery.late' ? { ...t, ...f(t) } : t)),
  });
  assert.equal(
    topicsConfigMark(
      edit(() => ({ label: 'Speed', department: 'service', sevenP: 'people' })),
      undefined,
    ),
    base,
  );
  assert.notEqual(
    topicsConfigMark(
      edit((t) => ({ phrases: [...t.phrases, 'tardy'] })),
      undefined,
    ),
    base,
  );
  assert.notEqual(
    topicsConfigMark(
      edit(() => ({ parent: null })),
      undefined,
    ),
    base,
  );
  assert.equal(topicsConfigMark(DEFAULT_TAXONOMY, 'm1'), `${base.split('|')[0]}|m1`);
});

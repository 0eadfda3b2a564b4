import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEPARTMENTS, SEVEN_PS } from '../../src/domain.js';
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

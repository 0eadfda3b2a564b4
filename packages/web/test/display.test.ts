import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeDisplay,
  fieldsBanner,
  humanise,
  modelKindPhrase,
  money,
  nameIn,
  numberProblem,
  personName,
  plural,
  rangeProblem,
} from '../src/display.js';

describe('names instead of keys', () => {
  const departments = [
    { key: 'service', name: 'Customer Service' },
    { key: 'delivery', name: 'Delivery & Logistics' },
  ];
  const topics = [{ key: 'delivery.late', label: 'Late delivery' }];

  it("uses the org's name for a key, and the key in words only when there is none", () => {
    assert.equal(nameIn(departments, 'service'), 'Customer Service');
    assert.equal(nameIn(departments, 'delivery'), 'Delivery & Logistics');
    assert.equal(nameIn(topics, 'delivery.late'), 'Late delivery');
    assert.equal(nameIn(departments, 'product'), 'Product');
    assert.equal(nameIn(departments, 'onboarding_call'), 'Onboarding call');
    assert.equal(nameIn(departments, null), '');
    assert.equal(nameIn([{ key: 'sam.okafor', name: null }], 'sam.okafor', personName), 'Sam Okafor');
    assert.equal(nameIn([{ key: 'sam.okafor', name: 'Samuel Okafor' }], 'sam.okafor', personName), 'Samuel Okafor');
  });

  it('humanises field names and team keys that have no label', () => {
    assert.equal(humanise('annual_fee_eur'), 'Annual fee EUR');
    assert.equal(humanise('app_user'), 'App user');
    assert.equal(humanise('support-tier1'), 'Support tier 1');
    assert.equal(humanise('billing-desk'), 'Billing desk');
    assert.equal(humanise('onboarding_call'), 'Onboarding call');
    assert.equal(humanise('nps_last'), 'NPS last');
    assert.equal(humanise('preferredChannel'), 'Preferred channel');
    assert.equal(humanise(''), '');
  });

  it('writes the keys records carry as words, abbreviations in capitals (segment, channel, source, priority)', () => {
    assert.equal(humanise('smb'), 'SMB');
    assert.equal(humanise('sms'), 'SMS');
    assert.equal(humanise('paid_search'), 'Paid search');
    assert.equal(humanise('outbound_sales'), 'Outbound sales');
    assert.equal(humanise('high'), 'High');
    assert.equal(humanise('in_progress'), 'In progress');
  });

  it('shows a profile attribute in words, an amount keyed by its currency as money', () => {
    assert.deepEqual(attributeDisplay('annual_fee_eur', 5868), { label: 'Annual fee', value: '€5,868.00' });
    assert.deepEqual(attributeDisplay('app_user', false), { label: 'App user', value: 'No' });
    assert.deepEqual(attributeDisplay('machine_owner', true), { label: 'Machine owner', value: 'Yes' });
    assert.deepEqual(attributeDisplay('seats', 1367), { label: 'Seats', value: '1,367' });
    assert.deepEqual(attributeDisplay('plan', 'enterprise'), { label: 'Plan', value: 'enterprise' });
  });
});

describe('money', () => {
  it("writes amounts in the org's currency, one format everywhere", () => {
    assert.equal(money(292.37, 'EUR'), '€292.37');
    assert.equal(money(2754.48, 'EUR'), '€2,754.48');
    assert.equal(money(5868, 'EUR'), '€5,868.00');
    assert.equal(money(428.23, 'eur'), '€428.23');
    assert.equal(money(10, 'GBP'), '£10.00');
    assert.equal(money(10, 'CHF'), 'CHF\u00a010.00');
    assert.equal(money(-1.94, 'EUR', { sign: true }), '−€1.94');
    assert.equal(money(31.95, 'EUR', { sign: true }), '+€31.95');
    assert.equal(money(1234.5, null), '1,234.50', 'no known currency: the plain amount');
    assert.equal(money(null, 'EUR'), '—');
  });
});

describe('words', () => {
  it('pluralises counts', () => {
    assert.equal(plural(1, 'more department'), '1 more department');
    assert.equal(plural(2, 'more department'), '2 more departments');
    assert.equal(plural(1200, 'example'), '1,200 examples');
    assert.equal(plural(0, 'label'), '0 labels');
  });

  it('names a model kind with the right article and in the singular', () => {
    assert.equal(modelKindPhrase('intents'), 'an intent model');
    assert.equal(modelKindPhrase('intent'), 'an intent model');
    assert.equal(modelKindPhrase('sentiment'), 'a sentiment model');
    assert.equal(modelKindPhrase('topics'), 'a topic model');
    assert.equal(modelKindPhrase('aspects'), 'an aspect model');
  });
});

describe('forms', () => {
  it('refuses a "to" date before "from" before anything is asked', () => {
    assert.equal(rangeProblem('2026-01-01', '2026-03-31'), null);
    assert.equal(rangeProblem('2026-03-01', '2026-03-01'), null, 'one day is a period');
    assert.match(rangeProblem('2026-03-31', '2026-01-01') ?? '', /before/);
    assert.match(rangeProblem('', '2026-01-01') ?? '', /from/);
    assert.match(rangeProblem('2026-01-01', '2026-1-1') ?? '', /to/);
  });

  it('checks numbers typed in a form', () => {
    assert.equal(numberProblem('abc'), 'must be a number');
    assert.equal(numberProblem('1e'), 'must be a number');
    assert.equal(numberProblem(''), null, 'empty: the server default');
    assert.equal(numberProblem('-0.3', { min: -1, max: 1 }), null);
    assert.equal(numberProblem('−0.3', { min: -1, max: 1 }), null, 'a typographic minus is a minus');
    assert.equal(numberProblem('2', { min: -1, max: 1 }), 'must be at most 1');
    assert.equal(numberProblem('2.5', { integer: true }), 'must be a whole number');
    assert.equal(numberProblem('1', { integer: true, min: 2 }), 'must be at least 2');
  });

  it('points the banner at the fields, by their labels', () => {
    const labels = { url: 'URL to call', events: 'Events', 'condition.max_score': 'Sentiment at most' };
    assert.equal(fieldsBanner({}, labels), null);
    assert.equal(
      fieldsBanner({ url: 'must be an absolute http or https URL' }, labels),
      'Nothing was saved: check “URL to call” (marked below).',
    );
    assert.equal(
      fieldsBanner({ url: 'x', 'events[0]': 'y', 'condition.max_score': 'z' }, labels),
      'Nothing was saved: check “URL to call”, “Events” and “Sentiment at most” (each marked below).',
    );
    assert.equal(
      fieldsBanner({ 'actions[0].sla_hours': 'x' }, {}),
      'Nothing was saved: check “Actions SLA hours” (marked below).',
    );
  });
});

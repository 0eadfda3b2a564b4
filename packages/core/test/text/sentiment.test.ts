import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreSentiment } from '../../src/text/index.js';

const s = (t: string) => scoreSentiment(t).score;

test('plain polarity', () => {
  assert.equal(scoreSentiment('The service was excellent and the staff were lovely.').label, 'positive');
  assert.equal(scoreSentiment('Terrible experience, the product is awful.').label, 'negative');
  assert.equal(scoreSentiment('The parcel is a box with a jacket in it.').label, 'neutral');
});

test('negation flips and softens', () => {
  assert.ok(s('not bad') > 0, 'not bad is mildly positive');
  assert.ok(s('The food was not good') < 0);
  assert.ok(s("I don't think it was good") < 0);
  assert.ok(s('It was good') > s('It was not good'));
  assert.ok(s('never again') < -0.3);
  assert.ok(s('No problems at all with the delivery') > 0);
});

test('counterfactual comparatives: "could have been better" is a complaint, "couldn\'t be better" praise', () => {
  assert.equal(scoreSentiment('The food could have been better.').label, 'negative');
  assert.equal(scoreSentiment('The staff should be a lot nicer').label, 'negative');
  assert.ok(s('The staff could have been more attentive') < 0);
  assert.ok(s("could've been better") < 0);
  assert.ok(s('I expected better') < 0);
  assert.ok(s("It couldn't be better!") > 0.3);
  assert.ok(s('Could have been worse.') > 0);
  // Not counterfactual: plain comparatives, and modals without be/have.
  assert.ok(s('It was better than last time') > 0.3);
  assert.ok(s('Better than I expected!') > 0.3);
  assert.ok(s('I would recommend it') > 0.3);
  // A clause break ends the reach.
  assert.ok(s('We could have left, better staff came over') > 0);
});

test('intensifiers and dampeners', () => {
  assert.ok(s('the staff were very helpful') > s('the staff were helpful'));
  assert.ok(s('the staff were slightly helpful') < s('the staff were helpful'));
  assert.ok(s('extremely rude staff') < s('rude staff'));
});

test('contrast: the clause after "but" dominates', () => {
  assert.ok(s('The room was nice but the service was terrible') < 0);
  assert.ok(s('The delivery was slow but the product is great') > 0);
});

test('emoji and emoticons', () => {
  assert.ok(s('arrived today 😍') > 0.3);
  assert.ok(s('arrived today 😡') < -0.3);
  assert.ok(s('arrived today :)') > 0);
  assert.ok(s('arrived today :(') < 0);
});

test('elongation and caps add emphasis', () => {
  assert.ok(s('this is sooo good') > s('this is good'));
  assert.ok(s('soooo goood') > 0);
  assert.ok(s('the app is GREAT, really') > s('the app is great, really'));
});

test('customer-service idiom', () => {
  assert.ok(s('I am still waiting for a reply') < -0.2);
  assert.ok(s('I was on hold for 40 minutes') < -0.2);
  assert.ok(s('No one got back to me') < -0.2);
  assert.ok(s('They sorted it quickly') > 0.2);
  assert.ok(s('Went above and beyond for me') > 0.3);
  // Service adjectives neither VADER nor the first CX list had.
  assert.equal(scoreSentiment('The courier was polite.').label, 'positive');
  assert.equal(scoreSentiment('The engineer was punctual and thorough.').label, 'positive');
  assert.equal(scoreSentiment('The app is clunky and the support mediocre.').label, 'negative');
  assert.equal(scoreSentiment('The staff were disrespectful.').label, 'negative');
});

test('per-sentence sentiment with offsets', () => {
  const text = 'Loved the food. The waiter was rude!';
  const r = scoreSentiment(text);
  assert.equal(r.sentences.length, 2);
  assert.equal(r.sentences[0].label, 'positive');
  assert.equal(r.sentences[1].label, 'negative');
  assert.equal(text.slice(r.sentences[1].start, r.sentences[1].end), 'The waiter was rude!');
  assert.ok(r.score >= -1 && r.score <= 1);
});

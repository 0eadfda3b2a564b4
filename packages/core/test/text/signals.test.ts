import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  analyzeText,
  detectChurnThreat,
  detectEmotions,
  detectLanguage,
  detectUrgency,
  scoreEffort,
} from '../../src/text/index.js';

test('language detection flags non-English', () => {
  assert.equal(detectLanguage('The delivery was late and nobody answered my emails.'), 'en');
  assert.equal(detectLanguage('El pedido llegó tarde y nadie me respondió, muy mal servicio.'), 'es');
  assert.equal(detectLanguage("La livraison était en retard et personne n'a répondu à mes messages."), 'fr');
  assert.equal(detectLanguage('Die Lieferung war zu spät und niemand hat auf meine E-Mails geantwortet.'), 'de');
  assert.equal(detectLanguage('Доставка опоздала, никто не ответил'), 'ru');
  assert.equal(detectLanguage('配送が遅れました'), 'ja');
  assert.equal(detectLanguage('ok'), 'und');
  // Short texts: one function word of the language that is no English word, the rest not English.
  assert.equal(detectLanguage('Sehr freundlicher Kundenservice'), 'de');
  assert.equal(detectLanguage('Servicio muy malo'), 'es');
  assert.equal(detectLanguage('Bardzo dobra obsługa'), 'pl');
  assert.equal(detectLanguage('Molto bene!'), 'it');
  // … not English ones that share such a word, or have typos and contractions.
  for (const t of [
    'Die Hard fans unite',
    'A guaranteeed delight!',
    "It's a steal!",
    'Cancelling a transaction',
    'La Croix is my fave',
  ])
    assert.ok(['en', 'und'].includes(detectLanguage(t)), t);
  const a = analyzeText('El pedido llegó tarde y nadie me respondió, muy mal servicio.');
  assert.equal(a.analysable, false);
  assert.equal(a.sentiment.label, 'neutral');
  assert.deepEqual(a.topics, []);
});

test('churn threat', () => {
  assert.ok(detectChurnThreat("I'm cancelling my subscription today."));
  assert.ok(detectChurnThreat('Seriously thinking of switching to another bank.'));
  assert.ok(detectChurnThreat('I will take my business elsewhere.'));
  assert.ok(!detectChurnThreat('How do I cancel my order?'));
  assert.ok(!detectChurnThreat('Great service, thanks!'));
});

test('effort: repeated contact, transfers, waiting', () => {
  assert.equal(scoreEffort('Thanks, all good.'), 0);
  assert.ok(scoreEffort('I was on hold for 40 minutes') > 0.2);
  assert.ok(scoreEffort('I called three times, got transferred twice and was on hold for an hour') > 0.7);
  assert.ok(scoreEffort('I called again') > 0);
});

test('urgency', () => {
  assert.ok(detectUrgency('URGENT: there are unauthorised payments on my account'));
  assert.ok(detectUrgency('The heater caught fire'));
  assert.ok(!detectUrgency('Lovely meal, thanks'));
});

test('emotions', () => {
  assert.ok(detectEmotions('Thank you so much, really appreciate it').includes('gratitude'));
  assert.ok(detectEmotions('I am furious, this is unacceptable').includes('anger'));
  assert.ok(detectEmotions("So frustrating, I'm fed up").includes('frustration'));
  assert.ok(detectEmotions('Really disappointed with the quality').includes('disappointment'));
  assert.ok(detectEmotions("I'm confused, I don't understand the bill").includes('confusion'));
  assert.ok(detectEmotions('Wow, I was surprised how fast it came').includes('surprise'));
  assert.ok(!detectEmotions('I am not happy').includes('joy'));
});

test('analyzeText gives the full shape', () => {
  const a = analyzeText(
    'The app keeps crashing and I was on hold for an hour. Email me at a@b.com. I am switching to another provider!',
  );
  assert.equal(a.language, 'en');
  assert.equal(a.analysable, true);
  assert.equal(a.sentiment.label, 'negative');
  assert.ok(a.sentences.length >= 2);
  assert.ok(a.topics.length > 0);
  assert.ok(a.effort > 0);
  assert.equal(a.churnThreat, true);
  assert.deepEqual(
    a.pii.map((p) => p.kind),
    ['email'],
  );
});

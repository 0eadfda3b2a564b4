import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectLanguage } from '../../src/text/index.js';
import { TokenKind, tokenize, tokenizeRegex } from '../../src/text/tokenize.js';

test('the fast scanner gives exactly the tokens of the reference regex', () => {
  const fixed = [
    "http://x.com/a?b=1 www.a.b https:// hello xD xd xdd Xp :-) :p :pizza 5pm 5am 5sts 1,000.50 10/12/2020 don't",
    'don’t don\\u2019t café naïve l’été — “quoted” …and… ?!? ... <3 </3 >:( ):  #Happy @Bob 😊👍🏽 ❤️',
    'ALL CAPS Mixed-Case under_score tab\there\nnew line\r\n\u00a0nbsp\u2003em 1st 2nd 3rd 4th 12k 3m',
  ];
  const alpha = [...'aAbxXhwd:;=()<>@#\'\\’.,!?-"0123456789 \n\té😊…—/$%*3pPsS'];
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const fuzz: string[] = [];
  for (let k = 0; k < 5000; k++) {
    let s = '';
    const n = 1 + Math.floor(rnd() * 24);
    for (let i = 0; i < n; i++) s += alpha[Math.floor(rnd() * alpha.length)];
    fuzz.push(s);
  }
  for (const t of [...fixed, ...fuzz]) assert.deepEqual(tokenize(t), tokenizeRegex(t), JSON.stringify(t));
});

test('token kinds and lower-casing', () => {
  const ts = tokenize('I LOVE it :) #Great 5pm don’t www.x.com');
  assert.deepEqual(
    ts.map((t) => [t.lower, t.kind]),
    [
      ['i', TokenKind.Word],
      ['love', TokenKind.Word],
      ['it', TokenKind.Word],
      [':)', TokenKind.Emoticon],
      ['great', TokenKind.Hashtag],
      ['5pm', TokenKind.Number],
      ["don't", TokenKind.Word],
      ['www.x.com', TokenKind.Url],
    ],
  );
});

test('language from tokens', () => {
  assert.equal(detectLanguage('The delivery was late and the box was damaged'), 'en');
  assert.equal(detectLanguage('El pedido no ha llegado y es muy tarde para mí'), 'es');
  assert.equal(detectLanguage('ok'), 'und');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPii, ibanValid, luhnValid, redactPii } from '../../src/text/index.js';

const kinds = (t: string) => findPii(t).map((m) => m.kind);

test('email', () => {
  const t = 'write to jane.doe+cx@example.co.uk please';
  const m = findPii(t);
  assert.deepEqual(
    m.map((x) => x.kind),
    ['email'],
  );
  assert.equal(t.slice(m[0].start, m[0].end), 'jane.doe+cx@example.co.uk');
});

test('card numbers need a valid Luhn checksum', () => {
  assert.ok(luhnValid('4111111111111111'));
  assert.ok(!luhnValid('4111111111111112'));
  assert.deepEqual(kinds('my card 4111 1111 1111 1111 was charged'), ['card']);
  assert.deepEqual(kinds('my card 4111 1111 1111 1112 was charged'), []);
});

test('IBAN with mod-97', () => {
  assert.ok(ibanValid('GB82 WEST 1234 5698 7654 32'));
  assert.ok(!ibanValid('GB82 WEST 1234 5698 7654 33'));
  assert.deepEqual(kinds('refund to GB82 WEST 1234 5698 7654 32 thanks'), ['iban']);
  assert.deepEqual(kinds('refund to DE89370400440532013000'), ['iban']);
});

test('phone numbers', () => {
  assert.deepEqual(kinds('call me on +44 20 7946 0958'), ['phone']);
  assert.deepEqual(kinds('my number is (555) 123-4567'), ['phone']);
  assert.deepEqual(kinds('ring 07700 900123 after six'), ['phone']);
});

test('IP addresses', () => {
  assert.deepEqual(kinds('login from 192.168.1.20 failed'), ['ip']);
  assert.deepEqual(kinds('from 2001:db8::8a2e:370:7334 yesterday'), ['ip']);
  assert.deepEqual(kinds('version 999.1.1.1 released'), []);
});

test('addresses and national ids', () => {
  assert.deepEqual(kinds('deliver to 221B Baker Street, London NW1 6XE'), ['address', 'address']);
  assert.deepEqual(kinds('ssn 123-45-6789'), ['national_id']);
});

test('no false positives on order numbers, dates, times and amounts', () => {
  assert.deepEqual(kinds('order #123456789 has not arrived'), []);
  assert.deepEqual(kinds('Order number 4111111111111111 is late'), []);
  assert.deepEqual(kinds('tracking number 1Z999AA10123456784'), []);
  assert.deepEqual(kinds('it was delivered on 2024-03-15 at 10:30'), []);
  assert.deepEqual(kinds('on 15/03/2024 I paid $1,234.56'), []);
  assert.deepEqual(kinds('I paid 1 234 567 euros'), []);
});

test('redaction replaces spans with placeholders', () => {
  const t = 'Email jane@example.com or call +1 415 555 2671, card 4111-1111-1111-1111.';
  assert.equal(redactPii(t), 'Email [email] or call [phone], card [card].');
  assert.equal(redactPii('nothing here'), 'nothing here');
});

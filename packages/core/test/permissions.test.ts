import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { can, maskIdentity, permissionsOf, redactKeepingOffsets, USER_ROLES, withoutPii } from '../src/index.js';

describe('permissions', () => {
  it('grants each role what the matrix says', () => {
    assert.deepEqual(
      USER_ROLES.map((r) => [r, permissionsOf(r).join(',')]),
      [
        ['owner', 'read,read_pii,write,configure,ingest,manage_users'],
        ['admin', 'read,read_pii,write,configure,ingest,manage_users'],
        ['analyst', 'read,read_pii,write,configure'],
        ['department_owner', 'read,write'],
        ['agent', 'read,write'],
        ['viewer', 'read'],
      ],
    );
    assert.equal(can('viewer', 'write'), false);
    assert.equal(can('agent', 'read_pii'), false);
    assert.equal(can('analyst', 'manage_users'), false);
    assert.equal(can('nobody' as never, 'read'), false);
  });
});

describe('withoutPii', () => {
  it('redacts personal data in customers’ words but keeps every offset', () => {
    const text = 'Call me on +44 7700 900123 or mail ana.silva@example.com, card 4111 1111 1111 1111 was charged twice';
    const r = redactKeepingOffsets(text);
    assert.equal(r.length, text.length);
    assert.doesNotMatch(r, /7700|ana\.silva|4111/);
    assert.match(r, /^Call me on \[phone\]•+ or mail \[email\]•+, card \[card\]•+ was charged twice$/);
    // The same words sit at the same place after redaction.
    assert.equal(r.indexOf('charged twice'), text.indexOf('charged twice'));
  });

  it('leaves texts without PII alone, including order numbers that only look like digits', () => {
    const text = 'Order 123456789 arrived late, the box was damaged';
    assert.equal(redactKeepingOffsets(text), text);
  });

  it('walks any API answer: texts, text answers, identities; names, keys and numbers stay', () => {
    const answer = {
      items: [
        {
          id: 'r1',
          touchpoint: 'support-chat',
          text: 'Email me at bo@example.org please',
          subject: 'Refund for +351 912 345 678',
          answers: [
            { field: 'nps', type: 'nps', value: 3 },
            { field: 'why', type: 'text', value: 'my address is bo@example.org' },
          ],
          customer: { name: 'Bo Lind', email: 'bo@example.org', phone: '+351 912 345 678' },
          identities: [
            { kind: 'email', value: 'bo@example.org' },
            { kind: 'external', value: 'crm-991' },
          ],
          at: new Date(0),
        },
      ],
      next_cursor: null,
    };
    const out = withoutPii(answer);
    const item = out.items[0]!;
    assert.equal(item.text, 'Email me at [email]••••••• please');
    assert.match(item.subject, /^Refund for \[phone\]•+$/);
    assert.deepEqual(item.answers[0], { field: 'nps', type: 'nps', value: 3 });
    assert.equal(item.answers[1]!.value, 'my address is [email]•••••••');
    assert.deepEqual(item.customer, { name: 'Bo Lind', email: 'b•••@example.org', phone: '•••78' });
    assert.deepEqual(item.identities, [
      { kind: 'email', value: 'b•••@example.org' },
      { kind: 'external', value: 'crm-991' },
    ]);
    assert.equal(item.touchpoint, 'support-chat');
    assert.ok(item.at instanceof Date);
    assert.equal(answer.items[0]!.text, 'Email me at bo@example.org please', 'the original is not changed');
  });

  it('masks identities down to what a colleague needs to tell two apart', () => {
    assert.equal(maskIdentity('email', 'ana@example.com'), 'a•••@example.com');
    assert.equal(maskIdentity('email', 'not-an-email'), '•••');
    assert.equal(maskIdentity('phone', '+1 (555) 010-9999'), '•••99');
    assert.equal(maskIdentity('phone', '123'), '•••');
  });
});

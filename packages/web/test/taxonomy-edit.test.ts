import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOPIC_KEY_RE } from '@canopy/core';
import {
  changeSummary,
  changesOf,
  checkNewTopic,
  childrenOf,
  type Draft,
  draftOfNew,
  draftStatus,
  FIELD_NAMES,
  insertDraft,
  NEW_TOPIC,
  type NewTopic,
  phrasesOf,
  rebaseDraft,
  sameEntry,
  splitErrors,
  type TopicEntry,
  toDraft,
  toEntry,
  treeOrder,
  withFormErrors,
  withParent,
} from '../src/taxonomy/taxonomy-edit.js';

const entry = (key: string, parent: string | null = null, phrases: string[] = []): TopicEntry => ({
  key,
  label: key.toUpperCase(),
  parent,
  sevenP: 'process',
  department: 'service',
  phrases,
});
const SAVED: TopicEntry[] = [
  entry('delivery', null, ['parcel']),
  entry('delivery.late', 'delivery', ['late', 'delayed']),
  entry('delivery.damaged', 'delivery', ['broken']),
  entry('billing', null, ['invoice']),
];
const drafts = (topics = SAVED) => topics.map(toDraft);
const keys = (ds: Draft[]) => ds.map((d) => d.key);

describe('drafts', () => {
  it('round-trip a topic, phrases one a line', () => {
    const d = toDraft(SAVED[1]!);
    assert.equal(d.text, 'late\ndelayed');
    assert.deepEqual(toEntry(d), SAVED[1]);
    assert.ok(sameEntry(toEntry(d), SAVED[1]!));
  });

  it('give each draft its own uid', () => {
    const uids = drafts().map((d) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    assert.notEqual(toDraft(SAVED[0]!).uid, toDraft(SAVED[0]!).uid);
  });

  it('read phrases from the textarea: trimmed, blank lines dropped', () => {
    assert.deepEqual(phrasesOf('  late \n\n delayed\r\n   \n~nice'), ['late', 'delayed', '~nice']);
    assert.deepEqual(phrasesOf(''), []);
  });

  it('trim the label and read a missing parent as none', () => {
    const d = { ...toDraft(SAVED[0]!), label: '  Delivery  ' };
    assert.equal(toEntry(d).label, 'Delivery');
    assert.equal(toDraft({ ...SAVED[0]!, parent: undefined as unknown as null }).parent, null);
  });
});

describe('the tree', () => {
  it('groups topics by parent in list order; a missing parent or itself as parent shows at the top', () => {
    const ds = drafts([...SAVED, entry('orphan', 'gone'), entry('self', 'self'), entry('delivery.lost', 'delivery')]);
    const kids = childrenOf(ds);
    assert.deepEqual(keys(kids.get(null)!), ['delivery', 'billing', 'orphan', 'self']);
    assert.deepEqual(keys(kids.get('delivery')!), ['delivery.late', 'delivery.damaged', 'delivery.lost']);
    assert.equal(kids.get('billing'), undefined);
  });

  it('lists every topic in tree order with its depth, each key once', () => {
    const ds = drafts([...SAVED, entry('delivery.late.weekend', 'delivery.late'), entry('billing', null)]);
    assert.deepEqual(
      treeOrder(childrenOf(ds)).map(({ d, depth }) => `${depth}:${d.key}`),
      ['0:delivery', '1:delivery.late', '2:delivery.late.weekend', '1:delivery.damaged', '0:billing'],
    );
  });

  it("inserts a sub-topic after its parent's last descendant, a top-level topic at the end", () => {
    const ds = drafts([...SAVED.slice(0, 2), entry('delivery.late.weekend', 'delivery.late'), ...SAVED.slice(2)]);
    const sub = toDraft(entry('delivery.lost', 'delivery'));
    assert.deepEqual(keys(insertDraft(ds, sub)), [
      'delivery',
      'delivery.late',
      'delivery.late.weekend',
      'delivery.damaged',
      'delivery.lost',
      'billing',
    ]);
    const subSub = toDraft(entry('delivery.late.night', 'delivery.late'));
    assert.deepEqual(keys(insertDraft(ds, subSub)).slice(0, 4), [
      'delivery',
      'delivery.late',
      'delivery.late.weekend',
      'delivery.late.night',
    ]);
    const leaf = toDraft(entry('billing.refund', 'billing'));
    assert.deepEqual(keys(insertDraft(ds, leaf)).slice(-2), ['billing', 'billing.refund']);
    assert.deepEqual(keys(insertDraft(ds, toDraft(entry('people')))).slice(-1), ['people']);
    assert.equal(ds.length, 5, 'the list it was given is left alone');
  });
});

describe('what differs from the saved taxonomy', () => {
  const byKey = new Map(SAVED.map((t) => [t.key, t]));

  it('calls each topic new, changed or as saved', () => {
    const [delivery, late, damaged] = drafts();
    assert.equal(draftStatus(byKey, delivery!), null);
    assert.equal(draftStatus(byKey, { ...late!, text: 'late\n\n  delayed  \n' }), null, 'blank lines and spaces');
    assert.equal(draftStatus(byKey, { ...late!, label: ' DELIVERY.LATE ' }), null, 'spaces around the label');
    assert.equal(draftStatus(byKey, { ...late!, text: 'delayed\nlate' }), 'changed', 'phrase order');
    assert.equal(draftStatus(byKey, { ...late!, text: 'late' }), 'changed');
    assert.equal(draftStatus(byKey, { ...damaged!, sevenP: 'product' }), 'changed');
    assert.equal(draftStatus(byKey, { ...damaged!, department: 'delivery' }), 'changed');
    assert.equal(draftStatus(byKey, { ...damaged!, parent: null }), 'changed');
    assert.equal(draftStatus(byKey, { ...damaged!, key: 'delivery.broken' }), 'new');
  });

  it('counts added, changed and removed topics, and words them', () => {
    const none = changesOf(SAVED, drafts());
    assert.deepEqual(none, { added: 0, changed: 0, removed: 0 });
    assert.deepEqual(changeSummary(none), []);

    const ds = drafts();
    ds[1] = { ...ds[1]!, label: 'Late' };
    ds.splice(2, 1); // delivery.damaged
    ds.push(toDraft(entry('people')), toDraft(entry('people.rude', 'people')));
    const c = changesOf(SAVED, ds);
    assert.deepEqual(c, { added: 2, changed: 1, removed: 1 });
    assert.deepEqual(changeSummary(c), ['2 added', '1 changed', '1 removed']);
    assert.deepEqual(changeSummary({ added: 0, changed: 3, removed: 0 }), ['3 changed']);
  });

  it('a renamed key is one removed and one added', () => {
    const ds = drafts();
    ds[3] = { ...ds[3]!, key: 'payments' };
    assert.deepEqual(changesOf(SAVED, ds), { added: 1, changed: 0, removed: 1 });
  });
});

describe('a new topic', () => {
  const taken = SAVED.map((t) => t.key);
  const t = (patch: Partial<NewTopic>): NewTopic => ({ ...NEW_TOPIC, key: 'service.queue', label: 'Queue', ...patch });

  it('may be added with a well-formed, unused key and a label', () => {
    assert.deepEqual(checkNewTopic(t({}), taken, TOPIC_KEY_RE), {});
    assert.deepEqual(checkNewTopic(t({ key: '  a-b_c.d9  ', label: ' x ' }), taken, TOPIC_KEY_RE), {});
    assert.deepEqual(checkNewTopic(t({ key: 'x'.repeat(200) }), taken, TOPIC_KEY_RE), {});
  });

  it('is refused with a reason at the key', () => {
    const keyError = (key: string) => checkNewTopic(t({ key }), taken, TOPIC_KEY_RE).key;
    assert.equal(keyError(''), 'give the topic a key');
    assert.equal(keyError('   '), 'give the topic a key');
    assert.equal(keyError('x'.repeat(201)), 'at most 200 characters');
    const shape = 'lower-case letters, digits, _ or -, in words separated by dots, e.g. service.queue_jumping';
    for (const bad of ['Delivery', 'delivery..late', '.delivery', 'delivery.', 'queue jumping', '_x', 'späť', 'a/b'])
      assert.equal(keyError(bad), shape, bad);
    assert.equal(keyError('delivery.late'), 'there is already a topic with the key delivery.late');
    assert.equal(keyError(' billing '), 'there is already a topic with the key billing');
  });

  it('is refused without a label, or with a phrase over 200 characters (its line among the phrases)', () => {
    assert.deepEqual(checkNewTopic(t({ label: '  ' }), taken, TOPIC_KEY_RE), { label: 'give the topic a label' });
    assert.deepEqual(checkNewTopic(t({ text: `ok\n\n${'p'.repeat(201)}\n${'q'.repeat(200)}` }), taken, TOPIC_KEY_RE), {
      text: 'line 2 is longer than 200 characters',
    });
    assert.deepEqual(checkNewTopic(t({ key: '', label: '' }), taken, TOPIC_KEY_RE), {
      key: 'give the topic a key',
      label: 'give the topic a label',
    });
  });

  it("picking a parent fills in the key's prefix, the 7P and the owner", () => {
    const parent = { sevenP: 'place', department: 'delivery' };
    const picked = withParent(NEW_TOPIC, 'delivery', parent);
    assert.deepEqual(picked, {
      ...NEW_TOPIC,
      parent: 'delivery',
      key: 'delivery.',
      sevenP: 'place',
      department: 'delivery',
    });
    // The prefix follows another parent, and goes with none.
    assert.equal(withParent(picked, 'billing', undefined).key, 'billing.');
    assert.equal(withParent(picked, '', undefined).key, '');
    assert.equal(withParent(picked, '', undefined).sevenP, 'place', 'no parent: the 7P is left as it was');
    // A key typed by hand stays.
    assert.equal(withParent({ ...picked, key: 'delivery.lost' }, 'billing', parent).key, 'delivery.lost');
  });

  it('becomes a draft with its key and label trimmed, at the top level when no parent was picked', () => {
    const d = draftOfNew({ ...NEW_TOPIC, key: ' people.rude ', label: ' Rude ', text: 'rude\nimpolite' });
    assert.deepEqual(
      { ...d, uid: 0 },
      {
        uid: 0,
        key: 'people.rude',
        label: 'Rude',
        parent: null,
        sevenP: 'process',
        department: 'service',
        text: 'rude\nimpolite',
      },
    );
    assert.equal(draftOfNew({ ...NEW_TOPIC, parent: 'people' }).parent, 'people');
  });
});

describe("the server's field errors", () => {
  const sent = drafts();
  sent[1] = { ...sent[1]!, text: `late\n\n${'a very long phrase that goes on and on and on'}\ndelayed` };
  const [delivery, late, damaged] = sent;

  it('map to the topic that was sent, by field', () => {
    const { byTopic, other } = splitErrors(
      {
        'topics[0].key': "duplicate key 'delivery'",
        'topics[2].parent': "no topic with key 'nowhere'",
        'topics[2].label': 'Too small: expected string to have >=1 characters',
        'topics[3]': 'Invalid input',
      },
      sent,
    );
    assert.deepEqual(byTopic, {
      [delivery!.uid]: { key: "duplicate key 'delivery'" },
      [damaged!.uid]: {
        parent: "no topic with key 'nowhere'",
        label: 'Too small: expected string to have >=1 characters',
      },
      [sent[3]!.uid]: { topic: 'Invalid input' },
    });
    assert.deepEqual(other, []);
  });

  it("name a phrase's line and text, shortened past 40 characters", () => {
    const { byTopic } = splitErrors(
      {
        'topics[1].phrases[0]': 'too long',
        'topics[1].phrases[1]': 'has no words',
        'topics[1].phrases[7]': 'gone',
        'topics[1].phrases': 'too many phrases',
      },
      sent,
    );
    assert.equal(
      byTopic[late!.uid]!.phrases,
      [
        'line 1 (“late”): too long',
        'line 2 (“a very long phrase that goes on and on a…”): has no words',
        'line 8 (“”): gone',
        'too many phrases',
      ].join('; '),
    );
  });

  it('keep what names no topic that was sent, as it came', () => {
    const { byTopic, other } = splitErrors(
      {
        topics: 'Too big: expected array to have <=2000 items',
        'topics[9].key': 'duplicate',
        'topics[-1].key': 'odd',
        version: 'Too long',
        '': 'Invalid input',
      },
      sent,
    );
    assert.deepEqual(byTopic, {});
    assert.deepEqual(other, [
      ['topics', 'Too big: expected array to have <=2000 items'],
      ['topics[9].key', 'duplicate'],
      ['topics[-1].key', 'odd'],
      ['version', 'Too long'],
      ['', 'Invalid input'],
    ]);
  });

  it('read the field of a deeper path, and survive no errors', () => {
    const { byTopic } = splitErrors({ 'topics[2].sevenP.value': 'Invalid option' }, sent);
    assert.deepEqual(byTopic, { [damaged!.uid]: { sevenP: 'Invalid option' } });
    assert.deepEqual(splitErrors({}, sent), { byTopic: {}, other: [] });
  });

  it('open the forms of topics with errors in fields the form edits (not key, parent or the topic)', () => {
    const { byTopic } = splitErrors(
      {
        'topics[0].key': 'duplicate',
        'topics[1].phrases[0]': 'too long',
        'topics[2].department': 'Invalid option',
        'topics[3]': 'Invalid input',
      },
      sent,
    );
    assert.deepEqual(withFormErrors(byTopic).sort(), [late!.uid, damaged!.uid].sort());
    assert.equal(FIELD_NAMES.sevenP, '7P dimension');
  });
});

describe('rebaseDraft (someone saved since the editor loaded)', () => {
  const draftOf = (ts: TopicEntry[]) => ts.map(toDraft);
  const keys = (ds: Draft[]) => ds.map((d) => d.key);
  const phrasesAt = (ds: Draft[], key: string) => phrasesOf(ds.find((d) => d.key === key)!.text);

  it('keeps their changes where the editor changed nothing, and the editor’s where they changed nothing', () => {
    const mine = draftOf(SAVED);
    mine[1] = { ...mine[1]!, text: 'late\ndelayed\nstill waiting' }; // the editor changed delivery.late
    const theirs = SAVED.map((t) => (t.key === 'billing' ? { ...t, phrases: ['invoice', 'charged twice'] } : t));
    const r = rebaseDraft(SAVED, mine, theirs);
    assert.deepEqual(r.conflicts, []);
    assert.deepEqual(phrasesAt(r.draft, 'delivery.late'), ['late', 'delayed', 'still waiting']);
    assert.deepEqual(phrasesAt(r.draft, 'billing'), ['invoice', 'charged twice']);
    assert.equal(r.draft.find((d) => d.key === 'delivery.late')!.uid, mine[1]!.uid, 'uid kept: its form stays open');
    assert.equal(r.draft.find((d) => d.key === 'billing')!.uid, mine[3]!.uid);
    // What the editor would now send differs from theirs only by its own change.
    assert.deepEqual(changesOf(theirs, r.draft), { added: 0, changed: 1, removed: 0 });
  });

  it('adds and removes on both sides', () => {
    const mine = [
      ...draftOf(SAVED.filter((t) => t.key !== 'delivery.damaged')),
      toDraft(entry('billing.fees', 'billing', ['fee'])),
    ];
    const theirs = [...SAVED.filter((t) => t.key !== 'billing'), entry('app', null, ['app crashes'])];
    const r = rebaseDraft(SAVED, mine, theirs);
    assert.deepEqual(r.conflicts, []);
    // Their removal of billing and addition of app; the editor's removal of damaged and its new topic.
    assert.deepEqual(keys(r.draft), ['delivery', 'delivery.late', 'app', 'billing.fees']);
  });

  it('keeps the editor’s version where both changed a topic, and says so', () => {
    const mine = draftOf(SAVED);
    mine[0] = { ...mine[0]!, label: 'Shipping' };
    const theirs = SAVED.map((t) => (t.key === 'delivery' ? { ...t, phrases: ['parcel', 'courier'] } : t));
    const r = rebaseDraft(SAVED, mine, theirs);
    assert.deepEqual(r.conflicts, [{ key: 'delivery', what: 'you both changed it', kept: 'yours' }]);
    const d = r.draft.find((x) => x.key === 'delivery')!;
    assert.equal(d.label, 'Shipping');
    assert.deepEqual(phrasesOf(d.text), ['parcel']);
  });

  it('does not call the same change made on both sides a conflict', () => {
    const mine = draftOf(SAVED);
    mine[3] = { ...mine[3]!, text: 'invoice\nbill' };
    const theirs = SAVED.map((t) => (t.key === 'billing' ? { ...t, phrases: ['invoice', 'bill'] } : t));
    assert.deepEqual(rebaseDraft(SAVED, mine, theirs).conflicts, []);
  });

  it('keeps their topic that the editor removed but they changed, and the editor’s that they removed but it changed', () => {
    const mine = draftOf(SAVED.filter((t) => t.key !== 'delivery.damaged'));
    const b = mine.findIndex((d) => d.key === 'billing');
    mine[b] = { ...mine[b]!, text: 'invoice\nstatement' };
    const theirs = SAVED.filter((t) => t.key !== 'billing').map((t) =>
      t.key === 'delivery.damaged' ? { ...t, phrases: ['broken', 'smashed'] } : t,
    );
    const r = rebaseDraft(SAVED, mine, theirs);
    assert.deepEqual(r.conflicts, [
      { key: 'delivery.damaged', what: 'you removed it; they changed it', kept: 'theirs' },
      { key: 'billing', what: 'you changed it; they removed it', kept: 'yours' },
    ]);
    assert.deepEqual(phrasesAt(r.draft, 'delivery.damaged'), ['broken', 'smashed']);
    assert.deepEqual(phrasesAt(r.draft, 'billing'), ['invoice', 'statement']);
  });

  it('treats a key both added as the editor’s, a conflict when they differ', () => {
    const mine = [...draftOf(SAVED), toDraft(entry('app', null, ['app']))];
    const theirs = [...SAVED, entry('app', null, ['mobile app'])];
    const r = rebaseDraft(SAVED, mine, theirs);
    assert.deepEqual(r.conflicts, [{ key: 'app', what: 'you both added it', kept: 'yours' }]);
    assert.deepEqual(phrasesAt(r.draft, 'app'), ['app']);
    assert.equal(keys(r.draft).filter((k) => k === 'app').length, 1);
  });
});

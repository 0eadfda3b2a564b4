import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checkAnswers,
  chooseEnding,
  chooseLanguage,
  decideAsk,
  encodeToken,
  mergeAnswers,
  nextPage,
  quietUntil,
  surveyDefinitionInput,
  surveySettingsInput,
  toResponseAnswers,
  verifyToken,
} from '../../src/index.js';

const def = {
  key: 'csat-after-chat',
  name: 'How did we do?',
  default_language: 'en',
  questions: [
    {
      id: 'nps',
      type: 'nps',
      text: { en: 'How likely are you to recommend us?', pt: 'Recomendaria?' },
      required: true,
    },
    {
      id: 'reason',
      type: 'text',
      text: 'What is the main reason for your score?',
      show_if: { question: 'nps', max: 6 },
    },
    { id: 'expect', type: 'expectation', text: 'Compared with what you expected?', page: 2 },
    {
      id: 'channel',
      type: 'single_choice',
      text: 'How did you contact us?',
      page: 2,
      options: [
        { value: 'chat', label: 'Chat' },
        { value: 'phone', label: 'Phone' },
      ],
    },
  ],
  endings: [
    { id: 'promoter', title: 'Thanks! Leave a review?', show_if: { question: 'nps', min: 9 } },
    { id: 'default', title: 'Thank you' },
  ],
};

describe('survey definitions', () => {
  it('accepts a full definition with defaults', () => {
    const d = surveyDefinitionInput.parse(def);
    assert.equal(d.single_use, true);
    assert.equal(d.questions[0].page, 1);
    assert.deepEqual(d.hidden_fields, ['touchpoint', 'interaction_id', 'agent']);
  });

  it('names the field at fault precisely', () => {
    const bad = structuredClone(def) as any;
    bad.questions[1].show_if = { question: 'expect', max: 6 };
    bad.questions[2].text = { pt: 'Só português' };
    bad.questions[3].options[1].value = 'chat';
    bad.questions.push({ id: 'nps', type: 'csat', text: 'dup', page: 2 });
    bad.endings[0].show_if = { question: 'nps', min: 11 };
    const r = surveyDefinitionInput.safeParse(bad);
    assert.equal(r.success, false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(
      issues.includes("questions.1.show_if.question: must name an earlier question; 'expect' is not one"),
      issues.join('\n'),
    );
    assert.ok(issues.includes("questions.2.text: has no text in the default language 'en'"), issues.join('\n'));
    assert.ok(issues.includes("questions.3.options.1.value: duplicate option 'chat'"), issues.join('\n'));
    assert.ok(issues.includes("questions.4.id: duplicate question id 'nps' (also questions[0])"), issues.join('\n'));
    assert.ok(issues.includes("endings.0.show_if.min: must be within nps's scale 0–10"), issues.join('\n'));
  });

  it('rejects unknown question types and fields', () => {
    const r = surveyDefinitionInput.safeParse({ ...def, questions: [{ id: 'x', type: 'stars', text: 'x' }] });
    assert.equal(r.success, false);
    assert.match(r.error!.issues[0].message, /type must be one of nps, csat/);
  });
});

describe('survey logic', () => {
  const d = surveyDefinitionInput.parse(def);
  it('shows the follow-up by score range and picks the ending', () => {
    assert.equal(nextPage(d, { nps: 3 }, 1), 1);
    const low = mergeAnswers(d, {}, { nps: 3, reason: 'slow' });
    assert.deepEqual(low, { nps: 3, reason: 'slow' });
    // Changing the score to a promoter drops the follow-up answer that is no longer asked.
    assert.deepEqual(mergeAnswers(d, low, { nps: 10 }), { nps: 10 });
    assert.equal(chooseEnding(d, { nps: 10 })!.id, 'promoter');
    assert.equal(chooseEnding(d, { nps: 5 })!.id, 'default');
  });

  it('checks and coerces form answers', () => {
    const r = checkAnswers(d, { nps: '9', channel: 'fax', expect: '6', nope: 1, reason: '' });
    assert.deepEqual(r.answers, { nps: 9 });
    assert.deepEqual(r.removed, ['reason']);
    assert.deepEqual(
      r.errors.map((e) => `${e.question}: ${e.reason}`),
      ["channel: 'fax' is not an option", 'expect: must be between 1 and 5', 'nope: is not a question of this survey'],
    );
    assert.deepEqual(toResponseAnswers(d, { nps: 9, channel: 'chat' }), [
      { field: 'nps', type: 'nps', value: 9 },
      { field: 'channel', type: 'choice', value: 'chat' },
    ]);
  });

  it('chooses a language: explicit, invitation, browser, default', () => {
    assert.equal(chooseLanguage(d, undefined, null, 'pt-BR,pt;q=0.9,en;q=0.8'), 'pt');
    assert.equal(chooseLanguage(d, 'en', 'pt'), 'en');
    assert.equal(chooseLanguage(d, 'de'), 'en');
  });
});

describe('contact rules', () => {
  const settings = surveySettingsInput.parse({
    throttle_days: 30,
    quiet_hours: { start: '21:00', end: '08:00' },
    timezone: 'Europe/Lisbon',
    touchpoint_quotas: { delivery: { max: 2, period_days: 1 } },
  });
  const base = {
    now: new Date('2026-07-01T12:00:00Z'),
    channel: 'email' as const,
    optedOut: false,
    lastAskedAt: null,
    roll: 0.5,
    samplePercent: 100,
  };
  it('asks when nothing forbids it', () => assert.deepEqual(decideAsk(base, settings), { decision: 'ask' }));
  it('honours opt-out above everything', () =>
    assert.deepEqual(decideAsk({ ...base, optedOut: true }, settings), { decision: 'skip', reason: 'opted_out' }));
  it('throttles within N days, not after', () => {
    const day = 86_400_000;
    assert.equal(
      decideAsk({ ...base, lastAskedAt: new Date(base.now.getTime() - 29 * day) }, settings).decision,
      'skip',
    );
    assert.equal(
      decideAsk({ ...base, lastAskedAt: new Date(base.now.getTime() - 31 * day) }, settings).decision,
      'ask',
    );
    const off = { ...settings, throttle_days: 0 };
    assert.equal(decideAsk({ ...base, lastAskedAt: base.now }, off).decision, 'ask');
  });
  it('samples by display percentage', () => {
    assert.deepEqual(decideAsk({ ...base, samplePercent: 40, roll: 0.41 }, settings), {
      decision: 'skip',
      reason: 'not_sampled',
    });
    assert.equal(decideAsk({ ...base, samplePercent: 40, roll: 0.39 }, settings).decision, 'ask');
    assert.equal(decideAsk({ ...base, samplePercent: 0, roll: 0 }, settings).decision, 'skip');
  });
  it('fills per-touchpoint quotas', () => {
    assert.deepEqual(decideAsk({ ...base, touchpoint: 'delivery', quotaUsed: 2 }, settings), {
      decision: 'skip',
      reason: 'quota_full',
    });
    assert.equal(decideAsk({ ...base, touchpoint: 'delivery', quotaUsed: 1 }, settings).decision, 'ask');
  });
  it('defers emails in quiet hours to their end, in the org time zone', () => {
    // 22:30 in Lisbon (UTC+1 in July) → until 08:00 local = 07:00Z next day.
    const late = new Date('2026-07-01T21:30:00Z');
    assert.deepEqual(decideAsk({ ...base, now: late }, settings), {
      decision: 'defer',
      reason: 'quiet_hours',
      until: new Date('2026-07-02T07:00:00Z'),
    });
    assert.equal(decideAsk({ ...base, now: late, channel: 'widget' }, settings).decision, 'ask');
    assert.equal(quietUntil(new Date('2026-07-01T12:00:00Z'), settings), null);
  });
});

describe('tokens', () => {
  const mac = (secret: string) => (p: Uint8Array) => new Uint8Array(createHmac('sha256', secret).update(p).digest());
  const claims = {
    orgId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    invitationId: '0190a1b2-c3d4-7e5f-8a9b-ffffffffffff',
    expiresAt: new Date('2026-08-01T00:00:00Z'),
  };
  const now = new Date('2026-07-01T00:00:00Z');
  it('round-trips and stays short', () => {
    const t = encodeToken(claims, mac('s'));
    assert.ok(t.length < 80, t);
    assert.deepEqual(verifyToken(t, mac('s'), now), { ok: true, claims });
  });
  it('refuses forged, tampered, expired and malformed tokens', () => {
    const t = encodeToken(claims, mac('s'));
    assert.equal((verifyToken(t, mac('other'), now) as any).reason, 'forged');
    const [p, m] = t.split('.');
    const flipped = p.slice(0, 30) + (p[30] === 'A' ? 'B' : 'A') + p.slice(31);
    assert.equal((verifyToken(`${flipped}.${m}`, mac('s'), now) as any).reason, 'forged');
    assert.equal((verifyToken(t, mac('s'), new Date('2026-08-02T00:00:00Z')) as any).reason, 'expired');
    assert.equal((verifyToken('nonsense', mac('s'), now) as any).reason, 'malformed');
    assert.equal((verifyToken(`${p}.`, mac('s'), now) as any).reason, 'malformed');
  });
});

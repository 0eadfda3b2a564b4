import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell, csvHeader, type FeedbackRow, feedbackCsv, narrowRows } from '../src/feedback-csv.js';

const neg = { sentiment: { label: 'negative', score: -0.175 }, topics: [{ topic: 'delivery.late' }] };
const pos = { sentiment: { label: 'positive', score: 0.6 }, topics: [{ topic: 'product.taste' }] };

function interaction(over: Partial<FeedbackRow> = {}): FeedbackRow {
  return {
    id: 'i1',
    kind: 'email',
    at: '2026-11-30T10:00:00Z',
    customer_id: 'c1',
    touchpoint: 'support_email',
    department: 'service',
    channel: 'email',
    agent: 'sam.okafor',
    scores: [],
    status: 'closed',
    outcome: 'refunded',
    texts: [
      { field: 'subject', text: 'Where is my order?', analysis: undefined },
      { field: 'text', text: 'Two weeks late again.', analysis: neg },
    ],
    ...over,
  };
}

describe('feedback CSV export', () => {
  it('guards text that a spreadsheet would run, never numbers', () => {
    assert.equal(csvCell(-0.175), '-0.175');
    assert.equal(csvCell(0.6), '0.6');
    assert.equal(csvCell(0), '0');
    assert.equal(csvCell('-1 star, awful'), `"'-1 star, awful"`);
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('+49 30 1234'), "'+49 30 1234");
    assert.equal(csvCell('@channel'), "'@channel");
    assert.equal(csvCell('\tindent'), "'\tindent");
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(Number.NaN), '');
  });

  it('names columns for what they hold: scores for responses, status and outcome for interactions', () => {
    assert.ok(csvHeader('responses').includes('scores'));
    assert.ok(!csvHeader('responses').includes('status'));
    assert.ok(!csvHeader('interactions').includes('scores'));
    const h = csvHeader('interactions');
    assert.deepEqual(h.slice(h.indexOf('agent') + 1, h.indexOf('field')), ['status', 'outcome']);

    const csv = feedbackCsv([interaction()], 'interactions');
    const [head, ...lines] = csv.trimEnd().split('\r\n');
    assert.equal(head, h.join(','));
    const cells = lines[1]!.split(',');
    assert.equal(cells[h.indexOf('status')], 'closed');
    assert.equal(cells[h.indexOf('outcome')], 'refunded');
    assert.equal(cells[h.indexOf('sentiment_score')], '-0.175', 'a negative score is a number, not text');
  });

  it('exports what the list shows: with sentiment=negative, only negative texts', () => {
    const rows = [
      interaction(),
      interaction({ id: 'i2', texts: [{ field: 'text', text: 'Lovely beans', analysis: pos }] }),
      interaction({ id: 'i3', texts: [{ field: 'subject', text: 'Invoice', analysis: undefined }] }),
    ];
    const shown = narrowRows(rows, 'negative', '');
    assert.deepEqual(
      shown.map((r) => [r.id, r.texts.map((t) => t.field)]),
      [['i1', ['text']]],
      'the subject line has no sentiment: it is not a negative text',
    );
    const csv = feedbackCsv(shown, 'interactions').trimEnd().split('\r\n');
    assert.equal(csv.length, 2, 'the header and the one negative text');
    assert.ok(csv.slice(1).every((l) => l.includes(',negative,')));

    // A topic narrows the same way (a parent takes its children); no chips keep every text.
    assert.deepEqual(
      narrowRows(rows, '', 'delivery').map((r) => r.id),
      ['i1'],
    );
    assert.equal(narrowRows(rows, '', '').length, 3);
    assert.equal(narrowRows(rows, '', '')[0]!.texts.length, 2);
  });

  it('writes response scores in their own column', () => {
    const r = interaction({ scores: ['NPS 3/10', 'CSAT 2/5'], status: null, outcome: null });
    const csv = feedbackCsv([r], 'responses').split('\r\n');
    const h = csvHeader('responses');
    assert.equal(csv[1]!.split(',')[h.indexOf('scores')], 'NPS 3/10; CSAT 2/5');
  });
});

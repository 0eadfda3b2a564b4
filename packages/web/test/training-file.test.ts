import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  csvRecords,
  labelsOf,
  parseTrainingFile,
  TRAIN_MAX,
  TRAIN_MIN,
  TRAIN_TEXT,
  trainingErrorLines,
} from '../src/taxonomy/training-file.js';

/** `n` CSV rows after a text,label header, each `text i,label`. */
const csvRows = (n: number, label = 'refund') => Array.from({ length: n }, (_, i) => `text ${i},${label}`);
const csv = (rows: string[], eol = '\n') => ['text,label', ...rows].join(eol) + eol;
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n');
const jsonRows = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `text ${i}`, label: 'refund' }));

/** Parses and insists on success. */
function ok(content: string, name = 'examples.csv') {
  const r = parseTrainingFile(name, content);
  assert.deepEqual(r.errors, []);
  assert.ok(r.parsed, 'parsed');
  return r.parsed;
}
/** Parses and insists on failure; the errors. */
function refused(content: string): string[] {
  const r = parseTrainingFile('examples', content);
  assert.equal(r.parsed, undefined);
  assert.ok(r.errors.length > 0, 'errors');
  return r.errors;
}

describe('parseTrainingFile: empty and header-only files', () => {
  it('refuses an empty file, a blank one and one holding only a byte order mark', () => {
    for (const s of ['', '   ', '\n\n\r\n', '\uFEFF', '\uFEFF\n  \n'])
      assert.deepEqual(refused(s), ['The file is empty']);
  });

  it('a header alone has no examples', () => {
    assert.deepEqual(refused('text,label'), ['0 examples: at least 20 are needed']);
    assert.deepEqual(refused('text,label\r\n\r\n\r\n'), ['0 examples: at least 20 are needed']);
  });

  it('needs a header naming text and label (or labels), on the first line that is not blank', () => {
    assert.deepEqual(refused('hello,refund\n'), [
      'Line 1: the first line must name the columns text and label (found: hello, refund)',
    ]);
    assert.deepEqual(refused('\n\ntext\nfoo\n'), [
      'Line 3: the first line must name the columns text and label (found: text)',
    ]);
    assert.deepEqual(refused(',\n'), ['Line 1: the first line must name the columns text and label (found: nothing)']);
    // Any order and case, extra columns, `labels` for `label`.
    const p = ok(['ID, Labels ,TEXT', ...Array.from({ length: 20 }, (_, i) => `${i},a|b,text ${i}`)].join('\n'));
    assert.deepEqual(p.examples[0], { text: 'text 0', labels: ['a', 'b'] });
    assert.equal(p.examples.length, 20);
  });
});

describe('parseTrainingFile: CSV', () => {
  it('reads a plain file, with the file line of each example', () => {
    const p = ok(csv(csvRows(20)), 'mine.csv');
    assert.equal(p.name, 'mine.csv');
    assert.equal(p.examples.length, 20);
    assert.deepEqual(p.examples[0], { text: 'text 0', labels: ['refund'] });
    assert.deepEqual(
      p.lines,
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
  });

  it('reads CRLF, lone CR and no newline at the end alike', () => {
    const lf = ok(csv(csvRows(20)));
    assert.deepEqual(ok(csv(csvRows(20), '\r\n')), lf);
    assert.deepEqual(ok(csv(csvRows(20), '\r')), lf);
    assert.deepEqual(ok(csv(csvRows(20)).trimEnd()), lf);
  });

  it('drops a byte order mark before the header', () => {
    const p = ok(`\uFEFF${csv(csvRows(20))}`);
    assert.deepEqual(p.examples[0], { text: 'text 0', labels: ['refund'] });
    assert.equal(p.lines[0], 2);
  });

  it('skips blank lines but keeps counting them', () => {
    const rows = csvRows(20);
    rows.splice(5, 0, '', '   ', ',');
    const p = ok(`\n${csv(rows)}\n\n`);
    assert.equal(p.examples.length, 20);
    assert.equal(p.lines[0], 3); // header on line 2
    assert.equal(p.lines[5], 11); // after the three blank lines
    assert.equal(p.lines[19], 25);
  });

  it('reads quoted fields: commas, doubled quotes, line breaks (and line numbers after them)', () => {
    const rows = [
      '"late, again, and cold",delivery',
      '"she said ""never again""",churn',
      '"first line\nsecond line\r\nthird line",multi',
      '  "spaces before the quote",  "refund | late"',
      ...csvRows(16),
    ];
    const p = ok(csv(rows));
    assert.deepEqual(p.examples.slice(0, 4), [
      { text: 'late, again, and cold', labels: ['delivery'] },
      { text: 'she said "never again"', labels: ['churn'] },
      { text: 'first line\nsecond line\r\nthird line', labels: ['multi'] },
      { text: 'spaces before the quote', labels: ['refund', 'late'] },
    ]);
    // The quoted line breaks take lines 4–6: the next example starts on line 7.
    assert.deepEqual(p.lines.slice(0, 5), [2, 3, 4, 7, 8]);
  });

  it('names the line a quote opened on when it is never closed', () => {
    assert.deepEqual(refused(csv(['fine,a', 'also fine,b', '"never closed,c', 'd,e', 'f,g'])), [
      'Line 4: a quoted text is not closed (a " is missing)',
    ]);
    assert.deepEqual(refused('text,label\n"a\nb\nc'), ['Line 2: a quoted text is not closed (a " is missing)']);
  });

  it('refuses text after a closing quote, on its line', () => {
    assert.deepEqual(refused(csv(['ok,a', '"multi\nline" oops,b'])), [
      'Line 4: unexpected text after a closing quote (a " inside a quoted text is written "")',
    ]);
  });

  it('a quote inside an unquoted field is just a character', () => {
    const p = ok(csv(['a 6" pipe,plumbing', ...csvRows(19)]));
    assert.equal(p.examples[0]!.text, 'a 6" pipe');
  });

  it('names every line with the wrong number of fields', () => {
    const errors = refused(csv(['one,two,three', ...csvRows(20), 'just text', 'x,y']));
    assert.deepEqual(errors, [
      'Line 2: 3 fields where the header has 2 (put "quotes" around a text with commas)',
      'Line 23: 1 fields where the header has 2 (put "quotes" around a text with commas)',
    ]);
  });

  it('splits labels on |, trimmed, empty ones dropped', () => {
    assert.deepEqual(labelsOf('refund|late'), ['refund', 'late']);
    assert.deepEqual(labelsOf(' refund | | late |'), ['refund', 'late']);
    assert.deepEqual(labelsOf(' | '), []);
    const p = ok(csv(['t,refund|late', ...csvRows(19)]));
    assert.deepEqual(p.examples[0]!.labels, ['refund', 'late']);
  });

  it('names lines with an empty text, no label or a label too long', () => {
    const errors = refused(
      csv([
        ...csvRows(20),
        '   ,refund',
        'no label,',
        'only bars,|',
        `long label,${'x'.repeat(201)}`,
        `fine,${'x'.repeat(200)}`,
      ]),
    );
    assert.deepEqual(errors, [
      'Line 22: the text is empty',
      'Line 23: no label',
      'Line 24: no label',
      'Line 25: a label is longer than 200 characters',
    ]);
  });
});

describe('parseTrainingFile: JSON Lines', () => {
  it('reads `label` (a string) and `labels` (a list), trimming them', () => {
    const p = ok(
      jsonl([
        { text: ' a text ', label: ' refund ' },
        { text: 'two labels', labels: ['refund', ' late ', ''] },
        { text: 'both: labels win', labels: ['x'], label: 'y' },
        { text: 'labels not strings, label used', labels: [1, 2], label: 'z' },
        ...jsonRows(16),
      ]),
      'examples.jsonl',
    );
    assert.deepEqual(p.examples.slice(0, 4), [
      { text: 'a text', labels: ['refund'] },
      { text: 'two labels', labels: ['refund', 'late'] },
      { text: 'both: labels win', labels: ['x'] },
      { text: 'labels not strings, label used', labels: ['z'] },
    ]);
    assert.deepEqual(p.lines.slice(0, 4), [1, 2, 3, 4]);
  });

  it('reads CRLF, a byte order mark and blank lines, keeping line numbers', () => {
    const lines = jsonRows(20).map((r) => JSON.stringify(r));
    lines.splice(3, 0, '', '   ');
    const p = ok(`\uFEFF${lines.join('\r\n')}\r\n`);
    assert.equal(p.examples.length, 20);
    assert.deepEqual(p.lines.slice(0, 5), [1, 2, 3, 6, 7]);
  });

  it('names the line of invalid JSON, and of every other bad line', () => {
    const lines = jsonRows(20).map((r) => JSON.stringify(r));
    lines.splice(2, 0, '{"text": "cut short", "label": ');
    lines.push('[1, 2]', '"a string"', 'null', '42', '{"text": 5, "label": "a"}', '{"label": "a"}');
    lines.push('{"text": "t", "labels": "not a list"}', '{"text": "t", "labels": [1]}', '{"text": "t"}');
    lines.push('{"text": "t", "labels": []}', '{"text": "t", "label": "  "}', '{"text": " ", "label": "a"}');
    const errors = refused(lines.join('\n'));
    assert.match(errors[0]!, /^Line 3: not valid JSON \(.+\)$/);
    assert.deepEqual(errors.slice(1), [
      'Line 22: expected an object like {"text": "…", "labels": ["…"]}',
      'Line 23: expected an object like {"text": "…", "labels": ["…"]}',
      'Line 24: expected an object like {"text": "…", "labels": ["…"]}',
      'Line 25: expected an object like {"text": "…", "labels": ["…"]}',
      'Line 26: "text" is missing or not a string',
      'Line 27: "text" is missing or not a string',
      'Line 28: needs "labels" (a list of strings) or "label" (a string)',
      'Line 29: needs "labels" (a list of strings) or "label" (a string)',
      'Line 30: needs "labels" (a list of strings) or "label" (a string)',
      'Line 31: no label',
      'Line 32: no label',
      'Line 33: the text is empty',
    ]);
  });

  it('refuses a JSON array, pointing at JSON Lines', () => {
    assert.deepEqual(refused(JSON.stringify(jsonRows(20))), [
      'Line 1: this is a JSON array; write one object per line instead (JSON Lines)',
    ]);
    assert.deepEqual(refused('  \n [\n'), [
      'Line 1: this is a JSON array; write one object per line instead (JSON Lines)',
    ]);
  });
});

describe('parseTrainingFile: limits and unicode', () => {
  it(`needs at least ${TRAIN_MIN} examples`, () => {
    assert.deepEqual(refused(csv(csvRows(19))), ['19 examples: at least 20 are needed']);
    assert.deepEqual(refused(jsonl(jsonRows(1))), ['1 examples: at least 20 are needed']);
    assert.equal(ok(csv(csvRows(TRAIN_MIN))).examples.length, 20);
  });

  it(`takes at most ${TRAIN_MAX.toLocaleString('en')} examples`, () => {
    assert.equal(ok(csv(csvRows(TRAIN_MAX))).examples.length, TRAIN_MAX);
    assert.deepEqual(refused(csv(csvRows(TRAIN_MAX + 1))), ['100,001 examples: at most 100,000']);
  });

  it('reports the line problems, not the count, while there are any', () => {
    assert.deepEqual(refused(csv(['a,b,c'])), [
      'Line 2: 3 fields where the header has 2 (put "quotes" around a text with commas)',
    ]);
  });

  it(`takes a text of up to ${TRAIN_TEXT.toLocaleString('en')} characters (UTF-16 units, as the server counts)`, () => {
    assert.equal(ok(csv([`${'x'.repeat(TRAIN_TEXT)},a`, ...csvRows(19)])).examples[0]!.text.length, TRAIN_TEXT);
    assert.deepEqual(refused(csv([`${'x'.repeat(TRAIN_TEXT + 1)},a`, ...csvRows(19)])), [
      'Line 2: the text is longer than 5,000 characters',
    ]);
    // An emoji is two UTF-16 units.
    assert.deepEqual(refused(jsonl([{ text: '😀'.repeat(2501), label: 'a' }, ...jsonRows(19)])), [
      'Line 1: the text is longer than 5,000 characters',
    ]);
  });

  it('keeps unicode texts and labels as they are', () => {
    const texts = ['Der Kühlschrank kam zu spät 🙁', '配達が遅れました', 'لم يصل الطلب', 'naïve café — “quoted”'];
    const p = ok(csv([...texts.map((t, i) => `"${t}",${['spät', '遅延', 'تأخير', 'café|délai'][i]}`), ...csvRows(16)]));
    assert.deepEqual(
      p.examples.slice(0, 4).map((e) => e.text),
      texts,
    );
    assert.deepEqual(
      p.examples.slice(0, 4).map((e) => e.labels),
      [['spät'], ['遅延'], ['تأخير'], ['café', 'délai']],
    );
    const j = ok(jsonl([{ text: '😀 great', labels: ['👍'] }, ...jsonRows(19)]));
    assert.deepEqual(j.examples[0], { text: '😀 great', labels: ['👍'] });
  });
});

describe('csvRecords', () => {
  it('gives each record its fields and the line it starts on', () => {
    assert.deepEqual(csvRecords('a,b\n"c\nd",e\r\n\nf'), {
      records: [
        { fields: ['a', 'b'], line: 1 },
        { fields: ['c\nd', 'e'], line: 2 },
        { fields: [''], line: 4 },
        { fields: ['f'], line: 5 },
      ],
    });
  });

  it('keeps a trailing empty field, and an empty quoted one', () => {
    assert.deepEqual(csvRecords('a,\n"",b').records, [
      { fields: ['a', ''], line: 1 },
      { fields: ['', 'b'], line: 2 },
    ]);
  });
});

describe('trainingErrorLines', () => {
  it("maps the server's example errors to the file's lines", () => {
    assert.deepEqual(
      trainingErrorLines(
        {
          'examples[0].labels': 'intents examples have exactly one label',
          'examples[2].text': 'too long',
          'examples[9].labels': 'out of range',
          examples: 'each label needs at least 2 examples',
          kind: 'invalid option',
        },
        [2, 5, 9],
      ),
      [
        'Line 2: intents examples have exactly one label',
        'Line 9: too long',
        'examples[9].labels: out of range',
        'The examples: each label needs at least 2 examples',
        'kind: invalid option',
      ],
    );
    assert.deepEqual(trainingErrorLines({}, [1]), []);
  });
});

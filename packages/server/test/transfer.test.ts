import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { it } from 'node:test';
import { RulesEngine } from '../src/loop/engine.js';
import { exportRecords } from '../src/transfer/export.js';
import { importFile } from '../src/transfer/import.js';
import { countRows, eachStore } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'canopy-transfer-'));
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

eachStore('import and export', (env) => {
  it('imports a CSV of responses with answer columns; bad rows go to the reject file with line numbers; the good ones are written', async () => {
    const { orgId } = await env().newOrg();
    const csv = file(
      'responses.csv',
      [
        'customer_email,submitted_at,touchpoint,nps,comment,q2:choice,ease:ces',
        'ana@x.io,2026-03-01T10:00:00Z,delivery,9,"Fast, friendly ""and"" on time",speed|price,6',
        'bo@x.io,2026-03-01T11:00:00Z,delivery,11,too high,,',
        'bad-email,2026-03-02,,3,,,',
        'cy@x.io,2026-03-02,nowhere,5,,,',
        'dee@x.io,2026-03-03,,7',
        'ëlise@exämple.io,2026-03-04,invoice,0,"Rechnung falsch 😡, zweimal abgebucht",,2',
        '',
      ].join('\r\n'),
    );
    const s = await importFile(env().store, { file: csv, kind: 'responses', orgId });
    assert.equal(s.fatal, null);
    assert.equal(s.rows, 6);
    assert.equal(s.created, 2, JSON.stringify(s));
    assert.equal(s.rejected, 4);
    const rejects = readFileSync(s.rejectFile!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rejects.map((r) => [r.line, r.errors[0].field]).sort((a, b) => a[0] - b[0]),
      [
        [3, 'answers[0].value'],
        [4, 'customer_email'],
        [5, 'touchpoint'],
        [6, '(row)'],
      ],
    );
    const page = await env()
      .store.db.selectFrom('answers')
      .select(['field', 'type', 'value_num', 'value_text', 'value_choices'])
      .where('org_id', '=', orgId)
      .orderBy('field')
      .execute();
    assert.deepEqual(
      page.filter((a) => a.field === 'q2').map((a) => a.value_choices),
      [['speed', 'price']],
    );
    assert.ok(page.some((a) => a.value_text === 'Fast, friendly "and" on time'));
    // Importing the same file again writes nothing twice.
    const before = await countRows(env().store, orgId);
    const again = await importFile(env().store, { file: csv, kind: 'responses', orgId });
    assert.equal(again.created, 0);
    assert.equal(again.duplicates, 2);
    assert.deepEqual(await countRows(env().store, orgId), before);
  });

  it("imported records fire the org's rules like API records (a detractor opens a case)", async () => {
    const { key, orgId } = await env().newOrg();
    const rule = await env().api('POST', '/api/v1/rules', key, {
      name: 'Detractor',
      condition: { type: 'nps', max: 6 },
      actions: [{ type: 'open_case', priority: 'high' }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    const csv = file(
      'detractor.csv',
      'customer_email,submitted_at,touchpoint,nps,comment\nangry@x.io,2026-03-01T10:00:00Z,delivery,2,Late again\nhappy@x.io,2026-03-01T10:00:00Z,delivery,10,\n',
    );
    const s = await importFile(env().store, { file: csv, kind: 'responses', orgId, rules: new RulesEngine() });
    assert.equal(s.created, 2);
    const cases = await env().api('GET', '/api/v1/cases', key);
    assert.equal(cases.status, 200, JSON.stringify(cases.body));
    assert.equal(cases.body.items.length, 1, JSON.stringify(cases.body));
  });

  it('imports JSON Lines; a malformed line is rejected, the rest written; an unknown CSV column stops before writing', async () => {
    const { orgId } = await env().newOrg();
    const jsonl = file(
      'events.jsonl',
      [
        JSON.stringify({
          customer_external_id: 'u1',
          type: 'purchase',
          value: 12.5,
          currency: 'EUR',
          occurred_at: '2026-01-01T00:00:00Z',
        }),
        '{"customer_external_id": "u2", "type": ',
        JSON.stringify({ customer_external_id: 'u2', type: 'teleport', occurred_at: '2026-01-01T00:00:00Z' }),
        JSON.stringify([1, 2]),
        JSON.stringify({ customer_external_id: 'u2', type: 'email_open', occurred_at: '2026-01-02T00:00:00Z' }),
      ].join('\n'),
    );
    const s = await importFile(env().store, { file: jsonl, kind: 'events', orgId });
    assert.equal(s.created, 2);
    assert.equal(s.rejected, 3);
    const rejects = readFileSync(s.rejectFile!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      rejects.map((r) => r.line),
      [2, 3, 4],
    );
    assert.match(rejects[0].errors[0].reason, /not valid JSON/);

    const before = await countRows(env().store, orgId);
    const bad = file('bad-header.csv', 'customer_email,type,occurred_at,colour\na@x.io,page_view,2026-01-01,red\n');
    const b = await importFile(env().store, { file: bad, kind: 'events', orgId });
    assert.match(b.fatal ?? '', /unknown column\(s\): colour/);
    assert.deepEqual(await countRows(env().store, orgId), before);
  });

  it('exports re-import into another org as the same records (JSONL and CSV round trips)', async () => {
    const a = await env().newOrg();
    const b = await env().newOrg();
    const c = await env().newOrg();
    const rec = (i: number) => ({
      customer_email: `p${i % 4}@x.io`,
      customer_external_id: `crm-${i % 4}`,
      submitted_at: `2026-02-0${1 + (i % 9)}T10:00:00Z`,
      touchpoint: 'delivery',
      answers: [
        { field: 'nps', type: 'nps', value: i % 11 },
        { field: 'why', type: 'text', value: `reason ${i}, with "quotes"` },
      ],
    });
    const r = await env().api(
      'POST',
      '/api/v1/responses',
      a.key,
      Array.from({ length: 30 }, (_, i) => rec(i)),
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const [format, target] of [
      ['jsonl', b],
      ['csv', c],
    ] as const) {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (d) => chunks.push(d));
      const n = await exportRecords(env().store, { kind: 'responses', orgId: a.orgId, format, out });
      assert.equal(n, 30);
      const path = file(`export.${format}`, Buffer.concat(chunks).toString('utf8'));
      const s = await importFile(env().store, { file: path, kind: 'responses', orgId: target.orgId });
      assert.equal(s.created, 30, `${format}: ${JSON.stringify(s)}`);
      assert.equal(s.rejected, 0);
      const counts = await countRows(env().store, target.orgId);
      assert.equal(counts.customers, 4);
      assert.equal(counts.answers, 60);
      const nps = await env()
        .store.db.selectFrom('answers')
        .select((eb) => eb.fn.sum<number>('value_num').as('s'))
        .where('org_id', '=', target.orgId)
        .where('type', '=', 'nps')
        .executeTakeFirstOrThrow();
      assert.equal(
        Number(nps.s),
        Array.from({ length: 30 }, (_, i) => i % 11).reduce((x, y) => x + y, 0),
      );
    }
  });
});

eachStore('import encodings', (env) => {
  it('a file that is not UTF-8 (Latin-1) is refused whole with the line, before anything is written', async () => {
    const { orgId } = await env().newOrg();
    const before = await countRows(env().store, orgId);
    const csv = file(
      'latin1.csv',
      Buffer.concat([Buffer.from('customer_email,name\nok@x.io,Fine\nbad@x.io,Caf'), Buffer.from([0xe9, 0x0a])]),
    );
    const s = await importFile(env().store, { file: csv, kind: 'customers', orgId });
    assert.match(s.fatal ?? '', /^line 3 is not valid UTF-8/);
    assert.equal(s.rows, 0);
    const jsonl = file(
      'latin1.jsonl',
      Buffer.concat([
        Buffer.from('{"customer_email":"ok@x.io","name":"Fine"}\n{"customer_email":"b@x.io","name":"Caf'),
        Buffer.from([0xe9]),
        Buffer.from('"}\n'),
      ]),
    );
    const j = await importFile(env().store, { file: jsonl, kind: 'customers', orgId });
    assert.match(j.fatal ?? '', /^line 2 is not valid UTF-8/);
    assert.deepEqual(await countRows(env().store, orgId), before, 'nothing was written');
  });

  it('a missing file, a folder, or a reject file in a folder that does not exist: refused before anything is written', async () => {
    const { orgId } = await env().newOrg();
    const before = await countRows(env().store, orgId);
    const csv = file('one-bad.csv', 'customer_email,name\nok@x.io,Ok\nbad@x.io,a\u0000b\n');
    const missing = await importFile(env().store, { file: join(dir, 'missing.csv'), kind: 'customers', orgId });
    assert.match(missing.fatal ?? '', /^cannot read .*missing\.csv: ENOENT/);
    const folder = await importFile(env().store, { file: dir, kind: 'customers', orgId });
    assert.match(folder.fatal ?? '', /is not a file; nothing was written$/);
    const rejects = join(dir, 'no', 'such', 'rejects.jsonl');
    const r = await importFile(env().store, { file: csv, kind: 'customers', orgId, rejectFile: rejects });
    assert.match(r.fatal ?? '', /^cannot write the reject file .*: its folder does not exist or is not writable/);
    assert.deepEqual(await countRows(env().store, orgId), before, 'nothing was written');
  });

  it('UTF-8 letters split across read chunks and a UTF-8 byte-order mark import as they are', async () => {
    const { orgId } = await env().newOrg();
    const rows = Array.from({ length: 3000 }, (_, i) => `c${i}@x.io,Zoë Ærø 😀 ${'é'.repeat(i % 7)}`);
    const csv = file('utf8.csv', `\ufeffcustomer_email,name\n${rows.join('\n')}\n`);
    const s = await importFile(env().store, { file: csv, kind: 'customers', orgId });
    assert.equal(s.fatal, null);
    assert.equal(s.created, 3000, JSON.stringify(s));
  });
});

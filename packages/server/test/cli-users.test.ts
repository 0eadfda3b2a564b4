import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, verifyPassword } from '@canopy/store';

/**
 * Starting for real, without the demo: `canopy orgs create` makes an organisation someone can
 * sign in to, and `canopy users …` manages its people — on the embedded store, as a new admin would.
 */
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'canopy-cli-users-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function canopy(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, CANOPY_DATA_DIR: dir, DATABASE_URL: '', CANOPY_PASSWORD: '', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('canopy orgs create / users', () => {
  it('creates an organisation with departments, an owner who can sign in and an API key', async () => {
    const bad = canopy(['orgs', 'create', '--slug', 'Acme Inc', '--name', 'Acme', '--email', 'ceo@acme.test'], {
      CANOPY_PASSWORD: 'a long enough secret',
    });
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, /--slug must be a short name of lower-case letters/);
    const r = canopy(['orgs', 'create', '--slug', 'acme', '--name', 'Acme', '--email', 'CEO@acme.test'], {
      CANOPY_PASSWORD: 'a long enough secret',
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /organisation 'acme' \(Acme\) created\n {2}owner: ceo@acme\.test\n {2}API key: cnp_/);
    const again = canopy(['orgs', 'create', '--slug', 'acme', '--name', 'Acme', '--email', 'x@acme.test']);
    assert.equal(again.code, 2);
    assert.match(again.err, /already exists/);

    const gen = canopy([
      'users',
      'add',
      '--org',
      'acme',
      '--email',
      'lee@acme.test',
      '--role',
      'department_owner',
      '--department',
      'billing',
    ]);
    assert.equal(gen.code, 0, gen.err);
    const generated = /password: (\S+)/.exec(gen.out)?.[1];
    assert.ok(generated && generated.length >= 16, gen.out);
    assert.match(
      canopy(['users', 'add', '--email', 'x@acme.test', '--role', 'boss']).err,
      /--role must be one of owner, admin/,
    );
    assert.match(
      canopy(['users', 'add', '--email', 'x@acme.test', '--role', 'agent', '--department', 'nope']).err,
      /no department 'nope'/,
    );
    assert.match(canopy(['users', 'add', '--email', 'lee@acme.test', '--role', 'agent']).err, /already exists/);
    assert.match(
      canopy(['users', 'add', '--email', 'y@acme.test', '--role', 'viewer'], { CANOPY_PASSWORD: 'short' }).err,
      /at least 10/,
    );

    const list = canopy(['users', 'list']);
    assert.equal(list.out, 'ceo@acme.test\towner\t-\tceo\nlee@acme.test\tdepartment_owner\tbilling\tlee\n');
    const reset = canopy(['users', 'password', '--email', 'lee@acme.test'], { CANOPY_PASSWORD: 'brand new secret!' });
    assert.equal(reset.code, 0, reset.err);

    const store = await openStore({ dataDir: dir });
    try {
      const users = await store.db
        .selectFrom('users')
        .select(['email', 'password_hash'])
        .orderBy('created_at')
        .execute();
      assert.equal(await verifyPassword('a long enough secret', users[0]!.password_hash), true);
      assert.equal(await verifyPassword('brand new secret!', users[1]!.password_hash), true);
      assert.equal(await verifyPassword(generated!, users[1]!.password_hash), false);
      const deps = await store.db.selectFrom('departments').select('key').orderBy('key').execute();
      assert.deepEqual(
        deps.map((d) => d.key),
        ['billing', 'delivery', 'marketing', 'product', 'sales', 'service'],
      );
    } finally {
      await store.close();
    }
  });
});

describe('canopy import / export: paths that cannot be read or written', () => {
  it('a missing file, a folder, an unwritable reject file or --out, and --from after --to are refused by name; nothing is written', () => {
    const made = canopy(['orgs', 'create', '--slug', 'paths', '--name', 'Paths', '--email', 'p@paths.test']);
    assert.equal(made.code, 0, made.err);
    const csv = join(dir, 'customers.csv');
    writeFileSync(csv, 'customer_email,name\nok@paths.test,Ok\nbad@paths.test,a\u0000b\n');
    const cases: [string[], RegExp][] = [
      [['import', join(dir, 'missing.csv')], /stopped: cannot read .*missing\.csv: ENOENT/],
      [['import', dir], /stopped: .* is not a file; nothing was written/],
      [['import', csv, '--rejects', join(dir, 'no', 'such', 'r.jsonl')], /stopped: cannot write the reject file/],
      [['export', '--out', join(dir, 'no', 'such', 'x.jsonl')], /canopy: cannot write --out .*ENOENT/],
      [['export', '--from', '2026-03-01', '--to', '2026-01-01'], /canopy: --from must be before --to/],
    ];
    for (const [args, message] of cases) {
      const r = canopy([...args, '--kind', 'customers', '--org', 'paths']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}${r.err}`);
      assert.match(r.err, message);
    }
    const out = canopy(['export', '--kind', 'customers', '--org', 'paths']);
    assert.equal(out.code, 0, out.err);
    assert.equal(out.out, '', 'nothing was written');
  });
});

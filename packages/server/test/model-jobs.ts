import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the outside-model tests share: waiting for the jobs a commit queued, and the `canopy` CLI. */

/** Polls `probe` until `done` holds (the model's jobs run after the commit), for at most 20 s. */
export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > until) assert.fail(`not done in 20 s: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/**
 * The `canopy` CLI on an embedded store in `dataDir`, with no model configured unless `env` sets
 * one: returns exit code and output of each call.
 */
export function canopyCli(dataDir: string) {
  return (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        CANOPY_DATA_DIR: dataDir,
        DATABASE_URL: '',
        CANOPY_SENTIMENT_MODEL: '',
        CANOPY_ASPECT_MODEL: '',
        CANOPY_TOPIC_MODEL: '',
        ...env,
      },
      encoding: 'utf8',
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
}

/**
 * Creates the org `acme` and imports `rows` (CSV lines after the header
 * customer_email,kind,text,opened_at) as interactions, with the model settings in `env`.
 */
export function importTickets(
  canopy: ReturnType<typeof canopyCli>,
  dir: string,
  rows: string[],
  env: Record<string, string>,
): void {
  const org = canopy(['orgs', 'create', '--slug', 'acme', '--name', 'Acme', '--email', 'owner@acme.test'], {
    CANOPY_PASSWORD: 'a long enough secret',
  });
  assert.equal(org.code, 0, org.err);
  const csv = join(dir, 'tickets.csv');
  writeFileSync(csv, `customer_email,kind,text,opened_at\n${rows.join('\n')}\n`);
  const imp = canopy(['import', csv, '--kind', 'interactions', '--org', 'acme'], env);
  assert.equal(imp.code, 0, imp.err + imp.out);
}

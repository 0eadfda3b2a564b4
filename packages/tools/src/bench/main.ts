#!/usr/bin/env node
// `npm run bench -- <name> [--quick] [--runs N]`: runs one benchmark (or `all`).
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench } from './report.js';
import { writeResult } from './report.js';

// Every module in this folder other than main/report is a benchmark named after its file.
const here = dirname(fileURLToPath(import.meta.url));
const BENCHES: Record<string, () => Promise<{ run: Bench }>> = Object.fromEntries(
  readdirSync(here)
    .filter((f) => f.endsWith('.js') && !['main.js', 'report.js'].includes(f))
    .map((f) => [f.slice(0, -3), () => import(`./${f}`) as Promise<{ run: Bench }>]),
);

async function main() {
  const argv = process.argv.slice(2);
  const name = argv.find((a) => !a.startsWith('-'));
  const quick = argv.includes('--quick');
  const runsIdx = argv.indexOf('--runs');
  const runs = runsIdx >= 0 ? Number(argv[runsIdx + 1]) : quick ? 3 : 5;
  if (!name || (name !== 'all' && !BENCHES[name])) {
    console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}|all> [--quick] [--runs N]`);
    process.exit(2);
  }
  const names = name === 'all' ? Object.keys(BENCHES) : [name];
  for (const n of names) {
    const mod = await BENCHES[n]();
    const result = await mod.run({ quick, runs, args: argv.filter((a) => a !== n) });
    writeResult(result);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

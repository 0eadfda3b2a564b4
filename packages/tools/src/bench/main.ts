#!/usr/bin/env node
// `npm run bench -- <name> [--quick] [--runs N]`: runs one benchmark (or `all`).
import type { Bench } from './report.js';
import { writeResult } from './report.js';

const BENCHES: Record<string, () => Promise<{ run: Bench }>> = {
  ingest: () => import('./ingest.js'),
  text: () => import('./text.js'),
};

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

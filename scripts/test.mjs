#!/usr/bin/env node
// Runs every compiled test file (packages/*/dist/test/**/*.test.js, packages/*/test-dist/**) with Node's test runner.
// `npm test -- store server` limits the run to those packages; TEST_DATABASE_URL adds the
// PostgreSQL variants of the store-backed tests (CI sets it; see .ci/run).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = [];
for (const pkg of readdirSync(join(root, 'packages')).sort()) {
  if (only.length && !only.includes(pkg)) continue;
  // dist/test: tsc -b's output; test-dist: tests compiled apart from a bundle that is served (web).
  for (const dir of [join(root, 'packages', pkg, 'dist', 'test'), join(root, 'packages', pkg, 'test-dist')])
    if (existsSync(dir)) walk(dir, files);
}
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const args = ['--enable-source-maps', '--test', '--test-concurrency=2', ...passThrough, ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env: process.env });
process.exit(r.status ?? 1);

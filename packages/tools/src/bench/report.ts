import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark convention (DEVELOPERS.md): every benchmark prints a table and writes
 * bench/results/<name>.json as {name, when, machine, figures, baselines, ratios}. Where a
 * baseline exists it is measured in the same run and the ratio (ours / baseline) is the figure.
 */
export interface BenchResult {
  name: string;
  figures: Record<string, number>;
  baselines: Record<string, number>;
  ratios: Record<string, number>;
  /** Free-form notes: units, sizes, settings used. */
  notes?: Record<string, string | number>;
}

export interface BenchOptions {
  quick: boolean;
  /** Repetitions to take the median of (benchmarks may ignore it where one long run is the figure). */
  runs: number;
  /** Extra CLI arguments after the benchmark name. */
  args: string[];
}

export type Bench = (opts: BenchOptions) => Promise<BenchResult>;

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../../..');

export function machine(): Record<string, string | number> {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx];
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString('en-US');
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(3);
}

export function writeResult(r: BenchResult): string {
  const out = {
    name: r.name,
    when: new Date().toISOString(),
    machine: machine(),
    figures: r.figures,
    baselines: r.baselines,
    ratios: r.ratios,
    notes: r.notes,
  };
  const file = join(repoRoot, 'bench', 'results', `${r.name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  const rows: [string, string, string][] = [];
  for (const [k, v] of Object.entries(r.figures)) rows.push(['figure', k, fmt(v)]);
  for (const [k, v] of Object.entries(r.baselines)) rows.push(['baseline', k, fmt(v)]);
  for (const [k, v] of Object.entries(r.ratios)) rows.push(['ratio', k, fmt(v)]);
  const w = Math.max(...rows.map((x) => x[1].length), 6);
  console.log(`\n${r.name}`);
  for (const [kind, k, v] of rows) console.log(`  ${kind.padEnd(9)} ${k.padEnd(w)}  ${v.padStart(14)}`);
  if (r.notes) for (const [k, v] of Object.entries(r.notes)) console.log(`  note      ${k}: ${v}`);
  console.log(`wrote ${file}`);
  return file;
}

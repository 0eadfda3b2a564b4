/**
 * Input helpers shared by the metric modules. Not re-exported from the package: they are
 * plumbing, and their generic names would crowd the package namespace.
 */

/** Keeps finite numbers only: null, undefined and NaN are "missing", never zero. */
export function finiteValues(values: Iterable<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  return out;
}

/** [value, count] pairs of a histogram, validated (counts must be non-negative and finite). */
export function histogramEntries(counts: Readonly<Record<number, number>>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [k, c] of Object.entries(counts)) {
    if (c === undefined || c === null) continue;
    const value = Number(k);
    if (!Number.isFinite(value)) continue; // array properties such as "length" never appear in entries, but be safe.
    assertCount(c, `count for ${k}`);
    if (c > 0) out.push([value, c]);
  }
  return out;
}

/** Throws on negative or non-finite counts: a bad aggregate must be loud, not a silent NaN. */
export function assertCount(x: number, name: string): void {
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${name} must be a non-negative finite number, got ${x}`);
}

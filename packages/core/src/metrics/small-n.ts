/**
 * Small-n flagging (DESIGN.md: "dashboards show n and flag cells under an anonymity/min-n
 * threshold"). These helpers only flag — they never drop or hide a cell; what to show is the
 * caller's decision (e.g. the API may blank anonymity-flagged agent cells).
 */

export interface SmallNOptions {
  /** Below this n a margin of error is unreliable (default 30). */
  minN?: number;
  /** Below this n a cell could identify respondents (default 5). */
  anonymityN?: number;
}

export type SmallNFlag = 'no_data' | 'below_anonymity' | 'below_min_n';

export interface SmallNResult {
  n: number;
  /** n = 0. */
  noData: boolean;
  /** 0 < n < anonymityN. */
  belowAnonymity: boolean;
  /** n < minN (includes the two above). */
  belowMinN: boolean;
  /** The flags that apply, most severe first; empty when the cell is fine. */
  flags: SmallNFlag[];
}

export const DEFAULT_MIN_N = 30;
export const DEFAULT_ANONYMITY_N = 5;

/** Flags one cell by its n. */
export function smallNFlags(n: number, opts: SmallNOptions = {}): SmallNResult {
  const minN = opts.minN ?? DEFAULT_MIN_N;
  const anonymityN = opts.anonymityN ?? DEFAULT_ANONYMITY_N;
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`n must be a non-negative number, got ${n}`);
  const noData = n === 0;
  const belowAnonymity = !noData && n < anonymityN;
  const belowMinN = n < minN;
  const flags: SmallNFlag[] = [];
  if (noData) flags.push('no_data');
  if (belowAnonymity) flags.push('below_anonymity');
  if (belowMinN) flags.push('below_min_n');
  return { n, noData, belowAnonymity, belowMinN, flags };
}

/** Adds `smallN` flags to every cell (cells are copied, never removed). */
export function flagSmallCells<T extends { n: number }>(
  cells: readonly T[],
  opts: SmallNOptions = {},
): Array<T & { smallN: SmallNResult }> {
  return cells.map((c) => ({ ...c, smallN: smallNFlags(c.n, opts) }));
}

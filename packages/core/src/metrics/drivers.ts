/**
 * Key driver analysis (DESIGN.md "Key drivers"): how much each driver (a touchpoint or topic
 * score) accounts for an outcome (NPS, retention …), with correlated drivers handled fairly.
 *
 * - `relativeWeights`: Johnson's (2000) relative weights — the main method; O(p³), any p.
 * - `shapleyR2`: exact Shapley decomposition of R² (a.k.a. dominance analysis' general
 *   dominance) — exponential in p, limited to 12 drivers; used to cross-check RW, which
 *   approximates it closely in practice.
 * - `importancePerformance`: the importance × performance quadrant and the "fix first" list.
 *
 * Data handling (both methods): rows missing the outcome or any driver are dropped (listwise
 * deletion; `nDropped` says how many); a driver with no variance gets weight 0 and
 * `constant: true`; fewer than p + 2 complete rows, a constant outcome, or perfectly collinear
 * drivers throw a `DriverAnalysisError` whose message says what to do.
 */

import { type ConfidenceInterval, quantileSorted, seededRng, tTwoSidedP } from './stats.js';

export interface DriverData {
  /** One record per respondent/customer. Missing values: null, undefined or NaN. */
  rows: ReadonlyArray<Readonly<Record<string, number | null | undefined>>>;
  /** Field name of the outcome (e.g. 'nps'). */
  outcome: string;
  /** Field names of the drivers. */
  drivers: readonly string[];
}

export type DriverErrorCode = 'no_drivers' | 'too_few_rows' | 'constant_outcome' | 'collinear' | 'too_many_drivers';

/** Thrown when the analysis cannot be done; `code` lets an API map it to a 422 with the reason. */
export class DriverAnalysisError extends Error {
  readonly code: DriverErrorCode;
  constructor(code: DriverErrorCode, message: string) {
    super(message);
    this.name = 'DriverAnalysisError';
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Linear algebra (small, dense, symmetric)
// ---------------------------------------------------------------------------------------------

export interface EigenDecomposition {
  /** Eigenvalues, descending. */
  values: number[];
  /** vectors[i][k]: component i of the k-th eigenvector (columns are eigenvectors, unit length). */
  vectors: number[][];
}

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations. Why Jacobi: for
 * the small correlation matrices here (p ≲ 50) it is short, unconditionally stable and gives
 * orthonormal eigenvectors to machine precision.
 */
export function jacobiEigenSymmetric(matrix: readonly (readonly number[])[], maxSweeps = 100): EigenDecomposition {
  const n = matrix.length;
  const a = matrix.map((r) => {
    if (r.length !== n) throw new RangeError('jacobiEigenSymmetric needs a square matrix');
    return r.slice();
  });
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let norm = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) norm += a[i][j] * a[i][j];
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off <= 1e-30 * norm || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q] (Numerical Recipes' convention, stable t).
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i]);
  return { values: order.map((i) => a[i][i]), vectors: v.map((row) => order.map((k) => row[k])) };
}

/** Solves the symmetric positive-definite system A x = b (Cholesky); null when A is singular. */
function choleskySolve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (s <= 1e-12) return null;
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Data preparation
// ---------------------------------------------------------------------------------------------

interface Prepared {
  drivers: string[];
  /** Indices (into drivers) of drivers with variance. */
  active: number[];
  constant: boolean[];
  /** Complete rows: x[row][driver] and y[row]. */
  x: number[][];
  y: number[];
  nDropped: number;
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function prepare(data: DriverData, maxDrivers = Number.POSITIVE_INFINITY): Prepared {
  const drivers = [...data.drivers];
  if (drivers.length === 0) throw new DriverAnalysisError('no_drivers', 'driver analysis needs at least one driver');
  if (new Set(drivers).size !== drivers.length)
    throw new DriverAnalysisError('no_drivers', 'driver names must be unique');
  if (drivers.includes(data.outcome))
    throw new DriverAnalysisError('no_drivers', `the outcome "${data.outcome}" cannot also be a driver`);
  const x: number[][] = [];
  const y: number[] = [];
  for (const r of data.rows) {
    const yv = r[data.outcome];
    if (!isNum(yv)) continue;
    const xs = drivers.map((d) => r[d]);
    if (!xs.every(isNum)) continue;
    x.push(xs as number[]);
    y.push(yv);
  }
  const nDropped = data.rows.length - y.length;
  const constant = drivers.map((_, j) => x.every((row) => row[j] === x[0][j]));
  const active = drivers.map((_, j) => j).filter((j) => !constant[j]);
  if (active.length > maxDrivers) {
    throw new DriverAnalysisError(
      'too_many_drivers',
      `exact Shapley decomposition is limited to ${maxDrivers} drivers (got ${active.length}); use relativeWeights`,
    );
  }
  const p = active.length;
  if (y.length < p + 2) {
    throw new DriverAnalysisError(
      'too_few_rows',
      `driver analysis needs at least p + 2 = ${p + 2} complete rows for ${p} varying driver(s); got ${y.length}` +
        (nDropped > 0 ? ` (${nDropped} row(s) dropped for missing values)` : '') +
        '. Widen the date range or use fewer drivers.',
    );
  }
  if (p === 0) {
    throw new DriverAnalysisError('no_drivers', 'every driver is constant in the data: there is nothing to attribute');
  }
  if (y.every((v) => v === y[0])) {
    throw new DriverAnalysisError(
      'constant_outcome',
      `the outcome "${data.outcome}" has no variance in the data: nothing to explain`,
    );
  }
  return { drivers, active, constant, x, y, nDropped };
}

/** Correlations among active drivers (rxx) and with the outcome (rxy) over the given row indices. */
function correlations(prep: Prepared, idx: ArrayLike<number>): { rxx: number[][]; rxy: number[] } | null {
  const p = prep.active.length;
  const n = idx.length;
  const cols = prep.active;
  const mean = new Array<number>(p + 1).fill(0);
  for (let i = 0; i < n; i++) {
    const r = idx[i];
    for (let j = 0; j < p; j++) mean[j] += prep.x[r][cols[j]];
    mean[p] += prep.y[r];
  }
  for (let j = 0; j <= p; j++) mean[j] /= n;
  const cov = Array.from({ length: p + 1 }, () => new Array<number>(p + 1).fill(0));
  const d = new Array<number>(p + 1);
  for (let i = 0; i < n; i++) {
    const r = idx[i];
    for (let j = 0; j < p; j++) d[j] = prep.x[r][cols[j]] - mean[j];
    d[p] = prep.y[r] - mean[p];
    for (let j = 0; j <= p; j++) for (let k = j; k <= p; k++) cov[j][k] += d[j] * d[k];
  }
  const sd = cov.map((row, j) => Math.sqrt(row[j]));
  if (sd.some((s) => !(s > 0))) return null; // a bootstrap resample can make a column constant
  const rxx = Array.from({ length: p }, (_, j) =>
    Array.from({ length: p }, (_, k) => (j === k ? 1 : cov[Math.min(j, k)][Math.max(j, k)] / (sd[j] * sd[k]))),
  );
  const rxy = Array.from({ length: p }, (_, j) => cov[j][p] / (sd[j] * sd[p]));
  return { rxx, rxy };
}

// ---------------------------------------------------------------------------------------------
// Johnson's relative weights
// ---------------------------------------------------------------------------------------------

interface RwCore {
  r2: number;
  raw: number[];
  /** Standardised OLS coefficients b = Rxx⁻¹ rxy. */
  beta: number[];
  /** Diagonal of Rxx⁻¹ (for coefficient standard errors). */
  invDiag: number[];
}

/** Smallest eigenvalue (relative) below which drivers count as perfectly collinear. */
const COLLINEAR_EPS = 1e-10;

function rwCore(rxx: number[][], rxy: number[], names?: string[]): RwCore | null {
  const p = rxy.length;
  const { values, vectors } = jacobiEigenSymmetric(rxx);
  if (values[p - 1] < COLLINEAR_EPS * Math.max(1, values[0])) {
    if (!names) return null;
    // Name the drivers that load on the null direction.
    const k = p - 1;
    const involved = names.filter((_, j) => Math.abs(vectors[j][k]) > 0.1);
    throw new DriverAnalysisError(
      'collinear',
      `drivers are perfectly collinear (${involved.join(', ')}): one is a linear combination of the others (or the correlation matrix is not positive definite); drop or merge one`,
    );
  }
  const sqrtE = values.map((e) => Math.sqrt(e));
  // Λ = V·sqrt(E)·Vᵀ: the correlations between the drivers X and their closest orthonormal
  // counterparts Z (Johnson 2000). Λ⁻¹ = V·E^(−½)·Vᵀ.
  const lambda: number[][] = [];
  const lambdaInv: number[][] = [];
  const rxxInvDiag = new Array<number>(p).fill(0);
  for (let i = 0; i < p; i++) {
    lambda.push(new Array<number>(p).fill(0));
    lambdaInv.push(new Array<number>(p).fill(0));
    for (let j = 0; j < p; j++) {
      let s = 0;
      let si = 0;
      for (let k = 0; k < p; k++) {
        const vv = vectors[i][k] * vectors[j][k];
        s += vv * sqrtE[k];
        si += vv / sqrtE[k];
      }
      lambda[i][j] = s;
      lambdaInv[i][j] = si;
    }
    for (let k = 0; k < p; k++) rxxInvDiag[i] += (vectors[i][k] * vectors[i][k]) / values[k];
  }
  // Regress y on Z: Z is orthonormal, so its coefficients are its correlations with y, β = Λ⁻¹·rxy.
  const betaZ = lambdaInv.map((row) => row.reduce((s, v, j) => s + v * rxy[j], 0));
  // ε_j = Σ_k λ_jk² β_k²: the part of each Z's explained variance that goes back to X_j.
  const raw = lambda.map((row) => row.reduce((s, l, k) => s + l * l * betaZ[k] * betaZ[k], 0));
  const r2 = betaZ.reduce((s, b) => s + b * b, 0);
  // Standardised OLS coefficients b = Rxx⁻¹·rxy = Λ⁻¹·β.
  const beta = lambdaInv.map((row) => row.reduce((s, v, k) => s + v * betaZ[k], 0));
  return { r2, raw, beta, invDiag: rxxInvDiag };
}

export interface DriverWeight {
  driver: string;
  /** ε_j: the share of the outcome's variance attributed to this driver (the ε sum to R²). */
  rawWeight: number;
  /** rawWeight / R² × 100: the driver's share of the explained variance (sums to 100). */
  percent: number;
  /** Sign of the driver's zero-order correlation with the outcome (0 for constant drivers). */
  sign: -1 | 0 | 1;
  /** sign × percent, for charts that show negative drivers to the left. */
  signedPercent: number;
  /** Zero-order correlation with the outcome; null for constant drivers. */
  correlation: number | null;
  /**
   * Standardised OLS coefficient. A sign opposite to `correlation` marks a suppressor effect:
   * read the weight with care.
   */
  beta: number | null;
  /**
   * Significance indicator: two-sided p-value of the OLS coefficient (t with n − p − 1 df,
   * SE² = (1 − R²)/(n − p − 1) · (Rxx⁻¹)_jj). Why this one: exact under the usual regression
   * assumptions and free to compute. Caveat: with strongly correlated drivers a large weight can
   * come with a large p-value — the data cannot separate the driver from its correlates; the
   * bootstrap `ci` then shows how unstable the weight is.
   */
  pValue: number | null;
  /** pValue < alpha. */
  significant: boolean;
  /** Bootstrap percentile interval of rawWeight (only when `bootstrap` > 0). */
  ci: ConfidenceInterval | null;
  /** 1-based rank by rawWeight (ties share the better rank); constant drivers rank last. */
  rank: number;
  /** True when the driver had no variance: weight 0, excluded from the model. */
  constant: boolean;
}

export interface RelativeWeightsResult {
  /** R² of the outcome regressed on all varying drivers. */
  r2: number;
  /** Complete rows used. */
  n: number;
  /** Rows dropped for a missing outcome or driver (listwise deletion). */
  nDropped: number;
  /** In input order. */
  drivers: DriverWeight[];
  /** Driver names by rawWeight, descending. */
  ranking: string[];
  alpha: number;
  bootstrap: { resamples: number; used: number; seed: number; confidence: number } | null;
}

export interface RelativeWeightsOptions {
  /** Significance level for `significant` (default 0.05). */
  alpha?: number;
  /** Bootstrap resamples for the weights' intervals (default 0 = none; 500–1000 is typical). */
  bootstrap?: number;
  /** RNG seed for the bootstrap (default 1): same data + same seed → same interval. */
  seed?: number;
  /** Interval level for the bootstrap (default 0.95). */
  confidence?: number;
}

/**
 * Johnson's relative weights. Steps: correlation matrix Rxx of the drivers and rxy with the
 * outcome; eigen-decomposition Rxx = V·E·Vᵀ (Jacobi); Λ = V·√E·Vᵀ; β = Λ⁻¹·rxy (the outcome
 * regressed on the orthogonal Z); ε_j = Σ_k Λ_jk²·β_k², which sum to R². Weights are then
 * normalised to 100% and signed by each driver's zero-order correlation.
 */
export function relativeWeights(data: DriverData, opts: RelativeWeightsOptions = {}): RelativeWeightsResult {
  const prep = prepare(data);
  const n = prep.y.length;
  const corr = correlations(
    prep,
    Array.from({ length: n }, (_, i) => i),
  );
  if (!corr) throw new DriverAnalysisError('constant_outcome', 'the outcome has no variance in the data');
  const names = prep.active.map((j) => prep.drivers[j]);
  const core = rwCore(corr.rxx, corr.rxy, names) as RwCore;

  // Bootstrap: resample rows with replacement, recompute the raw weights.
  const B = Math.max(0, Math.floor(opts.bootstrap ?? 0));
  const seed = opts.seed ?? 1;
  const confidence = opts.confidence ?? 0.95;
  let intervals: (ConfidenceInterval | null)[] = prep.active.map(() => null);
  let used = 0;
  if (B > 0) {
    const rng = seededRng(seed);
    const samples: number[][] = prep.active.map(() => []);
    const idx = new Int32Array(n);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
      const c = correlations(prep, idx);
      if (!c) continue; // a resample where some column is constant is skipped (see `used`)
      const r = rwCore(c.rxx, c.rxy);
      if (!r) continue;
      used++;
      r.raw.forEach((w, j) => {
        samples[j].push(w);
      });
    }
    if (used > 0) {
      const lo = (1 - confidence) / 2;
      intervals = samples.map((s) => {
        s.sort((u, v) => u - v);
        return { lower: quantileSorted(s, lo), upper: quantileSorted(s, 1 - lo) };
      });
    }
  }
  return {
    ...buildWeights(prep.drivers, prep.constant, prep.active, core, corr.rxy, n, opts.alpha ?? 0.05, intervals),
    nDropped: prep.nDropped,
    bootstrap: B > 0 ? { resamples: B, used, seed, confidence } : null,
  };
}

/** Correlations computed elsewhere (e.g. SQL `corr()` aggregates over complete rows). */
export interface CorrelationInput {
  drivers: readonly string[];
  /** p × p correlation matrix of the drivers (symmetric, unit diagonal). */
  rxx: readonly (readonly number[])[];
  /** Correlation of each driver with the outcome. */
  rxy: readonly number[];
  /** Number of complete rows the correlations come from (for p-values). */
  n: number;
}

function checkCorrelationInput(c: CorrelationInput): void {
  const p = c.drivers.length;
  if (p === 0) throw new DriverAnalysisError('no_drivers', 'driver analysis needs at least one driver');
  if (c.rxy.length !== p || c.rxx.length !== p || c.rxx.some((r) => r.length !== p)) {
    throw new RangeError(`rxx must be ${p}×${p} and rxy length ${p}`);
  }
  const ok = (v: number) => Number.isFinite(v) && Math.abs(v) <= 1 + 1e-9;
  if (!c.rxy.every(ok) || !c.rxx.every((r) => r.every(ok))) {
    throw new RangeError('correlations must be finite and within −1..1 (a NaN usually means a constant column)');
  }
  if (c.n < p + 2) {
    throw new DriverAnalysisError(
      'too_few_rows',
      `driver analysis needs at least p + 2 = ${p + 2} rows for ${p} driver(s); got ${c.n}`,
    );
  }
}

/** Johnson's relative weights from a correlation matrix (no bootstrap: the rows are not at hand). */
export function relativeWeightsFromCorrelations(
  input: CorrelationInput,
  opts: { alpha?: number } = {},
): RelativeWeightsResult {
  checkCorrelationInput(input);
  const names = [...input.drivers];
  const rxx = input.rxx.map((r) => [...r]);
  const rxy = [...input.rxy];
  const core = rwCore(rxx, rxy, names) as RwCore;
  const active = names.map((_, j) => j);
  return {
    ...buildWeights(
      names,
      names.map(() => false),
      active,
      core,
      rxy,
      input.n,
      opts.alpha ?? 0.05,
      active.map(() => null),
    ),
    nDropped: 0,
    bootstrap: null,
  };
}

function buildWeights(
  drivers: string[],
  constant: boolean[],
  active: number[],
  core: RwCore,
  rxy: number[],
  n: number,
  alpha: number,
  intervals: (ConfidenceInterval | null)[],
): Omit<RelativeWeightsResult, 'nDropped' | 'bootstrap'> {
  const dfResid = n - active.length - 1;
  const weights: DriverWeight[] = drivers.map((driver, j) => ({
    driver,
    rawWeight: 0,
    percent: 0,
    sign: 0,
    signedPercent: 0,
    correlation: null,
    beta: null,
    pValue: null,
    significant: false,
    ci: null,
    rank: 0,
    constant: constant[j],
  }));
  active.forEach((j, a) => {
    const w = weights[j];
    w.rawWeight = core.raw[a];
    w.percent = core.r2 > 0 ? (100 * core.raw[a]) / core.r2 : 0;
    w.correlation = rxy[a];
    w.sign = rxy[a] > 0 ? 1 : rxy[a] < 0 ? -1 : 0;
    w.signedPercent = w.sign * w.percent;
    w.beta = core.beta[a];
    const se = Math.sqrt((Math.max(0, 1 - core.r2) / dfResid) * core.invDiag[a]);
    w.pValue = se > 0 ? tTwoSidedP(core.beta[a] / se, dfResid) : core.beta[a] === 0 ? 1 : 0;
    w.significant = w.pValue < alpha;
    w.ci = intervals[a];
  });
  const ranking = rankDrivers(weights, (w) => w.rawWeight);
  return { r2: core.r2, n, drivers: weights, ranking, alpha };
}

/** Sets `rank` (ties share the better rank; constant drivers last) and returns names in rank order. */
function rankDrivers<T extends { driver: string; rank: number; constant: boolean }>(
  items: T[],
  value: (t: T) => number,
): string[] {
  const sorted = [...items].sort((a, b) => Number(a.constant) - Number(b.constant) || value(b) - value(a));
  sorted.forEach((t, i) => {
    const prev = sorted[i - 1];
    t.rank = i > 0 && prev.constant === t.constant && Math.abs(value(prev) - value(t)) < 1e-12 ? prev.rank : i + 1;
  });
  return sorted.map((t) => t.driver);
}

// ---------------------------------------------------------------------------------------------
// Exact Shapley decomposition of R²
// ---------------------------------------------------------------------------------------------

export interface ShapleyDriver {
  driver: string;
  /** The driver's Shapley value: its average marginal R² over all orders of entry (sum = R²). */
  value: number;
  /** value / R² × 100. */
  percent: number;
  rank: number;
  constant: boolean;
}

export interface ShapleyResult {
  r2: number;
  n: number;
  nDropped: number;
  drivers: ShapleyDriver[];
  ranking: string[];
}

/** Largest number of varying drivers for the exact Shapley decomposition (2^12 = 4096 subset models). */
export const SHAPLEY_MAX_DRIVERS = 12;

/**
 * Exact Shapley decomposition of R²: φ_j = Σ_{S ⊆ P∖{j}} |S|!(p − |S| − 1)!/p! · (R²(S ∪ {j}) − R²(S)),
 * with every subset's R² from the correlation matrix (R²(S) = r_Sᵀ R_SS⁻¹ r_S).
 */
export function shapleyR2(data: DriverData): ShapleyResult {
  const prep = prepare(data, SHAPLEY_MAX_DRIVERS);
  const n = prep.y.length;
  const corr = correlations(
    prep,
    Array.from({ length: n }, (_, i) => i),
  );
  if (!corr) throw new DriverAnalysisError('constant_outcome', 'the outcome has no variance in the data');
  const names = prep.active.map((j) => prep.drivers[j]);
  const { r2, phi } = shapleyCore(corr.rxx, corr.rxy, names);
  const drivers: ShapleyDriver[] = prep.drivers.map((driver, j) => ({
    driver,
    value: 0,
    percent: 0,
    rank: 0,
    constant: prep.constant[j],
  }));
  prep.active.forEach((j, a) => {
    drivers[j].value = phi[a];
    drivers[j].percent = r2 > 0 ? (100 * phi[a]) / r2 : 0;
  });
  const ranking = rankDrivers(drivers, (d) => d.value);
  return { r2, n, nDropped: prep.nDropped, drivers, ranking };
}

/** Exact Shapley decomposition of R² from a correlation matrix. */
export function shapleyR2FromCorrelations(input: CorrelationInput): ShapleyResult {
  checkCorrelationInput(input);
  const names = [...input.drivers];
  if (names.length > SHAPLEY_MAX_DRIVERS) {
    throw new DriverAnalysisError(
      'too_many_drivers',
      `exact Shapley decomposition is limited to ${SHAPLEY_MAX_DRIVERS} drivers (got ${names.length}); use relativeWeights`,
    );
  }
  const { r2, phi } = shapleyCore(
    input.rxx.map((r) => [...r]),
    [...input.rxy],
    names,
  );
  const drivers: ShapleyDriver[] = names.map((driver, j) => ({
    driver,
    value: phi[j],
    percent: r2 > 0 ? (100 * phi[j]) / r2 : 0,
    rank: 0,
    constant: false,
  }));
  const ranking = rankDrivers(drivers, (d) => d.value);
  return { r2, n: input.n, nDropped: 0, drivers, ranking };
}

function shapleyCore(rxx: number[][], rxy: number[], names: string[]): { r2: number; phi: number[] } {
  const p = rxy.length;
  // Collinearity check with a clear message (reuses the RW eigen check).
  rwCore(rxx, rxy, names);
  const size = 1 << p;
  const r2 = new Float64Array(size);
  for (let mask = 1; mask < size; mask++) {
    const members: number[] = [];
    for (let j = 0; j < p; j++) if (mask & (1 << j)) members.push(j);
    const a = members.map((i) => members.map((k) => rxx[i][k]));
    const b = members.map((i) => rxy[i]);
    const sol = choleskySolve(a, b);
    // Every principal submatrix of a positive-definite matrix is positive definite, so the
    // fallback (reuse a smaller subset's R²) only guards against rounding at the edge.
    r2[mask] = sol ? sol.reduce((s, v, i) => s + v * b[i], 0) : r2[mask & (mask - 1)];
  }
  // Shapley weights by subset size s: s!(p − s − 1)!/p!.
  const fact = [1];
  for (let i = 1; i <= p; i++) fact.push(fact[i - 1] * i);
  const w = Array.from({ length: p }, (_, s) => (fact[s] * fact[p - s - 1]) / fact[p]);
  const phi = new Array<number>(p).fill(0);
  for (let mask = 0; mask < size; mask++) {
    let s = 0;
    for (let m = mask; m; m &= m - 1) s++;
    for (let j = 0; j < p; j++) {
      const bit = 1 << j;
      if (mask & bit) continue;
      phi[j] += w[s] * (r2[mask | bit] - r2[mask]);
    }
  }
  return { r2: r2[size - 1], phi };
}

// ---------------------------------------------------------------------------------------------
// Importance × performance
// ---------------------------------------------------------------------------------------------

export type IpaQuadrant = 'fix_first' | 'maintain' | 'nice_to_have' | 'low_priority';

/** Human labels for the quadrants. */
export const QUADRANT_LABELS: Readonly<Record<IpaQuadrant, string>> = {
  fix_first: 'Key driver — fix first (high importance, low performance)',
  maintain: 'Strength — maintain (high importance, high performance)',
  nice_to_have: 'Nice to have — avoid over-investing (low importance, high performance)',
  low_priority: 'Low priority (low importance, low performance)',
};

export interface IpaItemInput {
  key: string;
  label?: string;
  /** Importance, e.g. relative-weight percent (its magnitude is used). */
  importance: number;
  /** Current performance on 0–100 (e.g. mean score rescaled, or top-2-box %); null = unknown. */
  performance: number | null;
  /**
   * Whether more of the driver moves the outcome the bad way (for NPS: lowers it; for churn:
   * raises it). `false`: the driver helps, so it is never "fix first" — an important one is a
   * strength to maintain. Unset: the direction is not considered.
   */
  harmful?: boolean;
}

export interface IpaItem extends IpaItemInput {
  /** null when performance is unknown. */
  quadrant: IpaQuadrant | null;
  highImportance: boolean;
  highPerformance: boolean | null;
}

export interface IpaResult {
  /** Split points; "high" means ≥ the split. */
  importanceSplit: number | null;
  performanceSplit: number | null;
  split: 'median' | 'mean' | 'fixed';
  items: IpaItem[];
  /** fix_first items, most important first (ties: lower performance first). */
  fixFirst: IpaItem[];
}

function centre(xs: number[], how: 'median' | 'mean'): number | null {
  if (xs.length === 0) return null;
  if (how === 'mean') return xs.reduce((s, x) => s + x, 0) / xs.length;
  return quantileSorted(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/**
 * Importance × performance quadrant. Splits at the median of the items (default; robust to one
 * dominant driver) or the mean, or at fixed `importanceSplit` / `performanceSplit` values when
 * given. An item at the split counts as high. Items with unknown performance get no quadrant.
 * An item marked `harmful: false` (its effect on the outcome is a good one) is never fix first:
 * high importance makes it `maintain`.
 */
export function importancePerformance(
  items: readonly IpaItemInput[],
  opts: { split?: 'median' | 'mean'; importanceSplit?: number; performanceSplit?: number } = {},
): IpaResult {
  const how = opts.split ?? 'median';
  const known = items.filter((i) => isNum(i.performance));
  const imp = (i: IpaItemInput) => Math.abs(i.importance);
  const importanceSplit = opts.importanceSplit ?? centre(known.map(imp), how);
  const performanceSplit =
    opts.performanceSplit ??
    centre(
      known.map((i) => i.performance as number),
      how,
    );
  const out: IpaItem[] = items.map((i) => {
    const highImportance = importanceSplit !== null && imp(i) >= importanceSplit;
    if (!isNum(i.performance) || performanceSplit === null) {
      return { ...i, quadrant: null, highImportance, highPerformance: null };
    }
    const highPerformance = i.performance >= performanceSplit;
    const quadrant: IpaQuadrant = highImportance
      ? highPerformance || i.harmful === false
        ? 'maintain'
        : 'fix_first'
      : highPerformance
        ? 'nice_to_have'
        : 'low_priority';
    return { ...i, quadrant, highImportance, highPerformance };
  });
  const fixFirst = out
    .filter((i) => i.quadrant === 'fix_first')
    .sort((a, b) => imp(b) - imp(a) || (a.performance as number) - (b.performance as number));
  const split = opts.importanceSplit !== undefined || opts.performanceSplit !== undefined ? 'fixed' : how;
  return { importanceSplit, performanceSplit, split, items: out, fixFirst };
}

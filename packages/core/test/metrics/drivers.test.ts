import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DriverAnalysisError,
  importancePerformance,
  jacobiEigenSymmetric,
  normalRng,
  relativeWeights,
  relativeWeightsFromCorrelations,
  seededRng,
  shapleyR2,
  shapleyR2FromCorrelations,
} from '../../src/metrics/index.js';

const close = (actual: number | null | undefined, expected: number, tol: number, msg?: string) => {
  assert.ok(typeof actual === 'number', `${msg ?? ''} expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} ${actual} is not within ${tol} of ${expected}`);
};

/** y = 0.6·x1 + 0.3·x2 + 0·x3 + noise, corr(x1, x2) = 0.5, x3 independent. */
function generate(n: number, seed: number) {
  const z = normalRng(seededRng(seed));
  const rows: Record<string, number | null>[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = z();
    const x2 = 0.5 * x1 + Math.sqrt(0.75) * z();
    const x3 = z();
    rows.push({ x1, x2, x3, y: 0.6 * x1 + 0.3 * x2 + 0 * x3 + 0.6 * z() });
  }
  return rows;
}

/** Independent R²: OLS with intercept via normal equations (Gauss–Jordan), no correlations. */
function olsR2(rows: Record<string, number | null>[], xs: string[], y: string): number {
  const k = xs.length + 1;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (const r of rows) {
    const v = [1, ...xs.map((x) => r[x] as number)];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) a[i][j] += v[i] * v[j];
      a[i][k] += v[i] * (r[y] as number);
    }
  }
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let j = c; j <= k; j++) a[r][j] -= f * a[c][j];
    }
  }
  const b = a.map((row, i) => row[k] / row[i]);
  const ys = rows.map((r) => r[y] as number);
  const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
  let ssr = 0;
  let sst = 0;
  for (const r of rows) {
    const fit = b[0] + xs.reduce((s, x, i) => s + b[i + 1] * (r[x] as number), 0);
    ssr += ((r[y] as number) - fit) ** 2;
    sst += ((r[y] as number) - mean) ** 2;
  }
  return 1 - ssr / sst;
}

describe('Jacobi eigen-decomposition', () => {
  it('reconstructs a symmetric matrix with orthonormal vectors', () => {
    const m = [
      [4, 1, 0.5],
      [1, 3, 0.2],
      [0.5, 0.2, 1],
    ];
    const { values, vectors } = jacobiEigenSymmetric(m);
    assert.ok(values[0] >= values[1] && values[1] >= values[2]);
    close(
      values.reduce((s, v) => s + v, 0),
      8,
      1e-12,
      'trace',
    );
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < 3; k++) {
          rec += vectors[i][k] * values[k] * vectors[j][k];
          dot += vectors[k][i] * vectors[k][j];
        }
        close(rec, m[i][j], 1e-12, `A[${i}][${j}]`);
        close(dot, i === j ? 1 : 0, 1e-12, `VᵀV[${i}][${j}]`);
      }
    }
    // 2×2 [[1, ρ], [ρ, 1]] has eigenvalues 1 ± ρ.
    const two = jacobiEigenSymmetric([
      [1, 0.6],
      [0.6, 1],
    ]);
    close(two.values[0], 1.6, 1e-14);
    close(two.values[1], 0.4, 1e-14);
  });
});

describe("Johnson's relative weights", () => {
  it('hand-worked two-driver case', () => {
    // r12 = 0.6, ry1 = 0.5, ry2 = 0.3. Eigen 1.6, 0.4 with vectors (1, ±1)/√2, so
    // Λ = [[c1, c2], [c2, c1]] with c1 = (√1.6 + √0.4)/2 = 0.948683, c2 = (√1.6 − √0.4)/2 = 0.316228.
    // β = Λ⁻¹ r = [0.474342, 0.158114]; ε1 = 0.9·0.225 + 0.1·0.025 = 0.205;
    // ε2 = 0.1·0.225 + 0.9·0.025 = 0.045; R² = (0.25 + 0.09 − 0.18)/0.64 = 0.25.
    // Shapley: φ1 = ½·0.25 + ½·(0.25 − 0.09) = 0.205, φ2 = ½·0.09 + ½·0 = 0.045 (equal here).
    const input = {
      drivers: ['a', 'b'],
      rxx: [
        [1, 0.6],
        [0.6, 1],
      ],
      rxy: [0.5, 0.3],
      n: 100,
    };
    const rw = relativeWeightsFromCorrelations(input);
    close(rw.r2, 0.25, 1e-12);
    close(rw.drivers[0].rawWeight, 0.205, 1e-12);
    close(rw.drivers[1].rawWeight, 0.045, 1e-12);
    close(rw.drivers[0].percent, 82, 1e-9);
    close(rw.drivers[1].percent, 18, 1e-9);
    // OLS betas: (0.5 − 0.18)/0.64 = 0.5, (0.3 − 0.3)/0.64 = 0.
    close(rw.drivers[0].beta, 0.5, 1e-12);
    close(rw.drivers[1].beta, 0, 1e-12);
    assert.equal(rw.drivers[1].significant, false);
    const sh = shapleyR2FromCorrelations(input);
    close(sh.drivers[0].value, 0.205, 1e-12);
    close(sh.drivers[1].value, 0.045, 1e-12);
  });
  it('three correlated drivers match an independent numpy implementation', () => {
    // numpy: e, V = eigh(R); L = V·diag(√e)·Vᵀ; b = solve(L, r); eps = (L**2) @ (b**2).
    const input = {
      drivers: ['x', 'y', 'z'],
      rxx: [
        [1, 0.5, 0.2],
        [0.5, 1, 0.3],
        [0.2, 0.3, 1],
      ],
      rxy: [0.6, 0.45, 0.1],
      n: 50,
    };
    const rw = relativeWeightsFromCorrelations(input);
    close(rw.r2, 0.393970588235294, 1e-12);
    close(rw.drivers[0].rawWeight, 0.27339541744874646, 1e-12);
    close(rw.drivers[1].rawWeight, 0.11628968562764208, 1e-12);
    close(rw.drivers[2].rawWeight, 0.00428548515890549, 1e-12);
    // OLS coefficient p-values (t, df = 46), from scipy: 0.000425, 0.1174, 0.5857.
    close(rw.drivers[0].pValue, 0.0004249521351604628, 1e-9);
    close(rw.drivers[1].pValue, 0.11736092680829915, 1e-9);
    close(rw.drivers[2].pValue, 0.5856717277580574, 1e-9);
    assert.deepEqual(
      rw.drivers.map((d) => d.significant),
      [true, false, false],
    );
    // z has a positive correlation but a negative beta: a suppressor, visible to the caller.
    assert.equal(rw.drivers[2].sign, 1);
    assert.ok((rw.drivers[2].beta ?? 0) < 0);
    const sh = shapleyR2FromCorrelations(input);
    close(sh.drivers[0].value, 0.2730275892408245, 1e-12);
    close(sh.drivers[1].value, 0.11599233283056812, 1e-12);
    close(sh.drivers[2].value, 0.004950666163901475, 1e-12);
  });
  it('recovers known drivers from generated data (y = 0.6·x1 + 0.3·x2 + 0·x3 + noise)', () => {
    const rows = generate(2000, 7);
    const rw = relativeWeights({ rows, outcome: 'y', drivers: ['x1', 'x2', 'x3'] });
    assert.deepEqual(rw.ranking, ['x1', 'x2', 'x3']);
    assert.deepEqual(
      rw.drivers.map((d) => d.rank),
      [1, 2, 3],
    );
    // Raw weights sum to R², and R² equals an independent OLS fit.
    const sum = rw.drivers.reduce((s, d) => s + d.rawWeight, 0);
    close(sum, rw.r2, 1e-12);
    close(rw.r2, olsR2(rows, ['x1', 'x2', 'x3'], 'y'), 1e-9);
    close(
      rw.drivers.reduce((s, d) => s + d.percent, 0),
      100,
      1e-9,
    );
    // Population R² = Var(0.6x1 + 0.3x2)/(that + 0.36) = 0.63/0.99 ≈ 0.636.
    close(rw.r2, 0.636, 0.03);
    assert.equal(rw.drivers[0].significant, true);
    assert.equal(rw.drivers[1].significant, true);
    assert.equal(rw.drivers[2].significant, false);
    assert.ok(rw.drivers[2].percent < 1, `x3 should carry almost nothing, got ${rw.drivers[2].percent}%`);
    // Agrees with the exact Shapley decomposition.
    const sh = shapleyR2({ rows, outcome: 'y', drivers: ['x1', 'x2', 'x3'] });
    close(sh.r2, rw.r2, 1e-12);
    assert.deepEqual(sh.ranking, rw.ranking);
    for (let j = 0; j < 3; j++) close(rw.drivers[j].rawWeight, sh.drivers[j].value, 0.01, rw.drivers[j].driver);
  });
  it('a single driver takes all of R² = r²', () => {
    const rows = generate(200, 4);
    const rw = relativeWeights({ rows, outcome: 'y', drivers: ['x1'] });
    assert.equal(rw.drivers[0].percent, 100);
    close(rw.r2, olsR2(rows, ['x1'], 'y'), 1e-9);
    close(rw.drivers[0].rawWeight, (rw.drivers[0].correlation ?? 0) ** 2, 1e-12);
  });
  it('signs follow the zero-order correlation', () => {
    const rows = generate(500, 3).map((r) => ({ ...r, x2: -(r.x2 as number) }));
    const rw = relativeWeights({ rows, outcome: 'y', drivers: ['x1', 'x2'] });
    assert.equal(rw.drivers[0].sign, 1);
    assert.equal(rw.drivers[1].sign, -1);
    assert.ok(rw.drivers[1].signedPercent < 0);
    assert.ok(rw.drivers[1].percent > 0);
  });
  it('listwise deletion and constant drivers', () => {
    const rows: Record<string, number | null>[] = generate(300, 11).map((r, i) => ({
      ...r,
      k: 4,
      x3: i % 10 === 0 ? null : r.x3,
    }));
    rows.push({ x1: 1, x2: 1, x3: 1, k: 4, y: null });
    const rw = relativeWeights({ rows, outcome: 'y', drivers: ['x1', 'x2', 'x3', 'k'] });
    assert.equal(rw.nDropped, 31);
    assert.equal(rw.n, 270);
    const k = rw.drivers[3];
    assert.equal(k.constant, true);
    assert.equal(k.rawWeight, 0);
    assert.equal(k.rank, 4);
    assert.equal(k.pValue, null);
    assert.equal(rw.ranking[3], 'k');
    const sh = shapleyR2({ rows, outcome: 'y', drivers: ['x1', 'x2', 'x3', 'k'] });
    assert.equal(sh.drivers[3].constant, true);
    close(sh.r2, rw.r2, 1e-12);
  });
  it('bootstrap intervals are reproducible with a seed and cover the estimate', () => {
    const rows = generate(300, 5);
    const data = { rows, outcome: 'y', drivers: ['x1', 'x2', 'x3'] };
    const a = relativeWeights(data, { bootstrap: 200, seed: 9 });
    const b = relativeWeights(data, { bootstrap: 200, seed: 9 });
    assert.deepEqual(a.drivers, b.drivers);
    assert.equal(a.bootstrap?.used, 200);
    for (const d of a.drivers) {
      assert.ok(d.ci, d.driver);
      assert.ok(d.ci.lower <= d.rawWeight && d.rawWeight <= d.ci.upper, `${d.driver} CI covers the estimate`);
    }
    // x1's interval lies above x3's.
    assert.ok((a.drivers[0].ci?.lower ?? 0) > (a.drivers[2].ci?.upper ?? 1));
    const c = relativeWeights(data, { bootstrap: 200, seed: 10 });
    assert.notDeepEqual(a.drivers[0].ci, c.drivers[0].ci);
    assert.equal(relativeWeights(data).drivers[0].ci, null);
  });
  it('clear errors: too few rows, constant outcome, collinear drivers, too many for Shapley', () => {
    const rows = generate(4, 1);
    assert.throws(
      () => relativeWeights({ rows, outcome: 'y', drivers: ['x1', 'x2', 'x3'] }),
      (e: unknown) => e instanceof DriverAnalysisError && e.code === 'too_few_rows' && /p \+ 2 = 5/.test(e.message),
    );
    const flat = generate(50, 1).map((r) => ({ ...r, y: 3 }));
    assert.throws(
      () => relativeWeights({ rows: flat, outcome: 'y', drivers: ['x1', 'x2'] }),
      (e: unknown) => e instanceof DriverAnalysisError && e.code === 'constant_outcome',
    );
    const dup = generate(50, 1).map((r) => ({ ...r, x4: 2 * (r.x1 as number) + 1 }));
    assert.throws(
      () => relativeWeights({ rows: dup, outcome: 'y', drivers: ['x1', 'x2', 'x4'] }),
      (e: unknown) =>
        e instanceof DriverAnalysisError && e.code === 'collinear' && /x1/.test(e.message) && /x4/.test(e.message),
    );
    assert.throws(
      () => relativeWeights({ rows: dup, outcome: 'y', drivers: [] }),
      (e: unknown) => e instanceof DriverAnalysisError && e.code === 'no_drivers',
    );
    const many = Array.from({ length: 13 }, (_, j) => `d${j}`);
    const z = normalRng(seededRng(2));
    const wide = Array.from({ length: 40 }, () => Object.fromEntries([...many.map((d) => [d, z()]), ['y', z()]]));
    assert.throws(
      () => shapleyR2({ rows: wide, outcome: 'y', drivers: many }),
      (e: unknown) => e instanceof DriverAnalysisError && e.code === 'too_many_drivers',
    );
    // Relative weights have no such limit.
    assert.equal(relativeWeights({ rows: wide, outcome: 'y', drivers: many }).drivers.length, 13);
  });
  it('Shapley and RW agree on 12 correlated drivers', () => {
    const z = normalRng(seededRng(21));
    const names = Array.from({ length: 12 }, (_, j) => `d${j}`);
    const rows = Array.from({ length: 400 }, () => {
      const common = z();
      const xs = names.map(() => 0.6 * common + 0.8 * z());
      const y = xs.reduce((s, x, j) => s + x * (j < 4 ? 0.5 - 0.1 * j : 0), 0) + z();
      return Object.fromEntries([...names.map((d, j) => [d, xs[j]]), ['y', y]]);
    });
    const data = { rows, outcome: 'y', drivers: names };
    const rw = relativeWeights(data);
    const sh = shapleyR2(data);
    close(sh.r2, rw.r2, 1e-10);
    close(
      sh.drivers.reduce((s, d) => s + d.value, 0),
      sh.r2,
      1e-10,
    );
    for (let j = 0; j < 12; j++) close(rw.drivers[j].percent, sh.drivers[j].percent, 3, names[j]);
    assert.equal(rw.ranking[0], 'd0');
    assert.equal(sh.ranking[0], 'd0');
  });
});

describe('importance × performance', () => {
  it('splits at the median and lists what to fix first', () => {
    // Importance median = (30 + 20)/2 = 25; performance median = (60 + 70)/2 = 65.
    const r = importancePerformance([
      { key: 'delivery', importance: 40, performance: 50 }, // high, low → fix first
      { key: 'billing', importance: 30, performance: 55 }, // high, low → fix first
      { key: 'product', importance: 20, performance: 80 }, // low, high → nice to have
      { key: 'support', importance: 10, performance: 70 }, // low, high → nice to have
      { key: 'web', importance: -35, performance: 90 }, // |−35| high, high → maintain
      { key: 'app', importance: 5, performance: 60 }, // low, low → low priority
      { key: 'store', importance: 50, performance: null }, // unknown performance
    ]);
    assert.equal(r.importanceSplit, 25);
    assert.equal(r.performanceSplit, 65);
    const q = Object.fromEntries(r.items.map((i) => [i.key, i.quadrant]));
    assert.deepEqual(q, {
      delivery: 'fix_first',
      billing: 'fix_first',
      product: 'nice_to_have',
      support: 'nice_to_have',
      web: 'maintain',
      app: 'low_priority',
      store: null,
    });
    assert.deepEqual(
      r.fixFirst.map((i) => i.key),
      ['delivery', 'billing'],
    );
  });
  it('mean split, fixed splits and empty input', () => {
    const items = [
      { key: 'a', importance: 70, performance: 40 },
      { key: 'b', importance: 20, performance: 50 },
      { key: 'c', importance: 10, performance: 90 },
    ];
    // Mean importance 33.3: only a is high; mean performance 60: a and b low.
    const m = importancePerformance(items, { split: 'mean' });
    assert.deepEqual(
      m.items.map((i) => i.quadrant),
      ['fix_first', 'low_priority', 'nice_to_have'],
    );
    const f = importancePerformance(items, { importanceSplit: 15, performanceSplit: 45 });
    assert.equal(f.split, 'fixed');
    assert.deepEqual(
      f.fixFirst.map((i) => i.key),
      ['a'],
    );
    assert.equal(f.items[1].quadrant, 'maintain');
    const e = importancePerformance([]);
    assert.deepEqual(e.fixFirst, []);
    assert.equal(e.importanceSplit, null);
  });
  it('a driver whose effect is a good one is never fix first', () => {
    const r = importancePerformance(
      [
        { key: 'wait', importance: 40, performance: 50, harmful: false }, // high, low, helps → maintain
        { key: 'bug', importance: 30, performance: 55, harmful: true }, // high, low, hurts → fix first
        { key: 'ui', importance: 10, performance: 90 },
        { key: 'tone', importance: 5, performance: 52, harmful: false }, // low, low → low priority
      ],
      { importanceSplit: 20, performanceSplit: 70 },
    );
    assert.deepEqual(
      r.items.map((i) => i.quadrant),
      ['maintain', 'fix_first', 'nice_to_have', 'low_priority'],
    );
    assert.deepEqual(
      r.fixFirst.map((i) => i.key),
      ['bug'],
    );
  });
});

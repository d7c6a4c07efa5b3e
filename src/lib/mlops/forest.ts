/**
 * A random forest regressor on points of the unit cube, as scikit-learn's RandomForestRegressor
 * fits it for Optuna's fANOVA: bootstrap samples, every feature tried at every split, the split that
 * most reduces the squared error (thresholds halfway between neighbouring values), grown until
 * leaves are pure or hold one sample (or maxDepth). Trees are kept as flat node lists.
 */
import { deriveSeed, mulberry32, type Rng } from '../core/rng';

export interface ForestOptions {
  /** Trees (Optuna's fANOVA: 64). */
  trees: number;
  /** Depth limit (Optuna: 64). */
  maxDepth: number;
  /** Fewest samples a node needs to be split (scikit-learn: 2). */
  minSplit: number;
  seed: number;
}

export const FOREST_DEFAULTS: ForestOptions = { trees: 64, maxDepth: 64, minSplit: 2, seed: 0 };

/** Node i: a split (feature ≥ 0, x[feature] ≤ threshold goes left) or a leaf (feature −1, value). */
export interface Tree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
}

/** Fit one tree on rows `idx` (with repeats, from the bootstrap) of X (n × d, row-major). */
export function fitTree(X: Float64Array, y: ArrayLike<number>, d: number, idx: number[], o: ForestOptions): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const grow = (rows: number[], depth: number): number => {
    const id = feature.length;
    let sum = 0;
    for (const r of rows) sum += y[r];
    const mean = sum / rows.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(mean);
    if (rows.length < o.minSplit || depth >= o.maxDepth) return id;
    const split = bestSplit(X, y, d, rows);
    if (!split) return id;
    const l = rows.filter((r) => X[r * d + split.feature] <= split.threshold);
    const rr = rows.filter((r) => X[r * d + split.feature] > split.threshold);
    feature[id] = split.feature;
    threshold[id] = split.threshold;
    left[id] = grow(l, depth + 1);
    right[id] = grow(rr, depth + 1);
    return id;
  };
  grow(idx, 0);
  return { feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right), value: Float64Array.from(value) };
}

/** The split with the largest drop in squared error (sum of squares left + right), if any lowers it. */
function bestSplit(X: Float64Array, y: ArrayLike<number>, d: number, rows: number[]): { feature: number; threshold: number } | undefined {
  let total = 0;
  let total2 = 0;
  for (const r of rows) {
    total += y[r];
    total2 += y[r] * y[r];
  }
  const n = rows.length;
  const parentSse = total2 - (total * total) / n;
  if (parentSse <= 1e-12 * Math.max(1, Math.abs(total2))) return undefined;
  let best: { feature: number; threshold: number } | undefined;
  let bestSse = parentSse;
  for (let f = 0; f < d; f++) {
    const sorted = [...rows].sort((a, b) => X[a * d + f] - X[b * d + f]);
    let ls = 0;
    let ls2 = 0;
    for (let k = 0; k < n - 1; k++) {
      const v = y[sorted[k]];
      ls += v;
      ls2 += v * v;
      const x0 = X[sorted[k] * d + f];
      const x1 = X[sorted[k + 1] * d + f];
      if (x1 <= x0) continue;
      const nl = k + 1;
      const nr = n - nl;
      const sse = ls2 - (ls * ls) / nl + (total2 - ls2) - ((total - ls) * (total - ls)) / nr;
      if (sse < bestSse - 1e-12) {
        bestSse = sse;
        best = { feature: f, threshold: (x0 + x1) / 2 };
      }
    }
  }
  return best;
}

export function fitForest(X: Float64Array, y: ArrayLike<number>, d: number, opts: Partial<ForestOptions> = {}): Tree[] {
  const o = { ...FOREST_DEFAULTS, ...opts };
  const n = y.length;
  const trees: Tree[] = [];
  for (let t = 0; t < o.trees; t++) {
    const rng: Rng = mulberry32(deriveSeed(o.seed, t));
    const idx = Array.from({ length: n }, () => Math.floor(rng() * n));
    trees.push(fitTree(X, y, d, idx, o));
  }
  return trees;
}

export function predictTree(t: Tree, x: ArrayLike<number>): number {
  let i = 0;
  while (t.feature[i] >= 0) i = x[t.feature[i]] <= t.threshold[i] ? t.left[i] : t.right[i];
  return t.value[i];
}

export function predictForest(trees: readonly Tree[], x: ArrayLike<number>): number {
  let s = 0;
  for (const t of trees) s += predictTree(t, x);
  return s / trees.length;
}

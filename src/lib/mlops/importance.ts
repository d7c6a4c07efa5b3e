/**
 * Hyperparameter importance by fANOVA (Hutter, Hoos and Leyton-Brown 2014), first order only, as
 * Optuna's FanovaImportanceEvaluator computes it: fit a random forest to (parameters → value), then
 * in each tree split the variance of its prediction over the uniform search space into what each
 * parameter explains alone. For one tree with leaves ℓ (boxes of volume vol_ℓ, values v_ℓ):
 *
 *   μ = Σ vol_ℓ·v_ℓ,   V = Σ vol_ℓ·(v_ℓ − μ)²,
 *   m_i(x) = Σ over leaves whose box holds x on axis i of v_ℓ·vol_ℓ / width_i(ℓ)   (the marginal),
 *   V_i = ∫ (m_i(x) − μ)² dx,   share_i = V_i / V.
 *
 * Shares are averaged over trees and then normalised to sum to 1 (as Optuna reports them). What
 * differs from Optuna: parameters are placed in the unit cube by toUnit, so a log-scale parameter is
 * uniform in ln x (Optuna fits log parameters on the raw scale) and a choice is one axis with K
 * equal cells (Optuna one-hot encodes it).
 */
import { fail } from './errors';
import { fitForest, type ForestOptions, type Tree } from './forest';
import { toUnit, type Params, type SearchSpace } from './space';

export interface ParamImportance {
  name: string;
  /** Share of the explained main-effect variance, normalised so all parameters sum to 1. */
  importance: number;
  /** Mean over trees of V_i / V before normalising: the variance this parameter explains alone. */
  firstOrder: number;
  /** Standard deviation of V_i / V over the trees. */
  std: number;
}

interface Leaf {
  value: number;
  lo: Float64Array;
  hi: Float64Array;
  vol: number;
}

function leaves(t: Tree, d: number): Leaf[] {
  const out: Leaf[] = [];
  const walk = (i: number, lo: Float64Array, hi: Float64Array) => {
    const f = t.feature[i];
    if (f < 0) {
      let vol = 1;
      for (let j = 0; j < d; j++) vol *= hi[j] - lo[j];
      if (vol > 0) out.push({ value: t.value[i], lo, hi, vol });
      return;
    }
    const th = Math.min(hi[f], Math.max(lo[f], t.threshold[i]));
    const lHi = hi.slice();
    lHi[f] = th;
    const rLo = lo.slice();
    rLo[f] = th;
    walk(t.left[i], lo, lHi);
    walk(t.right[i], rLo, hi);
  };
  walk(0, new Float64Array(d), new Float64Array(d).fill(1));
  return out;
}

/** Per tree: the total variance V and each axis's main-effect variance V_i over the unit cube. */
export function treeVariances(t: Tree, d: number): { total: number; main: Float64Array } {
  const ls = leaves(t, d);
  let mu = 0;
  for (const l of ls) mu += l.vol * l.value;
  let total = 0;
  for (const l of ls) total += l.vol * (l.value - mu) ** 2;
  const main = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const cuts = [...new Set([0, 1, ...ls.flatMap((l) => [l.lo[i], l.hi[i]])])].sort((a, b) => a - b);
    const at = new Map(cuts.map((c, k) => [c, k]));
    const diff = new Float64Array(cuts.length);
    for (const l of ls) {
      const w = l.hi[i] - l.lo[i];
      const c = (l.value * l.vol) / w;
      diff[at.get(l.lo[i])!] += c;
      diff[at.get(l.hi[i])!] -= c;
    }
    let m = 0;
    for (let k = 0; k + 1 < cuts.length; k++) {
      m += diff[k];
      main[i] += (cuts[k + 1] - cuts[k]) * (m - mu) ** 2;
    }
  }
  return { total, main };
}

/** Importance of each parameter from completed trials (value finite), most important first. */
export function paramImportance(
  trials: readonly { params: Params; value: number; state?: string }[],
  space: SearchSpace,
  opts: Partial<ForestOptions> = {},
): ParamImportance[] {
  const done = trials.filter((t) => (t.state === undefined || t.state === 'complete') && Number.isFinite(t.value));
  if (done.length < 2) fail('trials', `Importance needs at least 2 completed trials; there are ${done.length}.`);
  const names = Object.keys(space);
  // A parameter with a single possible value explains nothing (Optuna leaves it out and reports 0).
  const varying = names.filter((n) => {
    const d = space[n];
    return d.type === 'categorical' ? d.choices.length > 1 : d.high > d.low;
  });
  const zero = (name: string): ParamImportance => ({ name, importance: 0, firstOrder: 0, std: 0 });
  if (varying.length === 0) return names.map(zero);
  const d = varying.length;
  const X = new Float64Array(done.length * d);
  done.forEach((t, r) => varying.forEach((n, j) => (X[r * d + j] = toUnit(space[n], t.params[n]))));
  const trees = fitForest(X, done.map((t) => t.value), d, opts);
  const shares: number[][] = varying.map(() => []);
  for (const t of trees) {
    const { total, main } = treeVariances(t, d);
    if (total > 0) for (let j = 0; j < d; j++) shares[j].push(Math.max(0, main[j]) / total);
  }
  const mean = shares.map((s) => (s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0));
  const std = shares.map((s, j) => (s.length ? Math.sqrt(s.reduce((a, b) => a + (b - mean[j]) ** 2, 0) / s.length) : 0));
  const sum = mean.reduce((a, b) => a + b, 0);
  const out = varying.map((name, j) => ({ name, importance: sum > 0 ? mean[j] / sum : 0, firstOrder: mean[j], std: std[j] }));
  return [...out, ...names.filter((n) => !varying.includes(n)).map(zero)].sort((a, b) => b.importance - a.importance);
}

/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl 2011), independent per
 * parameter, with Optuna 3.1's TPESampler defaults as the guide:
 *
 * - the first nStartup (10) trials are random;
 * - completed trials are split by value: the best γ(n) = min(⌈0.1·n⌉, 25) form "below", the rest "above";
 * - each group becomes a Parzen estimator: one truncated normal per observation, centred on it, with
 *   σ = the larger gap to its sorted neighbours (the space's ends count as neighbours, but the two
 *   outermost observations use their inner gap only), clipped to [(high − low)/min(100, 1 + n), high − low],
 *   plus a prior component N((low + high)/2, (high − low)) of weight 1; observation weights are 1, or for
 *   n ≥ 25 a ramp from 1/n to 1 over all but the newest 25, which keep 1 (older trials count less);
 *   integers are Gaussians integrated over [k − ½, k + ½]; a choice is a smoothed count
 *   (each observation's one-hot row plus prior/(n + 1) everywhere);
 * - 24 candidates are drawn from "below" (l) and the one maximising ln l(x) − ln g(x) is proposed.
 *
 * One choice is Optuna 3.1's rather than the paper's: its truncated-normal log density leaves out
 * each component's −ln σ (optuna/samplers/_tpe/_truncnorm.py), so l and g score a point as if every
 * component's weight were multiplied by its width σ, favouring wide (sparse, exploratory) components.
 * `score: 'optuna-3.1'` (the default) does the same; `score: 'density'` uses true densities. On the
 * test functions here the first matches Optuna's results and the second is worse on Branin and
 * Hartmann-6 (BENCHMARKS.md, MLOps section); both are checked against Optuna's estimator in the tests.
 *
 * Everything else (no multivariate kernel, no constant liar, no constraints) is left out.
 */
import type { Rng } from '../core/rng';
import { type Dimension, type Params, type ParamValue, type SearchSpace, clamp, sampleDimension, toInternal } from './space';
import { normalCdf, normalQuantile } from '../stats/dist';
import { LOG_SQRT_2PI, logGaussMass } from './truncnorm';

export interface TpeOptions {
  /** Random trials before TPE takes over. Optuna: 10. */
  nStartup: number;
  /** Candidates drawn from l(x) per proposal. Optuna: 24. */
  nCandidates: number;
  /** Weight of the prior component. Optuna: 1. */
  priorWeight: number;
  /** How many of n trials form the "below" group. Optuna: min(⌈0.1·n⌉, 25). */
  gamma: (n: number) => number;
  /** Observation weights, oldest first. Optuna: ones, ramped for n ≥ 25. */
  weights: (n: number) => number[];
  /** How a float's components score a point: as Optuna 3.1 (without 1/σ) or as true densities. */
  score: 'optuna-3.1' | 'density';
}

export const TPE_DEFAULTS: TpeOptions = {
  nStartup: 10,
  nCandidates: 24,
  priorWeight: 1,
  gamma: (n) => Math.min(Math.ceil(0.1 * n), 25),
  weights: defaultWeights,
  score: 'optuna-3.1',
};

/** Optuna's default_weights: n ones below 25, else linspace(1/n, 1, n − 25) then 25 ones. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array(n).fill(1);
  const m = n - 25;
  const ramp = Array.from({ length: m }, (_, i) => (m === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (m - 1)));
  return [...ramp, ...new Array(25).fill(1)];
}

/** A one-dimensional Parzen estimator over a parameter's internal values. */
export interface Parzen {
  sample(rng: Rng): number;
  logPdf(x: number): number;
}

const logSumExp = (xs: number[]): number => {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
};

/** Pick index i with probability w[i] (w sums to 1). */
function pick(w: readonly number[], u: number): number {
  let c = 0;
  for (let i = 0; i < w.length; i++) {
    c += w[i];
    if (u < c) return i;
  }
  return w.length - 1;
}

/** Bounds and step in internal units, as Optuna's _calculate_parzen_bounds. */
function bounds(d: Exclude<Dimension, { type: 'categorical' }>): { low: number; high: number; q?: number } {
  if (d.type === 'float') return d.log ? { low: Math.log(d.low), high: Math.log(d.high) } : { low: d.low, high: d.high };
  return d.log ? { low: Math.log(d.low - 0.5), high: Math.log(d.high + 0.5) } : { low: d.low - 0.5, high: d.high + 0.5, q: 1 };
}

/** Mixture weights: the observations' (oldest first) then the prior's, normalised. */
function mixtureWeights(n: number, o: TpeOptions): number[] {
  const w = [...o.weights(n).slice(0, n), o.priorWeight];
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

export function numericParzen(d: Exclude<Dimension, { type: 'categorical' }>, obs: readonly number[], o: TpeOptions): Parzen {
  const { low, high, q } = bounds(d);
  const n = obs.length;
  const mus = [...obs, 0.5 * (low + high)];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sorted = [low, ...order.map((i) => mus[i]), high];
  const sortedSigma = order.map((_, k) => Math.max(sorted[k + 1] - sorted[k], sorted[k + 2] - sorted[k + 1]));
  if (sorted.length >= 4) {
    // consider_endpoints=False: the outermost components ignore their gap to the boundary.
    sortedSigma[0] = sorted[2] - sorted[1];
    sortedSigma[sortedSigma.length - 1] = sorted[sorted.length - 2] - sorted[sorted.length - 3];
  }
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, k) => (sigmas[i] = sortedSigma[k]));
  const range = high - low;
  const minSigma = range / Math.min(100, 1 + mus.length); // "magic clip"
  for (let i = 0; i < mus.length; i++) sigmas[i] = clamp(sigmas[i], minSigma, range);
  sigmas[n] = range; // the prior is wide
  const w = mixtureWeights(n, o);
  const logW = w.map(Math.log);
  // Per component, once: Φ at both bounds, ln of the mass between, and ln w − ln σ − ln √(2π) − that
  // (without the ln σ for score 'optuna-3.1').
  // Every centre lies inside [low, high], so the mass spans 0 and Φ(b) − Φ(a) loses nothing.
  const pa = mus.map((mu, i) => normalCdf((low - mu) / sigmas[i]));
  const pb = mus.map((mu, i) => normalCdf((high - mu) / sigmas[i]));
  const logNorm = mus.map((_, i) => Math.log(pb[i] - pa[i]));
  const logC = mus.map((_, i) => logW[i] - (o.score === 'density' ? Math.log(sigmas[i]) : 0) - LOG_SQRT_2PI - logNorm[i]);
  return {
    sample(rng) {
      const i = pick(w, rng());
      const x = mus[i] + sigmas[i] * normalQuantile(pa[i] + rng() * (pb[i] - pa[i]));
      return clamp(x, low, high);
    },
    logPdf(x) {
      const terms = mus.map((mu, i) => {
        if (q === undefined) return logC[i] - 0.5 * ((x - mu) / sigmas[i]) ** 2;
        const a = (Math.max(x - q / 2, low) - mu) / sigmas[i];
        const b = (Math.min(x + q / 2, high) - mu) / sigmas[i];
        return logW[i] + logGaussMass(a, b) - logNorm[i];
      });
      return logSumExp(terms);
    },
  };
}

export function categoricalParzen(k: number, obs: readonly number[], o: TpeOptions): Parzen {
  const n = obs.length;
  const w = mixtureWeights(n, o);
  // Mixture of rows: row i (observation i) is one-hot plus prior/(n+1), normalised; the last row is flat.
  const fill = o.priorWeight / (n + 1);
  const rowSum = fill * k + 1;
  const probs = new Array<number>(k).fill(0);
  for (let i = 0; i <= n; i++) {
    for (let c = 0; c < k; c++) {
      const hit = i < n && obs[i] === c ? 1 : 0;
      probs[c] += (w[i] * (fill + hit)) / (i < n ? rowSum : fill * k);
    }
  }
  return {
    sample(rng) {
      const i = pick(w, rng());
      const u = rng();
      if (i === n) return Math.min(k - 1, Math.floor(u * k));
      const row = Array.from({ length: k }, (_, c) => (fill + (obs[i] === c ? 1 : 0)) / rowSum);
      return pick(row, u);
    },
    logPdf: (x) => Math.log(probs[x]),
  };
}

function parzen(d: Dimension, obs: readonly number[], o: TpeOptions): Parzen {
  return d.type === 'categorical' ? categoricalParzen(d.choices.length, obs, o) : numericParzen(d, obs, o);
}

function fromInternal(d: Dimension, x: number): ParamValue {
  if (d.type === 'categorical') return d.choices[x];
  if (d.type === 'float') return d.log ? Math.exp(x) : x;
  return clamp(Math.round(d.log ? Math.exp(x) : x), d.low, d.high);
}

/** A finished trial as TPE sees it: its parameters and its value (non-finite ones are left out). */
export interface Observation {
  params: Params;
  value: number;
  /**
   * The resource a pruned trial reached (its value is the one there); absent for a completed trial.
   * As in Optuna, trials rank by (−budget, value): every completed trial ahead of every pruned one,
   * and a trial pruned later ahead of one pruned earlier.
   */
  budget?: number;
}

/** Indices of the best nBelow observations and of the rest, each in chronological order. */
export function splitObservations(obs: readonly Pick<Observation, 'value' | 'budget'>[], nBelow: number): { below: number[]; above: number[] } {
  const b = (i: number) => obs[i].budget ?? Infinity;
  const idx = obs.map((_, i) => i).sort((x, y) => b(y) - b(x) || obs[x].value - obs[y].value || x - y);
  return { below: idx.slice(0, nBelow).sort((x, y) => x - y), above: idx.slice(nBelow).sort((x, y) => x - y) };
}

/** Propose the next trial's parameters from the finished ones. */
export function tpePropose(space: SearchSpace, history: readonly Observation[], rng: Rng, opts: Partial<TpeOptions> = {}): Params {
  const o = { ...TPE_DEFAULTS, ...opts };
  const done = history.filter((h) => Number.isFinite(h.value));
  const out: Params = {};
  if (done.length < o.nStartup) {
    for (const [name, d] of Object.entries(space)) out[name] = sampleDimension(d, rng);
    return out;
  }
  const { below, above } = splitObservations(done, o.gamma(done.length));
  for (const [name, d] of Object.entries(space)) {
    const internal = done.map((h) => toInternal(d, h.params[name]));
    const l = parzen(d, below.map((i) => internal[i]), o);
    const g = parzen(d, above.map((i) => internal[i]), o);
    let best: ParamValue | undefined;
    let bestScore = -Infinity;
    for (let c = 0; c < o.nCandidates; c++) {
      // Score the value as it will be used (an integer rounded, as Optuna does), not the raw draw.
      const v = fromInternal(d, l.sample(rng));
      const x = toInternal(d, v);
      const score = l.logPdf(x) - g.logPdf(x);
      if (best === undefined || score > bestScore) {
        best = v;
        bestScore = score;
      }
    }
    out[name] = best!;
  }
  return out;
}

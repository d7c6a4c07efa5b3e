/**
 * A small real training job for the search labs in pure TypeScript, so a study runs anywhere (Node,
 * a worker) without TensorFlow.js: a one-hidden-layer MLP (tanh) separating two interleaved
 * spirals (seeded, with Gaussian noise), trained by mini-batch SGD with momentum and L2 weight decay.
 * The spirals need enough hidden units, a learning rate neither too small for the budget nor so
 * large that the units saturate, and little weight decay, so its hyperparameters matter, as a search lab needs.
 * Its budget is epochs, and a trial resumes from where it stopped, so successive halving and the
 * median rule can promote or stop it. The value is the validation log loss (probabilities clipped
 * to [1e-7, 1 − 1e-7]): a learning rate too large saturates the tanh units and ends worse than
 * chance; weights that overflow to infinity return NaN, and the search counts the trial as failed.
 *
 * Phase 2 replaces this with the training lab's model on the tf engine; the search code is the same.
 */
import { deriveSeed, mulberry32, permutation, type Rng } from '../core/rng';
import type { BudgetObjective } from './hyperband';
import type { SearchSpace } from './space';
import { sigmoid } from '../math/sigmoid';
import { gaussian } from '../math/random';

export const MLP_SPACE: SearchSpace = {
  learningRate: { type: 'float', low: 1e-4, high: 3, log: true },
  hidden: { type: 'int', low: 2, high: 64, log: true },
  l2: { type: 'float', low: 1e-6, high: 1e-1, log: true },
  momentum: { type: 'float', low: 0, high: 0.95 },
  batchSize: { type: 'categorical', choices: [16, 32, 64, 128] },
};

export interface MlpTaskOptions {
  /** Points (two thirds train, one third validation), half on each spiral. */
  rows: number;
  /** Standard deviation of the noise added to each coordinate (the spirals span about ±2). */
  noise: number;
  /** Seeds the data, the initial weights and the shuffles. */
  seed: number;
}

export const MLP_TASK_DEFAULTS: MlpTaskOptions = { rows: 2000, noise: 0.08, seed: 1 };

/** Inputs per point: its two coordinates. */
const FEATURES = 2;

interface Data {
  X: Float64Array;
  y: Uint8Array;
  n: number;
}

interface State {
  W1: Float64Array; b1: Float64Array; w2: Float64Array; b2: number;
  vW1: Float64Array; vb1: Float64Array; vw2: Float64Array; vb2: number;
  epochs: number;
  rng: Rng;
  diverged: boolean;
}

/**
 * Two spirals: point i has class c = i mod 2, angle t uniform in [¼, ¼ + 2.5π], radius t/(2.75π), and
 * lies at 2r(cos(t + cπ), sin(t + cπ)) plus N(0, noise²) per coordinate. Train and validation sets
 * are drawn independently from the same distribution.
 */
export function mlpData(o: MlpTaskOptions): { train: Data; val: Data } {
  const make = (n: number, stream: number): Data => {
    const rng = mulberry32(deriveSeed(o.seed, stream));
    const g = () => gaussian(rng);
    const X = new Float64Array(n * FEATURES);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const t = 0.25 + 2.5 * Math.PI * rng();
      const r = t / (2.75 * Math.PI);
      X[2 * i] = 2 * r * Math.cos(t + c * Math.PI) + o.noise * g();
      X[2 * i + 1] = 2 * r * Math.sin(t + c * Math.PI) + o.noise * g();
      y[i] = c;
    }
    return { X, y, n };
  };
  const nTrain = Math.round((2 / 3) * o.rows);
  return { train: make(nTrain, 1), val: make(o.rows - nTrain, 2) };
}

function init(h: number, seed: number): State {
  const rng = mulberry32(seed);
  const g = () => gaussian(rng);
  const W1 = Float64Array.from({ length: h * FEATURES }, () => g() / Math.sqrt(FEATURES)); // LeCun normal for tanh
  const w2 = Float64Array.from({ length: h }, () => g() / Math.sqrt(h));
  return { W1, b1: new Float64Array(h), w2, b2: 0, vW1: new Float64Array(h * FEATURES), vb1: new Float64Array(h), vw2: new Float64Array(h), vb2: 0, epochs: 0, rng, diverged: false };
}


/** Mean log loss of the model on a set, probabilities clipped to [1e-7, 1 − 1e-7]. */
function logLoss(s: State, d: Data): number {
  const h = s.b1.length;
  let loss = 0;
  for (let i = 0; i < d.n; i++) {
    let z = s.b2;
    for (let k = 0; k < h; k++) {
      let a = s.b1[k];
      for (let j = 0; j < FEATURES; j++) a += s.W1[k * FEATURES + j] * d.X[i * FEATURES + j];
      z += s.w2[k] * Math.tanh(a);
    }
    const p = Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(z)));
    loss -= d.y[i] ? Math.log(p) : Math.log(1 - p);
  }
  return loss / d.n;
}

/** One epoch of SGD with momentum: v ← μv − lr(∇ + λw), w ← w + v, on shuffled mini-batches. */
function epoch(s: State, d: Data, lr: number, mu: number, l2: number, batch: number): void {
  const h = s.b1.length;
  const order = permutation(d.n, s.rng);
  const gW1 = new Float64Array(h * FEATURES);
  const gb1 = new Float64Array(h);
  const gw2 = new Float64Array(h);
  const act = new Float64Array(h);
  for (let start = 0; start < d.n; start += batch) {
    const end = Math.min(d.n, start + batch);
    gW1.fill(0); gb1.fill(0); gw2.fill(0);
    let gb2 = 0;
    for (let t = start; t < end; t++) {
      const i = order[t];
      let z = s.b2;
      for (let k = 0; k < h; k++) {
        let a = s.b1[k];
        for (let j = 0; j < FEATURES; j++) a += s.W1[k * FEATURES + j] * d.X[i * FEATURES + j];
        act[k] = Math.tanh(a);
        z += s.w2[k] * act[k];
      }
      const dz = sigmoid(z) - d.y[i]; // ∂ log loss / ∂z
      gb2 += dz;
      for (let k = 0; k < h; k++) {
        gw2[k] += dz * act[k];
        const da = dz * s.w2[k] * (1 - act[k] * act[k]);
        gb1[k] += da;
        for (let j = 0; j < FEATURES; j++) gW1[k * FEATURES + j] += da * d.X[i * FEATURES + j];
      }
    }
    const m = end - start;
    for (let q = 0; q < gW1.length; q++) s.W1[q] += (s.vW1[q] = mu * s.vW1[q] - lr * (gW1[q] / m + l2 * s.W1[q]));
    for (let k = 0; k < h; k++) {
      s.b1[k] += (s.vb1[k] = mu * s.vb1[k] - lr * (gb1[k] / m));
      s.w2[k] += (s.vw2[k] = mu * s.vw2[k] - lr * (gw2[k] / m + l2 * s.w2[k]));
    }
    s.b2 += (s.vb2 = mu * s.vb2 - lr * (gb2 / m));
  }
  s.epochs++;
}

/**
 * The objective of the search labs: (params, epochs, trial) → validation log loss after that many
 * epochs, continuing trial `trial` from its last call (a smaller budget than already trained
 * restarts it). `epochsTrained` counts every epoch actually run, to check what a search spent.
 */
export function mlpObjective(o: Partial<MlpTaskOptions> = {}): BudgetObjective & { epochsTrained: () => number } {
  const opts = { ...MLP_TASK_DEFAULTS, ...o };
  const { train, val } = mlpData(opts);
  const states = new Map<number, State>();
  let trained = 0;
  const f = (p: Record<string, unknown>, budget: number, trial: number): number => {
    const epochs = Math.round(budget);
    let s = states.get(trial);
    if (!s || s.epochs > epochs) s = init(p.hidden as number, deriveSeed(opts.seed, 1000 + trial));
    states.set(trial, s);
    while (s.epochs < epochs && !s.diverged) {
      epoch(s, train, p.learningRate as number, p.momentum as number, p.l2 as number, p.batchSize as number);
      trained++;
      if (!Number.isFinite(s.b2)) s.diverged = true;
    }
    return s.diverged ? NaN : logLoss(s, val);
  };
  return Object.assign(f, { epochsTrained: () => trained });
}

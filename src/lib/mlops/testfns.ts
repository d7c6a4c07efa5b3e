/**
 * Standard test functions for hyperparameter search, each with its search space and known optimum,
 * written exactly as test/lib/mlops/refs/tpe_vs_optuna.py writes them for Optuna:
 *
 * - Branin (2 floats): three global minima of 0.397887 (Dixon and Szegő 1978).
 * - Hartmann-6 (6 floats in [0, 1]): minimum −3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
 * - A noisy quadratic with a categorical: (x − 1)² + ½(y + 2)² + offset(c) + N(0, 0.1²), offsets
 *   a: 1, b: 0, c: 2, so the noise-free minimum is 0 at x = 1, y = −2, c = "b".
 * - Ishigami (3 floats in [−π, π]), for importance: sin x₁ + 7 sin² x₂ + 0.1 x₃⁴ sin x₁, whose
 *   first-order Sobol indices are known in closed form (S₁ ≈ 0.3139, S₂ ≈ 0.4424, S₃ = 0).
 */
import { deriveSeed, mulberry32 } from '../core/rng';
import type { Objective } from './study';
import type { Params, SearchSpace } from './space';
import { gaussian } from '../math/random';

export interface TestFunction {
  name: string;
  space: SearchSpace;
  /** The known minimum (noise-free). */
  minimum: number;
  /** A fresh objective; the seed drives its noise (the noise of trial t is fixed by seed and t). */
  objective(seed: number): Objective;
}

const num = (p: Params, k: string) => p[k] as number;

export function branin(x1: number, x2: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));

export function hartmann6(x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let e = 0;
    for (let j = 0; j < 6; j++) e += H_A[i][j] * (x[j] - H_P[i][j]) ** 2;
    s += H_ALPHA[i] * Math.exp(-e);
  }
  return -s;
}

export const QUADRATIC_OFFSETS: Record<string, number> = { a: 1, b: 0, c: 2 };
export const QUADRATIC_NOISE = 0.1;

export function ishigami(x1: number, x2: number, x3: number, a = 7, b = 0.1): number {
  return Math.sin(x1) + a * Math.sin(x2) ** 2 + b * x3 ** 4 * Math.sin(x1);
}

/** Closed-form first-order Sobol indices of Ishigami for uniform inputs on [−π, π]³. */
export function ishigamiSobol(a = 7, b = 0.1): [number, number, number] {
  const pi4 = Math.PI ** 4;
  const v1 = 0.5 * (1 + (b * pi4) / 5) ** 2;
  const v2 = (a * a) / 8;
  const v = v1 + v2 + (8 * b * b * pi4 * pi4) / 225;
  return [v1 / v, v2 / v, 0];
}

/** One seeded standard normal draw: the noise of trial `seed`. */
const seededGaussian = (seed: number): number => gaussian(mulberry32(seed));

const unit6: SearchSpace = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i + 1}`, { type: 'float', low: 0, high: 1 }]));

export const TEST_FUNCTIONS: Record<'branin' | 'hartmann6' | 'quadratic', TestFunction> = {
  branin: {
    name: 'Branin',
    space: { x1: { type: 'float', low: -5, high: 10 }, x2: { type: 'float', low: 0, high: 15 } },
    minimum: 0.397887,
    objective: () => (p) => branin(num(p, 'x1'), num(p, 'x2')),
  },
  hartmann6: {
    name: 'Hartmann-6',
    space: unit6,
    minimum: -3.32237,
    objective: () => (p) => hartmann6([1, 2, 3, 4, 5, 6].map((i) => num(p, `x${i}`))),
  },
  quadratic: {
    name: 'noisy quadratic with a categorical',
    space: { x: { type: 'float', low: -5, high: 5 }, y: { type: 'float', low: -5, high: 5 }, c: { type: 'categorical', choices: ['a', 'b', 'c'] } },
    minimum: 0,
    objective: (seed) => (p, trial) =>
      (num(p, 'x') - 1) ** 2 + 0.5 * (num(p, 'y') + 2) ** 2 + QUADRATIC_OFFSETS[p.c as string] + QUADRATIC_NOISE * seededGaussian(deriveSeed(seed, trial)),
  },
};

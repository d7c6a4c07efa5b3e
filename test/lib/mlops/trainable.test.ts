import { describe, expect, it } from 'vitest';
import { mlpData, mlpObjective } from '../../../src/lib/mlops';

const good = { learningRate: 0.05, hidden: 24, l2: 1e-5, momentum: 0.9, batchSize: 16 };
const task = { rows: 600, noise: 0.08, seed: 3 };

describe('mlpObjective (the two-spirals training job)', () => {
  it('makes balanced, seeded data: half of each class, the same points for the same seed', () => {
    const a = mlpData(task);
    const b = mlpData(task);
    expect(a.train.n).toBe(400);
    expect(a.val.n).toBe(200);
    expect(a.train.y.reduce((s, y) => s + y, 0)).toBe(200);
    expect(b.train.X).toEqual(a.train.X);
    expect(mlpData({ ...task, seed: 4 }).train.X).not.toEqual(a.train.X);
  });

  it('resuming a trial gives exactly what training it in one go gives, and counts only new epochs', () => {
    const f = mlpObjective(task);
    f(good, 3, 0);
    const resumed = f(good, 8, 0);
    expect(f.epochsTrained()).toBe(8);
    const g = mlpObjective(task);
    expect(g(good, 8, 0)).toBe(resumed);
  });

  it('learns: a good setting ends well below chance (ln 2 ≈ 0.693), a tiny learning rate does not', () => {
    const f = mlpObjective(task);
    expect(f(good, 30, 0)).toBeLessThan(0.5);
    expect(f({ ...good, learningRate: 1e-4, momentum: 0 }, 30, 1)).toBeGreaterThan(0.6);
  });

  it('a learning rate too large leaves it worse than chance; weights that overflow return NaN (a failed trial)', () => {
    const f = mlpObjective(task);
    expect(f({ ...good, learningRate: 3, momentum: 0.95, hidden: 64 }, 20, 0)).toBeGreaterThan(Math.LN2);
    // lr·λ > 2: weight decay itself makes every step overshoot, so the weights grow without bound.
    expect(f({ ...good, learningRate: 100, l2: 0.1 }, 20, 1)).toBeNaN();
  });
});

import { describe, expect, it } from 'vitest';
import { hyperband, hyperbandBrackets, runBudgetStudy, successiveHalving, type SearchSpace } from '../../../src/lib/mlops';

const space: SearchSpace = { q: { type: 'float', low: 0, high: 1 } };
/** A learning curve: a config of quality q (lower is better) ends at q and starts far above it; value(q, r) = q + 1/r. */
const curve = (p: Record<string, unknown>, budget: number) => (p.q as number) + 1 / budget;

describe('hyperbandBrackets', () => {
  it('is Li et al. 2018, Table 1 for R = 81, η = 3: five brackets, s = 4 first', () => {
    const b = hyperbandBrackets(81, 3);
    expect(b.map((x) => x.s)).toEqual([4, 3, 2, 1, 0]);
    expect(b.map((x) => x.rungs.map((g) => [g.n, g.r]))).toEqual([
      [[81, 1], [27, 3], [9, 9], [3, 27], [1, 81]],
      [[34, 3], [11, 9], [3, 27], [1, 81]],
      [[15, 9], [5, 27], [1, 81]],
      [[8, 27], [2, 81]],
      [[5, 81]],
    ]);
  });

  it('every bracket spends about the same budget, (s_max + 1)·R = 405 for R = 81 (Li et al.: B per bracket)', () => {
    for (const b of hyperbandBrackets(81, 3)) {
      const spent = b.rungs.reduce((s, g) => s + g.n * g.r, 0);
      expect(spent).toBeGreaterThanOrEqual(81 * 4);
      expect(spent).toBeLessThanOrEqual(405 * 1.05);
    }
  });

  it('R = 27, η = 3 and R = 16, η = 2 follow the same formulas; R below η is one bracket', () => {
    expect(hyperbandBrackets(27, 3).map((b) => b.rungs[0])).toEqual([{ n: 27, r: 1 }, { n: 12, r: 3 }, { n: 6, r: 9 }, { n: 4, r: 27 }]);
    expect(hyperbandBrackets(16, 2)[0].rungs.map((g) => g.n)).toEqual([16, 8, 4, 2, 1]);
    expect(hyperbandBrackets(2, 3)).toEqual([{ s: 0, rungs: [{ n: 1, r: 2 }] }]);
  });

  it('refuses eta < 2 and a resource below 1, naming them', () => {
    expect(() => hyperbandBrackets(81, 1.5)).toThrow(/eta must be at least 2/);
    expect(() => hyperbandBrackets(0.5, 3)).toThrow(/maxResource must be at least 1/);
    expect(() => hyperbandBrackets(81, NaN)).toThrow(/eta must be a finite number/);
  });
});

describe('successive halving and Hyperband', () => {
  it('successiveHalving keeps the best 1/η at each rung and spends Σ n_i·(r_i − r_{i−1}) when trials resume', async () => {
    const r = await successiveHalving({ objective: curve, space, seed: 1, n: 27, minResource: 1, maxResource: 27, eta: 3 });
    const perRung = [1, 3, 9, 27].map((b) => r.evaluations.filter((e) => e.budget === b).length);
    expect(perRung).toEqual([27, 9, 3, 1]);
    expect(r.resource).toBe(27 * 1 + 9 * 2 + 3 * 6 + 1 * 18);
    // Ranking at every rung is by q (1/r is shared), so the survivor is the best of the 27.
    expect(r.best.value).toBeCloseTo(Math.min(...r.trials.map((t) => t.params.q as number)) + 1 / 27, 12);
    expect(r.trials.filter((t) => t.state === 'pruned')).toHaveLength(26);
  });

  it('without resume each evaluation costs its whole budget', async () => {
    const r = await successiveHalving({ objective: curve, space, seed: 1, n: 9, minResource: 1, maxResource: 9, eta: 3, resume: false });
    expect(r.resource).toBe(9 * 1 + 3 * 3 + 1 * 9);
  });

  it('hyperband runs every bracket with random configurations and reports the full-budget curve', async () => {
    const r = await hyperband({ objective: curve, space, seed: 2, maxResource: 27, eta: 3 });
    const brackets = hyperbandBrackets(27, 3);
    expect(r.trials).toHaveLength(brackets.reduce((s, b) => s + b.rungs[0].n, 0));
    const expected = brackets.reduce((s, b) => s + b.rungs.reduce((a, g, i) => a + g.n * (g.r - (i ? b.rungs[i - 1].r : 0)), 0), 0);
    expect(r.resource).toBe(expected);
    expect(r.curve.resource.length).toBe(brackets.reduce((s, b) => s + b.rungs[b.rungs.length - 1].n, 0));
    for (let i = 1; i < r.curve.best.length; i++) expect(r.curve.best[i]).toBeLessThanOrEqual(r.curve.best[i - 1]);
    expect(r.best.value).toBe(r.curve.best[r.curve.best.length - 1]);
  });

  it('a failed evaluation drops its trial from the rung instead of ending the search', async () => {
    const r = await successiveHalving({ objective: (p, b) => ((p.q as number) < 0.3 ? NaN : curve(p, b)), space, seed: 3, n: 9, minResource: 1, maxResource: 9 });
    expect(r.trials.some((t) => t.state === 'failed')).toBe(true);
    expect(r.best.params.q as number).toBeGreaterThanOrEqual(0.3);
  });
});

describe('runBudgetStudy with the median stopping rule', () => {
  it('without pruning every trial trains to the full budget', async () => {
    const r = await runBudgetStudy({ objective: curve, space, seed: 1, sampler: 'random', trials: 10, maxResource: 8, pruner: 'none' });
    expect(r.resource).toBe(80);
    expect(r.trials.every((t) => t.state === 'complete' && t.budget === 8)).toBe(true);
  });

  it('stops a trial once its best value is worse than the median of completed trials at that step, after 5 completed', async () => {
    const qs = [0.5, 0.4, 0.6, 0.3, 0.7, 0.9, 0.1, 0.8];
    const r = await runBudgetStudy({
      objective: (_p, b, trial) => qs[trial] + 1 / b, space, seed: 1, sampler: 'random', trials: 8, maxResource: 4, pruner: { kind: 'median' },
    });
    // Medians of q over the first five (0.5, 0.4, 0.6, 0.3, 0.7) is 0.5: q = 0.9 is stopped at step 1, 0.1 completes,
    // then q = 0.8 is compared with the median of six completed (0.3..0.7, 0.1) = 0.45 and stopped.
    expect(r.trials.map((t) => t.state)).toEqual(['complete', 'complete', 'complete', 'complete', 'complete', 'pruned', 'complete', 'pruned']);
    expect(r.trials[5].budget).toBe(1);
    expect(r.resource).toBe(6 * 4 + 2 * 1);
  });

  it('checks its options', async () => {
    await expect(runBudgetStudy({ objective: curve, space, seed: 1, sampler: 'grid' as never, trials: 2, maxResource: 4, pruner: 'none' })).rejects.toThrow(/sampler must be one of/);
    await expect(runBudgetStudy({ objective: curve, space, seed: 1, sampler: 'random', trials: 2, maxResource: 0, pruner: 'none' })).rejects.toThrow(/maxResource must be at least 1/);
    await expect(runBudgetStudy({ objective: curve, space, seed: 1, sampler: 'random', trials: 2, maxResource: 4, pruner: { kind: 'percentile' } as never })).rejects.toThrow(/pruner must be/);
  });
});

import { describe, expect, it } from 'vitest';
import { gridLevels, gridPoints, MlopsInputError, runStudy, type SearchSpace } from '../../../src/lib/mlops';
import { Interrupt, StoppedError, taskContext } from '../../../src/lib/core/task';

const space: SearchSpace = {
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
  layers: { type: 'int', low: 1, high: 4 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const bowl = (p: Record<string, unknown>) => (Math.log10(p.lr as number) + 2) ** 2 + ((p.layers as number) - 2) ** 2 + (p.act === 'relu' ? 0 : 0.5);

describe('runStudy', () => {
  it('is reproducible: the same seed gives the same trials, another seed others', async () => {
    for (const sampler of ['grid', 'random', 'tpe'] as const) {
      const a = await runStudy({ objective: bowl, space, sampler, trials: 20, seed: 3 });
      const b = await runStudy({ objective: bowl, space, sampler, trials: 20, seed: 3 });
      const c = await runStudy({ objective: bowl, space, sampler, trials: 20, seed: 4 });
      expect(b.trials).toEqual(a.trials);
      expect(c.trials.map((t) => t.params)).not.toEqual(a.trials.map((t) => t.params));
    }
  });

  it('returns the lowest value as best, and a best-so-far curve that never rises', async () => {
    const r = await runStudy({ objective: bowl, space, sampler: 'random', trials: 30, seed: 1 });
    const min = Math.min(...r.trials.map((t) => t.value));
    expect(r.best.value).toBe(min);
    expect(r.trials[r.best.trial].params).toEqual(r.best.params);
    for (let i = 1; i < r.bestSoFar.length; i++) expect(r.bestSoFar[i]).toBeLessThanOrEqual(r.bestSoFar[i - 1]);
    expect(r.bestSoFar[29]).toBe(min);
  });

  it('samples inside the space: log-uniform floats (about a quarter per decade of four), ints in range, listed choices', async () => {
    const r = await runStudy({ objective: bowl, space, sampler: 'random', trials: 2000, seed: 9 });
    const lrs = r.trials.map((t) => t.params.lr as number);
    expect(Math.min(...lrs)).toBeGreaterThanOrEqual(1e-4);
    expect(Math.max(...lrs)).toBeLessThanOrEqual(1);
    const decade = lrs.filter((x) => x < 1e-3).length / lrs.length;
    expect(decade).toBeGreaterThan(0.22);
    expect(decade).toBeLessThan(0.28);
    expect(new Set(r.trials.map((t) => t.params.layers))).toEqual(new Set([1, 2, 3, 4]));
    expect(new Set(r.trials.map((t) => t.params.act))).toEqual(new Set(['relu', 'tanh']));
  });

  it('grid search tries every point of its grid once and stops when the grid is done', async () => {
    const r = await runStudy({ objective: bowl, space, sampler: 'grid', trials: 100, seed: 1 });
    const grid = gridPoints(space, 100);
    expect(r.trials).toHaveLength(grid.length);
    expect(new Set(r.trials.map((t) => JSON.stringify(t.params)))).toEqual(new Set(grid.map((p) => JSON.stringify(p))));
  });

  it('gridLevels spends the budget evenly: 49 trials over two floats give 7 × 7; choices are all kept', () => {
    const two = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 0, high: 1 } } as const;
    const l = gridLevels(two, 49);
    expect(l.a).toEqual([0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1].map((x) => expect.closeTo(x, 12)));
    expect(l.b).toHaveLength(7);
    expect(gridLevels(two, 48).a.length * gridLevels(two, 48).b.length).toBeLessThanOrEqual(48);
    const mixed = gridLevels(space, 40);
    expect(mixed.act).toEqual(['relu', 'tanh']);
    expect(mixed.layers.length * mixed.lr.length * 2).toBeLessThanOrEqual(40);
    expect(mixed.lr[0]).toBeCloseTo(1e-4, 12);
    expect(mixed.lr[mixed.lr.length - 1]).toBeCloseTo(1, 12);
    expect(mixed.layers).toEqual([1, 2, 3, 4]);
  });

  it('a trial that throws or returns NaN is failed and never best; all failing is an error naming the objective', async () => {
    const r = await runStudy({ objective: (p, i) => (i % 3 === 0 ? NaN : i % 3 === 1 ? (() => { throw new Error('diverged'); })() : bowl(p)), space, sampler: 'random', trials: 9, seed: 2 });
    expect(r.trials.filter((t) => t.state === 'failed')).toHaveLength(6);
    expect(r.trials[1].error).toBe('diverged');
    expect(r.trials[0].error).toMatch(/returned NaN/);
    expect(r.best.trial % 3).toBe(2);
    await expect(runStudy({ objective: () => NaN, space, sampler: 'tpe', trials: 3, seed: 1 })).rejects.toThrow(/All 3 trials failed/);
  });

  it('takes an async objective', async () => {
    const r = await runStudy({ objective: async (p) => bowl(p), space, sampler: 'tpe', trials: 12, seed: 1 });
    expect(r.trials).toHaveLength(12);
  });

  it('bad input gets an error naming the culprit', async () => {
    const bad = (o: object) => runStudy({ objective: bowl, space, sampler: 'random', trials: 5, seed: 1, ...o } as never);
    await expect(bad({ space: { lr: { type: 'float', low: 0.1, high: 0.01 } } })).rejects.toThrow('Search space parameter "lr": low (0.1) > high (0.01).');
    await expect(bad({ space: { lr: { type: 'float', low: 0, high: 1, log: true } } })).rejects.toThrow(/"lr" is on a log scale, so low must be > 0/);
    await expect(bad({ space: { n: { type: 'int', low: 1.5, high: 3 } } })).rejects.toThrow(/"n" is an int/);
    await expect(bad({ space: { c: { type: 'categorical', choices: [] } } })).rejects.toThrow(/"c" has no choices/);
    await expect(bad({ space: {} })).rejects.toThrow(/no parameters/);
    await expect(bad({ sampler: 'bayes' })).rejects.toThrow(/sampler must be one of grid, random, tpe/);
    await expect(bad({ trials: 0 })).rejects.toThrow(/trials must be at least 1/);
    const e = await bad({ space: { lr: { type: 'float', low: 2, high: 1 } } }).catch((x) => x);
    expect(e).toBeInstanceOf(MlopsInputError);
    expect(e.culprit).toBe('lr');
  });

  it('stops at once when Stop is pressed, with a StoppedError', async () => {
    const stop = new Interrupt();
    let n = 0;
    const run = runStudy({ objective: (p) => (++n === 4 && stop.interrupt(), bowl(p)), space, sampler: 'random', trials: 50, seed: 1, ctx: taskContext(stop) });
    await expect(run).rejects.toBeInstanceOf(StoppedError);
    expect(n).toBe(4);
  });
});

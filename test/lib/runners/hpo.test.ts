import { describe, expect, it } from 'vitest';
import { checkFields } from '../../../src/lib/core/fields';
import { Interrupt, StoppedError, taskContext } from '../../../src/lib/core/task';
import { defaults, fields, run, summary, validate, type HpoSettings } from '../../../src/lib/runners/hpo';

const small: HpoSettings = { ...defaults, trials: 8, maxEpochs: 9, rows: 600 };

describe('hpo runner', () => {
  it('the defaults pass the field table and the cross-field rule', () => {
    expect(() => checkFields(fields, defaults)).not.toThrow();
    expect(() => validate(defaults)).not.toThrow();
  });

  it('on the training job: three searches at equal trials, importance, and early stopping that spends fewer epochs', async () => {
    const r = await run(undefined, small);
    expect(r.searches.map((x) => x.sampler)).toEqual(['grid', 'random', 'tpe']);
    for (const x of r.searches) {
      expect(x.values.length).toBeLessThanOrEqual(8);
      expect(x.best.value).toBe(Math.min(...Array.from(x.values).filter(Number.isFinite)));
    }
    // Random search tries a new learning rate every trial; the grid repeats a few.
    const [grid, random] = r.searches;
    expect(random.distinct.learningRate).toBe(8);
    expect(grid.distinct.learningRate).toBeLessThan(8);
    expect(r.importance.reduce((a, b) => a + b.importance, 0)).toBeCloseTo(1, 9);
    const [full, median, hb] = r.early!.runs;
    expect(full.epochs).toBe(8 * 9);
    expect(median.epochs).toBeLessThanOrEqual(full.epochs);
    expect(hb.epochs).toBeLessThan(full.epochs);
    expect(r.dataHash).toMatch(/^[0-9a-f]{64}$/);
    const s = summary(r);
    expect(s.epochsFull).toBe(72);
    expect(s.topParam).toBe(r.importance[0].name);
  });

  it('is reproducible: the same settings give the same numbers', async () => {
    const a = summary(await run(undefined, { ...small, objective: 'branin', trials: 12 }));
    const b = summary(await run(undefined, { ...small, objective: 'branin', trials: 12 }));
    expect(a).toEqual(b);
    expect(a.minimum).toBeCloseTo(0.397887, 6);
    expect(a.epochsFull).toBeUndefined();
  });

  it('refuses a run too big for a minute, naming trials', () => {
    expect(() => validate({ ...defaults, trials: 200, maxEpochs: 81 })).toThrow(/Lower the trials or the full budget/);
  });

  it('stops when asked', async () => {
    const stop = new Interrupt();
    stop.interrupt();
    await expect(run(taskContext(stop), small)).rejects.toBeInstanceOf(StoppedError);
  });
});

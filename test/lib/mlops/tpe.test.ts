import { describe, expect, it } from 'vitest';
import { categoricalParzen, defaultWeights, numericParzen, splitObservations, TPE_DEFAULTS, toInternal, tpePropose, type Dimension } from '../../../src/lib/mlops';
import { mulberry32 } from '../../../src/lib/core/rng';
import { refs } from './refs';

describe('TPE Parzen estimators', () => {
  for (const c of refs.parzen) {
    const d = c.space as Dimension;
    // Optuna keeps a choice as its index and every number as itself; toInternal logs log-scale values.
    const obs = d.type === 'categorical' ? c.observations : c.observations.map((x) => toInternal(d, x));
    const make = (score: 'optuna-3.1' | 'density') =>
      d.type === 'categorical' ? categoricalParzen(d.choices.length, obs, { ...TPE_DEFAULTS, score }) : numericParzen(d, obs, { ...TPE_DEFAULTS, score });
    it(`score 'optuna-3.1' is Optuna 3.1's _ParzenEstimator.log_pdf: ${c.name}`, () => {
      const pe = make('optuna-3.1');
      c.points.forEach((p, i) => expect(pe.logPdf(toInternal(d, p))).toBeCloseTo(c.optunaLogPdf[i], 9));
    });
    it(`score 'density' is the true mixture density (scipy truncnorm over Optuna's centres, widths, weights): ${c.name}`, () => {
      const pe = make('density');
      c.points.forEach((p, i) => expect(pe.logPdf(toInternal(d, p))).toBeCloseTo(c.logPdf[i], 9));
    });
  }

  it('a Parzen density integrates to 1 over the space (linear and log floats)', () => {
    for (const d of [{ type: 'float', low: -5, high: 10 }, { type: 'float', low: 1e-4, high: 1, log: true }] as const) {
      const obs = [0.3, 0.5, 0.9].map((u) => (d.log ? Math.log(1e-4) * (1 - u) : -5 + 15 * u));
      const pe = numericParzen(d, obs, { ...TPE_DEFAULTS, score: 'density' });
      const [lo, hi] = d.log ? [Math.log(d.low), Math.log(d.high)] : [d.low, d.high];
      let s = 0;
      const n = 20000;
      for (let i = 0; i < n; i++) s += Math.exp(pe.logPdf(lo + ((i + 0.5) * (hi - lo)) / n)) * ((hi - lo) / n);
      expect(s).toBeCloseTo(1, 4);
    }
  });

  it('an integer Parzen estimator puts probability 1 on the integers of the range', () => {
    const pe = numericParzen({ type: 'int', low: 2, high: 9 }, [3, 3, 7], TPE_DEFAULTS);
    let s = 0;
    for (let k = 2; k <= 9; k++) s += Math.exp(pe.logPdf(k));
    expect(s).toBeCloseTo(1, 12);
  });

  it('samples follow the density: the share of draws below the midpoint matches its integral', () => {
    const pe = numericParzen({ type: 'float', low: 0, high: 1 }, [0.1, 0.15, 0.2, 0.8], { ...TPE_DEFAULTS, score: 'density' });
    const rng = mulberry32(1);
    const n = 40000;
    let below = 0;
    for (let i = 0; i < n; i++) if (pe.sample(rng) < 0.5) below++;
    let mass = 0;
    for (let i = 0; i < 5000; i++) mass += Math.exp(pe.logPdf((i + 0.5) / 10000)) / 10000;
    expect(below / n).toBeCloseTo(mass, 2);
  });
});

describe('TPE bookkeeping', () => {
  it("defaultWeights is Optuna's: ones under 25, then a ramp from 1/n to 1 before 25 ones", () => {
    expect(defaultWeights(3)).toEqual([1, 1, 1]);
    const w = defaultWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 12);
    expect(w[4]).toBeCloseTo(1, 12);
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
    // numpy.linspace(1/30, 1, 5) = 1/30 + k·(1 − 1/30)/4
    expect(w[2]).toBeCloseTo(1 / 30 + (2 * (1 - 1 / 30)) / 4, 12);
  });

  it('splitObservations takes the γ best by value, completed trials ahead of pruned ones, each group in trial order', () => {
    const obs = [{ value: 5 }, { value: 1 }, { value: 0.5, budget: 3 }, { value: 2 }, { value: 0.1, budget: 1 }, { value: 3 }];
    expect(splitObservations(obs, 3)).toEqual({ below: [1, 3, 5], above: [0, 2, 4] });
    expect(splitObservations(obs, 5)).toEqual({ below: [0, 1, 2, 3, 5], above: [4] });
  });

  it('proposes at random for the first 10 trials, then from the model, inside the space', () => {
    const space = { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 5 }, c: { type: 'categorical', choices: ['a', 'b'] } } as const;
    const rng = mulberry32(4);
    const history = Array.from({ length: 30 }, (_, i) => ({ params: { x: i / 30, n: 1 + (i % 5), c: i % 2 ? 'a' : 'b' }, value: Math.abs(i / 30 - 0.25) }));
    for (let k = 0; k < 20; k++) {
      const p = tpePropose(space, history, rng);
      expect(p.x as number).toBeGreaterThanOrEqual(0);
      expect(p.x as number).toBeLessThanOrEqual(1);
      expect(Number.isInteger(p.n)).toBe(true);
      expect(['a', 'b']).toContain(p.c);
    }
    // With the best trials near x = 0.25, proposals concentrate there.
    const xs = Array.from({ length: 80 }, () => tpePropose(space, history, rng).x as number);
    const near = xs.filter((x) => Math.abs(x - 0.25) < 0.15).length / xs.length;
    expect(near).toBeGreaterThan(0.6);
  });
});

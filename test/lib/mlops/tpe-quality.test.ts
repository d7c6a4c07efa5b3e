// TPE's quality against random search and against Optuna 3.1's TPESampler (refs/make_refs.py): the
// median best value after 50 trials over seeds 0..19 on three test functions. The same comparison,
// timed, is the `mlops` section of the benchmark.
import { describe, expect, it } from 'vitest';
import { mannWhitneyU, runStudy, TEST_FUNCTIONS } from '../../../src/lib/mlops';
import { median } from '../../../src/lib/mlops/hyperband';
import { refs } from './refs';

const { trials, seeds, functions } = refs.studies;
const names = Object.keys(functions) as (keyof typeof functions)[];

async function bests(name: keyof typeof functions, sampler: 'random' | 'tpe'): Promise<number[]> {
  const f = TEST_FUNCTIONS[name];
  const out: number[] = [];
  for (const seed of seeds) out.push((await runStudy({ objective: f.objective(seed), space: f.space, sampler, trials, seed })).best.value);
  return out;
}

describe('TPE quality (50 trials, 20 seeds)', async () => {
  const ours = Object.fromEntries(await Promise.all(names.map(async (n) => [n, { tpe: await bests(n, 'tpe'), random: await bests(n, 'random') }] as const)));

  it('TPE\'s median best beats random search\'s on at least 2 of the 3 functions', () => {
    const wins = names.filter((n) => median(ours[n].tpe) < median(ours[n].random));
    expect(wins.length).toBeGreaterThanOrEqual(2);
  });

  it("random search matches Optuna's RandomSampler (Mann–Whitney, two-sided p > 0.05): the functions are the same", () => {
    for (const n of names) expect(mannWhitneyU(ours[n].random, functions[n].random, 'two-sided').p).toBeGreaterThan(0.05);
  });

  for (const n of names) {
    it(`${n}: TPE is not significantly worse than Optuna's TPESampler (one-sided Mann–Whitney p > 0.05)`, () => {
      expect(mannWhitneyU(ours[n].tpe, functions[n].tpe, 'greater').p).toBeGreaterThan(0.05);
    });
  }
});

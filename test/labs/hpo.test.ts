import { describe, expect, it } from 'vitest';
import { meta, defaults } from '../../labs/hpo/lab';
import { run, summary } from '../../src/lib/runners/hpo';
import type { RunRecord } from '../../src/lib/store/types';
import { record } from './mlops-fixtures';

const check = (id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });
const base = { bestGrid: 0.4, bestRandom: 0.1, bestTpe: 0.09, trialsGrid: 24, topParam: 'learningRate', topImportance: 0.6, distinctTopGrid: 3, distinctTopRandom: 30, epochsFull: 810, epochsMedian: 300, epochsHyperband: 357, bestFull: 0.11, bestMedian: 0.11, bestHyperband: 0.07, pruned: 20 };
const mlp = (patch: object, result: object = {}) => record('hpo', { ...defaults, ...patch }, { ...base, ...result });

describe('hpo lab exercises', () => {
  it('random-beats-grid: passes when random search ends lower with 20+ trials, not otherwise', () => {
    expect(check('random-beats-grid', [mlp({})]).passed).toBe(true);
    expect(check('random-beats-grid', [mlp({}, { bestRandom: 0.5 })]).passed).toBe(false);
    expect(check('random-beats-grid', [mlp({ trials: 10 })]).passed).toBe(false);
    expect(check('random-beats-grid', [mlp({})]).detail).toContain('took 3 values on the grid and 30 in random search');
  });

  it('tpe-hartmann: needs Hartmann-6 with 40+ trials and TPE below random', () => {
    const h = (trials: number, bestTpe: number) => mlp({ objective: 'hartmann6', trials }, { bestTpe, bestRandom: -2.5, bestGrid: -1, minimum: -3.32237 });
    expect(check('tpe-hartmann', [h(40, -3.1)]).passed).toBe(true);
    expect(check('tpe-hartmann', [h(40, -2.2)]).passed).toBe(false);
    expect(check('tpe-hartmann', [h(30, -3.1)]).passed).toBe(false);
  });

  it("early-stopping: the answer must state the run's own epoch counts", () => {
    const runs = [mlp({})];
    expect(check('early-stopping', runs, { 'early-stopping': 'Hyperband trained 357 epochs against 810 for random search.' }).passed).toBe(true);
    expect(check('early-stopping', runs, { 'early-stopping': 'Hyperband: 357 epochs, 44% of the full search.' }).passed).toBe(true);
    expect(check('early-stopping', runs, { 'early-stopping': 'Hyperband trained about a third as many epochs.' }).passed).toBe(false);
    expect(check('early-stopping', runs, { 'early-stopping': 'Hyperband trained 3570 epochs against 810.' }).passed).toBe(false);
  });

  it("importance: the answer must name the run's top parameter", () => {
    expect(check('importance', [mlp({})], { importance: 'The learning rate.' }).passed).toBe(true);
    expect(check('importance', [mlp({})], { importance: 'The batch size.' }).passed).toBe(false);
    expect(check('importance', [mlp({}, { topParam: 'l2' })], { importance: 'weight decay (L2)' }).passed).toBe(true);
  });

  it("the checks read keys a real run's summary has", async () => {
    const s = summary(await run(undefined, { ...defaults, trials: 6, maxEpochs: 3, rows: 300 }));
    for (const k of Object.keys(base)) expect(s, k).toHaveProperty(k);
    const r = record('hpo', { ...defaults, trials: 20 }, s);
    expect(check('early-stopping', [r], { 'early-stopping': `${s.epochsHyperband} and ${s.epochsFull}` }).passed).toBe(true);
  });
});

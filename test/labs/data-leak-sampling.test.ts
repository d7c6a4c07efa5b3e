/** Exercise checks of the leakage and sampling labs, fed with runs built from real simulations (as the page saves them). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { simulateLeakage, type LeakageSimSettings } from '../../src/lib/runners/leakage';
import { simulateSampling, type SamplingSimSettings } from '../../src/lib/runners/sampling';
import * as leakageLab from '../../labs/leakage/lab';
import * as samplingLab from '../../labs/sampling/lab';
import * as leakageRunner from '../../src/lib/runners/leakage';
import * as samplingRunner from '../../src/lib/runners/sampling';
import { labRuns } from '../../labs/kit/runs';

type Settings = Record<string, number | string>;
const leakage = { ...leakageLab, ...leakageRunner };
const sampling = { ...samplingLab, ...samplingRunner };

let n = 0;
function record(lab: string, settings: Settings, result: unknown): RunRecord {
  n++;
  return {
    id: `run-test-${n.toString().padStart(6, '0')}`, lab, params: { ...settings, result }, seed: Number(settings.seed), dataHash: 'simulated', backend: 'sim-worker',
    appVersion: 'test', status: 'done', createdAt: n, updatedAt: n, durationMs: 10, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const check = (meta: { exercises: { id: string; check: (i: { runs: RunRecord[]; answers: Record<string, string> }) => { passed: boolean; detail: string } }[] }, id: string, runs: RunRecord[], answers = {}) =>
  meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

const leakRun = async (patch: Partial<Settings>) => {
  const s = { ...leakage.defaults, customers: 1500, ...patch };
  return record('leakage', s, leakage.digest(await simulateLeakage(s as unknown as LeakageSimSettings)));
};
const sampleRun = async (patch: Partial<Settings>) => {
  const s = { ...sampling.defaults, population: 2000, draws: 400, trainRows: 8000, ...patch };
  return record('sampling', s, sampling.digest(await simulateSampling(s as unknown as SamplingSimSettings)));
};

describe('leakage exercises', () => {
  it('each-leak needs a clean run and one run per leak, each with a wider gap', async () => {
    const off = { leakSplit: 0, leakPreprocessing: 0, leakTarget: 0, leakDuplicates: 0 };
    const runs = [await leakRun(off)];
    expect(check(leakage.meta, 'each-leak', runs).passed).toBe(false);
    for (const k of ['leakSplit', 'leakPreprocessing', 'leakTarget']) runs.push(await leakRun({ ...off, [k]: 1 }));
    const partial = check(leakage.meta, 'each-leak', runs);
    expect(partial.passed).toBe(false);
    expect(partial.detail).toContain('leakDuplicates');
    runs.push(await leakRun({ ...off, leakDuplicates: 1 }));
    expect(check(leakage.meta, 'each-leak', runs).passed).toBe(true);
  });

  it('find-feature passes on the default run with an answer naming the feature and its timing', async () => {
    const runs = [await leakRun({})];
    expect(check(leakage.meta, 'find-feature', runs, { 'find-feature': 'dunno' }).passed).toBe(false);
    expect(check(leakage.meta, 'find-feature', runs, { 'find-feature': 'retention_offer: it is only set after the customer calls to cancel.' }).passed).toBe(false);
    const without = Number(labRuns<Settings, Record<string, number>>(runs)[0].result.ablate_retention_offer);
    expect(check(leakage.meta, 'find-feature', runs, { 'find-feature': `retention_offer (validation ${(without + 0.05).toFixed(3)} without it): it is only set after the customer calls to cancel.` }).passed).toBe(false);
    expect(check(leakage.meta, 'find-feature', runs, { 'find-feature': `retention_offer (validation ${without.toFixed(3)} without it): it is only set after the customer calls to cancel.` }).passed).toBe(true);
  });

  it('null-model fails on the default run (a leaked column) and passes with preprocessing fitted on all data', async () => {
    const generic = { 'null-model': 'The postcode encoding was fitted with the validation labels inside it.' };
    const leaky = await leakRun({ leakTarget: 0, leakPreprocessing: 1 });
    const score = labRuns<Settings, Record<string, number>>([leaky])[0].result.nullVal;
    const answer = { 'null-model': `It scored ${score.toFixed(3)}: the postcode encoding was fitted with the validation labels inside it.` };
    expect(check(leakage.meta, 'null-model', [await leakRun({})], answer).passed).toBe(false);
    expect(check(leakage.meta, 'null-model', [leaky], generic).passed).toBe(false);
    expect(check(leakage.meta, 'null-model', [leaky], { 'null-model': answer['null-model'].replace(score.toFixed(3), (score + 0.1).toFixed(3)) }).passed).toBe(false);
    expect(check(leakage.meta, 'null-model', [leaky], answer).passed).toBe(true);
  });
});

describe('sampling exercises', () => {
  it('variance-n passes for n = 25 then 100 (same seed and population), not for one run', async () => {
    const a = await sampleRun({ sampleSize: 25 });
    expect(check(sampling.meta, 'variance-n', [a]).passed).toBe(false);
    const b = await sampleRun({ sampleSize: 100 });
    expect(check(sampling.meta, 'variance-n', [a, b]).passed).toBe(true);
  });

  it('stratify needs an answer; accuracy-lies passes at 1% positives with an answer about thresholds', async () => {
    const r = await sampleRun({});
    expect(check(sampling.meta, 'stratify', [r]).passed).toBe(false);
    const why = 'Segments differ a lot in spend, so stratifying removes the between-segment part; the first customers signed up early and spend more, a bias.';
    const res = labRuns<Settings, Record<string, number>>([r])[0].result;
    expect(check(sampling.meta, 'stratify', [r], { stratify: why }).passed).toBe(false);
    expect(check(sampling.meta, 'stratify', [r], { stratify: `RMSE ${(res.rmse_stratified * 1.5 + 1).toFixed(2)}. ${why}` }).passed).toBe(false);
    expect(check(sampling.meta, 'stratify', [r], { stratify: `RMSE ${res.rmse_stratified.toFixed(2)}. ${why}` }).passed).toBe(true);
    const weights = `Class weights, recall ${(100 * res.recall_weights).toFixed(1)}%: the ranking hardly changes, they move the threshold so more positives are flagged.`;
    expect(check(sampling.meta, 'accuracy-lies', [r], { 'accuracy-lies': 'Class weights: the ranking hardly changes, they move the threshold so more positives are flagged.' }).passed).toBe(false);
    expect(check(sampling.meta, 'accuracy-lies', [r], { 'accuracy-lies': `Focal loss, recall ${(100 * res.recall_focal + 20).toFixed(1)}%: it moves the threshold.` }).passed).toBe(false);
    expect(check(sampling.meta, 'accuracy-lies', [r], { 'accuracy-lies': weights }).passed).toBe(true);
    const balanced = await sampleRun({ positiveRate: 0.3 });
    expect(check(sampling.meta, 'accuracy-lies', [balanced], { 'accuracy-lies': 'Class weights: the ranking hardly changes, they move the threshold.' }).passed).toBe(false);
  });
});

/** Exercise checks of the evaluation labs, fed with constructed runs: each passes on a run (and answer) that meets it and fails on one that does not. */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import type { LabMeta } from '../../labs/types';
import { meta as metrics } from '../../labs/metrics/lab';
import { meta as calibration } from '../../labs/calibration/lab';
import { meta as errorAnalysis } from '../../labs/error-analysis/lab';
import { meta as fairness } from '../../labs/fairness/lab';
import { meta as explain } from '../../labs/explain/lab';
import { meta as modelCard } from '../../labs/model-card/lab';

let n = 0;
function run(lab: string, settings: Record<string, number | string>, result: Record<string, number | string>): RunRecord {
  n++;
  return {
    id: `run-eval-${n.toString().padStart(6, '0')}`, lab, params: { seed: 1, ...settings, result }, seed: 1, dataHash: 'test', backend: 'cpu',
    appVersion: 'test', status: 'done', createdAt: n, updatedAt: n, durationMs: 10, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const passes = (meta: LabMeta, id: string, runs: RunRecord[], answers: Record<string, string> = {}) =>
  meta.exercises.find((e) => e.id === id)!.check({ runs, answers }).passed;

describe('metrics exercises', () => {
  it('cost-threshold needs costFn ≥ 5 costFp and the threshold at the cheapest point', () => {
    const res = { bestThreshold: 0.12, costAtThreshold: 0.3, bestCost: 0.3, bayesThreshold: 0.17 };
    expect(passes(metrics, 'cost-threshold', [run('metrics', { costFp: 1, costFn: 5, threshold: 0.13 }, res)])).toBe(true);
    expect(passes(metrics, 'cost-threshold', [run('metrics', { costFp: 1, costFn: 5, threshold: 0.5 }, res)])).toBe(false);
    expect(passes(metrics, 'cost-threshold', [run('metrics', { costFp: 1, costFn: 3, threshold: 0.12 }, res)])).toBe(false);
  });
  it('why-pr needs a rare-default run and its PR-AUC stated with a reason', () => {
    const rare = [run('metrics', { defaultRate: 0.05 }, { ap: 0.312, prevalence: 0.05 })];
    const why = 'PR-AUC was 0.312: with rare positives, even a small false positive rate swamps them.';
    expect(passes(metrics, 'why-pr', rare, { 'why-pr': why })).toBe(true);
    expect(passes(metrics, 'why-pr', rare, { 'why-pr': 'With rare positives, even a small false positive rate swamps precision.' })).toBe(false);
    expect(passes(metrics, 'why-pr', rare, { 'why-pr': why.replace('0.312', '0.6') })).toBe(false);
    expect(passes(metrics, 'why-pr', [run('metrics', { defaultRate: 0.2 }, { ap: 0.312, prevalence: 0.2 })], { 'why-pr': why })).toBe(false);
  });
});

describe('calibration exercises', () => {
  it('smoothing needs a smoothed and a plain run, equal otherwise: ECE up, AUC within 0.01', () => {
    const plain = run('calibration', { model: 'plain', seed: 3 }, { ece_uncalibrated: 0.02, auc_uncalibrated: 0.8 });
    const smoothed = run('calibration', { model: 'smoothed', seed: 3 }, { ece_uncalibrated: 0.07, auc_uncalibrated: 0.802 });
    expect(passes(calibration, 'smoothing', [plain, smoothed])).toBe(true);
    const otherSeed = run('calibration', { model: 'smoothed', seed: 4 }, { ece_uncalibrated: 0.07, auc_uncalibrated: 0.802 });
    expect(passes(calibration, 'smoothing', [plain, otherSeed])).toBe(false);
    const better = run('calibration', { model: 'smoothed', seed: 3 }, { ece_uncalibrated: 0.01, auc_uncalibrated: 0.8 });
    expect(passes(calibration, 'smoothing', [plain, better])).toBe(false);
  });
  it('temperature needs the run’s ECE after temperature scaling and the missing intercept', () => {
    const r = [run('calibration', { model: 'balanced' }, { ece_uncalibrated: 0.12, ece_temperature: 0.081, ece_platt: 0.02, temperature: 1.1, plattA: 1, plattB: -1.2 })];
    const why = 'ECE stayed at 0.081: Platt has an intercept that undoes the base rate shift; temperature only scales.';
    expect(passes(calibration, 'temperature', r, { temperature: why })).toBe(true);
    expect(passes(calibration, 'temperature', r, { temperature: 'Platt has an intercept that undoes the base rate shift; temperature only scales.' })).toBe(false);
    expect(passes(calibration, 'temperature', r, { temperature: why.replace('0.081', '0.02') })).toBe(false);
  });
});

describe('error-analysis exercises', () => {
  it('survive needs a run with smallest slice ≥ 100', () => {
    const res = { worstPAdjusted: 0.01, slicesTested: 12, worstSlice: 'age < 25', worstErrorRate: 0.3, worstN: 140 };
    expect(passes(errorAnalysis, 'survive', [run('error-analysis', { minSlice: 100 }, res)])).toBe(true);
    expect(passes(errorAnalysis, 'survive', [run('error-analysis', { minSlice: 50 }, res)])).toBe(false);
  });
  it('label-errors needs noise 0 and ≥ 0.15, recorded accuracy falling > 2× the true one', () => {
    const clean = run('error-analysis', { labelNoise: 0, seed: 2 }, { accuracy: 0.8, accuracyTrue: 0.8, labelErrorShare: 0 });
    const noisy = run('error-analysis', { labelNoise: 0.15, seed: 2 }, { accuracy: 0.7, accuracyTrue: 0.79, labelErrorShare: 0.4 });
    expect(passes(errorAnalysis, 'label-errors', [clean, noisy])).toBe(true);
    const both = run('error-analysis', { labelNoise: 0.15, seed: 2 }, { accuracy: 0.7, accuracyTrue: 0.72, labelErrorShare: 0.1 });
    expect(passes(errorAnalysis, 'label-errors', [clean, both])).toBe(false);
    expect(passes(errorAnalysis, 'label-errors', [noisy])).toBe(false);
  });
});

describe('error-analysis written answer', () => {
  it('occlusion needs the feature the latest run’s chart names', () => {
    const r = [run('error-analysis', {}, { worstOcclusion: 'income', worstOcclusionAccuracy: 0.7, accuracy: 0.8 })];
    expect(passes(errorAnalysis, 'occlusion', r, { occlusion: 'Income: it carries most of the repayment signal.' })).toBe(true);
    expect(passes(errorAnalysis, 'occlusion', r, { occlusion: 'Age: it carries most of the repayment signal.' })).toBe(false);
  });
});

describe('fairness exercises', () => {
  it('cause needs label bias 0 and a parity gap under 0.06', () => {
    const res = { recordedRate0: 0.2, recordedRate1: 0.2 };
    expect(passes(fairness, 'cause', [run('fairness', { labelBias: 0 }, { ...res, withGroup_dpd: 0.02 })])).toBe(true);
    expect(passes(fairness, 'cause', [run('fairness', { labelBias: 0 }, { ...res, withGroup_dpd: 0.1 })])).toBe(false);
    expect(passes(fairness, 'cause', [run('fairness', { labelBias: 0.2 }, { ...res, withGroup_dpd: 0.02 })])).toBe(false);
  });
  it('proxy needs proxy 0 and ≥ 0.6 at bias ≥ 0.2: the gap without the group less than halves without a proxy', () => {
    const none = run('fairness', { labelBias: 0.2, proxyStrength: 0 }, { noGroup_dpd: 0.03, withGroup_dpd: 0.2 });
    const strong = run('fairness', { labelBias: 0.2, proxyStrength: 0.6 }, { noGroup_dpd: 0.15, withGroup_dpd: 0.2 });
    expect(passes(fairness, 'proxy', [none, strong])).toBe(true);
    const weak = run('fairness', { labelBias: 0.2, proxyStrength: 0.6 }, { noGroup_dpd: 0.04, withGroup_dpd: 0.2 });
    expect(passes(fairness, 'proxy', [none, weak])).toBe(false);
    expect(passes(fairness, 'proxy', [strong])).toBe(false);
  });
  it('penalty needs two penalties, the gap smaller, and the accuracy vs truth at the larger stated', () => {
    const a = run('fairness', { penalty: 1 }, { penalty_dpd: 0.2, penalty_accuracy: 0.8, penalty_accuracyTrue: 0.75 });
    const b = run('fairness', { penalty: 50 }, { penalty_dpd: 0.03, penalty_accuracy: 0.76, penalty_accuracyTrue: 0.742 });
    const why = 'Accuracy against the truth stayed at 0.742 while accuracy against the recorded, biased labels fell.';
    expect(passes(fairness, 'penalty', [a, b], { penalty: why })).toBe(true);
    expect(passes(fairness, 'penalty', [a, b], { penalty: why.replace('0.742', '74.2%') })).toBe(true);
    expect(passes(fairness, 'penalty', [a, b], { penalty: 'Accuracy against the recorded, biased labels fell; against the truth it held.' })).toBe(false);
    expect(passes(fairness, 'penalty', [a, b], { penalty: why.replace('0.742', '0.76') })).toBe(false);
    const wider = run('fairness', { penalty: 50 }, { penalty_dpd: 0.3, penalty_accuracy: 0.76, penalty_accuracyTrue: 0.742 });
    expect(passes(fairness, 'penalty', [a, wider], { penalty: why })).toBe(false);
  });
});

describe('explain exercises', () => {
  it('find-group needs label bias ≥ 0.3 and the group in the top three', () => {
    const res = { shap_group: 0.3, coef_group: 0.8 };
    expect(passes(explain, 'find-group', [run('explain', { labelBias: 0.3 }, { ...res, groupShapRank: 2 })])).toBe(true);
    expect(passes(explain, 'find-group', [run('explain', { labelBias: 0.3 }, { ...res, groupShapRank: 5 })])).toBe(false);
    expect(passes(explain, 'find-group', [run('explain', { labelBias: 0.1 }, { ...res, groupShapRank: 1 })])).toBe(false);
  });
  it('smoothing needs noise ≥ 0.2 at smoothing 0 and ≥ 0.2, and the smoothed coefficient norm stated', () => {
    const a = run('explain', { labelNoise: 0.2, labelSmoothing: 0 }, { coefNorm: 2.3, aucTrue: 0.8, trueError: 0.05 });
    const b = run('explain', { labelNoise: 0.2, labelSmoothing: 0.2 }, { coefNorm: 1.42, aucTrue: 0.8, trueError: 0.06 });
    const why = 'The coefficient norm shrank to 1.42; the ranking (AUC) against the truth stayed.';
    expect(passes(explain, 'smoothing', [a, b], { smoothing: why })).toBe(true);
    expect(passes(explain, 'smoothing', [a, b], { smoothing: 'The coefficients shrank; the ranking (AUC) against the truth stayed.' })).toBe(false);
    expect(passes(explain, 'smoothing', [a, b], { smoothing: why.replace('1.42', '2.3') })).toBe(false);
    const otherNoise = run('explain', { labelNoise: 0.1, labelSmoothing: 0.2 }, { coefNorm: 1.42, aucTrue: 0.8, trueError: 0.06 });
    expect(passes(explain, 'smoothing', [a, otherNoise], { smoothing: why })).toBe(false);
  });
});

describe('model-card exercises', () => {
  const card = { auc: 0.781, ece: 0.03, dir: 0.92, dpd: 0.04 };
  it('first-card needs a card', () => {
    expect(passes(modelCard, 'first-card', [run('model-card', { labelBias: 0.2 }, card)])).toBe(true);
    expect(passes(modelCard, 'first-card', [])).toBe(false);
  });
  it('shippable needs bias ≥ 0.15 and all four thresholds met', () => {
    const s = { labelBias: 0.15, mitigation: 'reweigh', features: 'no-group', calibration: 'platt' };
    expect(passes(modelCard, 'shippable', [run('model-card', s, card)])).toBe(true);
    expect(passes(modelCard, 'shippable', [run('model-card', s, { ...card, dir: 0.85 })])).toBe(false);
    expect(passes(modelCard, 'shippable', [run('model-card', s, { ...card, ece: 0.06 })])).toBe(false);
    expect(passes(modelCard, 'shippable', [run('model-card', { ...s, labelBias: 0.1 }, card)])).toBe(false);
  });
  it('limitation needs the latest card’s ROC-AUC and a risk no metric measures', () => {
    const r = [run('model-card', { labelBias: 0.2 }, card)];
    const lim = 'The ROC-AUC of 0.781 says nothing about drift once the economy changes.';
    expect(passes(modelCard, 'limitation', r, { limitation: lim })).toBe(true);
    expect(passes(modelCard, 'limitation', r, { limitation: 'The model may suffer from drift once the economy changes, watch it.' })).toBe(false);
    expect(passes(modelCard, 'limitation', r, { limitation: lim.replace('0.781', '0.9') })).toBe(false);
    expect(passes(modelCard, 'limitation', r, { limitation: 'The ROC-AUC of 0.781 is good enough for a card like this one.' })).toBe(false);
    expect(passes(modelCard, 'limitation', [], { limitation: lim })).toBe(false);
  });
});

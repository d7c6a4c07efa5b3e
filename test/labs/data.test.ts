/** Exercise checks of the drift and feature-store labs, fed with run records as the labs save them (dataRunRecord). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { meta as drift } from '../../labs/drift/lab';
import { meta as fs } from '../../labs/feature-store/lab';
import { defaults as driftDefaults } from '../../src/lib/runners/drift';
import { defaults as fsDefaults } from '../../src/lib/runners/feature-store';

let n = 0;
function record(lab: string, settings: Record<string, number | string>, result: Record<string, number | string>): RunRecord {
  n++;
  return {
    id: `run-${n}`, lab, params: { ...settings, result }, seed: Number(settings.seed), dataHash: 'x', backend: 'duckdb-wasm', appVersion: 'test', status: 'done',
    createdAt: n, updatedAt: n, durationMs: 1, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const check = (meta: typeof drift, id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });
const monitor = (patch: Record<string, number | string>, result: Record<string, number | string>) =>
  record('drift', { ...driftDefaults, ...patch }, { kind: 'monitor', falseAlarms: 0, 'delay:sudden-shift': 0, 'delay:gradual-shift': 13, 'delay:concept-drift': 3, sessionsDriftAlarms: 0, gradualPsiAtDetection: 0.21, ...result });

describe('drift lab exercises', () => {
  it('sudden shift: passes with delay ≤ 1 and no false alarm, not with a false alarm', () => {
    expect(check(drift, 'sudden-no-false', [monitor({}, { falseAlarms: 1 })]).passed).toBe(false);
    expect(check(drift, 'sudden-no-false', [monitor({}, { 'delay:sudden-shift': 2 })]).passed).toBe(false);
    expect(check(drift, 'sudden-no-false', [monitor({}, {})]).passed).toBe(true);
  });

  it('sample size: needs a KS pair with a tiny PSI at detection, a 2-day gap, and an answer', () => {
    const big = monitor({ statistic: 'ks', rowsPerDay: 50000 }, { 'delay:gradual-shift': 1, gradualPsiAtDetection: 0.004 });
    const small = monitor({ statistic: 'ks', rowsPerDay: 500 }, { 'delay:gradual-shift': 3 });
    expect(check(drift, 'sample-size', [big]).passed).toBe(false);
    expect(check(drift, 'sample-size', [big, small]).passed).toBe(false); // no answer yet
    expect(check(drift, 'sample-size', [big, small], { 'sample-size': 'The 5,000-row reference sample caps the effective sample size mn/(m+n).' }).passed).toBe(false);
    expect(check(drift, 'sample-size', [big, small], { 'sample-size': 'After 2 days: the 5,000-row reference sample caps the effective sample size mn/(m+n).' }).passed).toBe(false);
    expect(check(drift, 'sample-size', [big, small], { 'sample-size': 'After 1 day: the 5,000-row reference sample caps the effective sample size mn/(m+n).' }).passed).toBe(true);
    const close = monitor({ statistic: 'ks', rowsPerDay: 500 }, { 'delay:gradual-shift': 2 });
    expect(check(drift, 'sample-size', [big, close], { 'sample-size': 'The 5,000-row reference sample caps the effective sample size.' }).passed).toBe(false);
  });

  it('concept drift: sessions quiet and the performance alarm fired', () => {
    const answer = { 'concept-drift': 'After 3 days. Only the relationship P(y|x) changed, so only labels can show it.' };
    expect(check(drift, 'concept-drift', [monitor({}, {})], { 'concept-drift': 'Only the relationship P(y|x) changed, so only labels can show it.' }).passed).toBe(false);
    expect(check(drift, 'concept-drift', [monitor({}, {})], { 'concept-drift': 'After 5 days. Only the relationship P(y|x) changed, so only labels can show it.' }).passed).toBe(false);
    expect(check(drift, 'concept-drift', [monitor({}, { sessionsDriftAlarms: 2 })], answer).passed).toBe(false);
    expect(check(drift, 'concept-drift', [monitor({}, { 'delay:concept-drift': -1 })], answer).passed).toBe(false);
    expect(check(drift, 'concept-drift', [monitor({}, {})], answer).passed).toBe(true);
  });
});

describe('drift retraining', () => {
  const retrain = record('drift', { ...driftDefaults }, { kind: 'retrain', 'acc:never': 0.71, 'acc:periodic': 0.86, 'acc:triggered': 0.874, 'acc:continuous': 0.881, 'n:periodic': 6, 'n:triggered': 2, 'n:continuous': 90 });
  it('retraining needs a comparison and the chosen policy with its accuracy in that run', () => {
    const ok = 'Drift-triggered: 0.874 with only 2 retrains, close to continuous, and each retrain waits for fewer labels.';
    expect(check(drift, 'retraining', [retrain], { retraining: ok }).passed).toBe(true);
    expect(check(drift, 'retraining', [retrain], { retraining: 'Drift-triggered: 87.4% with only 2 retrains, close to continuous.' }).passed).toBe(true);
    expect(check(drift, 'retraining', [retrain], { retraining: 'Drift-triggered: it retrains only when needed and is close to continuous.' }).passed).toBe(false);
    expect(check(drift, 'retraining', [retrain], { retraining: 'Periodic: 0.874 with only 2 retrains, close to continuous, fewer labels.' }).passed).toBe(false);
    expect(check(drift, 'retraining', [monitor({}, {})], { retraining: ok }).passed).toBe(false);
  });
});

describe('feature-store lab exercises', () => {
  const run = (patch: Record<string, number>, result: Record<string, number>) =>
    record('feature-store', { ...fsDefaults, ...patch }, { naiveValAuc: 0.94, naiveFutureAuc: 0.49, pitValAuc: 0.61, pitFutureAuc: 0.44, naiveFutureRows: 1, servedCustomers: 400, 'skew:purchases_recent': 0, 'skew:spend_recent': 0, 'skew:days_since_purchase': 0, 'skew:purchases_total': 0, ...result });
  it('leakage: a gap of 0.1 AUC for the naive join, larger than the point-in-time one', () => {
    expect(check(fs, 'leakage', [run({}, {})]).passed).toBe(true);
    expect(check(fs, 'leakage', [run({}, { naiveValAuc: 0.55 })]).passed).toBe(false);
  });
  it('skew: one clean run and one with differences', () => {
    expect(check(fs, 'skew', [run({}, {})]).passed).toBe(false);
    expect(check(fs, 'skew', [run({}, {}), run({ onlineLagDays: 21 }, { 'skew:days_since_purchase': 300 })]).passed).toBe(true);
  });
  it('why-asof needs the leaking feature and the naive join’s validation AUC of the latest run', () => {
    const why = 'days_since_purchase: the naive join reached 0.94 on validation because the latest snapshot is written after the label.';
    expect(check(fs, 'why-asof', [run({}, {})], { 'why-asof': why }).passed).toBe(true);
    expect(check(fs, 'why-asof', [run({}, {})], { 'why-asof': 'days_since_purchase: the latest snapshot is written after the label, in the future.' }).passed).toBe(false);
    expect(check(fs, 'why-asof', [run({}, {})], { 'why-asof': why.replace('0.94', '0.61') }).passed).toBe(false);
    expect(check(fs, 'why-asof', [], { 'why-asof': why }).passed).toBe(false);
  });
});

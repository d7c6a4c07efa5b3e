/** Exercise checks of the experimentation labs, fed with runs built from real simulations (as the page saves them). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { simulatePitfalls, simulateUplift } from '../../src/lib/stats';
import { simulateCuped } from '../../src/lib/runners/cuped';
import * as pitfallsLab from '../../labs/pitfalls/lab';
import * as upliftLab from '../../labs/uplift/lab';
import * as cupedLab from '../../labs/cuped/lab';
import * as pitfallsRunner from '../../src/lib/runners/pitfalls';
import * as upliftRunner from '../../src/lib/runners/uplift';
import * as cupedRunner from '../../src/lib/runners/cuped';
import { labRuns } from '../../labs/kit/runs';
import * as abLab from '../../labs/ab-test/lab';
import * as banditsLab from '../../labs/bandits/lab';
import * as interleavingLab from '../../labs/interleaving/lab';

type Settings = Record<string, number | string>;
const pitfalls = { ...pitfallsLab, ...pitfallsRunner };
const uplift = { ...upliftLab, ...upliftRunner };
const cuped = { ...cupedLab, ...cupedRunner };

let n = 0;
/** A run as the kit saves it (params = settings + result); `legacy` as the labs saved them before the kit. */
function record(lab: string, settings: object, result: unknown, status: RunRecord['status'] = 'done', legacy = false): RunRecord {
  n++;
  return {
    id: `run-test-${n.toString().padStart(6, '0')}`, lab, params: legacy ? { settings, result } : { ...settings, result }, seed: Number((settings as Settings).seed), dataHash: 'simulated', backend: 'sim-worker',
    appVersion: 'test', status, createdAt: n, updatedAt: n, durationMs: 10, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const check = (meta: { exercises: { id: string; check: (i: { runs: RunRecord[]; answers: Record<string, string> }) => { passed: boolean } }[] }, id: string, runs: RunRecord[], answers = {}) =>
  meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

describe('experimentation lab exercises read the saved simulation runs', () => {
  it('labRuns keeps finished runs, in either stored shape, and skips others', () => {
    const ok = record('cuped', { seed: 1, correlation: 0.5 }, { x: 1 });
    const old = record('cuped', { seed: 2, correlation: 0.5 }, { x: 2 }, 'done', true);
    const bad = record('cuped', { seed: 1 }, { x: 1 }, 'failed');
    const rs = labRuns([ok, old, bad]);
    expect(rs.map((r) => r.id)).toEqual([ok.id, old.id]);
    expect(rs.map((r) => [r.settings, r.result])).toEqual([[{ seed: 1, correlation: 0.5 }, { x: 1 }], [{ seed: 2, correlation: 0.5 }, { x: 2 }]]);
  });

  it('pitfalls/peeking passes at 10 looks (fixed ≈ 19%, mSPRT ≤ alpha), not at the default 20', async () => {
    const s = { ...pitfalls.defaults, aaRuns: 1000, usersPerArm: 4000 };
    const at20 = record('pitfalls', s, pitfalls.digest(await simulatePitfalls(s as never)));
    expect(check(pitfalls.meta, 'peeking', [at20]).passed).toBe(false);
    const s10 = { ...s, looks: 10 };
    const at10 = record('pitfalls', s10, pitfalls.digest(await simulatePitfalls(s10 as never)));
    expect(check(pitfalls.meta, 'peeking', [at20, at10]).passed).toBe(true);
  });

  it('pitfalls/simpson needs both the paradox and a balanced mix', async () => {
    const d = pitfalls.defaults;
    const paradox = record('pitfalls', d, pitfalls.digest(await simulatePitfalls({ ...d, aaRuns: 50 } as never)));
    expect(check(pitfalls.meta, 'simpson', [paradox]).passed).toBe(false);
    const balanced = { ...d, aaRuns: 50, mobileShareTreatment: 0.3 };
    const fixed = record('pitfalls', balanced, pitfalls.digest(await simulatePitfalls(balanced as never)));
    expect(check(pitfalls.meta, 'simpson', [paradox, fixed]).passed).toBe(true);
  });

  it('uplift/target needs a dearer contact; the default cost does not count', async () => {
    const cheap = record('uplift', uplift.defaults, uplift.digest(await simulateUplift(uplift.defaults as never)));
    expect(check(uplift.meta, 'target', [cheap]).passed).toBe(false);
    const s = { ...uplift.defaults, costPerContact: 2 };
    const dear = record('uplift', s, uplift.digest(await simulateUplift(s as never)));
    expect(check(uplift.meta, 'target', [cheap, dear]).passed).toBe(true);
  });

  it('cuped/rho-squared needs two correlations, one ≥ 0.8, each matching ρ²', async () => {
    const runs: RunRecord[] = [];
    for (const correlation of [0.5, 0.85]) {
      const s = { ...cuped.defaults, correlation, usersPerArm: 500, experiments: 100 };
      runs.push(record('cuped', s, cuped.digest(await simulateCuped(s as never), s)));
      expect(check(cuped.meta, 'rho-squared', runs).passed).toBe(correlation === 0.85);
    }
    expect(cuped.summarize(runs).join(' ')).toMatch(/removed \d+\.\d% of the variance/);
  });
});

/** Exercise checks fed with constructed runs: each one passes on a run (and answer) that meets it, fails on one that does not. */

const made = (lab: string, settings: Settings, result: Record<string, number>) => record(lab, { seed: 1, ...settings }, result);

describe('ab-test exercises', () => {
  const m = abLab.meta;
  it('underpowered needs a true effect ≤ half the MDE and ≥ 500 experiments', () => {
    const res = { conversionPower: 0.3, usersPerArm: 1000 };
    expect(check(m, 'underpowered', [made('ab-test', { experiments: 500, minDetectableEffect: 0.02, trueEffect: 0.01, power: 0.8 }, res)]).passed).toBe(true);
    expect(check(m, 'underpowered', [made('ab-test', { experiments: 500, minDetectableEffect: 0.02, trueEffect: 0.015, power: 0.8 }, res)]).passed).toBe(false);
    expect(check(m, 'underpowered', [made('ab-test', { experiments: 200, minDetectableEffect: 0.02, trueEffect: 0.01, power: 0.8 }, res)]).passed).toBe(false);
  });
  it('uniform-p needs the share below 0.2 of the latest run, as a share or a percentage', () => {
    const r = [made('ab-test', {}, { aaBelow20: 0.214 })];
    expect(check(m, 'uniform-p', r, { 'uniform-p': '0.21' }).passed).toBe(true);
    expect(check(m, 'uniform-p', r, { 'uniform-p': '21%' }).passed).toBe(true);
    expect(check(m, 'uniform-p', r, { 'uniform-p': '0.5' }).passed).toBe(false);
    expect(check(m, 'uniform-p', r, { 'uniform-p': '' }).passed).toBe(false);
  });
  it('many-metrics needs 20+ metrics, uncorrected > 50%, both corrections near alpha', () => {
    const good = { metrics: 20, fwerUncorrected: 0.64, fwerBonferroni: 0.05, fwerBH: 0.06 };
    expect(check(m, 'many-metrics', [made('ab-test', { alpha: 0.05 }, good)]).passed).toBe(true);
    expect(check(m, 'many-metrics', [made('ab-test', { alpha: 0.05 }, { ...good, fwerBH: 0.2 })]).passed).toBe(false);
    expect(check(m, 'many-metrics', [made('ab-test', { alpha: 0.05 }, { ...good, metrics: 10 })]).passed).toBe(false);
  });
  it('skew needs the run’s revenue power stated, with a reason', () => {
    const r = [made('ab-test', { revenueSigma: 2, trueEffect: 0.01 }, { conversionPower: 0.8, revenuePower: 0.31 })];
    expect(check(m, 'skew', r, { skew: 'Revenue power was 31%: the heavy tail adds variance.' }).passed).toBe(true);
    expect(check(m, 'skew', r, { skew: 'Because revenue is skewed and has a lot of variance from whales.' }).passed).toBe(false);
    expect(check(m, 'skew', r, { skew: 'Revenue power was 55%: the heavy tail adds variance.' }).passed).toBe(false);
  });
});

describe('pitfalls written answers and checks', () => {
  const m = pitfallsLab.meta;
  const missed = made('pitfalls', { srmLoss: 0.005 }, { srmDetection: 0.4, srmLift: 0.0021, srmFprWithBug: 0.2 });
  it('srm needs a missed leak, and the answer states that run’s loss and fake lift', () => {
    expect(check(m, 'srm', [missed], { srm: 'Losing 0.5% was missed; it faked a lift of 0.21 points.' }).passed).toBe(true);
    expect(check(m, 'srm', [missed], { srm: 'Small leaks are hard to catch.' }).passed).toBe(false);
    expect(check(m, 'srm', [missed], { srm: 'Losing 2% was missed; it faked a lift of 0.9 points.' }).passed).toBe(false);
    const caught = made('pitfalls', { srmLoss: 0.005 }, { srmDetection: 0.9, srmLift: 0.0021, srmFprWithBug: 0.2 });
    expect(check(m, 'srm', [caught], { srm: 'Losing 0.5% was missed; it faked a lift of 0.21 points.' }).passed).toBe(false);
  });
  it('novelty needs the run’s 7-day/lasting ratio and a remedy', () => {
    const r = [made('pitfalls', { noveltyLift: 0.02 }, { novelty7: 0.025, longTermLift: 0.01, novelty28: 0.012 })];
    expect(check(m, 'novelty', r, { novelty: 'About 2.5× too large; I would run the test longer.' }).passed).toBe(true);
    expect(check(m, 'novelty', r, { novelty: 'Much larger; I would wait longer before reading it.' }).passed).toBe(false);
    expect(check(m, 'novelty', r, { novelty: 'About 4× too large; I would run the test longer.' }).passed).toBe(false);
    expect(check(m, 'novelty', [made('pitfalls', { noveltyLift: 0 }, { novelty7: 0.01, longTermLift: 0.01, novelty28: 0.01 })], { novelty: '1× wait longer' }).passed).toBe(false);
  });
});

describe('cuped exercises', () => {
  const m = cupedLab.meta;
  it('half-users: CUPED at ≤ 1,000 users matches the raw test with twice as many', () => {
    const same = { correlation: 0.7, effect: 0.1, alpha: 0.05 };
    const small = made('cuped', { ...same, usersPerArm: 1000 }, { cupedPower: 0.82, rawPower: 0.5 });
    const big = made('cuped', { ...same, usersPerArm: 2000 }, { cupedPower: 0.99, rawPower: 0.8 });
    expect(check(m, 'half-users', [small, big]).passed).toBe(true);
    const bigBetter = made('cuped', { ...same, usersPerArm: 2000 }, { cupedPower: 0.99, rawPower: 0.9 });
    expect(check(m, 'half-users', [small, bigBetter]).passed).toBe(false);
    const otherRho = made('cuped', { ...same, correlation: 0.2, usersPerArm: 2000 }, { cupedPower: 0.99, rawPower: 0.8 });
    expect(check(m, 'half-users', [small, otherRho]).passed).toBe(false);
  });
  it('useless-covariate needs ρ ≈ 0, and the answer states CUPED’s A/A rate with a reason', () => {
    const r = [made('cuped', { correlation: 0, experiments: 300 }, { rawFpr: 0.05, cupedFpr: 0.052, rawPower: 0.6, cupedPower: 0.59 })];
    expect(check(m, 'useless-covariate', r, { 'useless-covariate': 'CUPED had 5.2% false positives: the covariate is measured before randomisation.' }).passed).toBe(true);
    expect(check(m, 'useless-covariate', r, { 'useless-covariate': 'The covariate is measured before randomisation, so it is fine.' }).passed).toBe(false);
    expect(check(m, 'useless-covariate', r, { 'useless-covariate': 'CUPED had 9% false positives: the covariate is measured before randomisation.' }).passed).toBe(false);
    const rho = [made('cuped', { correlation: 0.5, experiments: 300 }, { rawFpr: 0.05, cupedFpr: 0.052, rawPower: 0.6, cupedPower: 0.8 })];
    expect(check(m, 'useless-covariate', rho, { 'useless-covariate': 'CUPED had 5.2% false positives: the covariate is measured before randomisation.' }).passed).toBe(false);
  });
});

describe('bandits exercises', () => {
  const m = banditsLab.meta;
  it('sublinear needs horizon ≥ 20,000 and Thompson growth under 2×', () => {
    expect(check(m, 'sublinear', [made('bandits', { horizon: 20000 }, { thompsonGrowth: 1.6, thompson: 30, uniform: 200 })]).passed).toBe(true);
    expect(check(m, 'sublinear', [made('bandits', { horizon: 20000 }, { thompsonGrowth: 2.4, thompson: 30, uniform: 200 })]).passed).toBe(false);
    expect(check(m, 'sublinear', [made('bandits', { horizon: 10000 }, { thompsonGrowth: 1.6, thompson: 30, uniform: 200 })]).passed).toBe(false);
  });
  it('explore needs epsilon-greedy to lose more than half of the fixed split', () => {
    expect(check(m, 'explore', [made('bandits', { epsilon: 0.8 }, { epsilonGreedy: 120, uniform: 200 })]).passed).toBe(true);
    expect(check(m, 'explore', [made('bandits', { epsilon: 0.1 }, { epsilonGreedy: 40, uniform: 200 })]).passed).toBe(false);
  });
  it('wrong-tool needs the worst arm’s Thompson users of the latest run, and when not to use a bandit', () => {
    const r = [made('bandits', {}, { thompsonWorstPulls: 412.3, uniformWorstPulls: 5000 })];
    expect(check(m, 'wrong-tool', r, { 'wrong-tool': 'Only 412 users: too few to estimate the effect size, so use an A/B test for that.' }).passed).toBe(true);
    expect(check(m, 'wrong-tool', r, { 'wrong-tool': 'When you need to estimate the effect size precisely for a decision.' }).passed).toBe(false);
    expect(check(m, 'wrong-tool', r, { 'wrong-tool': 'Only 5000 users: too few to estimate the effect size, so use an A/B test.' }).passed).toBe(false);
  });
});

describe('interleaving exercises', () => {
  const m = interleavingLab.meta;
  it('both-80 needs both methods at 80% and the ratio of queries', () => {
    const r = [made('interleaving', {}, { abQueries80: 40000, interleavingQueries80: 1000 })];
    expect(check(m, 'both-80', r, { 'both-80': '40' }).passed).toBe(true);
    expect(check(m, 'both-80', r, { 'both-80': '5' }).passed).toBe(false);
    expect(check(m, 'both-80', r, { 'both-80': 'About 40× fewer (1,000 against 40,000 queries).' }).passed).toBe(true);
    expect(check(m, 'both-80', r, { 'both-80': 'Many times fewer.' }).passed).toBe(false);
    expect(check(m, 'both-80', [made('interleaving', {}, { abQueries80: 0, interleavingQueries80: 1000 })], { 'both-80': '40' }).passed).toBe(false);
  });
  it('equal-rankers needs equal noise and both tests near alpha', () => {
    const near = { interleavingPowerMax: 0.06, abPowerMax: 0.04, maxQueries: 5000 };
    expect(check(m, 'equal-rankers', [made('interleaving', { noiseA: 1, noiseB: 1, replicates: 100, alpha: 0.05 }, near)]).passed).toBe(true);
    expect(check(m, 'equal-rankers', [made('interleaving', { noiseA: 1, noiseB: 1, replicates: 100, alpha: 0.05 }, { ...near, interleavingPowerMax: 0.3 })]).passed).toBe(false);
    expect(check(m, 'equal-rankers', [made('interleaving', { noiseA: 1, noiseB: 2, replicates: 100, alpha: 0.05 }, near)]).passed).toBe(false);
  });
  it('position-bias needs runs at bias 0 and 2, and the queries at bias 2 with a reason', () => {
    const r = [made('interleaving', { positionBias: 0 }, { interleavingQueries80: 800 }), made('interleaving', { positionBias: 2 }, { interleavingQueries80: 1200 })];
    expect(check(m, 'position-bias', r, { 'position-bias': 'It needed 1,200 queries; the draft alternates turns so both rankers get the top slot equally.' }).passed).toBe(true);
    expect(check(m, 'position-bias', r, { 'position-bias': 'The draft alternates turns so both rankers get the top slot equally.' }).passed).toBe(false);
    expect(check(m, 'position-bias', r, { 'position-bias': 'It needed 800 queries; the draft alternates turns so both rankers get the top slot.' }).passed).toBe(false);
    expect(check(m, 'position-bias', r.slice(1), { 'position-bias': 'It needed 1,200 queries; the draft alternates turns, fair.' }).passed).toBe(false);
  });
});

describe('uplift exercises', () => {
  const m = uplift.meta;
  it('sleeping-dogs needs treat-all to lose conversions', () => {
    expect(check(m, 'sleeping-dogs', [made('uplift', {}, { incrementalTreatAll: -12, bestProfitT: 300 })]).passed).toBe(true);
    expect(check(m, 'sleeping-dogs', [made('uplift', {}, { incrementalTreatAll: 40, bestProfitT: 300 })]).passed).toBe(false);
  });
  it('learners needs the S-learner’s Qini area of the latest run and a reason', () => {
    const r = [made('uplift', {}, { qiniT: 84.2, qiniS: 31.7, qiniOracle: 120 })];
    expect(check(m, 'learners', r, { learners: 'S-learner Qini 31.7: one model with a flag gives everyone the same shift, no interaction.' }).passed).toBe(true);
    expect(check(m, 'learners', r, { learners: 'One model with a flag gives everyone the same shift: no interaction.' }).passed).toBe(false);
    expect(check(m, 'learners', r, { learners: 'S-learner Qini 84.2: one model with a flag gives everyone the same shift.' }).passed).toBe(false);
  });
});

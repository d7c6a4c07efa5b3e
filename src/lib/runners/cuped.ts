/**
 * CUPED measured over simulated experiments. Each user has a pre-period value x ~ N(0, 1) and an
 * in-experiment value y = ρ·x + √(1 − ρ²)·ε (+ effect in treatment), so corr(x, y) = ρ and the
 * variance CUPED removes should be about ρ². θ is estimated once on both arms pooled, then each
 * arm is adjusted with it (Deng et al. 2013), and both versions are compared with Welch's test.
 */
import type { Field } from '../core/fields';
import { deriveSeed, mulberry32 } from '../core/rng';
import { checkFinite, checkInteger, checkOpenUnit, fail } from '../stats/errors';
import { cuped } from '../stats/cuped';
import { welchTTest } from '../stats/hypothesis';
import { normalSampler } from '../math/random';
import { quietContext, type TaskContext, runStage } from '../core/task';

/** Users-per-arm multiples at which the power curve is simulated. */
export const CUPED_SIZE_LADDER = [0.25, 0.5, 1, 1.5, 2];
export const MAX_CUPED_USER_DRAWS = 40_000_000;

export interface CupedSimSettings {
  usersPerArm: number;
  /** corr(pre-period metric, metric): how much the covariate knows. */
  correlation: number;
  /** True difference in means, in standard deviations of the metric. */
  effect: number;
  experiments: number;
  alpha: number;
  seed: number;
}

export interface CupedSimResult {
  /** Mean of 1 − var(adjusted)/var(y) over the A/B experiments. */
  varianceReduction: number;
  /** Per experiment: raw and CUPED estimates of the effect. */
  rawDiffs: Float64Array;
  cupedDiffs: Float64Array;
  rawPower: number;
  cupedPower: number;
  /** False positive rates under A/A. */
  rawFpr: number;
  cupedFpr: number;
  /** Mean interval widths. */
  rawCiWidth: number;
  cupedCiWidth: number;
  /** Power at usersPerArm × CUPED_SIZE_LADDER. */
  ladderUsers: Float64Array;
  ladderRawPower: Float64Array;
  ladderCupedPower: Float64Array;
}

export function validateCupedSim(s: CupedSimSettings): void {
  checkInteger('usersPerArm', s.usersPerArm, 20);
  if (!(s.correlation >= 0 && s.correlation < 1)) fail(`correlation must lie in [0, 1), got ${s.correlation}`);
  checkFinite('effect', s.effect);
  checkInteger('experiments', s.experiments, 10);
  checkOpenUnit('alpha', s.alpha);
  checkFinite('seed', s.seed);
  const draws = s.usersPerArm * s.experiments * (CUPED_SIZE_LADDER.reduce((a, b) => a + b, 0) + 1);
  if (draws > MAX_CUPED_USER_DRAWS) fail(`usersPerArm × experiments is too large to simulate in seconds (${Math.round(draws).toLocaleString('en')} users; limit ${MAX_CUPED_USER_DRAWS.toLocaleString('en')})`);
}

interface One {
  raw: ReturnType<typeof welchTTest>;
  adj: ReturnType<typeof welchTTest>;
  vr: number;
}

function experiment(n: number, rho: number, effect: number, seed: number, y: Float64Array, x: Float64Array): One {
  const rng = mulberry32(seed);
  const normal = normalSampler(rng);
  const s = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < 2 * n; i++) {
    x[i] = normal();
    y[i] = rho * x[i] + s * normal() + (i >= n ? effect : 0);
  }
  const ya = y.subarray(0, n);
  const yb = y.subarray(n, 2 * n);
  const raw = welchTTest(ya, yb);
  const c = cuped(y.subarray(0, 2 * n), x.subarray(0, 2 * n));
  const adj = welchTTest(c.adjusted.subarray(0, n), c.adjusted.subarray(n, 2 * n));
  return { raw, adj, vr: c.varianceReduction };
}

export async function simulateCuped(s: CupedSimSettings, ctx: TaskContext = quietContext): Promise<CupedSimResult> {
  validateCupedSim(s);
  const E = s.experiments;
  const sizes = CUPED_SIZE_LADDER.map((m) => Math.max(10, Math.round(m * s.usersPerArm)));
  const maxN = Math.max(...sizes);
  const y = new Float64Array(2 * maxN);
  const x = new Float64Array(2 * maxN);
  const total = E * (sizes.reduce((a, b) => a + b, 0) + s.usersPerArm);
  let done = 0;
  const rawDiffs = new Float64Array(E);
  const cupedDiffs = new Float64Array(E);
  let vr = 0;
  let rawHits = 0;
  let cupedHits = 0;
  let rawW = 0;
  let cupedW = 0;
  const ladderRawPower = new Float64Array(sizes.length);
  const ladderCupedPower = new Float64Array(sizes.length);
  for (let k = 0; k < sizes.length; k++) {
    const n = sizes[k];
    for (let e = 0; e < E; e++) {
      const r = experiment(n, s.correlation, s.effect, deriveSeed(s.seed, k * 1_000_003 + e), y, x);
      if (r.raw.pValue < s.alpha) ladderRawPower[k]++;
      if (r.adj.pValue < s.alpha) ladderCupedPower[k]++;
      if (n === s.usersPerArm && CUPED_SIZE_LADDER[k] === 1) {
        rawDiffs[e] = r.raw.diff;
        cupedDiffs[e] = r.adj.diff;
        vr += r.vr / E;
        rawW += (r.raw.ci[1] - r.raw.ci[0]) / E;
        cupedW += (r.adj.ci[1] - r.adj.ci[0]) / E;
      }
      done += n;
      if (e % 8 === 7) await ctx.tick(done / total);
    }
    ladderRawPower[k] /= E;
    ladderCupedPower[k] /= E;
    if (CUPED_SIZE_LADDER[k] === 1) {
      rawHits = ladderRawPower[k];
      cupedHits = ladderCupedPower[k];
    }
  }
  // A/A at the chosen size: both analyses must keep their false positive rate.
  let rawFp = 0;
  let cupedFp = 0;
  for (let e = 0; e < E; e++) {
    const r = experiment(s.usersPerArm, s.correlation, 0, deriveSeed(s.seed, 99_000_000 + e), y, x);
    if (r.raw.pValue < s.alpha) rawFp++;
    if (r.adj.pValue < s.alpha) cupedFp++;
    done += s.usersPerArm;
    if (e % 8 === 7) await ctx.tick(done / total);
  }
  return {
    varianceReduction: vr,
    rawDiffs,
    cupedDiffs,
    rawPower: rawHits,
    cupedPower: cupedHits,
    rawFpr: rawFp / E,
    cupedFpr: cupedFp / E,
    rawCiWidth: rawW,
    cupedCiWidth: cupedW,
    ladderUsers: Float64Array.from(sizes),
    ladderRawPower,
    ladderCupedPower,
  };
}

export const defaults: CupedSimSettings = { usersPerArm: 2000, correlation: 0.7, effect: 0.08, experiments: 500, alpha: 0.05, seed: 1 };

export const fields: Field[] = [
  { key: 'usersPerArm', label: 'Users per arm', kind: 'number', explain: 'Each simulated experiment’s size; the power curve also tries ¼× to 2×.', min: 20, max: 200000, integer: true },
  { key: 'correlation', label: 'Pre/post correlation ρ', kind: 'number', explain: 'How well last month’s metric predicts this month’s: CUPED removes about ρ² of the variance.', min: 0, max: 0.99 },
  { key: 'effect', label: 'True effect (in SDs)', kind: 'number', explain: 'Difference in means the treatment causes, in standard deviations of the metric.', min: -5, max: 5 },
  { key: 'experiments', label: 'Simulated experiments', kind: 'number', explain: 'Repetitions per size (A/B), plus as many A/A at the chosen size.', min: 10, max: 20000, integer: true },
  { key: 'alpha', label: 'Alpha', kind: 'number', explain: 'Significance level of the Welch tests.', min: 0.0001, max: 0.5 },
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true },
];

/** Cross-field rules beyond each field's bounds. */
export const validate = (s: CupedSimSettings): void => validateCupedSim(s);

export const run = runStage('simulating experiments with and without CUPED', simulateCuped);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface CupedDigest {
  varianceReduction: number;
  rhoSquared: number;
  rawPower: number;
  cupedPower: number;
  rawFpr: number;
  cupedFpr: number;
  /** Users CUPED needs for the raw test's precision, as a share: 1 − variance reduction. */
  sampleShare: number;
}

export function digest(r: CupedSimResult, s: CupedSimSettings): CupedDigest {
  return {
    varianceReduction: r.varianceReduction,
    rhoSquared: Number(s.correlation) ** 2,
    rawPower: r.rawPower,
    cupedPower: r.cupedPower,
    rawFpr: r.rawFpr,
    cupedFpr: r.cupedFpr,
    sampleShare: 1 - r.varianceReduction,
  };
}

/** Monte Carlo A/A experiments: what peeking does to a fixed-horizon test, and what an always-valid test keeps. */
import { deriveSeed, mulberry32 } from '../core/rng';
import { normalQuantile, normalSf } from './dist';
import { checkFinite, checkInteger, checkOpenUnit, fail } from './errors';
import { normalSampler, sampleBinomial } from '../math/random';
import { defaultMixingVariance, msprtLogLikelihoodRatio } from './sequential';

export interface AATestOptions {
  /** Number of simulated experiments. */
  runs: number;
  /** Users per arm at the final look. */
  usersPerArm: number;
  /** Evenly spaced analyses; look k sees round(k·usersPerArm/looks) users per arm. 1 = no peeking. */
  looks: number;
  /** True conversion rate of both arms. */
  rate: number;
  /** Significance level; default 0.05. */
  alpha?: number;
  /** 'fixed': pooled two-proportion z-test at each look. 'sequential': mSPRT (always valid). */
  method: 'fixed' | 'sequential';
  /** Seed; run i uses its own stream deriveSeed(seed, i), so both methods see the same users. */
  seed: number;
  /** mSPRT mixing variance τ² on pB − pA; default defaultMixingVariance(rate, usersPerArm, alpha). */
  mixingVariance?: number;
}

export interface AATestResult {
  /** Share of A/A runs declared significant at some look (every one is a false positive). */
  falsePositiveRate: number;
  falsePositives: number;
  runs: number;
  /** rejectionsByLook[k]: runs first declared significant at look k + 1. */
  rejectionsByLook: Int32Array;
  /** Per run, the p-value where it stopped (the last look if never significant); always-valid p for 'sequential'. */
  pValues: Float64Array;
  /** τ² used ('sequential' only). */
  mixingVariance?: number;
}

/**
 * Simulates A/A tests: both arms convert at `rate`, each look adds Binomial draws to each arm,
 * and a run stops at the first look whose test is significant.
 */
export function simulateAATests(options: AATestOptions): AATestResult {
  const { runs, usersPerArm, looks, rate, alpha = 0.05, method, seed } = options;
  checkInteger('runs', runs, 1);
  checkInteger('looks', looks, 1);
  checkInteger('usersPerArm', usersPerArm, looks);
  checkOpenUnit('rate', rate);
  checkOpenUnit('alpha', alpha);
  checkFinite('seed', seed);
  if (method !== 'fixed' && method !== 'sequential') fail(`unknown method '${String(method)}'`);
  const tau2 = options.mixingVariance ?? defaultMixingVariance(rate, usersPerArm, alpha);
  if (!(tau2 > 0 && Number.isFinite(tau2))) fail(`mixingVariance must be a positive number, got ${tau2}`);

  const zCrit2 = normalQuantile(1 - alpha / 2) ** 2;
  const logThreshold = -Math.log(alpha);
  const rejectionsByLook = new Int32Array(looks);
  const pValues = new Float64Array(runs);
  let falsePositives = 0;

  for (let run = 0; run < runs; run++) {
    const rng = mulberry32(deriveSeed(seed, run));
    const normal = normalSampler(rng);
    let n = 0;
    let sA = 0;
    let sB = 0;
    let minP = 1;
    let lastZ = 0;
    for (let k = 1; k <= looks; k++) {
      const target = Math.round((k * usersPerArm) / looks);
      const inc = target - n;
      n = target;
      sA += sampleBinomial(inc, rate, rng, normal);
      sB += sampleBinomial(inc, rate, rng, normal);
      const pooled = (sA + sB) / (2 * n);
      const v = (2 * pooled * (1 - pooled)) / n; // null variance of pB − pA
      const d = (sB - sA) / n;
      let significant: boolean;
      if (method === 'fixed') {
        lastZ = v > 0 ? d / Math.sqrt(v) : 0;
        significant = lastZ * lastZ >= zCrit2;
      } else {
        const llr = msprtLogLikelihoodRatio(d, v, tau2);
        minP = Math.min(minP, Math.exp(-llr));
        significant = llr >= logThreshold;
      }
      if (significant) {
        rejectionsByLook[k - 1]++;
        falsePositives++;
        break;
      }
    }
    pValues[run] = method === 'fixed' ? Math.min(1, 2 * normalSf(Math.abs(lastZ))) : minP;
  }
  return {
    falsePositiveRate: falsePositives / runs,
    falsePositives,
    runs,
    rejectionsByLook,
    pValues,
    ...(method === 'sequential' ? { mixingVariance: tau2 } : {}),
  };
}

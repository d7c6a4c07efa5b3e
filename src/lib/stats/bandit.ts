/** Multi-armed Bernoulli bandits: epsilon-greedy, UCB1, Thompson sampling, and a fixed equal split. */
import { mulberry32, type Rng } from '../core/rng';
import { checkFinite, checkInteger, fail } from './errors';
import { normalSampler, sampleBeta } from '../math/random';

const DEFAULT_EPSILON = 0.1;

export type BanditPolicy = 'epsilon-greedy' | 'ucb1' | 'thompson' | 'uniform';

export interface BanditOptions {
  /** True conversion rate of each arm, in [0, 1]. */
  rates: ArrayLike<number>;
  /** Number of users (pulls). */
  horizon: number;
  /**
   * 'epsilon-greedy': explore a random arm with probability epsilon, else the best mean so far.
   * 'ucb1': best x̄ᵢ + √(2 ln t / nᵢ) (Auer, Cesa-Bianchi & Fischer 2002).
   * 'thompson': best draw from each arm's Beta(1 + successes, 1 + failures) posterior.
   * 'uniform': round-robin, the fixed equal allocation of an A/B/n test.
   */
  policy: BanditPolicy;
  seed: number;
  /** Exploration rate for 'epsilon-greedy'; default 0.1. */
  epsilon?: number;
}

export interface BanditResult {
  /** cumulativeRegret[t] = Σ_{s ≤ t} (max rate − rate of the arm pulled at s): pseudo-regret, free of reward noise. */
  cumulativeRegret: Float64Array;
  /** Pulls per arm. */
  pulls: number[];
  /** Conversions observed. */
  totalReward: number;
}

/** Index of the largest score, ties broken uniformly at random. */
function argmaxRandomTie(scores: Float64Array, rng: Rng): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < scores.length; i++) {
    if (scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (rng() * ties < 1) best = i;
    }
  }
  return best;
}

export function simulateBandit(options: BanditOptions): BanditResult {
  const { rates, horizon, policy, seed, epsilon = DEFAULT_EPSILON } = options;
  const k = rates.length;
  if (k < 2) fail(`simulateBandit needs at least 2 arms, got ${k}`);
  for (let i = 0; i < k; i++) {
    if (!(rates[i] >= 0 && rates[i] <= 1)) fail(`rates[${i}] must lie in [0, 1], got ${rates[i]}`);
  }
  checkInteger('horizon', horizon, 1);
  checkFinite('seed', seed);
  if (!(epsilon >= 0 && epsilon <= 1)) fail(`epsilon must lie in [0, 1], got ${epsilon}`);
  if (!['epsilon-greedy', 'ucb1', 'thompson', 'uniform'].includes(policy)) fail(`unknown policy '${String(policy)}'`);

  const rng = mulberry32(seed);
  const normal = normalSampler(rng);
  let best = 0;
  for (let i = 0; i < k; i++) best = Math.max(best, rates[i]);
  const pulls = new Float64Array(k);
  const wins = new Float64Array(k);
  const scores = new Float64Array(k);
  const cumulativeRegret = new Float64Array(horizon);
  let regret = 0;
  let totalReward = 0;

  for (let t = 0; t < horizon; t++) {
    let arm: number;
    if (policy === 'uniform') arm = t % k;
    else if (policy === 'epsilon-greedy' && rng() < epsilon) arm = Math.floor(rng() * k);
    else {
      for (let i = 0; i < k; i++) {
        if (policy === 'thompson') scores[i] = sampleBeta(1 + wins[i], 1 + pulls[i] - wins[i], rng, normal);
        else if (pulls[i] === 0) scores[i] = Infinity; // try every arm once
        else if (policy === 'ucb1') scores[i] = wins[i] / pulls[i] + Math.sqrt((2 * Math.log(t)) / pulls[i]);
        else scores[i] = wins[i] / pulls[i];
      }
      arm = argmaxRandomTie(scores, rng);
    }
    const reward = rng() < rates[arm] ? 1 : 0;
    pulls[arm]++;
    wins[arm] += reward;
    totalReward += reward;
    regret += best - rates[arm];
    cumulativeRegret[t] = regret;
  }
  return { cumulativeRegret, pulls: Array.from(pulls), totalReward };
}

/** Bandit policies against a fixed equal split, averaged over many seeds (each seed sees the same arms). */
import type { Field } from '../core/fields';
import { deriveSeed } from '../core/rng';
import { checkFinite, checkInteger, fail } from '../stats/errors';
import { simulateBandit, type BanditPolicy } from '../stats/bandit';
import { quietContext, type TaskContext, runStage } from '../core/task';

export const BANDIT_POLICIES: BanditPolicy[] = ['uniform', 'epsilon-greedy', 'ucb1', 'thompson'];
/** Points kept of each mean regret curve. */
export const REGRET_POINTS = 200;
export const MAX_BANDIT_PULLS = 40_000_000;

export interface BanditSimSettings {
  /** Comma-separated true conversion rates, one per arm. */
  rates: string;
  horizon: number;
  seeds: number;
  epsilon: number;
  seed: number;
}

export interface PolicyStats {
  policy: BanditPolicy;
  /** Mean cumulative regret at `steps`. */
  meanRegret: Float64Array;
  /** Final regret per seed. */
  finalRegret: Float64Array;
  /** Mean share of pulls per arm. */
  pullShare: number[];
  /** Mean pulls of the worst arm (what you would have to estimate its effect from). */
  worstArmPulls: number;
  /** Share of seeds in which the best arm got the most pulls. */
  bestArmMostPulled: number;
}

export interface BanditSimResult {
  rates: number[];
  steps: Float64Array;
  policies: PolicyStats[];
}

export function parseRates(raw: string): number[] {
  const parts = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const rates = parts.map(Number);
  if (rates.length < 2) fail(`rates needs at least two comma-separated numbers, got "${raw}"`);
  if (rates.length > 10) fail(`rates allows at most 10 arms, got ${rates.length}`);
  rates.forEach((r, i) => {
    if (!(r >= 0 && r <= 1)) fail(`rate ${i + 1} must lie in [0, 1], got "${parts[i]}"`);
  });
  return rates;
}

export function validateBanditSim(s: BanditSimSettings): void {
  parseRates(s.rates);
  checkInteger('horizon', s.horizon, 10);
  checkInteger('seeds', s.seeds, 1);
  if (s.horizon * s.seeds * BANDIT_POLICIES.length > MAX_BANDIT_PULLS) fail(`horizon × seeds is too large to simulate in seconds (limit ${(MAX_BANDIT_PULLS / BANDIT_POLICIES.length).toLocaleString('en')})`);
  if (!(s.epsilon >= 0 && s.epsilon <= 1)) fail(`epsilon must lie in [0, 1], got ${s.epsilon}`);
  checkFinite('seed', s.seed);
}

export async function simulateBandits(s: BanditSimSettings, ctx: TaskContext = quietContext): Promise<BanditSimResult> {
  validateBanditSim(s);
  const rates = parseRates(s.rates);
  const k = rates.length;
  const P = Math.min(REGRET_POINTS, s.horizon);
  const idx = Array.from({ length: P }, (_, i) => Math.round(((i + 1) * s.horizon) / P) - 1);
  const best = rates.indexOf(Math.max(...rates));
  const worst = rates.indexOf(Math.min(...rates));
  const policies: PolicyStats[] = [];
  for (let pi = 0; pi < BANDIT_POLICIES.length; pi++) {
    const policy = BANDIT_POLICIES[pi];
    const meanRegret = new Float64Array(P);
    const finalRegret = new Float64Array(s.seeds);
    const pullShare = new Array<number>(k).fill(0);
    let worstPulls = 0;
    let bestMost = 0;
    for (let r = 0; r < s.seeds; r++) {
      const res = simulateBandit({ rates, horizon: s.horizon, policy, epsilon: s.epsilon, seed: deriveSeed(s.seed, r) });
      for (let i = 0; i < P; i++) meanRegret[i] += res.cumulativeRegret[idx[i]] / s.seeds;
      finalRegret[r] = res.cumulativeRegret[s.horizon - 1];
      for (let a = 0; a < k; a++) pullShare[a] += res.pulls[a] / s.horizon / s.seeds;
      worstPulls += res.pulls[worst] / s.seeds;
      if (res.pulls[best] === Math.max(...res.pulls)) bestMost++;
      await ctx.tick((pi * s.seeds + r + 1) / (BANDIT_POLICIES.length * s.seeds));
    }
    policies.push({ policy, meanRegret, finalRegret, pullShare, worstArmPulls: worstPulls, bestArmMostPulled: bestMost / s.seeds });
  }
  return { rates, steps: Float64Array.from(idx, (i) => i + 1), policies };
}

export const defaults: BanditSimSettings = { rates: '0.05, 0.06, 0.08', horizon: 5000, seeds: 200, epsilon: 0.1, seed: 1 };

export const fields: Field[] = [
  { key: 'rates', label: 'True conversion rates', kind: 'text', explain: 'One per arm, comma-separated: the bandit does not know them.' },
  { key: 'horizon', label: 'Users (horizon)', kind: 'number', explain: 'How many users each policy allocates, one at a time.', min: 10, max: 1_000_000, integer: true },
  { key: 'seeds', label: 'Repetitions', kind: 'number', explain: 'Independent runs per policy; curves are their mean.', min: 1, max: 10000, integer: true },
  { key: 'epsilon', label: 'Epsilon', kind: 'number', explain: 'Share of users epsilon-greedy sends to a random arm.', min: 0, max: 1 },
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true },
];

/** Cross-field rules beyond each field's bounds. */
export const validate = (s: BanditSimSettings): void => validateBanditSim(s);

export const run = runStage('simulating the four policies', simulateBandits);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface BanditDigest {
  arms: number;
  gap: number;
  uniform: number;
  epsilonGreedy: number;
  ucb1: number;
  thompson: number;
  /** Thompson's mean regret at the last quarter point vs the end: sublinear growth shows as a ratio well under 4. */
  thompsonGrowth: number;
  thompsonWorstPulls: number;
  uniformWorstPulls: number;
}

export function digest(r: BanditSimResult): BanditDigest {
  const final = (p: string) => r.policies.find((x) => x.policy === p)!.meanRegret.at(-1)!;
  const th = r.policies.find((x) => x.policy === 'thompson')!;
  const q = Math.max(0, Math.floor(th.meanRegret.length / 4) - 1);
  const sorted = [...r.rates].sort((a, b) => b - a);
  return {
    arms: r.rates.length,
    gap: sorted[0] - sorted[1],
    uniform: final('uniform'),
    epsilonGreedy: final('epsilon-greedy'),
    ucb1: final('ucb1'),
    thompson: final('thompson'),
    thompsonGrowth: th.meanRegret[q] > 0 ? th.meanRegret.at(-1)! / th.meanRegret[q] : 0,
    thompsonWorstPulls: th.worstArmPulls,
    uniformWorstPulls: r.policies.find((x) => x.policy === 'uniform')!.worstArmPulls,
  };
}

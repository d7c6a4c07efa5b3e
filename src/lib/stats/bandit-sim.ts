/** Bandit policies against a fixed equal split, averaged over many seeds (each seed sees the same arms). */
import { deriveSeed } from '../core/rng';
import { checkFinite, checkInteger, fail } from './errors';
import { simulateBandit, type BanditPolicy } from './bandit';
import { NO_CONTEXT, type SimContext } from './sim-context';

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

export async function simulateBandits(s: BanditSimSettings, ctx: SimContext = NO_CONTEXT): Promise<BanditSimResult> {
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

import { describe, expect, it } from 'vitest';
import { simulateBandit, StatsInputError, type BanditPolicy } from '../../../src/lib/stats';

const SEEDS = 20;
const HORIZON = 20_000;

/** Mean cumulative regret at T/4 and at T over SEEDS seeds. */
function meanRegret(rates: number[], policy: BanditPolicy): { quarter: number; end: number } {
  let quarter = 0;
  let end = 0;
  for (let s = 0; s < SEEDS; s++) {
    const r = simulateBandit({ rates, horizon: HORIZON, policy, seed: 1000 + s });
    quarter += r.cumulativeRegret[HORIZON / 4 - 1] / SEEDS;
    end += r.cumulativeRegret[HORIZON - 1] / SEEDS;
  }
  return { quarter, end };
}

const LOW = [0.05, 0.06, 0.08]; // conversion-like rates, small gaps
const WIDE = [0.3, 0.5, 0.7];

describe('simulateBandit', () => {
  it("Thompson sampling's regret grows sublinearly: R(T)/R(T/4) is far below 4", () => {
    for (const rates of [LOW, WIDE]) {
      const { quarter, end } = meanRegret(rates, 'thompson');
      expect(end / quarter, `rates ${rates}`).toBeLessThan(2);
    }
  });

  it('fixed equal allocation has the linear regret T·mean(gap) exactly', () => {
    const r = simulateBandit({ rates: WIDE, horizon: 3000, policy: 'uniform', seed: 1 });
    expect(r.pulls).toEqual([1000, 1000, 1000]);
    expect(r.cumulativeRegret[2999]).toBeCloseTo(1000 * (0.4 + 0.2 + 0), 9);
  });

  it('epsilon-greedy keeps paying epsilon·mean(gap) per user once it has found the best arm', () => {
    const { quarter, end } = meanRegret(WIDE, 'epsilon-greedy');
    const slope = (end - quarter) / (HORIZON - HORIZON / 4);
    expect(slope).toBeGreaterThan(0.1 * 0.2 * 0.8);
    expect(slope).toBeLessThan(0.1 * 0.2 * 1.2);
  });

  it('UCB1 beats epsilon-greedy on wide gaps, but not at 5–8% conversion rates within 20,000 users', () => {
    // UCB1's bonus √(2 ln t / n) is scaled for rewards anywhere in [0, 1]; at 5% conversion it
    // dwarfs the gaps, so UCB1 keeps exploring long after epsilon-greedy (ε = 0.1) has settled.
    const wide = { ucb: meanRegret(WIDE, 'ucb1').end, eps: meanRegret(WIDE, 'epsilon-greedy').end };
    const low = { ucb: meanRegret(LOW, 'ucb1').end, eps: meanRegret(LOW, 'epsilon-greedy').end };
    expect(wide.ucb).toBeLessThan(0.5 * wide.eps);
    expect(low.ucb).toBeGreaterThan(low.eps);
  });

  it('Thompson sampling has the least regret of all four policies in both settings', () => {
    for (const rates of [LOW, WIDE]) {
      const ts = meanRegret(rates, 'thompson').end;
      for (const p of ['epsilon-greedy', 'ucb1', 'uniform'] as const) expect(ts, `${p} on ${rates}`).toBeLessThan(meanRegret(rates, p).end);
    }
  });

  it('pulls add up to the horizon, the best arm gets most of them, and a seed reproduces the run', () => {
    const a = simulateBandit({ rates: LOW, horizon: 5000, policy: 'thompson', seed: 3 });
    expect(a.pulls.reduce((s, v) => s + v, 0)).toBe(5000);
    expect(a.pulls[2]).toBeGreaterThan(a.pulls[0] + a.pulls[1]);
    const b = simulateBandit({ rates: LOW, horizon: 5000, policy: 'thompson', seed: 3 });
    expect(Array.from(b.cumulativeRegret)).toEqual(Array.from(a.cumulativeRegret));
  });

  it('rejects one-armed bandits, rates outside [0, 1], zero horizons and unknown policies', () => {
    expect(() => simulateBandit({ rates: [0.5], horizon: 10, policy: 'ucb1', seed: 1 })).toThrow(/2 arms/);
    expect(() => simulateBandit({ rates: [0.5, 1.5], horizon: 10, policy: 'ucb1', seed: 1 })).toThrow(StatsInputError);
    expect(() => simulateBandit({ rates: [0.5, 0.4], horizon: 0, policy: 'ucb1', seed: 1 })).toThrow(/horizon/);
    expect(() => simulateBandit({ rates: [0.5, 0.4], horizon: 10, policy: 'greedy' as never, seed: 1 })).toThrow(/unknown policy/);
  });
});

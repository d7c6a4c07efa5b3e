import { describe, expect, it } from 'vitest';
import { paretoFront, type TradeoffPoint } from '../../../src/lib/compress/pareto.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

/** The definition, checked pairwise: p is dominated if some q costs ≤ and is worth ≥, one strictly. */
function bruteForce(ps: TradeoffPoint[]): number[] {
  const ok = ps.map((_, i) => i).filter((i) => Number.isFinite(ps[i].cost) && Number.isFinite(ps[i].value));
  const front = ok.filter((i) => !ok.some((j) => j !== i && ps[j].cost <= ps[i].cost && ps[j].value >= ps[i].value && (ps[j].cost < ps[i].cost || ps[j].value > ps[i].value || j < i)));
  return front.sort((i, j) => ps[i].cost - ps[j].cost);
}

describe('paretoFront', () => {
  it('paretoFront picks the cheapest point and each strictly better costlier one (a worked example)', () => {
    const ps = [
      { cost: 4, value: 0.9 }, // front
      { cost: 1, value: 0.6 }, // front
      { cost: 2, value: 0.55 }, // dominated by cost 1
      { cost: 2, value: 0.8 }, // front
      { cost: 3, value: 0.8 }, // dominated: same value, costs more
      { cost: 5, value: 0.85 }, // dominated by cost 4
    ];
    expect(paretoFront(ps)).toEqual([1, 3, 0]);
  });

  it('paretoFront agrees with the pairwise definition on 200 random sets, ties and duplicates included', () => {
    const rng = mulberry32(11);
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rng() * 30);
      const ps = Array.from({ length: n }, () => ({ cost: Math.floor(rng() * 8), value: Math.floor(rng() * 8) / 8 }));
      expect(paretoFront(ps)).toEqual(bruteForce(ps));
    }
  });

  it('paretoFront leaves out points with a non-finite coordinate, and returns [] for none', () => {
    expect(paretoFront([])).toEqual([]);
    expect(paretoFront([{ cost: NaN, value: 1 }, { cost: 2, value: 0.5 }, { cost: 1, value: Infinity }])).toEqual([1]);
  });
});

import { describe, expect, it } from 'vitest';
import { BatchPlan, DistributedSampler } from '../../../src/lib/distributed/sampler.ts';

describe('DistributedSampler', () => {
  it('gives 4 ranks disjoint shards of ⌊103/4⌋ = 25 that cover all but 3 samples, reshuffled each epoch', () => {
    const ranks = [0, 1, 2, 3].map((rank) => new DistributedSampler({ size: 103, worldSize: 4, rank, seed: 9 }));
    for (const epoch of [0, 1]) {
      const all = ranks.flatMap((s) => Array.from(s.indices(epoch)));
      expect(all).toHaveLength(100);
      expect(new Set(all).size).toBe(100);
    }
    expect(ranks[0].indices(0)).not.toEqual(ranks[0].indices(1));
    expect(new DistributedSampler({ size: 103, worldSize: 4, rank: 0, seed: 9 }).indices(1)).toEqual(ranks[0].indices(1));
  });

  it('refuses a rank outside the world', () => {
    expect(() => new DistributedSampler({ size: 10, worldSize: 2, rank: 2, seed: 1 })).toThrow(/rank must be a whole number between 0 and 1; it is 2/);
  });
});

describe('BatchPlan', () => {
  it('global batch of update u = every rank\'s k micro-batches, no sample twice within an epoch', () => {
    const plan = new BatchPlan({ size: 64, ranks: 2, batch: 4, accumSteps: 2, seed: 3 });
    expect(plan.updatesPerEpoch).toBe(4);
    const epoch = Array.from({ length: 4 }, (_, u) => Array.from(plan.globalRows(u))).flat();
    expect(new Set(epoch).size).toBe(64);
    expect(Array.from(plan.globalRows(1).subarray(0, 4))).toEqual(Array.from(plan.rows(0, 1, 0)));
    expect(Array.from(plan.globalRows(4))).not.toEqual(Array.from(plan.globalRows(0)));
  });

  it('refuses an update larger than a rank\'s shard', () => {
    expect(() => new BatchPlan({ size: 10, ranks: 2, batch: 4, accumSteps: 2, seed: 1 })).toThrow(/one update needs 8 samples on each rank; each of the 2 ranks gets 5/);
  });
});

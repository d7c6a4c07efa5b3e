import { describe, expect, it } from 'vitest';
import { collectiveTime, type Topology } from '../../../src/lib/distributed/network.ts';
import { simulateStep, splitCompute, blockFlops, type RankCompute } from '../../../src/lib/distributed/timeline.ts';
import { labNet } from '../../../src/lib/distributed/net.ts';
import { collectiveBytes } from '../../../src/lib/distributed/collectives.ts';

const node = (ranks: number, perNode = ranks): Topology => ({ ranks, ranksPerNode: perNode, intra: { latencyUs: 5, bandwidthGBps: 100 }, inter: { latencyUs: 20, bandwidthGBps: 10 } });

describe('collectiveTime (α–β model)', () => {
  it('ring all-reduce in one node: 2(N−1)·(α + B/(N·β)), and sends the ring formula\'s bytes', () => {
    const t = collectiveTime('all-reduce', 1e9, node(4), 'ring');
    expect(t.seconds).toBeCloseTo(6 * (5e-6 + 0.25e9 / 100e9), 12);
    expect(t.latencySeconds).toBeCloseTo(30e-6, 12);
    expect(t.bytesPerRank).toBeCloseTo(collectiveBytes('all-reduce', 1e9, 4), 3);
    expect(collectiveTime('reduce-scatter', 1e9, node(4), 'ring').seconds).toBeCloseTo(t.seconds / 2, 12);
  });

  it('a ring across two nodes runs every step at the inter-node link\'s speed', () => {
    expect(collectiveTime('all-reduce', 1e8, node(8, 4), 'ring').seconds).toBeCloseTo(14 * (20e-6 + 1e8 / 8 / 10e9), 12);
  });

  it('tree: 2⌈log₂N⌉(α + B/β): faster than the ring for a 1 kB message, slower for 1 GB, on 64 ranks', () => {
    const topo = node(64);
    expect(collectiveTime('all-reduce', 1e3, topo, 'tree').seconds).toBeCloseTo(12 * (5e-6 + 1e3 / 100e9), 15);
    expect(collectiveTime('all-reduce', 1e3, topo, 'tree').seconds).toBeLessThan(collectiveTime('all-reduce', 1e3, topo, 'ring').seconds);
    expect(collectiveTime('all-reduce', 1e9, topo, 'tree').seconds).toBeGreaterThan(collectiveTime('all-reduce', 1e9, topo, 'ring').seconds);
  });

  it('hierarchical over 2 nodes of 4: rings inside then across, beating the flat ring on the slow link for large messages', () => {
    const B = 1e9;
    const want = 2 * 3 * (5e-6 + B / 4 / 100e9) + 2 * 1 * (20e-6 + B / 8 / 10e9);
    expect(collectiveTime('all-reduce', B, node(8, 4), 'hierarchical').seconds).toBeCloseTo(want, 12);
    expect(want).toBeLessThan(collectiveTime('all-reduce', B, node(8, 4), 'ring').seconds);
  });

  it('one rank sends nothing; a zero bandwidth is refused', () => {
    expect(collectiveTime('all-reduce', 1e6, node(1), 'ring').seconds).toBe(0);
    expect(() => collectiveTime('all-reduce', 1, { ...node(2), intra: { latencyUs: 1, bandwidthGBps: 0 } }, 'ring')).toThrow(/intra-node bandwidth must be above 0 GB\/s/);
  });
});

describe('simulateStep', () => {
  // 2 ranks, 2 blocks: forward 1 s each, backward 2 s each, update 0.5 s; each bucket's all-reduce takes exactly 1 s.
  const compute: RankCompute[] = [0, 1].map(() => ({ forward: [1, 1], backward: [2, 2], update: 0.5 }));
  // Ring all-reduce on N = 2 with α = 0: 2(N−1)·B/(N·β) = B/β, 1 s for 1 GB at 1 GB/s.
  const topo: Topology = { ranks: 2, ranksPerNode: 2, intra: { latencyUs: 0, bandwidthGBps: 1 }, inter: { latencyUs: 0, bandwidthGBps: 1 } };
  const bucketBytes = [1e9, 1e9];

  it('without overlap: compute 6 s, then 2 s of all-reduce, then the update: 8.5 s', () => {
    const s = simulateStep({ compute, bucketBytes, topology: topo, algorithm: 'ring', overlap: false });
    expect(s.stepSeconds).toBeCloseTo(8.5, 9);
    expect(s.commSeconds).toBeCloseTo(2, 9);
    expect(s.exposedCommSeconds).toBeCloseTo(2, 9);
  });

  it('with overlap the last block\'s bucket goes while the first block computes its backward: 7.5 s, 1 s exposed', () => {
    const s = simulateStep({ compute, bucketBytes, topology: topo, algorithm: 'ring', overlap: true });
    expect(s.stepSeconds).toBeCloseTo(7.5, 9);
    expect(s.exposedCommSeconds).toBeCloseTo(1, 9);
    const comm = s.ranks[0].filter((x) => x.kind === 'comm').map((x) => [x.block, x.start, x.end]);
    expect(comm).toEqual([[1, 4, 5], [0, 6, 7]]);
  });

  it('a straggler makes the others wait for the collective', () => {
    const slow = [compute[0], { forward: [1, 1], backward: [4, 4], update: 0.5 }];
    const s = simulateStep({ compute: slow, bucketBytes, topology: topo, algorithm: 'ring', overlap: true });
    const wait = s.ranks[0].find((x) => x.kind === 'wait')!;
    expect(wait.start).toBeCloseTo(6, 9);
    expect(wait.end).toBeCloseTo(11, 9);
  });
});

describe('splitCompute', () => {
  it('splits by block FLOPs (MLP: 2·784·256, 2·256·128, 2·128·10), backward twice the forward', () => {
    const net = labNet('mlp');
    expect(blockFlops(net)).toEqual([2 * 784 * 256, 2 * 256 * 128, 2 * 128 * 10]);
    const c = splitCompute(net, 0.9, 0.1);
    const total = c.forward.reduce((a, b) => a + b, 0) + c.backward.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(0.9, 12);
    c.forward.forEach((f, i) => expect(c.backward[i]).toBeCloseTo(2 * f, 12));
  });

  it('counts a 3x3 conv as 2·9·c_in·c_out·H·W', () => {
    expect(blockFlops(labNet('cnn'))[0]).toBe(2 * 9 * 1 * 16 * 28 * 28);
    expect(blockFlops(labNet('cnn'))[1]).toBe(2 * 9 * 16 * 32 * 14 * 14);
  });
});

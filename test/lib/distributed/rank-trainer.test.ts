import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../ml/tf-node.ts';
import { deepNet, glorotParams } from '../../../src/lib/distributed/net.ts';
import { RankTrainer, type RankTrainerOptions } from '../../../src/lib/distributed/rank-trainer.ts';
import { runOffloadHost } from '../../../src/lib/distributed/offload.ts';
import { runLocalRanks, localTransports } from '../../../src/lib/distributed/launch.ts';
import { zeroMemoryPerDevice } from '../../../src/lib/distributed/memory-model.ts';
import { collectiveBytes } from '../../../src/lib/distributed/collectives.ts';
import { STRATEGIES, STRATEGY_STAGE, COMM_FACTOR, type Strategy } from '../../../src/lib/distributed/strategy.ts';
import type { OptimizerConfig } from '../../../src/lib/distributed/optimizer.ts';
import { dataset, relDiff, singleWorker, slice } from './helpers.ts';

// A small 784-32-32-10 net (26,506 parameters, blocks of 25,120, 1,056 and 330: none divisible by 3
// or 4, so shard padding is exercised), to keep this file fast; the runner tests train the lab's models.
const small = deepNet(2, 32);
const smallInitial = glorotParams(small, 5);
const data = dataset(256, 4);

beforeAll(async () => {
  await useBackend('wasm');
});
const SGD: OptimizerConfig = { kind: 'sgd', learningRate: 0.1 };
const ADAM: OptimizerConfig = { kind: 'adam', learningRate: 0.001 };

type Opts = Partial<RankTrainerOptions> & { ranks: number; batch: number; steps: number; accum?: number };

/** Train on `ranks` in-process ranks; rank r's micro-batch j of step s is examples ((s·k + j)·N + r)·b … (+b). */
async function train(o: Opts) {
  const k = o.accum ?? 1;
  const host = o.host;
  const net = o.net ?? small;
  const initial = smallInitial;
  const world = o.ranks + (host === undefined ? 0 : 1);
  const out = await runLocalRanks(world, 'port', async (t) => {
    if (t.rank === host) return { host: await runOffloadHost(t, { net, initial, precision: o.precision ?? 'fp32', optimizer: o.optimizer ?? SGD, group: Array.from({ length: o.ranks }, (_, i) => i) }) };
    const tr = new RankTrainer(t, { net, initial, strategy: 'dp', precision: 'fp32', optimizer: SGD, executor: 'tape', ...o });
    const reports = [];
    for (let s = 0; s < o.steps; s++) {
      const mbs = Array.from({ length: k }, (_, j) => slice(data, ((s * k + j) * o.ranks + t.rank) * o.batch, o.batch));
      reports.push(await tr.step(mbs));
      tf.dispose(mbs.flatMap((m) => [m.x, m.y]));
    }
    await tr.finish();
    return { weights: await tr.fullParams(), reports, state: tr.modelState(), scale: tr.scale, updates: tr.updates };
  });
  return { ranks: out.filter((r) => !('host' in r)) as { weights: Float32Array; reports: Awaited<ReturnType<RankTrainer['step']>>[]; state: ReturnType<RankTrainer['modelState']>; scale: number; updates: number }[], host: out.find((r) => 'host' in r) as { host: Awaited<ReturnType<typeof runOffloadHost>> } | undefined };
}

describe('data parallel equals one worker with the global batch', () => {
  it('4 ranks x batch 8, 3 SGD steps = 1 worker x batch 32 (relative 1e-5; only float summation order differs; the lab MLP and CNN: test/lib/runners/data-parallel.test.ts)', async () => {
    const ref = await singleWorker(small, smallInitial, data, 32, 3, SGD);
    const { ranks } = await train({ ranks: 4, batch: 8, steps: 3 });
    for (const r of ranks) expect(relDiff(r.weights, ref)).toBeLessThan(1e-5);
    expect(ranks[1].weights).toEqual(ranks[0].weights); // every replica identical after the all-reduce
  });

  it('gradient accumulation: 1 rank x 4 micro-batches of 8 = 1 worker x batch 32; 2 ranks x 2 x 8 too', async () => {
    const ref = await singleWorker(small, smallInitial, data, 32, 2, SGD);
    const one = await train({ ranks: 1, batch: 8, steps: 2, accum: 4 });
    const two = await train({ ranks: 2, batch: 8, steps: 2, accum: 2 });
    expect(relDiff(one.ranks[0].weights, ref)).toBeLessThan(1e-5);
    expect(relDiff(two.ranks[0].weights, ref)).toBeLessThan(1e-5);
  });
});

describe('ZeRO stages and FSDP strategies', () => {
  it('every strategy gives weights bit-identical to data parallel (blockwise, Adam, 3 steps, 3 ranks), within 1e-4 of the single worker', async () => {
    const ref = await singleWorker(small, smallInitial, data, 24, 3, ADAM);
    const runs = new Map<Strategy, Float32Array>();
    for (const strategy of STRATEGIES) runs.set(strategy, (await train({ ranks: 3, batch: 8, steps: 3, strategy, optimizer: ADAM, executor: 'blockwise' })).ranks[2].weights);
    for (const strategy of STRATEGIES) expect(runs.get(strategy)).toEqual(runs.get('dp'));
    // Adam's step is ≈ lr·sign(g) for tiny g, so order-level differences can move a weight by up to ~lr.
    expect(relDiff(runs.get('dp')!, ref)).toBeLessThan(1e-4);
  });

  it.each(['fp32', 'mixed'] as const)('%s: each rank\'s model-state bytes, summed from its buffers, match zeroMemoryPerDevice within the shard padding', (precision) => {
    const n = 4;
    const ts = localTransports(n, 'port');
    for (const strategy of STRATEGIES) {
      const got = new RankTrainer(ts[1], { net: small, initial: smallInitial, strategy, precision, optimizer: ADAM, executor: 'blockwise' }).modelState();
      const want = zeroMemoryPerDevice(small.size, { stage: STRATEGY_STAGE[strategy], worldSize: n, precision, optimizer: 'adam' });
      // A shard holds ⌈L/N⌉ values of each block: up to (N−1)/N of a value more per block than L/N.
      const slack = (bytes: number) => (small.blocks.length * (n - 1) * bytes) / n + 1e-9;
      expect(Math.abs(got.params - want.params)).toBeLessThanOrEqual(slack(precision === 'mixed' ? 2 : 4));
      expect(Math.abs(got.grads - want.grads)).toBeLessThanOrEqual(slack(precision === 'mixed' ? 2 : 4));
      expect(Math.abs(got.optimizer - want.optimizer)).toBeLessThanOrEqual(slack(precision === 'mixed' ? 12 : 8));
      if (strategy === 'zero3') expect(got.params).toBe(small.blocks.reduce((s, b) => s + Math.ceil(b.size / n), 0) * (precision === 'mixed' ? 2 : 4));
    }
    for (const t of ts) t.close();
  });

  it('bytes sent per step: 2(N−1)/N·Ψ·4 for dp, ZeRO-1/2 and SHARD_GRAD_OP, 3(N−1)/N·Ψ·4 (1.5x) for ZeRO-3, exactly on 2 ranks', async () => {
    const payload = small.size * 4;
    for (const strategy of STRATEGIES) {
      const { ranks } = await train({ ranks: 2, batch: 4, steps: 1, strategy, executor: 'blockwise' });
      expect(ranks[0].reports[0].bytesSent).toBe((COMM_FACTOR[strategy] / 2) * collectiveBytes('all-reduce', payload, 2));
    }
  });

  it('ZeRO-3 holds gathered parameters one block at a time; SHARD_GRAD_OP holds them all during the step', async () => {
    const largest = Math.max(...small.blocks.map((b) => b.size)) * 4;
    const z3 = (await train({ ranks: 4, batch: 4, steps: 1, strategy: 'zero3', executor: 'blockwise' })).ranks[0].reports[0].peak;
    const sgo = (await train({ ranks: 4, batch: 4, steps: 1, strategy: 'shard-grad-op', executor: 'blockwise' })).ranks[0].reports[0].peak;
    expect(z3.gathered).toBe(largest);
    expect(sgo.gathered).toBe(small.size * 4);
  });

  it('CPU offload: same weights as without, no optimizer state on the ranks, the shard\'s fp16 gradients down and fp16 parameters back', async () => {
    const plain = await train({ ranks: 2, batch: 8, steps: 2, strategy: 'zero2', precision: 'mixed', optimizer: ADAM, executor: 'blockwise', scaling: { mode: 'static', initScale: 256 } });
    const off = await train({ ranks: 2, batch: 8, steps: 2, strategy: 'zero2', precision: 'mixed', optimizer: ADAM, executor: 'blockwise', scaling: { mode: 'static', initScale: 256 }, host: 2 });
    expect(off.ranks[0].weights).toEqual(plain.ranks[0].weights);
    expect(off.ranks[0].state.optimizer).toBe(0);
    expect(plain.ranks[0].state.optimizer).toBe(zeroMemoryPerDevice(small.size, { stage: 2, worldSize: 2, precision: 'mixed', optimizer: 'adam' }).optimizer);
    const r = off.ranks[0].reports[1];
    const shardValues = small.size / 2; // every block divides by 2 here
    expect(r.bytesToHost).toBe(shardValues * 2 + 8); // + rank 0's 8-byte control message
    expect(r.bytesFromHost).toBe(shardValues * 2);
    expect(off.host!.host.heldBytes).toBe(small.size * 12);
  });
});

describe('mixed precision and loss scaling across ranks', () => {
  it('a static scale of 2⁴⁰ overflows fp16 on every step: all updates skipped, weights unchanged', async () => {
    const { ranks } = await train({ ranks: 2, batch: 8, steps: 2, strategy: 'zero2', precision: 'mixed', executor: 'blockwise', scaling: { mode: 'static', initScale: 2 ** 40 } });
    expect(ranks[0].reports.every((r) => r.skipped)).toBe(true);
    expect(ranks[0].updates).toBe(0);
  });

  it('a dynamic scale starting at 2²⁴ halves on each overflow until the gradients fit, then trains; dp and ZeRO-3 agree bit for bit', async () => {
    const o = { ranks: 2, batch: 8, steps: 12, precision: 'mixed' as const, executor: 'blockwise' as const, scaling: { mode: 'dynamic' as const, initScale: 2 ** 24, growthInterval: 1000 } };
    const dp = await train({ ...o, strategy: 'dp' });
    const z3 = await train({ ...o, strategy: 'zero3' });
    const skipped = dp.ranks[0].reports.filter((r) => r.skipped).length;
    expect(skipped).toBeGreaterThan(2);
    expect(skipped).toBeLessThan(12);
    expect(dp.ranks[0].scale).toBe(2 ** (24 - skipped));
    expect(z3.ranks[0].weights).toEqual(dp.ranks[0].weights);
  });
});

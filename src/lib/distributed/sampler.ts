/**
 * The distributed sampler (as torch.utils.data.DistributedSampler with drop_last = True): every
 * epoch one seeded permutation of the data set, the same on every rank, cut to a multiple of the
 * world size; rank r takes positions r, r + N, r + 2N, … So the ranks' shards are disjoint, cover
 * all but fewer than N samples, and reshuffle every epoch (the permutation depends on seed and
 * epoch only, so a resumed run sees the same order).
 */
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import { DistributedError, requireInt } from './errors';

export interface SamplerOptions {
  /** Samples in the data set. */
  size: number;
  /** Ranks sharing it. */
  worldSize: number;
  /** This rank. */
  rank: number;
  /** Seeds every epoch's permutation. */
  seed: number;
}

export class DistributedSampler {
  readonly size: number;
  readonly worldSize: number;
  readonly rank: number;
  readonly seed: number;

  constructor(o: SamplerOptions) {
    requireInt(o.size, 'size', 0);
    requireInt(o.worldSize, 'worldSize', 1);
    requireInt(o.rank, 'rank', 0, o.worldSize - 1);
    requireInt(o.seed, 'seed', 0, 2 ** 32 - 1);
    ({ size: this.size, worldSize: this.worldSize, rank: this.rank, seed: this.seed } = o);
  }

  /** Samples each rank gets per epoch: ⌊size/N⌋. */
  get perRank(): number {
    return Math.floor(this.size / this.worldSize);
  }

  /** The whole epoch's order, shared by every rank (positions i·N + r belong to rank r). */
  epochOrder(epoch: number): Int32Array {
    return permutation(this.size, mulberry32(deriveSeed(this.seed, 2000 + epoch)));
  }

  /** This rank's sample indices for `epoch`, in the order it visits them. */
  indices(epoch: number): Int32Array {
    const order = this.epochOrder(epoch);
    const out = new Int32Array(this.perRank);
    for (let i = 0; i < out.length; i++) out[i] = order[i * this.worldSize + this.rank];
    return out;
  }
}

export interface BatchPlanOptions {
  /** Samples in the data set. */
  size: number;
  ranks: number;
  /** Examples per micro-batch on each rank (b). */
  batch: number;
  /** Micro-batches per update (k). */
  accumSteps: number;
  seed: number;
}

/**
 * Which samples every rank takes for every update: rank r's micro-batch j of update u is the
 * slice [(u'·k + j)·b, (u'·k + j + 1)·b) of its epoch's indices, u' = u mod (updates per epoch).
 * The union over ranks and micro-batches is update u's global batch: what one worker with batch
 * N·k·b must see to be compared with the N ranks.
 */
export class BatchPlan {
  readonly samplers: DistributedSampler[];
  readonly updatesPerEpoch: number;
  private readonly cache = new Map<string, Int32Array>();

  constructor(readonly o: BatchPlanOptions) {
    requireInt(o.batch, 'batch', 1);
    requireInt(o.accumSteps, 'accumSteps', 1);
    this.samplers = Array.from({ length: o.ranks }, (_, rank) => new DistributedSampler({ size: o.size, worldSize: o.ranks, rank, seed: o.seed }));
    this.updatesPerEpoch = Math.floor(this.samplers[0].perRank / (o.batch * o.accumSteps));
    if (this.updatesPerEpoch < 1) throw new DistributedError(`one update needs ${o.batch * o.accumSteps} samples on each rank; each of the ${o.ranks} ranks gets ${this.samplers[0].perRank}.`);
  }

  /** Rank r's micro-batch j of update u (sample indices). */
  rows(r: number, u: number, j: number): Int32Array {
    const epoch = Math.floor(u / this.updatesPerEpoch);
    const key = `${r}:${epoch}`;
    let idx = this.cache.get(key);
    if (!idx) {
      idx = this.samplers[r].indices(epoch);
      this.cache.set(key, idx);
      if (this.cache.size > 2 * this.o.ranks) this.cache.delete(this.cache.keys().next().value!);
    }
    const start = ((u % this.updatesPerEpoch) * this.o.accumSteps + j) * this.o.batch;
    return idx.subarray(start, start + this.o.batch);
  }

  /** Update u's global batch: every rank's micro-batches in rank order. */
  globalRows(u: number): Int32Array {
    const { ranks, accumSteps, batch } = this.o;
    const all = new Int32Array(ranks * accumSteps * batch);
    for (let r = 0, at = 0; r < ranks; r++) for (let j = 0; j < accumSteps; j++, at += batch) all.set(this.rows(r, u, j), at);
    return all;
  }
}

/**
 * The distributed sampler (as torch.utils.data.DistributedSampler with drop_last = True): every
 * epoch one seeded permutation of the data set, the same on every rank, cut to a multiple of the
 * world size; rank r takes positions r, r + N, r + 2N, … So the ranks' shards are disjoint, cover
 * all but fewer than N samples, and reshuffle every epoch (the permutation depends on seed and
 * epoch only, so a resumed run sees the same order).
 */
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import { requireInt } from './errors';

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

/**
 * The global batch of update `step` (counting from 0 within an epoch): what one worker training on
 * the whole data with batch N·b·k sees, as the union of every rank's k micro-batches of b. Rank r's
 * micro-batch j of that update is its indices [(step·k + j)·b, (step·k + j + 1)·b).
 */
export function rankMicroBatch(indices: Int32Array, step: number, micro: number, accumSteps: number, batch: number): Int32Array {
  const start = (step * accumSteps + micro) * batch;
  return indices.subarray(start, start + batch);
}

/**
 * What one rank keeps for each block under a strategy, allocated once: parameter storage (fp32, or
 * fp16 bit patterns in mixed precision; whole or this rank's shard), gradient storage, and the
 * optimizer's fp32 master copy and states (whole, this rank's shard, or none when they are
 * offloaded). Shards are ⌈L/N⌉ values, padded as FSDP pads its flat parameters; a rank updates
 * chunk `me` of each block, [lo, hi) of the block's L values (chunkBounds).
 */
import { chunkBounds, chunkSize } from './collectives';
import { MemoryLedger } from './ledger';
import type { Block, Net } from './net';
import { FlatOptimizer, type OptimizerConfig } from './optimizer';
import { fromFloat16Bits, toFloat16Bits } from './precision';
import { shardsGrads, shardsOptimizer, shardsParams, type Strategy } from './strategy';
import type { TrainPrecision } from './memory-model';

export type Store = Float32Array | Uint16Array;

export interface BlockState {
  block: Block;
  /** Values in the block (L). */
  len: number;
  /** This rank's chunk of the block: [lo, hi). */
  lo: number;
  hi: number;
  /** Where this rank's optimizer works, in block coordinates: [lo, hi) when sharded, [0, L) for plain data parallel. */
  updLo: number;
  updHi: number;
  params: Store;
  grads: Store;
  /** fp32 master weights of [updLo, updHi), padded like the shard (mixed precision without offload). */
  master?: Float32Array;
  opt?: FlatOptimizer;
}

export interface StateOptions {
  strategy: Strategy;
  precision: TrainPrecision;
  optimizer: OptimizerConfig;
  /** Optimizer states and master weights live on the offload host, not on the rank. */
  offload: boolean;
  /** This rank's position in the data-parallel group and the group's size. */
  me: number;
  n: number;
}

const alloc = (mixed: boolean, len: number): Store => (mixed ? new Uint16Array(len) : new Float32Array(len));

/** A Store's values in [a, b) as float32 (a view for fp32 storage, a converted copy for fp16). */
export function valuesOf(s: Store, a = 0, b = s.length): Float32Array {
  return s instanceof Float32Array ? s.subarray(a, b) : fromFloat16Bits(s.subarray(a, b));
}

/** Write float32 values into a Store at `at` (rounding to fp16 for fp16 storage). */
export function writeValues(s: Store, values: Float32Array, at = 0): void {
  if (s instanceof Float32Array) s.set(values, at);
  else s.set(toFloat16Bits(values), at);
}

export function allocateBlocks(net: Net, initial: Float32Array, o: StateOptions, ledger: MemoryLedger): BlockState[] {
  const mixed = o.precision === 'mixed';
  return net.blocks.map((block) => {
    const len = block.size;
    const [lo, hi] = chunkBounds(len, o.n, o.me);
    const shard = chunkSize(len, o.n);
    const init = initial.subarray(block.offset, block.offset + len);
    const [updLo, updHi] = shardsOptimizer(o.strategy) ? [lo, hi] : [0, len];
    const params = alloc(mixed, shardsParams(o.strategy) ? shard : len);
    writeValues(params, shardsParams(o.strategy) ? init.subarray(lo, hi) : init);
    const grads = alloc(mixed, shardsGrads(o.strategy) ? shard : len);
    const st: BlockState = { block, len, lo, hi, updLo, updHi, params, grads };
    if (!o.offload) {
      const optLen = shardsOptimizer(o.strategy) ? shard : len;
      if (mixed) {
        st.master = new Float32Array(optLen);
        st.master.set(init.subarray(updLo, updHi));
      }
      st.opt = new FlatOptimizer(o.optimizer, optLen);
    }
    ledger.hold('params', params.byteLength);
    ledger.hold('grads', grads.byteLength);
    ledger.hold('optimizer', optimizerBytes(st));
    return st;
  });
}

const optimizerBytes = (b: BlockState) => (b.master?.byteLength ?? 0) + (b.opt?.states.reduce((s, x) => s + x.byteLength, 0) ?? 0);

/** Bytes of each kind of model state, counted from the buffers themselves. */
export function heldModelState(blocks: BlockState[]): { params: number; grads: number; optimizer: number } {
  let params = 0, grads = 0, optimizer = 0;
  for (const b of blocks) {
    params += b.params.byteLength;
    grads += b.grads.byteLength;
    optimizer += optimizerBytes(b);
  }
  return { params, grads, optimizer };
}

/** The float32 gradient of the mean loss: the summed (loss-scaled) gradient divided by S·N·k. */
export function unscale(summed: Store, divisor: number): Float32Array {
  const v = valuesOf(summed);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / divisor;
  return out;
}

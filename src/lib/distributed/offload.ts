/**
 * CPU offload of the optimizer (ZeRO-Offload, Ren et al. 2021): the host (in the labs, the page or
 * one more worker; here, one more transport endpoint) keeps the fp32 master weights and the Adam
 * states of every rank's shard and runs the update. Per step each rank sends its summed gradient
 * shard (fp16 in mixed precision, so 2Ψ/N bytes) and gets its updated parameter shard back (2Ψ/N
 * bytes): the price of holding no optimizer state on the rank.
 *
 * Protocol, per step: rank 0 of the group sends [code, divisor] (code: step, skip or done); on
 * 'step' the host serves the ranks in group order and, for each, the blocks in order: receive the
 * gradient region, divide by the divisor (S·N·k), update, send the parameter region back.
 */
import { chunkBounds, chunkSize } from './collectives';
import { ensure } from './errors';
import type { TrainPrecision } from './memory-model';
import type { Net } from './net';
import { FlatOptimizer, type OptimizerConfig } from './optimizer';
import { toFloat16Bits } from './precision';
import { unscale } from './rank-state';
import type { Transport } from './transport';

export const OFFLOAD_STEP = 0;
export const OFFLOAD_SKIP = 1;
export const OFFLOAD_DONE = 2;

export interface OffloadHostOptions {
  net: Net;
  initial: Float32Array;
  precision: TrainPrecision;
  optimizer: OptimizerConfig;
  /** Transport ranks of the data-parallel group, in ring order. */
  group: number[];
}

export interface OffloadHostReport {
  /** Updates applied. */
  updates: number;
  /** Bytes of master weights and optimizer states the host holds for all ranks. */
  heldBytes: number;
  bytesReceived: number;
  bytesSent: number;
}

interface Shard {
  master: Float32Array;
  opt: FlatOptimizer;
  /** Values of the rank's real chunk (the rest is padding). */
  mine: number;
}

/** Serve the group's optimizer until rank 0 says done. */
export async function runOffloadHost(t: Transport, o: OffloadHostOptions): Promise<OffloadHostReport> {
  ensure(!o.group.includes(t.rank), `the offload host (rank ${t.rank}) cannot be in the data-parallel group.`);
  const n = o.group.length;
  const shards: Shard[][] = o.group.map((_, me) =>
    o.net.blocks.map((b) => {
      const [lo, hi] = chunkBounds(b.size, n, me);
      const master = new Float32Array(chunkSize(b.size, n));
      master.set(o.initial.subarray(b.offset + lo, b.offset + hi));
      return { master, opt: new FlatOptimizer(o.optimizer, master.length), mine: hi - lo };
    }),
  );
  const heldBytes = shards.flat().reduce((s, x) => s + x.master.byteLength + x.opt.states.reduce((a, y) => a + y.byteLength, 0), 0);
  const mixed = o.precision === 'mixed';
  const ctrl = new Float32Array(2);
  let updates = 0;
  for (;;) {
    await t.recv(o.group[0], ctrl);
    if (ctrl[0] === OFFLOAD_DONE) break;
    if (ctrl[0] === OFFLOAD_SKIP) continue;
    const divisor = ctrl[1];
    updates++;
    for (const [me, rank] of o.group.entries()) {
      for (const s of shards[me]) {
        const g = mixed ? new Uint16Array(s.mine) : new Float32Array(s.mine);
        await t.recv(rank, g);
        const master = s.master.subarray(0, s.mine);
        s.opt.step(master, unscale(g, divisor), updates);
        await t.send(rank, mixed ? toFloat16Bits(master) : master);
      }
    }
  }
  return { updates, heldBytes, bytesReceived: t.counters.bytesReceived, bytesSent: t.counters.bytesSent };
}

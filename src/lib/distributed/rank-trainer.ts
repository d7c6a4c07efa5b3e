/**
 * One data-parallel rank: it computes its micro-batches' gradients with tfjs, and its strategy
 * (strategy.ts) decides what it keeps, what it sends and when. The step, for N ranks and k
 * micro-batches of b examples each:
 *
 *   1. parameters for compute: the rank's own full copy (dp, ZeRO-1/2), gathered once for the whole
 *      step (SHARD_GRAD_OP), or gathered per block before its forward and its backward (ZeRO-3);
 *   2. gradients of each micro-batch's mean loss, times the loss scale S, block by block; each block's
 *      gradient is summed into full storage and all-reduced (dp) or reduce-scattered (ZeRO-1) after
 *      the last micro-batch, or reduce-scattered at once into this rank's shard (ZeRO-2, SHARD_GRAD_OP,
 *      ZeRO-3), the full block gradient dropped after;
 *   3. the summed gradient divided by S·N·k is the gradient of the mean loss over the N·k·b examples;
 *      with fp16 gradients, an Inf/NaN anywhere (an overflow flag all-reduced among sharded ranks)
 *      skips the update and lets the loss scaler back off;
 *   4. the optimizer updates this rank's region (everything for dp, its chunk otherwise), on the fp32
 *      master copy in mixed precision (then cast to fp16), or on the offload host;
 *   5. ZeRO-1/2 all-gather the updated parameters; sharded parameters wait for the next gather.
 *
 * Updates are elementwise and every sum follows the ring order, so with one micro-batch every
 * strategy yields bit-identical weights.
 */
import type { MicroBatch } from '../ml/step';
import { DistributedError, ensure } from './errors';
import { blockwiseGradients, tapeGradients } from './executor';
import { MemoryLedger, type MemoryBytes } from './ledger';
import type { TrainPrecision } from './memory-model';
import type { Net } from './net';
import type { OptimizerConfig } from './optimizer';
import { toFloat16Bits } from './precision';
import { allocateBlocks, heldModelState, unscale, valuesOf, writeValues, type BlockState, type Store } from './rank-state';
import { allGather, allReduce, reduceScatter } from './ring';
import { LossScaler, type ScalerOptions } from './scaler';
import { STRATEGIES, shardsGrads, shardsParams, type Strategy } from './strategy';
import { diffCounters, snapshotCounters, type Transport } from './transport';
import { OFFLOAD_DONE, OFFLOAD_SKIP, OFFLOAD_STEP } from './offload';

/** What exportState gives and importState takes. */
export interface TrainerState {
  updates: number;
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
}

export interface RankTrainerOptions {
  net: Net;
  /** Full fp32 initial parameters: every rank starts from the same seeded weights. */
  initial: Float32Array;
  strategy: Strategy;
  /** 'mixed': fp16 parameters and gradients, fp32 master weights and optimizer states. */
  precision: TrainPrecision;
  optimizer: OptimizerConfig;
  /** 'tape': one tfjs tape over the whole net (fastest); 'blockwise': block by block (ZeRO-3 needs it). */
  executor: 'tape' | 'blockwise';
  /** Loss scaling; mixed precision only (default dynamic from 2¹⁶). */
  scaling?: ScalerOptions;
  /** Transport ranks of the data-parallel group in ring order (default: all but the host). */
  group?: number[];
  /** Transport rank of the host that keeps the optimizer (CPU offload); none keeps it on the rank. */
  host?: number;
}

export interface Segment {
  kind: 'compute' | 'comm' | 'update' | 'offload';
  /** Wall-clock ms (performance.timeOrigin + performance.now(), comparable across workers). */
  start: number;
  end: number;
}

export interface RankStepReport {
  /** Mean loss over this rank's examples of the step. */
  loss: number;
  correct: number;
  examples: number;
  /** The update was skipped because a gradient overflowed. */
  skipped: boolean;
  /** The loss scale this step used. */
  scale: number;
  /** Payload bytes sent to the other ranks (collectives), to the offload host, and received from it. */
  bytesSent: number;
  bytesToHost: number;
  bytesFromHost: number;
  /** Peak bytes of each kind during the step, from the ledger. */
  peak: MemoryBytes & { total: number };
  /** Most bytes of block activations held at once (blockwise executor; 0 for the tape, which tfjs keeps). */
  activationPeakBytes: number;
  /** What the rank did when: comm/update/offload segments; the gaps between them are compute. */
  trace: Segment[];
  startMs: number;
  endMs: number;
}

const now = () => performance.timeOrigin + performance.now();

export class RankTrainer {
  readonly ledger = new MemoryLedger();
  readonly blocks: BlockState[];
  /** Updates applied so far (skipped steps do not count, as in torch's GradScaler). */
  updates = 0;
  private readonly group: number[];
  private readonly me: number;
  private readonly n: number;
  private readonly mixed: boolean;
  private readonly scaler: LossScaler;
  private readonly gathered: (Store | undefined)[];
  private trace: Segment[] = [];

  constructor(readonly t: Transport, readonly o: RankTrainerOptions) {
    ensure(STRATEGIES.includes(o.strategy), `strategy must be one of ${STRATEGIES.join(', ')}; it is ${String(o.strategy)}.`);
    ensure(o.strategy !== 'zero3' || o.executor === 'blockwise', 'ZeRO-3 gathers each block\'s parameters just before it runs: it needs the blockwise executor.');
    ensure(o.host === undefined || o.strategy !== 'dp', 'CPU offload moves each rank\'s optimizer shard to the host: choose ZeRO stage 1 or more.');
    this.group = o.group ?? Array.from({ length: t.worldSize }, (_, i) => i).filter((r) => r !== o.host);
    ensure(o.host === undefined || !this.group.includes(o.host), `the offload host (rank ${o.host}) cannot also be in the data-parallel group.`);
    this.me = this.group.indexOf(t.rank);
    ensure(this.me >= 0, `rank ${t.rank} is not in the data-parallel group [${this.group.join(', ')}].`);
    this.n = this.group.length;
    this.mixed = o.precision === 'mixed';
    this.scaler = new LossScaler(this.mixed ? (o.scaling ?? { mode: 'dynamic' }) : { mode: 'none' });
    this.blocks = allocateBlocks(o.net, o.initial, { strategy: o.strategy, precision: o.precision, optimizer: o.optimizer, offload: o.host !== undefined, me: this.me, n: this.n }, this.ledger);
    this.gathered = this.blocks.map(() => undefined);
  }

  /** Parameter, gradient and optimizer bytes held now, summed from the buffers. */
  modelState(): { params: number; grads: number; optimizer: number } {
    return heldModelState(this.blocks);
  }

  /** The loss scale the next step will use. */
  get scale(): number {
    return this.scaler.scale;
  }

  private async timed<T>(kind: Segment['kind'], fn: () => Promise<T>): Promise<T> {
    const start = now();
    try {
      return await fn();
    } finally {
      this.trace.push({ kind, start, end: now() });
    }
  }

  private async gather(b: number): Promise<Store> {
    const st = this.blocks[b];
    const full = this.mixed ? new Uint16Array(st.len) : new Float32Array(st.len);
    full.set(st.params.subarray(0, st.hi - st.lo) as never, st.lo);
    this.ledger.hold('gathered', full.byteLength);
    await this.timed('comm', () => allGather(this.t, full, { group: this.group }));
    return full;
  }

  private free(b: number): void {
    const g = this.gathered[b];
    if (!g) return;
    this.ledger.release('gathered', g.byteLength);
    this.gathered[b] = undefined;
  }

  /** Block b's full float32 parameters for compute. */
  private async computeParams(b: number): Promise<Float32Array> {
    if (!shardsParams(this.o.strategy)) return valuesOf(this.blocks[b].params);
    this.gathered[b] ??= await this.gather(b);
    return valuesOf(this.gathered[b]!);
  }

  /** Block b's gradient of micro-batch m (loss-scaled, float32, full block) goes where the strategy keeps it. */
  private async onGrad(b: number, g: Float32Array, m: number, last: boolean): Promise<void> {
    const st = this.blocks[b];
    const group = { group: this.group };
    if (!shardsGrads(this.o.strategy)) {
      if (this.mixed) writeValues(st.grads, g);
      else if (m === 0) st.grads.set(g);
      else addInto(st.grads as Float32Array, g);
      if (last) await this.timed('comm', () => (this.o.strategy === 'dp' ? allReduce(this.t, st.grads, group) : reduceScatter(this.t, st.grads, group).then(() => {})));
      return;
    }
    // The full block gradient is a bucket: reduce-scattered to its owners, then dropped.
    const bucket: Store = this.mixed ? toFloat16Bits(g) : g;
    this.ledger.hold('buckets', bucket.byteLength);
    await this.timed('comm', () => reduceScatter(this.t, bucket, group));
    const mine = bucket.subarray(st.lo, st.hi);
    if (this.mixed || m === 0) st.grads.set(mine as never);
    else addInto(st.grads.subarray(0, mine.length) as Float32Array, mine as Float32Array);
    this.ledger.release('buckets', bucket.byteLength);
  }

  /** This rank's region of a block: its gradients and its parameters, in the storage's own coordinates. */
  private region(st: BlockState): { grads: Store; params: Store } {
    const mine = st.updHi - st.updLo;
    return {
      grads: shardsGrads(this.o.strategy) ? st.grads.subarray(0, mine) : st.grads.subarray(st.updLo, st.updHi),
      params: shardsParams(this.o.strategy) ? st.params.subarray(0, mine) : st.params.subarray(st.updLo, st.updHi),
    };
  }

  private overflowed(): boolean {
    for (const st of this.blocks) {
      const g = this.region(st).grads;
      if (g instanceof Uint16Array) {
        for (let i = 0; i < g.length; i++) if ((g[i] & 0x7c00) === 0x7c00) return true;
      } else {
        for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) return true;
      }
    }
    return false;
  }

  /** One training step on this rank's micro-batches (all of equal size). Every rank of the group must call it. */
  async step(batches: MicroBatch[]): Promise<RankStepReport> {
    const k = batches.length;
    ensure(k >= 1, 'a step needs at least one micro-batch.');
    ensure(!this.mixed || k === 1, 'gradient accumulation is only emulated in fp32 here: use one micro-batch per step with mixed precision.');
    this.trace = [];
    const startMs = now();
    this.ledger.resetPeak();
    const before = snapshotCounters(this.t.counters);
    const scale = this.scaler.scale;
    let lossSum = 0, correct = 0, examples = 0, activationPeakBytes = 0;
    for (let m = 0; m < k; m++) {
      const last = m === k - 1;
      const r = this.o.executor === 'tape' ? await this.tapeMicro(batches[m], m, last, scale) : await blockwiseGradients(this.o.net, batches[m], {
        params: (b) => this.computeParams(b),
        release: (b) => {
          if (this.o.strategy === 'zero3') this.free(b);
        },
        grad: (b, g) => this.onGrad(b, g, m, last),
      }, { lossScale: scale });
      activationPeakBytes = Math.max(activationPeakBytes, 'activationPeakBytes' in r ? (r.activationPeakBytes as number) : 0);
      lossSum += r.loss * r.examples;
      correct += r.correct;
      examples += r.examples;
    }
    this.blocks.forEach((_, b) => this.free(b));
    const skipped = await this.finishStep(scale * this.n * k);
    const d = diffCounters(this.t.counters, before);
    const host = this.o.host;
    return {
      loss: lossSum / examples, correct, examples, skipped, scale,
      bytesSent: d.bytesSent - (host === undefined ? 0 : d.bytesSentTo[host]),
      bytesToHost: host === undefined ? 0 : d.bytesSentTo[host],
      bytesFromHost: host === undefined ? 0 : d.bytesReceivedFrom[host],
      peak: this.ledger.peak, activationPeakBytes, trace: this.trace, startMs, endMs: now(),
    };
  }

  private async tapeMicro(batch: MicroBatch, m: number, last: boolean, scale: number) {
    const net = this.o.net;
    const flat = new Float32Array(net.size);
    for (let b = 0; b < net.blocks.length; b++) flat.set(await this.computeParams(b), net.blocks[b].offset);
    const grads = new Float32Array(net.size);
    const r = await tapeGradients(net, flat, batch, grads, scale);
    for (let b = net.blocks.length - 1; b >= 0; b--) {
      const blk = net.blocks[b];
      await this.onGrad(b, grads.subarray(blk.offset, blk.offset + blk.size), m, last);
    }
    return r;
  }

  /** Steps 3-5: overflow check, the update (here or on the host), the parameter all-gather. Returns whether it skipped. */
  private async finishStep(divisor: number): Promise<boolean> {
    let overflow = this.mixed && this.overflowed();
    if (this.mixed && this.n > 1 && this.o.strategy !== 'dp') {
      const flag = Float32Array.of(overflow ? 1 : 0);
      await this.timed('comm', () => allReduce(this.t, flag, { group: this.group }));
      overflow = flag[0] > 0;
    }
    const { skip } = this.scaler.update(overflow);
    const host = this.o.host;
    if (host !== undefined && this.me === 0) await this.t.send(host, Float32Array.of(skip ? OFFLOAD_SKIP : OFFLOAD_STEP, divisor));
    if (skip) return true;
    this.updates++;
    for (const st of this.blocks) {
      const { grads, params } = this.region(st);
      if (host !== undefined) {
        await this.timed('offload', async () => {
          await this.t.send(host, grads);
          await this.t.recv(host, params);
        });
        continue;
      }
      await this.timed('update', async () => {
        const g = unscale(grads, divisor);
        const target = st.master ? st.master.subarray(0, g.length) : (params as Float32Array);
        st.opt!.step(target, g, this.updates);
        if (st.master) writeValues(params, target);
      });
    }
    if (!shardsParams(this.o.strategy) && this.o.strategy !== 'dp') {
      for (const st of this.blocks) await this.timed('comm', () => allGather(this.t, st.params, { group: this.group }));
    }
    return false;
  }

  /** The full float32 parameters (sharded ones gathered: every rank of the group must call it). */
  async fullParams(): Promise<Float32Array> {
    const out = new Float32Array(this.o.net.size);
    for (const [b, st] of this.blocks.entries()) {
      const store = shardsParams(this.o.strategy) ? await this.gather(b) : st.params;
      out.set(valuesOf(store), st.block.offset);
      this.free(b);
      if (shardsParams(this.o.strategy)) this.ledger.release('gathered', store.byteLength);
    }
    return out;
  }

  /**
   * A data-parallel (fp32, unsharded) rank's whole training state: every block's parameters and
   * optimizer moments, and the optimizer's step count. Every rank of the group holds the same
   * (the all-reduce is bit-identical on all ranks), so one rank's copy restores them all.
   */
  exportState(): TrainerState {
    ensure(this.o.strategy === 'dp' && !this.mixed, 'only a data-parallel fp32 rank exports its whole state (sharded states live on every rank).');
    return {
      updates: this.updates,
      params: this.blocks.map((st) => Float32Array.from(st.params as Float32Array)),
      m: this.blocks.map((st) => Float32Array.from(st.opt?.m ?? [])),
      v: this.blocks.map((st) => Float32Array.from(st.opt?.v ?? [])),
    };
  }

  /** Continue from an exported state (same net, strategy and optimizer). */
  importState(s: TrainerState): void {
    ensure(this.o.strategy === 'dp' && !this.mixed, 'only a data-parallel fp32 rank imports a whole state.');
    ensure(s.params.length === this.blocks.length && s.params.every((p, b) => p.length === this.blocks[b].len), 'the checkpoint is of another model.');
    for (const [b, st] of this.blocks.entries()) {
      (st.params as Float32Array).set(s.params[b]);
      if (st.opt && st.opt.m.length) {
        st.opt.m.set(s.m[b]);
        st.opt.v.set(s.v[b]);
      }
    }
    this.updates = s.updates;
  }

  /** Tell the offload host the run is over (rank 0 of the group; no-op otherwise). */
  async finish(): Promise<void> {
    if (this.o.host !== undefined && this.me === 0) await this.t.send(this.o.host, Float32Array.of(OFFLOAD_DONE, 0));
  }
}

function addInto(dst: Float32Array, src: Float32Array): void {
  if (dst.length !== src.length) throw new DistributedError(`gradient sizes differ: ${dst.length} and ${src.length}.`);
  for (let i = 0; i < dst.length; i++) dst[i] += src[i];
}

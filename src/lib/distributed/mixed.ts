/**
 * Mixed-precision training emulated exactly on one worker (Micikevicius et al. 2018): fp32 master
 * weights; each step the forward runs on the master weights rounded to fp16 or bf16, every block's
 * output is rounded, the loss gradient is multiplied by the loss scale S, every gradient flowing
 * back between blocks is rounded, and so is every weight gradient; then the weight gradients are
 * divided by S in fp32 and the fp32 master takes the update. Rounding is round-to-nearest-even
 * (precision.ts), so a gradient below fp16's smallest subnormal (2⁻²⁴ ≈ 6e-8) becomes 0
 * (underflow) and one above 65504 becomes Infinity (overflow). bf16 has fp32's exponent range, so
 * it neither underflows nor overflows at the sizes training meets, and needs no scaling.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MicroBatch } from '../ml/step';
import { blockwiseGradients } from './executor';
import type { Net } from './net';
import { FlatOptimizer, type OptimizerConfig } from './optimizer';
import { castInPlace, type ComputePrecision } from './precision';
import { LossScaler, type ScalerOptions } from './scaler';

export interface MixedStepReport {
  loss: number;
  correct: number;
  examples: number;
  /** The loss scale this step used. */
  scale: number;
  /** The update was skipped (a gradient overflowed and the scaler checks). */
  skipped: boolean;
  /** Some weight gradient was ±Infinity or NaN after the cast. */
  overflow: boolean;
  /** Weight-gradient values that were nonzero before the cast and 0 after, over the nonzero ones. */
  underflowFraction: number;
  /** Weight-gradient values that are exactly 0 after the cast (dead units included), over all. */
  zeroFraction: number;
  /** Nonzero weight-gradient values (loss-scaled, before the cast) below fp16's smallest normal 2⁻¹⁴: rounded coarsely or to 0. */
  subnormalFraction: number;
  /** Counts of nonzero loss-scaled weight gradients by ⌊log₂|g|⌋, bin i for exponent HIST_MIN_EXP + i (ends clamped). */
  exponentHistogram: Uint32Array;
}

/** The exponent histogram's range: fp16 spans 2⁻²⁴ (smallest subnormal) to 2¹⁵ (largest binade). */
export const HIST_MIN_EXP = -40;
export const HIST_MAX_EXP = 20;
const F16_MIN_NORMAL = 2 ** -14;

async function castTensor(t: tf.Tensor, p: ComputePrecision): Promise<tf.Tensor> {
  if (p === 'fp32') return t;
  const v = castInPlace((await t.data()).slice() as Float32Array, p);
  const out = tf.tensor(v, t.shape, 'float32');
  t.dispose();
  return out;
}

export class MixedPrecisionTrainer {
  /** fp32 master weights. */
  readonly master: Float32Array;
  private readonly opt: FlatOptimizer;
  private readonly scaler: LossScaler;
  updates = 0;

  constructor(readonly net: Net, initial: Float32Array, readonly precision: ComputePrecision, optimizer: OptimizerConfig, scaling: ScalerOptions) {
    this.master = initial.slice();
    this.opt = new FlatOptimizer(optimizer, net.size);
    this.scaler = new LossScaler(scaling);
  }

  get scale(): number {
    return this.scaler.scale;
  }

  async step(batch: MicroBatch): Promise<MixedStepReport> {
    const p = this.precision;
    const net = this.net;
    const compute = castInPlace(this.master.slice(), p);
    const grads = new Float32Array(net.size);
    let nonzeroBefore = 0, flushed = 0, zeros = 0, subnormal = 0;
    const hist = new Uint32Array(HIST_MAX_EXP - HIST_MIN_EXP + 1);
    const scale = this.scaler.scale;
    const r = await blockwiseGradients(net, batch, {
      params: (b) => compute.subarray(net.blocks[b].offset, net.blocks[b].offset + net.blocks[b].size),
      grad: (b, g) => {
        for (let i = 0; i < g.length; i++) {
          const a = Math.abs(g[i]);
          if (a === 0 || !Number.isFinite(a)) continue;
          nonzeroBefore++;
          if (a < F16_MIN_NORMAL) subnormal++;
          hist[Math.min(HIST_MAX_EXP, Math.max(HIST_MIN_EXP, Math.floor(Math.log2(a)))) - HIST_MIN_EXP]++;
        }
        const before = g.slice();
        castInPlace(g, p);
        for (let i = 0; i < g.length; i++) {
          if (g[i] === 0) {
            zeros++;
            if (before[i] !== 0) flushed++;
          }
        }
        grads.set(g, net.blocks[b].offset);
      },
      castActivation: (t) => castTensor(t, p),
      castGrad: (t) => castTensor(t, p),
    }, { lossScale: scale });
    let overflow = false;
    for (let i = 0; i < grads.length && !overflow; i++) if (!Number.isFinite(grads[i])) overflow = true;
    const { skip } = this.scaler.update(overflow);
    if (!skip) {
      for (let i = 0; i < grads.length; i++) grads[i] /= scale;
      this.opt.step(this.master, grads, ++this.updates);
    }
    return {
      loss: r.loss, correct: r.correct, examples: r.examples, scale, skipped: skip, overflow,
      underflowFraction: nonzeroBefore ? flushed / nonzeroBefore : 0, zeroFraction: zeros / net.size,
      subnormalFraction: nonzeroBefore ? subnormal / nonzeroBefore : 0, exponentHistogram: hist,
    };
  }

  /** The weights the model computes with: the master rounded to the compute precision. */
  computeWeights(): Float32Array {
    return castInPlace(this.master.slice(), this.precision);
  }
}

/**
 * SGD and Adam on flat float32 slices, with their states as plain buffers: a rank that owns one
 * shard of the parameters keeps the states of that shard only (ZeRO stage 1). The update is
 * elementwise, so updating every shard equals updating the whole vector, bit for bit.
 *
 * Adam as tfjs (Kingma & Ba 2015, Algorithm 1): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * w ← w − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε), with tfjs's default ε = 1e-7 as in the training lab.
 */
import { ensure, requireFinite } from './errors';
import type { OptimizerName } from './memory-model';

export interface OptimizerConfig {
  /** 'sgd' (no momentum, no state) or 'adam' (momentum and variance, 8 bytes per parameter). */
  kind: OptimizerName;
  /** Step size. */
  learningRate: number;
  /** Adam's decay of the first moment. */
  beta1?: number;
  /** Adam's decay of the second moment. */
  beta2?: number;
  /** Adam's guard in the denominator. */
  epsilon?: number;
}

export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export class FlatOptimizer {
  /** Adam's first and second moments (empty for SGD). */
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(readonly config: OptimizerConfig, readonly length: number) {
    ensure(config.kind === 'sgd' || config.kind === 'adam', `optimizer must be 'adam' or 'sgd'; it is ${String(config.kind)}.`);
    requireFinite(config.learningRate, 'learningRate', 0);
    const adam = config.kind === 'adam';
    this.m = new Float32Array(adam ? length : 0);
    this.v = new Float32Array(adam ? length : 0);
    this.beta1 = config.beta1 ?? ADAM_DEFAULTS.beta1;
    this.beta2 = config.beta2 ?? ADAM_DEFAULTS.beta2;
    this.epsilon = config.epsilon ?? ADAM_DEFAULTS.epsilon;
  }

  /** The state buffers this optimizer holds (what a memory count should add up). */
  get states(): Float32Array[] {
    return this.config.kind === 'adam' ? [this.m, this.v] : [];
  }

  /**
   * One update of `params` (the fp32 weights or master copy) with `grads`, at step t = 1, 2, …; the
   * first params.length states are used (a padded shard keeps states for its padding, never touched).
   */
  step(params: Float32Array, grads: Float32Array, t: number): void {
    ensure(params.length <= this.length && grads.length === params.length, `optimizer over ${this.length} values got ${params.length} parameters and ${grads.length} gradients.`);
    const lr = this.config.learningRate;
    if (this.config.kind === 'sgd') {
      for (let i = 0; i < params.length; i++) params[i] -= lr * grads[i];
      return;
    }
    const { beta1: b1, beta2: b2, epsilon: eps, m, v } = this;
    const c1 = 1 - b1 ** t;
    const c2 = 1 - b2 ** t;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      params[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}

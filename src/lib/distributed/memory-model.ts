/**
 * Model-state memory per device under data parallelism and ZeRO (Rajbhandari et al. 2020, "ZeRO:
 * Memory Optimizations Toward Training Trillion Parameter Models", §3 and Figure 1). With Ψ
 * parameters, N devices and K bytes of optimizer state per parameter:
 *
 *   stage 0 (plain data parallel): (P + G + K)·Ψ
 *   stage 1 (optimizer states sharded): (P + G)·Ψ + K·Ψ/N
 *   stage 2 (+ gradients sharded):      P·Ψ + (G + K)·Ψ/N
 *   stage 3 (+ parameters sharded):     (P + G + K)·Ψ/N
 *
 * P, G, K by precision and optimizer (bytes per parameter):
 *   mixed precision (fp16 weights and gradients, fp32 master copy): P = 2, G = 2, Adam K = 12
 *     (master copy, momentum, variance), SGD K = 4 (the master copy alone);
 *   fp32: P = 4, G = 4, Adam K = 8 (momentum, variance), SGD K = 0.
 * The paper's example: Ψ = 7.5e9, N = 64, mixed Adam → 120 GB, 31.4 GB, 16.6 GB, 1.9 GB.
 */
import { ensure, requireInt } from './errors';

export type ZeroStage = 0 | 1 | 2 | 3;
export type TrainPrecision = 'fp32' | 'mixed';
export type OptimizerName = 'adam' | 'sgd';

export interface ZeroMemoryOptions {
  /** 0 = plain data parallel; 1 shards optimizer states, 2 also gradients, 3 also parameters. */
  stage: ZeroStage;
  /** Devices the states are sharded over (N). */
  worldSize: number;
  /** 'mixed': fp16 parameters and gradients with an fp32 master copy; 'fp32': everything in fp32. */
  precision: TrainPrecision;
  /** 'adam' keeps momentum and variance; 'sgd' (no momentum) keeps nothing beyond the master copy. */
  optimizer: OptimizerName;
}

/** Bytes per device of each model state (fractional: Ψ/N is not rounded), and their sum. */
export interface DeviceMemory {
  params: number;
  grads: number;
  optimizer: number;
  total: number;
}

/** Bytes per parameter of parameters, gradients and optimizer states before any sharding. */
export function bytesPerParam(precision: TrainPrecision, optimizer: OptimizerName): { params: number; grads: number; optimizer: number } {
  ensure(precision === 'fp32' || precision === 'mixed', `precision must be 'fp32' or 'mixed'; it is ${String(precision)}.`);
  ensure(optimizer === 'adam' || optimizer === 'sgd', `optimizer must be 'adam' or 'sgd'; it is ${String(optimizer)}.`);
  if (precision === 'mixed') return { params: 2, grads: 2, optimizer: optimizer === 'adam' ? 12 : 4 };
  return { params: 4, grads: 4, optimizer: optimizer === 'adam' ? 8 : 0 };
}

/** Model-state bytes per device for `params` parameters (Ψ) under ZeRO `stage` over `worldSize` devices. */
export function zeroMemoryPerDevice(params: number, opts: ZeroMemoryOptions): DeviceMemory {
  requireInt(params, 'params', 0);
  requireInt(opts.worldSize, 'worldSize', 1);
  ensure(opts.stage === 0 || opts.stage === 1 || opts.stage === 2 || opts.stage === 3, `stage must be 0, 1, 2 or 3; it is ${String(opts.stage)}.`);
  const b = bytesPerParam(opts.precision, opts.optimizer);
  const n = opts.worldSize;
  const optimizer = (b.optimizer * params) / (opts.stage >= 1 ? n : 1);
  const grads = (b.grads * params) / (opts.stage >= 2 ? n : 1);
  const p = (b.params * params) / (opts.stage >= 3 ? n : 1);
  return { params: p, grads, optimizer, total: p + grads + optimizer };
}

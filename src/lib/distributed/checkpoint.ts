/**
 * Activation checkpointing, measured (Chen et al. 2016, "Training Deep Nets with Sublinear Memory
 * Cost"). A net of n blocks with activations of a bytes each keeps n·a for the backward pass; keeping
 * only every k-th block's input and recomputing the rest segment by segment keeps about
 * (⌈n/k⌉ + k)·a, least at k ≈ √n, for one more forward pass of compute.
 *
 * Each mode runs real steps: 'none' is one tfjs tape over the whole net; k runs blockwiseGradients
 * with segments of k blocks. Memory is the engine's peak of tensor bytes during one step (tf.profile:
 * every tensor tfjs holds, tape internals included) minus what was alive before it (weights, batch)
 * and minus weight-gradient bytes: the tape holds all of them (4Ψ) at its peak, when the whole
 * forward is still kept, so 4Ψ is subtracted there; the checkpointed runs stream each block's
 * gradients out as soon as they exist (at most one block's are alive, and they stay in the figure).
 * What remains is activations, their gradients and the engine's temporaries. Time is the median of
 * unprofiled steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, type MicroBatch } from '../ml/step';
import { blockwiseGradients } from './executor';
import { blockTensors, type Net } from './net';

/** 'none', or keep every k-th block input. */
export type CheckpointMode = 'none' | number;

export interface CheckpointMeasurement {
  mode: CheckpointMode;
  /** Peak tensor bytes during one step beyond the weights, the batch and the weight gradients (tf.profile). */
  peakBytes: number;
  /** Block activations the executor held at most (blockwise only; NaN for the tape). */
  heldActivationBytes: number;
  /** Median ms of a step over `repeats` unprofiled steps (NaN for none). */
  stepMs: number;
  /** The (⌈n/k⌉ + k) count of block activations of the √n model (n for 'none'). */
  modelBlocks: number;
}

/** ⌈n/k⌉ + k: block activations kept with segments of k (n without checkpointing). */
export function checkpointModelBlocks(n: number, mode: CheckpointMode): number {
  return mode === 'none' ? n : Math.ceil(n / mode) + mode;
}

async function tapeStep(net: Net, params: tf.Tensor[][], batch: MicroBatch): Promise<void> {
  const flat = params.flat();
  const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
    let h = batch.x;
    let at = 0;
    for (const [bi, b] of net.blocks.entries()) {
      h = b.apply(h, ps.slice(at, at + params[bi].length));
      at += params[bi].length;
    }
    return crossEntropy(h as tf.Tensor2D, batch.y);
  })(flat);
  await value.data();
  tf.dispose([value, ...grads]);
}

async function checkpointedStep(net: Net, params: tf.Tensor[][], batch: MicroBatch, k: number): Promise<number> {
  const r = await blockwiseGradients(net, batch, { params: () => new Float32Array(0), tensors: (b) => params[b], grad: () => {} }, { segment: k });
  return r.activationPeakBytes;
}

/** Memory and time of one mode on one batch (the params tensors are created here and freed after). */
export async function measureCheckpointing(net: Net, flat: Float32Array, batch: MicroBatch, mode: CheckpointMode, repeats: number): Promise<CheckpointMeasurement> {
  const params = net.blocks.map((b) => blockTensors(b, flat.subarray(b.offset, b.offset + b.size)));
  try {
    const step = () => (mode === 'none' ? tapeStep(net, params, batch).then(() => NaN) : checkpointedStep(net, params, batch, mode));
    await step(); // warm-up: kernels compiled, buffers allocated
    const before = tf.memory().numBytes;
    let held = NaN;
    const prof = await tf.profile(async () => {
      held = await step();
    });
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await step();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const gradients = mode === 'none' ? net.size * 4 : 0;
    return { mode, peakBytes: Math.max(0, prof.peakBytes - before - gradients), heldActivationBytes: held, stepMs: times.length ? times[Math.floor(times.length / 2)] : NaN, modelBlocks: checkpointModelBlocks(net.blocks.length, mode) };
  } finally {
    tf.dispose(params.flat());
  }
}

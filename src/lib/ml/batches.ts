import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainConfig } from './config';
import { accumulatedStep, type MicroBatch, type Objective } from './step';
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import type { ImageSet } from '../data/fashion';

/* Which images a run sees, in which order, and how a batch of them becomes tensors and an update. */

/** Indices of the training subset a run uses: a seeded choice of trainSize of the training images. */
export function subsetIndices(n: number, size: number, seed: number): Int32Array {
  return permutation(n, mulberry32(deriveSeed(seed, 999))).slice(0, Math.min(size, n));
}

/** The order in which epoch `epoch` visits the subset. Depends only on seed and epoch, so a resumed run sees the same batches. */
export function epochOrder(size: number, seed: number, epoch: number): Int32Array {
  return permutation(size, mulberry32(deriveSeed(seed, 1000 + epoch)));
}

/** Updates per epoch: the last partial update is dropped so every update averages exactly batchSize·accumSteps examples. */
export function updatesPerEpoch(c: TrainConfig): number {
  return Math.floor(c.trainSize / (c.batchSize * c.accumSteps));
}

/**
 * Pixels scaled to [0, 1] in float32, on the JS side: the quotient of two small integers rounded
 * once, so every backend trains on bit-identical inputs (WebGPU's division may be off by ulps).
 */
export function floatPixels(s: ImageSet): Float32Array {
  const out = new Float32Array(s.n * 784);
  for (let i = 0; i < out.length; i++) out[i] = s.images[i] / 255;
  return out;
}

/**
 * The micro-batch of the given rows, copied on the JS side: tf.gather of 128 rows took 2.8 ms of a
 * ~10 ms update on wasm; a typed-array copy takes microseconds and gives the same values.
 */
export function microBatch(pixels: Float32Array, labels: ArrayLike<number>, rows: ArrayLike<number>, shape: number[]): MicroBatch {
  const b = rows.length;
  const xb = new Float32Array(b * 784);
  const yb = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    const j = rows[i];
    xb.set(pixels.subarray(j * 784, (j + 1) * 784), i * 784);
    yb[i] = labels[j];
  }
  return { x: tf.tensor(xb, [b, ...shape]), y: tf.tensor1d(yb, 'int32') };
}

/** One update and its loss and hit count, read back together (on webgpu each data() is a GPU round trip). */
export async function updateAndRead(model: tfl.LayersModel, optimizer: tf.Optimizer, batches: MicroBatch[], objective?: Objective): Promise<{ loss: number; correct: number; examples: number }> {
  const res = accumulatedStep(model, optimizer, batches, objective);
  const both = tf.stack([res.loss, res.correct]);
  tf.dispose([res.loss, res.correct]);
  try {
    const [loss, correct] = await both.data();
    return { loss, correct, examples: res.examples };
  } finally {
    both.dispose();
  }
}

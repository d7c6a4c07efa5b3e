/** Images for the distributed runners: float pixels once, micro-batches by index, the test set. */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '../data/fashion';
import { floatPixels, microBatch } from '../ml/batches';
import type { MicroBatch } from '../ml/step';

export interface ImageArrays {
  /** n·784 pixels in [0, 1]. */
  pixels: Float32Array;
  labels: Uint8Array | Int32Array;
  n: number;
}

export const toArrays = (s: ImageSet): ImageArrays => ({ pixels: floatPixels(s), labels: s.labels, n: s.n });

/** The first `n` images of a set (seeded subsets are chosen by the caller's indices). */
export function firstN(s: ImageArrays, n: number): ImageArrays {
  const m = Math.min(n, s.n);
  return { pixels: s.pixels.subarray(0, m * 784), labels: s.labels.subarray(0, m), n: m };
}

/** The rows as a micro-batch for a net with this input shape. */
export function batchOf(s: ImageArrays, rows: ArrayLike<number>, shape: number[]): MicroBatch {
  return microBatch(s.pixels, s.labels, rows, shape);
}

export function disposeBatches(bs: MicroBatch[]): void {
  tf.dispose(bs.flatMap((b) => [b.x, b.y]));
}

/** Images for the distributed runners: float pixels once, micro-batches by index, the test set. */
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import type { FashionData, ImageSet } from '../data/fashion';
import type { ModelKind } from '../ml/config';
import { floatPixels, microBatch } from '../ml/batches';
import type { MicroBatch } from '../ml/step';
import { labInitialParams, labNet, type Net } from './net';

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

/** What every rank of a lab run starts from: the model, its seeded initial weights, the images, the run's training rows. */
export interface LabStart {
  net: Net;
  initial: Float32Array;
  train: ImageArrays;
  /** Rows of the training images this run uses: a seeded subset of trainSize. */
  subset: Int32Array;
}

const started = new WeakMap<FashionData, Map<string, LabStart>>();

/** Made once per data set, model, seed and size: ranks in one thread share it; a rank worker makes its own. */
export function labStart(s: { model: ModelKind; seed: number; trainSize: number }, data: FashionData): LabStart {
  const key = `${s.model}:${s.seed}:${s.trainSize}`;
  let byKey = started.get(data);
  if (!byKey) started.set(data, (byKey = new Map()));
  let st = byKey.get(key);
  if (!st) {
    const train = toArrays(data.train);
    st = { net: labNet(s.model), initial: labInitialParams(s.model, s.seed), train, subset: permutation(train.n, mulberry32(deriveSeed(s.seed, 999))).slice(0, Math.min(s.trainSize, train.n)) };
    byKey.set(key, st);
  }
  return st;
}

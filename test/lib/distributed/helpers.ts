/** Shared by the distributed tests: seeded data, micro-batches, and a single-worker reference. */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../../src/lib/core/rng.ts';
import type { MicroBatch } from '../../../src/lib/ml/step.ts';
import type { Net } from '../../../src/lib/distributed/net.ts';
import { tapeGradients } from '../../../src/lib/distributed/executor.ts';
import { FlatOptimizer, type OptimizerConfig } from '../../../src/lib/distributed/optimizer.ts';

/** n examples of 784 pixels in [0, 1) and labels 0..9, seeded; class c brightens rows 2c..2c+4 so it is learnable. */
export function dataset(n: number, seed: number): { pixels: Float32Array; labels: Int32Array } {
  const rng = mulberry32(seed);
  const pixels = new Float32Array(n * 784);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * 10);
    labels[i] = c;
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = 0.5 * rng() + (Math.floor(p / 28) >= 2 * c + 2 && Math.floor(p / 28) < 2 * c + 6 ? 0.5 : 0);
  }
  return { pixels, labels };
}

/** The examples [start, start + size) as a micro-batch of the given input shape. */
export function slice(d: { pixels: Float32Array; labels: Int32Array }, start: number, size: number, shape: number[] = [784]): MicroBatch {
  return { x: tf.tensor(d.pixels.subarray(start * 784, (start + size) * 784), [size, ...shape]), y: tf.tensor1d(d.labels.subarray(start, start + size), 'int32') };
}

/** One worker, plain tape gradients and the flat optimizer: `steps` updates on consecutive batches of `batch`. */
export async function singleWorker(net: Net, initial: Float32Array, d: { pixels: Float32Array; labels: Int32Array }, batch: number, steps: number, opt: OptimizerConfig): Promise<Float32Array> {
  const w = initial.slice();
  const o = new FlatOptimizer(opt, net.size);
  const g = new Float32Array(net.size);
  for (let s = 0; s < steps; s++) {
    const mb = slice(d, s * batch, batch);
    await tapeGradients(net, w, mb, g);
    tf.dispose([mb.x, mb.y]);
    o.step(w, g, s + 1);
  }
  return w;
}

/** max |a − b| over max |b|. */
export function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 1e-12;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

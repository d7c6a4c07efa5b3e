/**
 * tfjs backends for Node tests. Importing this registers 'cpu' and 'wasm'; the wasm backend's
 * Node build finds its .wasm binary beside itself in node_modules, so no setWasmPaths is needed.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { mulberry32 } from '../../../src/lib/core/rng.ts';
import { registerWasmTrainingKernels } from '../../../src/lib/runtime/wasm-kernels.ts';

export type BackendName = 'cpu' | 'wasm';

/** Makes `name` the active backend, initialising it on first use; wasm gets Prodlab's kernels, as in the app. */
export async function useBackend(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend '${name}' failed to initialise`);
  await tf.ready();
  if (name === 'wasm') registerWasmTrainingKernels();
}

/** n values uniform on [-1, 1) from a seeded generator. */
export function uniform(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * rng() - 1);
}

/** max |a − b| / max(1e-6, max |b|): the error of a relative to the scale of the reference b. */
export function relMaxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

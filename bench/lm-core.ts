// The gpt lab's run in Node on tfjs's wasm backend (bench/lm.mjs loads this through Vite's runner).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { registerWasmTrainingKernels } from '../src/lib/runtime/wasm-kernels';
import { defaults, runOn, type GptSettings } from '../src/lib/runners/gpt';
import { quietContext } from '../src/lib/core/task';
import type { Corpus } from '../src/lib/runners/vector-hybrid';

export { defaults };

export async function measure(root: string, patch: Partial<GptSettings>) {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  const corpus = JSON.parse(readFileSync(`${root}public/data/wordnet/synsets.json`, 'utf8')) as Corpus;
  return runOn(quietContext, { ...defaults, ...patch }, corpus, undefined, 'wasm');
}

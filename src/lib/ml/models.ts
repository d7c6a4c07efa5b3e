import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelKind, OptimizerKind } from './config';
import { deriveSeed } from '../runtime/rng';

const patchedMatMul = new WeakSet<tf.KernelFunc>();

/**
 * tfjs 4.22's wasm BatchMatMul and _FusedMatMul hand only untransposed operands to XNNPACK; with
 * transposeA or transposeB they fall back to a scalar loop, ~12x slower (128x256 · (784x256)ᵀ:
 * 16 ms against 1.4 ms here). A dense layer's input gradient dX = dY·Wᵀ is such a product, so on
 * wasm we transpose B explicitly (a cheap copy) and keep the product in XNNPACK. Other backends
 * are untouched. Idempotent; a no-op until the wasm backend is loaded.
 * transposeA (the weight gradient dW = Xᵀ·dY) is left on the slow path on purpose: through
 * XNNPACK its batch sum is rounded differently, and Adam's first step magnifies that past the
 * accumulation test's tolerance (max |Δw| 5.8e-5 against 5e-5 in trainer.test.ts).
 * (It is a backend fix and would sit better beside the kernels of wasm-kernels.ts.)
 */
export function useXnnpackForTransposedMatMul(): void {
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const orig = tf.getKernel(name, 'wasm');
    if (!orig || patchedMatMul.has(orig.kernelFunc)) continue;
    const transpose = tf.getKernel(tf.Transpose, 'wasm')!.kernelFunc;
    const inner = orig.kernelFunc;
    const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      if (transposeA || !transposeB) return inner({ inputs, backend, attrs });
      const { b } = inputs as { b: tf.TensorInfo };
      const perm = b.shape.map((_, i) => i);
      perm.splice(-2, 2, perm.length - 1, perm.length - 2);
      const bT = transpose({ inputs: { x: b }, backend, attrs: { perm } }) as tf.TensorInfo;
      try {
        return inner({ inputs: { ...inputs, b: bT }, backend, attrs: { ...attrs, transposeB: false } });
      } finally {
        (backend as tf.KernelBackend).disposeData(bT.dataId);
      }
    };
    patchedMatMul.add(kernelFunc);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...orig, kernelFunc });
  }
}

/** The two architectures of the training lab. Weights are seeded per layer so a seed fixes the init. */
export function buildModel(kind: ModelKind, seed: number): tfl.Sequential {
  useXnnpackForTransposedMatMul();
  let stream = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: deriveSeed(seed, stream++) });
  const model = tfl.sequential({ name: kind });
  if (kind === 'mlp') {
    model.add(tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: init(), name: 'dense1' }));
    model.add(tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(), name: 'dense2' }));
    model.add(tfl.layers.dense({ units: 10, kernelInitializer: init(), name: 'logits' }));
  } else {
    model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: 'conv1' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
    model.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), name: 'conv2' }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
    model.add(tfl.layers.flatten({ name: 'flatten' }));
    model.add(tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(), name: 'dense1' }));
    model.add(tfl.layers.dense({ units: 10, kernelInitializer: init(), name: 'logits' }));
  }
  return model;
}

/** Input shape of one example for each model (the dataset is stored as 784 bytes per image). */
export function inputShape(kind: ModelKind): number[] {
  return kind === 'mlp' ? [784] : [28, 28, 1];
}

export function buildOptimizer(kind: OptimizerKind, learningRate: number): tf.Optimizer {
  switch (kind) {
    case 'sgd': return tf.train.sgd(learningRate);
    case 'momentum': return tf.train.momentum(learningRate, 0.9);
    case 'adam': return tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
  }
}

export function parameterCount(model: tfl.LayersModel): number {
  return model.countParams();
}

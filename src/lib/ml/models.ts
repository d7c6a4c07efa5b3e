import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelKind, OptimizerKind } from './config';
import { deriveSeed } from '../core/rng';

/** The two architectures of the training lab. Weights are seeded per layer so a seed fixes the init. */
export function buildModel(kind: ModelKind, seed: number): tfl.Sequential {
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

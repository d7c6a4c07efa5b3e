import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Checkpoint } from '../store/types';

/** Weights and optimizer state copied to plain Float32Arrays. */
export async function snapshot(runId: string, model: tfl.LayersModel, optimizer: tf.Optimizer, epoch: number, step: number): Promise<Checkpoint> {
  const weights = await Promise.all(model.getWeights().map(async (w, i) => ({ name: model.weights[i].originalName, shape: w.shape.slice(), data: Float32Array.from(await w.data()) })));
  const opt = await optimizer.getWeights();
  const optimizerState = await Promise.all(opt.map(async (w) => ({ name: w.name, shape: w.tensor.shape.slice(), data: Float32Array.from(await w.tensor.data()) })));
  // getWeights returns the optimizer's live variables (plus a fresh 'iter' scalar): free only the latter.
  tf.dispose(opt.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  return { runId, epoch, step, createdAt: Date.now(), weights, optimizer: optimizerState };
}

/** Load a checkpoint into a freshly built model and optimizer of the same architecture. */
export async function restore(model: tfl.LayersModel, optimizer: tf.Optimizer, cp: Checkpoint): Promise<void> {
  const expected = model.weights.length;
  if (cp.weights.length !== expected) throw new Error(`Checkpoint has ${cp.weights.length} weight tensors; this model needs ${expected}. Was it saved from a different architecture?`);
  const ws = cp.weights.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(ws);
  tf.dispose(ws);
  if (cp.optimizer.length > 0) {
    const named = cp.optimizer.map((w) => ({ name: w.name, tensor: tf.tensor(w.data, w.shape) }));
    await optimizer.setWeights(named); // copies into new variables
    tf.dispose(named.map((w) => w.tensor));
  }
}

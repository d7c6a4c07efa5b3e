/**
 * The reference every distributed run is compared with: one worker, one tape, the whole global
 * batch in one pass, the same flat optimizer. Data parallelism and gradient accumulation are
 * correct when they end where this ends, up to float32 summation order.
 */
import type { MicroBatch } from '../ml/step';
import { tapeGradients } from './executor';
import type { Net } from './net';
import { FlatOptimizer, type OptimizerConfig } from './optimizer';

export interface SingleWorkerRun {
  weights: Float32Array;
  /** Mean loss of each update's batch (before the update). */
  loss: Float32Array;
  /** Correct predictions of each update's batch (before the update), as a fraction. */
  accuracy: Float32Array;
}

/** `updates` steps; batch(u) gives update u's whole batch (the caller disposes it after `done(u)`). */
export async function trainSingleWorker(net: Net, initial: Float32Array, optimizer: OptimizerConfig, updates: number, batch: (u: number) => MicroBatch, done: (b: MicroBatch) => void, checkStop: () => void = () => {}): Promise<SingleWorkerRun> {
  const w = initial.slice();
  const opt = new FlatOptimizer(optimizer, net.size);
  const g = new Float32Array(net.size);
  const loss = new Float32Array(updates);
  const accuracy = new Float32Array(updates);
  for (let u = 0; u < updates; u++) {
    checkStop();
    const b = batch(u);
    const r = await tapeGradients(net, w, b, g);
    done(b);
    opt.step(w, g, u + 1);
    loss[u] = r.loss;
    accuracy[u] = r.correct / r.examples;
  }
  return { weights: w, loss, accuracy };
}

/** max |a − b| and that over max |b|: how far a distributed run ended from the reference. */
export function weightDistance(a: Float32Array, b: Float32Array): { maxAbs: number; relative: number } {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return { maxAbs: d, relative: s > 0 ? d / s : d };
}

/**
 * Training pieces for the GPT of model.ts: random windows of a token stream, an Adam step over a
 * chosen set of parameters (all, the top layers, or the LoRA pairs), a validation loss on fixed
 * windows, and the count-based bigram baseline the transformer must beat.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng';
import { LmError } from './formulas';
import type { Gpt } from './model';

export interface Batch {
  x: Int32Array;
  y: Int32Array;
  B: number;
  T: number;
}

/** B windows of T tokens at random offsets of `tokens`; y is x shifted by one. */
export function randomBatch(tokens: Int32Array, B: number, T: number, rng: Rng): Batch {
  if (tokens.length < T + 2) throw new LmError(`The text (${tokens.length} tokens) is shorter than one window of ${T + 1}.`);
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const o = Math.floor(rng() * (tokens.length - T - 1));
    x.set(tokens.subarray(o, o + T), b * T);
    y.set(tokens.subarray(o + 1, o + T + 1), b * T);
  }
  return { x, y, B, T };
}

/** Consecutive windows from the start of `tokens` (a fixed validation set), at most `max` of them. */
export function fixedBatches(tokens: Int32Array, B: number, T: number, max: number): Batch[] {
  const out: Batch[] = [];
  for (let o = 0; out.length < max && o + B * T + 1 <= tokens.length; o += B * T) {
    out.push({ x: tokens.slice(o, o + B * T), y: tokens.slice(o + 1, o + B * T + 1), B, T });
  }
  if (!out.length) throw new LmError(`The validation text (${tokens.length} tokens) is shorter than one batch of ${B} × ${T}.`);
  return out;
}

/** Which parameters a step updates: a name filter ('all', the top layers, 'lora'). */
export type Trainable = (name: string) => boolean;
export const allParams: Trainable = (name) => !name.includes('.lora');
export const loraParams: Trainable = (name) => name.includes('.lora');

export class LmTrainer {
  readonly optimizer: tf.Optimizer;
  private readonly vars: tf.Variable[];

  constructor(readonly model: Gpt, lr: number, trainable: Trainable = allParams) {
    this.optimizer = tf.train.adam(lr);
    this.vars = [...model.params].filter(([name]) => trainable(name)).map(([, v]) => v);
    if (!this.vars.length) throw new LmError('No parameter is trainable.');
  }

  /** One Adam step; returns the batch's loss before the step (nats per token). */
  async step(b: Batch): Promise<number> {
    const loss = this.optimizer.minimize(() => this.model.loss(b.x, b.y, b.B, b.T), true, this.vars);
    const v = (await loss!.data())[0];
    loss!.dispose();
    return v;
  }

  /** Bytes of Adam's two moments for the trained parameters. */
  optimizerBytes(): number {
    return this.vars.reduce((a, v) => a + 2 * 4 * v.size, 0);
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Mean loss over fixed batches (no gradient). */
export async function evalLoss(model: Gpt, batches: Batch[]): Promise<number> {
  let sum = 0;
  for (const b of batches) {
    const l = model.loss(b.x, b.y, b.B, b.T);
    sum += (await l.data())[0];
    l.dispose();
  }
  return sum / batches.length;
}

/**
 * The count-based bigram model: P(b | a) = (count(a, b) + k) / (count(a) + k · V), add-k smoothed so an
 * unseen pair keeps a finite loss. Returns its mean cross-entropy (nats) on `val`.
 */
export function bigramLoss(train: Int32Array, val: Int32Array, V: number, k = 0.1): number {
  return bigramLossOn(train, [{ x: val.subarray(0, -1), y: val.subarray(1), B: 1, T: val.length - 1 }], V, k);
}

/** The same bigram model's mean cross-entropy over the (x, y) pairs of `batches`: the tokens the transformer's validation loss is measured on. */
export function bigramLossOn(train: Int32Array, batches: Batch[], V: number, k = 0.1): number {
  const counts = new Float64Array(V * V), rows = new Float64Array(V);
  for (let i = 0; i + 1 < train.length; i++) { counts[train[i] * V + train[i + 1]]++; rows[train[i]]++; }
  let sum = 0, n = 0;
  for (const b of batches) for (let i = 0; i < b.x.length; i++) {
    sum -= Math.log((counts[b.x[i] * V + b.y[i]] + k) / (rows[b.x[i]] + k * V));
    n++;
  }
  return sum / Math.max(1, n);
}

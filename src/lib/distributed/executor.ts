/**
 * Gradients of a Net on one micro-batch, two ways.
 *
 * tapeGradients: one tfjs tape over the whole forward (every intermediate kept for the backward):
 * the standard way, used by the single-worker reference and plain data parallelism.
 *
 * blockwiseGradients: block by block, so a rank can act between blocks. The forward keeps only the
 * input of every k-th block (k = `segment`; k = 1 keeps every block input); the backward walks the
 * segments from the last, recomputes the inputs inside a segment from its saved one, and gets each
 * block's parameter and input gradients from a tfjs vector-Jacobian product of that block alone
 * (which runs the block's forward once more under a tape: tfjs has no tape that stays open across
 * awaits). Around every block it asks `hooks.params` for the block's weights (ZeRO-3 gathers them
 * there), calls `hooks.release` after (and frees them), and hands each block gradient to
 * `hooks.grad` as soon as it exists (where ZeRO-2/3 reduce-scatter it). Block inputs and output
 * gradients can be rounded by `hooks.cast*` (mixed-precision emulation). Both return the same
 * gradient up to float32 rounding order.
 */
import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy, type MicroBatch } from '../ml/step';
import { blockTensors, forwardLogits, type Net } from './net';

export interface GradResult {
  /** Mean cross-entropy of the micro-batch (unscaled). */
  loss: number;
  /** Examples the logits classified correctly. */
  correct: number;
  examples: number;
}

export interface BlockHooks {
  /** Block b's full float32 parameters for this use (a sharded rank gathers them here). */
  params(b: number, phase: 'forward' | 'backward'): Float32Array | Promise<Float32Array>;
  /** Block b's parameters as tensors the caller owns (kept alive by it); used instead of `params` when given. */
  tensors?(b: number): tf.Tensor[];
  /** Block b's parameters are no longer needed in this phase (a sharded rank frees its gathered copy). */
  release?(b: number, phase: 'forward' | 'backward'): void | Promise<void>;
  /** Block b's parameter gradient (loss-scaled), valid until the returned promise settles. */
  grad(b: number, g: Float32Array): void | Promise<void>;
  /** Rounds a block's output before the next block sees it (mixed precision); disposes its input. */
  castActivation?(t: tf.Tensor): Promise<tf.Tensor>;
  /** Rounds the gradient flowing into a block's output (mixed precision); disposes its input. */
  castGrad?(t: tf.Tensor): Promise<tf.Tensor>;
}

export interface BlockwiseOptions {
  /** Keep the input of every k-th block only and recompute the rest in the backward (activation checkpointing); 1 keeps all. */
  segment?: number;
  /** Multiplies the loss gradient (loss scaling); the block gradients come out scaled by it. */
  lossScale?: number;
}

export interface BlockwiseResult extends GradResult {
  /** Most bytes of block activations (saved inputs, recomputed inputs, the live output) held at once. */
  activationPeakBytes: number;
}

const bytesOf = (t: tf.Tensor) => t.size * 4;

/** Loss, its gradient with respect to the logits (times `scale`), and the hit count. */
function lossHead(logits: tf.Tensor2D, y: tf.Tensor1D, scale: number): { value: tf.Scalar; dlogits: tf.Tensor2D; correct: tf.Scalar } {
  const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => crossEntropy(z as tf.Tensor2D, y))(logits);
  const dlogits = tf.tidy(() => (scale === 1 ? grad : tf.mul(grad, scale))) as tf.Tensor2D;
  if (scale !== 1) grad.dispose();
  const correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32')) as tf.Scalar);
  return { value: value as tf.Scalar, dlogits, correct };
}

async function readScalars(...ts: tf.Scalar[]): Promise<number[]> {
  const both = tf.stack(ts);
  const v = Array.from(await both.data());
  tf.dispose([both, ...ts]);
  return v;
}

/** The gradient of the micro-batch's mean loss with respect to every parameter, into `grads` (times `lossScale`). */
export async function tapeGradients(net: Net, params: Float32Array, batch: MicroBatch, grads: Float32Array, lossScale = 1): Promise<GradResult> {
  const ts = net.blocks.map((b) => blockTensors(b, params.subarray(b.offset, b.offset + b.size)));
  let correct: tf.Scalar | undefined;
  const { value, grads: gs } = tf.valueAndGrads((...ps: tf.Tensor[]) => {
    let at = 0;
    let h = batch.x;
    for (const [bi, b] of net.blocks.entries()) {
      h = b.apply(h, ps.slice(at, at + ts[bi].length));
      at += ts[bi].length;
    }
    correct = tf.keep(tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(h, 1), tf.cast(batch.y, 'int32')), 'float32')) as tf.Scalar));
    const loss = crossEntropy(h as tf.Tensor2D, batch.y);
    return lossScale === 1 ? loss : tf.mul(loss, lossScale);
  })(ts.flat());
  const infos = net.blocks.flatMap((b) => b.params);
  for (let i = 0; i < gs.length; i++) grads.set((await gs[i].data()) as Float32Array, infos[i].offset);
  tf.dispose([...ts.flat(), ...gs]);
  const [loss, hits] = await readScalars(value as tf.Scalar, correct!);
  return { loss: loss / lossScale, correct: hits, examples: batch.y.shape[0] };
}

/** Gradients block by block with hooks around every block; see the module comment. */
export async function blockwiseGradients(net: Net, batch: MicroBatch, hooks: BlockHooks, opts: BlockwiseOptions = {}): Promise<BlockwiseResult> {
  const n = net.blocks.length;
  const k = Math.max(1, Math.min(n, opts.segment ?? 1));
  const saved: (tf.Tensor | undefined)[] = new Array(n).fill(undefined);
  let held = 0;
  let peak = 0;
  const hold = (t: tf.Tensor) => {
    held += bytesOf(t);
    peak = Math.max(peak, held);
  };
  const drop = (t: tf.Tensor, dispose = true) => {
    held -= bytesOf(t);
    if (dispose && t !== batch.x) t.dispose();
  };

  const paramsOf = async (b: number, phase: 'forward' | 'backward'): Promise<{ ps: tf.Tensor[]; owned: boolean }> =>
    hooks.tensors ? { ps: hooks.tensors(b), owned: false } : { ps: blockTensors(net.blocks[b], await hooks.params(b, phase)), owned: true };

  const forwardBlock = async (b: number, h: tf.Tensor, phase: 'forward' | 'backward'): Promise<tf.Tensor> => {
    const block = net.blocks[b];
    const { ps, owned } = await paramsOf(b, phase);
    let out = tf.tidy(() => block.apply(h, ps));
    if (owned) tf.dispose(ps);
    await hooks.release?.(b, phase);
    if (hooks.castActivation && b < n - 1) out = await hooks.castActivation(out);
    return out;
  };

  // Forward, keeping the inputs of blocks 0, k, 2k, …
  let h: tf.Tensor = batch.x;
  hold(h);
  for (let b = 0; b < n; b++) {
    const out = await forwardBlock(b, h, 'forward');
    hold(out);
    if (b % k === 0) saved[b] = h;
    else drop(h);
    h = out;
  }
  const { value, dlogits, correct } = lossHead(h as tf.Tensor2D, batch.y, opts.lossScale ?? 1);
  drop(h);
  let dy: tf.Tensor = dlogits;

  // Backward, one segment at a time from the last.
  for (let s = Math.floor((n - 1) / k) * k; s >= 0; s -= k) {
    const e = Math.min(n, s + k);
    const inputs: tf.Tensor[] = [saved[s]!];
    for (let b = s; b < e - 1; b++) {
      const out = await forwardBlock(b, inputs[inputs.length - 1], 'backward');
      hold(out);
      inputs.push(out);
    }
    for (let b = e - 1; b >= s; b--) {
      const block = net.blocks[b];
      const x = inputs[b - s];
      const { ps, owned } = await paramsOf(b, 'backward');
      const needDx = b > 0;
      const gs = needDx
        ? tf.grads((xi: tf.Tensor, ...pi: tf.Tensor[]) => block.apply(xi, pi))([x, ...ps], dy)
        : tf.grads((...pi: tf.Tensor[]) => block.apply(x, pi))(ps, dy);
      if (owned) tf.dispose(ps);
      dy.dispose();
      await hooks.release?.(b, 'backward');
      const pgs = needDx ? gs.slice(1) : gs;
      const g = new Float32Array(block.size);
      for (let i = 0; i < pgs.length; i++) g.set((await pgs[i].data()) as Float32Array, block.params[i].offset - block.offset);
      tf.dispose(pgs);
      await hooks.grad(b, g);
      drop(x);
      dy = needDx ? (hooks.castGrad ? await hooks.castGrad(gs[0]) : gs[0]) : tf.scalar(0);
    }
  }
  dy.dispose();
  const [loss, hits] = await readScalars(value, correct);
  return { loss, correct: hits, examples: batch.y.shape[0], activationPeakBytes: peak };
}

/** Loss and accuracy of a flat parameter vector on a labelled set, in chunks of `chunk`. */
export async function evaluateNet(net: Net, params: Float32Array, pixels: Float32Array, labels: ArrayLike<number>, chunk = 500): Promise<{ loss: number; accuracy: number }> {
  const n = labels.length;
  const per = net.inputShape.reduce((a, b) => a * b, 1);
  let lossSum = 0;
  let hits = 0;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const x = tf.tensor(pixels.subarray(start * per, (start + size) * per), [size, ...net.inputShape]);
    const y = tf.tensor1d(Int32Array.from({ length: size }, (_, i) => labels[start + i]), 'int32');
    const logits = forwardLogits(net, params, x);
    const [l, c] = tf.tidy(() => [tf.mul(crossEntropy(logits, y), size) as tf.Scalar, tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')) as tf.Scalar]);
    const [lv, cv] = await readScalars(l, c);
    lossSum += lv;
    hits += cv;
    tf.dispose([x, y, logits]);
  }
  return { loss: lossSum / n, accuracy: hits / n };
}

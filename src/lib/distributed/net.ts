/**
 * The training lab's models (src/lib/ml/models.ts) as a list of blocks over one flat float32
 * parameter vector, so a rank can hold, shard, gather and free each block's parameters itself.
 * Block b owns params[offset, offset + size); its forward is written with tfjs ops on parameter
 * tensors made from that slice, and equals the tfjs-layers model's layers (tested to 1e-5).
 *
 *   mlp:  [dense 784→256, relu] [dense 256→128, relu] [dense 128→10]
 *   cnn:  [conv 3x3 1→16, relu, maxpool 2] [conv 3x3 16→32, relu, maxpool 2] [flatten, dense 1568→128, relu] [dense 128→10]
 *   deep: [dense 784→w, relu] then depth−1 × [dense w→w, relu] then [dense w→10] (the checkpointing lab)
 */
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../ml/models';
import type { ModelKind } from '../ml/config';
import { deriveSeed, mulberry32 } from '../core/rng';
import { requireInt } from './errors';

export interface ParamInfo {
  name: string;
  shape: number[];
  /** Offset in the flat vector. */
  offset: number;
  size: number;
}

export interface Block {
  name: string;
  params: ParamInfo[];
  /** Offset of the block's first parameter in the flat vector. */
  offset: number;
  /** Parameters in the block. */
  size: number;
  /** Output shape of one example (after the block). */
  outShape: number[];
  /** The block's forward pass on a batch x with its parameter tensors (in `params` order). */
  apply(x: tf.Tensor, p: tf.Tensor[]): tf.Tensor;
}

export interface Net {
  kind: ModelKind | 'deep';
  /** Shape of one input example. */
  inputShape: number[];
  blocks: Block[];
  /** Parameters in all. */
  size: number;
}

type Layer = { name: string; shapes: number[][]; outShape: number[]; apply: Block['apply'] };

const dense = (name: string, fanIn: number, units: number, relu: boolean): Layer => ({
  name,
  shapes: [[fanIn, units], [units]],
  outShape: [units],
  apply: (x, [w, b]) => {
    const z = tf.add(tf.matMul(x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0], -1]), w as tf.Tensor2D), b);
    return relu ? tf.relu(z) : z;
  },
});

const convPool = (name: string, side: number, cin: number, cout: number): Layer => ({
  name,
  shapes: [[3, 3, cin, cout], [cout]],
  outShape: [side / 2, side / 2, cout],
  apply: (x, [w, b]) => tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), b)) as tf.Tensor4D, 2, 2, 'valid'),
});

function assemble(kind: Net['kind'], inputShape: number[], layers: Layer[]): Net {
  let offset = 0;
  const blocks = layers.map((l) => {
    const start = offset;
    const params = l.shapes.map((shape, i) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const p = { name: `${l.name}/${i === 0 ? 'kernel' : 'bias'}`, shape, offset, size };
      offset += size;
      return p;
    });
    return { name: l.name, params, offset: start, size: offset - start, outShape: l.outShape, apply: l.apply };
  });
  return { kind, inputShape, blocks, size: offset };
}

/** The training lab's MLP or CNN as blocks. */
export function labNet(kind: ModelKind): Net {
  if (kind === 'mlp') return assemble('mlp', [784], [dense('dense1', 784, 256, true), dense('dense2', 256, 128, true), dense('logits', 128, 10, false)]);
  return assemble('cnn', [28, 28, 1], [convPool('conv1', 28, 1, 16), convPool('conv2', 14, 16, 32), dense('dense1', 1568, 128, true), dense('logits', 128, 10, false)]);
}

/** A deep MLP for the checkpointing lab: `depth` hidden blocks of `width` units. */
export function deepNet(depth: number, width: number): Net {
  requireInt(depth, 'depth', 1, 256);
  requireInt(width, 'width', 1, 8192);
  const layers = [dense('block0', 784, width, true)];
  for (let i = 1; i < depth; i++) layers.push(dense(`block${i}`, width, width, true));
  layers.push(dense('logits', width, 10, false));
  return assemble('deep', [784], layers);
}

/** The training lab's seeded initial weights (tfjs-layers Glorot uniform, zero biases), flattened. */
export function labInitialParams(kind: ModelKind, seed: number): Float32Array {
  const net = labNet(kind);
  const model = buildModel(kind, seed);
  const out = new Float32Array(net.size);
  const weights = model.getWeights();
  const infos = net.blocks.flatMap((b) => b.params);
  weights.forEach((w, i) => out.set(w.dataSync() as Float32Array, infos[i].offset));
  model.dispose();
  return out;
}

/** Glorot-uniform kernels (limit √(6/(fan_in + fan_out))) and zero biases, seeded: for nets without a tfjs-layers twin. */
export function glorotParams(net: Net, seed: number): Float32Array {
  const out = new Float32Array(net.size);
  net.blocks.forEach((b, bi) => {
    const rng = mulberry32(deriveSeed(seed, 3000 + bi));
    const [kernel] = b.params;
    const fanOut = kernel.shape[kernel.shape.length - 1];
    const fanIn = kernel.size / fanOut;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = 0; i < kernel.size; i++) out[kernel.offset + i] = (2 * rng() - 1) * limit;
  });
  return out;
}

/** Tensors of one block's parameters from a flat buffer whose index 0 is the block's first parameter. */
export function blockTensors(block: Block, flat: Float32Array): tf.Tensor[] {
  return block.params.map((p) => tf.tensor(flat.subarray(p.offset - block.offset, p.offset - block.offset + p.size), p.shape, 'float32'));
}

/** The logits of the whole net on x, from a flat parameter vector (for evaluation). */
export function forwardLogits(net: Net, params: Float32Array, x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    let h = x;
    for (const b of net.blocks) h = b.apply(h, blockTensors(b, params.subarray(b.offset, b.offset + b.size)));
    return h as tf.Tensor2D;
  });
}

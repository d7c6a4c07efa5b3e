import type * as tfl from '@tensorflow/tfjs-layers';
import { onnx, DataType, type OnnxTypes } from './proto';
import { GraphBuilder, valueInfo, type Dim } from './graph-builder';
import { chain, exampleShape } from '../ml/layers';
import { quantize } from '../ml/quantize';

export interface ExportOptions {
  /** ONNX opset of the default domain (default 13, the lowest with Softmax over one axis and per-axis DequantizeLinear). */
  opset?: number;
  /** Name of the graph input (default 'input'); it keeps the tfjs layout, NHWC for images. */
  inputName?: string;
  /** Name of the graph output (default 'output'). */
  outputName?: string;
  /**
   * 'float32' stores kernels as they are; 'int8' stores Dense and Conv2D kernels as symmetric int8
   * per output channel, each followed by a DequantizeLinear node (weights-only quantization: about
   * 4x smaller files, float compute). Biases stay float32.
   */
  weights?: 'float32' | 'int8';
  /** producer_name in the file (default 'prodlab'). */
  producer?: string;
}

const DEFAULTS: Required<ExportOptions> = { opset: 13, inputName: 'input', outputName: 'output', weights: 'float32', producer: 'prodlab' };

export { valueInfo } from './graph-builder';

/** Thrown for a layer or setting the exporter does not translate; the message names the layer. */
export class UnsupportedLayerError extends Error {
  override name = 'UnsupportedLayerError';
}

/** tfjs activation name → ONNX op (null: identity). */
function activationOp(name: string): string | null {
  switch (name) {
    case 'linear': return null;
    case 'relu': return 'Relu';
    case 'sigmoid': return 'Sigmoid';
    case 'tanh': return 'Tanh';
    case 'softmax': return 'Softmax';
    default: throw new UnsupportedLayerError(`Activation '${name}' is not supported by the ONNX exporter (supported: linear, relu, sigmoid, tanh, softmax).`);
  }
}

/** [kh, kw, in, out] (tfjs HWIO) → [out, in, kh, kw] (ONNX OIHW). */
function hwioToOihw(w: Float32Array, [kh, kw, cin, cout]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = w[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/**
 * Explicit pads reproducing TensorFlow's padding: 'valid' pads nothing; 'same' pads
 * total = max((⌈n/s⌉ − 1)·s + (k − 1)·d + 1 − n, 0) per axis, the odd pixel at the end.
 * ONNX order: [h_begin, w_begin, h_end, w_end].
 */
export function tfPads(padding: string, size: number[], kernel: number[], strides: number[], dilations: number[] = [1, 1]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new UnsupportedLayerError(`Padding '${padding}' is not supported.`);
  const total = size.map((n, a) => Math.max((Math.ceil(n / strides[a]) - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - n, 0));
  const begin = total.map((t) => Math.floor(t / 2));
  return [...begin, ...total.map((t, a) => t - begin[a])];
}

const pair = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : [v as number, v as number]);

type LayerConfig = ReturnType<tfl.layers.Layer['getConfig']>;
type Weight = { shape: number[]; data: Float32Array };

/**
 * Walks the layers, appending their nodes: holds the current tensor, its shape and whether it is in
 * ONNX's NCHW layout (convolutions and pooling) or tfjs's NHWC (everything else).
 */
class Translator {
  readonly g = new GraphBuilder();
  readonly input: string;
  x: string;
  shape: Dim[];
  private nchw = false;

  constructor(model: tfl.LayersModel, private readonly o: Required<ExportOptions>) {
    this.input = this.g.unique(o.inputName);
    this.x = this.input;
    this.shape = ['batch', ...exampleShape(model)];
  }

  layer(layer: tfl.layers.Layer): void {
    const cls = layer.getClassName();
    const c = layer.getConfig();
    const name = layer.name;
    const ws = layer.getWeights().map((w) => ({ shape: w.shape as number[], data: w.dataSync() as Float32Array }));
    switch (cls) {
      case 'Dense':
        return this.dense(name, c, ws);
      case 'Conv2D':
        return this.conv2d(name, c, ws);
      case 'MaxPooling2D':
      case 'AveragePooling2D':
        return this.pool(cls, name, c);
      case 'Flatten':
        return this.flatten(name);
      case 'Activation':
        return this.activate(name, c.activation as string);
      case 'ReLU':
        if (c.maxValue != null) throw new UnsupportedLayerError(`ReLU '${name}' with maxValue is not supported.`);
        return this.activate(name, 'relu');
      case 'Softmax':
        if (c.axis !== undefined && c.axis !== -1 && c.axis !== this.shape.length - 1) throw new UnsupportedLayerError(`Softmax '${name}' over axis ${c.axis} is not supported.`);
        return this.activate(name, 'softmax');
      case 'Dropout':
        return;
      default:
        throw new UnsupportedLayerError(`Layer '${name}' is a ${cls}, which the ONNX exporter does not support (supported: Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Activation, ReLU, Softmax, Dropout).`);
    }
  }

  toNchw(): void {
    const shape = this.shape;
    if (this.nchw || shape.length !== 4) return;
    this.shape = [shape[0], shape[3], shape[1], shape[2]];
    this.x = this.g.node('Transpose', [this.x], 'to_nchw', this.shape, { perm: [0, 3, 1, 2] });
    this.nchw = true;
  }

  toNhwc(): void {
    const shape = this.shape;
    if (!this.nchw) return;
    this.shape = [shape[0], shape[2], shape[3], shape[1]];
    this.x = this.g.node('Transpose', [this.x], 'to_nhwc', this.shape, { perm: [0, 2, 3, 1] });
    this.nchw = false;
  }

  private activate(name: string, act: string): void {
    const op = activationOp(act);
    if (!op) return;
    if (op === 'Softmax') this.toNhwc();
    this.x = this.g.node(op, [this.x], `${name}/${act}`, this.shape, op === 'Softmax' ? { axis: -1 } : {});
  }

  /** A kernel initializer: float32 as is, or int8 per output channel followed by a DequantizeLinear. */
  private kernel(name: string, data: Float32Array, dims: number[], channelAxis: number): string {
    const g = this.g;
    if (this.o.weights === 'float32') return g.constant(`${name}/kernel`, dims, DataType.FLOAT, data);
    const qt = quantize(data, { bits: 8, scheme: 'symmetric', axis: channelAxis, shape: dims });
    const q = g.constant(`${name}/kernel_q`, dims, DataType.INT8, qt.q);
    const scale = g.constant(`${name}/kernel_scale`, [qt.scale.length], DataType.FLOAT, qt.scale);
    const zero = g.constant(`${name}/kernel_zero`, [qt.scale.length], DataType.INT8, new Int8Array(qt.scale.length));
    return g.node('DequantizeLinear', [q, scale, zero], `${name}/kernel`, dims, { axis: channelAxis });
  }

  /** Gemm on 2-D inputs, MatMul + Add otherwise. */
  private dense(name: string, c: LayerConfig, [w, b]: Weight[]): void {
    const g = this.g;
    this.toNhwc();
    const units = w.shape[1];
    const wName = this.kernel(name, w.data, w.shape, 1);
    const outShape = [...this.shape.slice(0, -1), units];
    if (this.shape.length === 2) {
      const inputs = b ? [this.x, wName, g.constant(`${name}/bias`, [units], DataType.FLOAT, b.data)] : [this.x, wName];
      this.x = g.node('Gemm', inputs, `${name}/gemm`, outShape);
    } else {
      this.x = g.node('MatMul', [this.x, wName], `${name}/matmul`, outShape);
      if (b) this.x = g.node('Add', [this.x, g.constant(`${name}/bias`, [units], DataType.FLOAT, b.data)], `${name}/add`, outShape);
    }
    this.shape = outShape;
    this.activate(name, c.activation as string);
  }

  private conv2d(name: string, c: LayerConfig, [w, b]: Weight[]): void {
    if (c.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`Conv2D '${name}': only channelsLast data is supported.`);
    this.toNchw();
    const [kh, kw, cin, cout] = w.shape;
    const strides = pair(c.strides);
    const dilations = pair(c.dilationRate);
    const size = [this.shape[2] as number, this.shape[3] as number];
    const pads = tfPads(c.padding as string, size, [kh, kw], strides, dilations);
    const wName = this.kernel(name, hwioToOihw(w.data, w.shape), [cout, cin, kh, kw], 0);
    const inputs = b ? [this.x, wName, this.g.constant(`${name}/bias`, [cout], DataType.FLOAT, b.data)] : [this.x, wName];
    const out = size.map((n, a) => Math.floor((n + pads[a] + pads[a + 2] - ((a ? kw : kh) - 1) * dilations[a] - 1) / strides[a]) + 1);
    this.shape = [this.shape[0], cout, ...out];
    this.x = this.g.node('Conv', inputs, `${name}/conv`, this.shape, { kernel_shape: [kh, kw], strides, dilations, pads, group: 1 });
    this.activate(name, c.activation as string);
  }

  private pool(cls: string, name: string, c: LayerConfig): void {
    if (c.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`${cls} '${name}': only channelsLast data is supported.`);
    this.toNchw();
    const k = pair(c.poolSize);
    const strides = pair(c.strides ?? c.poolSize);
    const size = [this.shape[2] as number, this.shape[3] as number];
    const pads = tfPads(c.padding as string, size, k, strides);
    const out = size.map((n, a) => Math.floor((n + pads[a] + pads[a + 2] - k[a]) / strides[a]) + 1);
    this.shape = [this.shape[0], this.shape[1], ...out];
    // TF's average pooling ignores padded cells: ONNX's count_include_pad = 0, the default.
    this.x = this.g.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [this.x], `${name}/pool`, this.shape, { kernel_shape: k, strides, pads });
  }

  private flatten(name: string): void {
    this.toNhwc();
    this.shape = [this.shape[0], (this.shape.slice(1) as number[]).reduce((a, b) => a * b, 1)];
    this.x = this.g.node('Flatten', [this.x], `${name}/flatten`, this.shape, { axis: 1 });
  }

  /** Back to NHWC, and the last node writes the graph output directly: rename its output. */
  finish(outName: string): void {
    this.toNhwc();
    const g = this.g;
    const last = g.nodes[g.nodes.length - 1];
    if (!last) throw new UnsupportedLayerError('The model has no layers the exporter translates: nothing to export.');
    const prev = last.output![0];
    last.output = [outName];
    g.valueInfo = g.valueInfo.filter((v) => v.name !== prev);
  }
}

/**
 * ONNX bytes of a straight-stack tfjs LayersModel: Dense (Gemm on 2-D inputs, MatMul + Add otherwise),
 * Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout (dropped: identity at inference) and the
 * activations relu, sigmoid, tanh, softmax. The input keeps tfjs's NHWC layout; a Transpose moves it
 * to ONNX's NCHW before the first convolution or pooling (kernels are converted HWIO → OIHW), and one
 * moves it back before Flatten, so Flatten's order and hence the Dense weights stay tfjs's.
 */
export function exportOnnx(model: tfl.LayersModel, opts: ExportOptions = {}): Uint8Array {
  const o = { ...DEFAULTS, ...opts };
  const t = new Translator(model, o);
  for (const layer of chain(model)) t.layer(layer);
  t.finish(o.outputName);
  const graph: OnnxTypes.IGraphProto = {
    name: model.name,
    node: t.g.nodes,
    initializer: t.g.initializers,
    input: [valueInfo(t.input, ['batch', ...exampleShape(model)])],
    output: [valueInfo(o.outputName, t.shape)],
    valueInfo: t.g.valueInfo,
  };
  return encodeModel(graph, o);
}

/** The ModelProto around a graph, checked by protobufjs's verify, as bytes. */
function encodeModel(graph: OnnxTypes.IGraphProto, o: Required<ExportOptions>): Uint8Array {
  const m: OnnxTypes.IModelProto = {
    irVersion: 7,
    producerName: o.producer,
    producerVersion: '1',
    graph,
    opsetImport: [{ domain: '', version: o.opset }],
  };
  const err = onnx.ModelProto.verify(m);
  if (err) throw new Error(`Internal error building the ONNX model: ${err}`);
  return onnx.ModelProto.encode(m).finish();
}

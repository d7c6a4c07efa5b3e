import type * as tfl from '@tensorflow/tfjs-layers';
import { onnx, DataType, type OnnxTypes } from './proto';
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

/** Thrown for a layer or setting the exporter does not translate; the message names the layer. */
export class UnsupportedLayerError extends Error {
  override name = 'UnsupportedLayerError';
}

type Dim = number | string;
type Attr = number | number[] | string;

/**
 * Accumulates nodes, initializers and intermediate shapes. Every tensor gets a value_info entry,
 * so a graph view can show shapes without running shape inference.
 */
class GraphBuilder {
  nodes: OnnxTypes.INodeProto[] = [];
  initializers: OnnxTypes.ITensorProto[] = [];
  valueInfo: OnnxTypes.IValueInfoProto[] = [];
  private used = new Set<string>();

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(op: string, inputs: string[], outName: string, shape: Dim[] | null, attrs: Record<string, Attr> = {}): string {
    const output = this.unique(outName);
    this.nodes.push({ opType: op, name: output, input: inputs, output: [output], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    if (shape) this.valueInfo.push(valueInfo(output, shape));
    return output;
  }

  constant(name: string, dims: number[], dataType: number, data: ArrayBufferView): string {
    const unique = this.unique(name);
    // raw_data is little-endian; typed arrays use the platform's order, little-endian on every platform browsers run on.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name: unique, dims, dataType, rawData: bytes });
    return unique;
  }
}

function attribute(name: string, v: Attr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.INT, i: v };
}

export function valueInfo(name: string, shape: Dim[], elemType: number = DataType.FLOAT): OnnxTypes.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
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

/**
 * ONNX bytes of a straight-stack tfjs LayersModel: Dense (Gemm on 2-D inputs, MatMul + Add otherwise),
 * Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dropout (dropped: identity at inference) and the
 * activations relu, sigmoid, tanh, softmax. The input keeps tfjs's NHWC layout; a Transpose moves it
 * to ONNX's NCHW before the first convolution or pooling (kernels are converted HWIO → OIHW), and one
 * moves it back before Flatten, so Flatten's order and hence the Dense weights stay tfjs's.
 */
export function exportOnnx(model: tfl.LayersModel, opts: ExportOptions = {}): Uint8Array {
  const o = { ...DEFAULTS, ...opts };
  const g = new GraphBuilder();
  const input = g.unique(o.inputName);
  let x = input;
  let shape: Dim[] = ['batch', ...exampleShape(model)];
  let nchw = false;
  const toNchw = () => {
    if (nchw || shape.length !== 4) return;
    shape = [shape[0], shape[3], shape[1], shape[2]];
    x = g.node('Transpose', [x], 'to_nchw', shape, { perm: [0, 3, 1, 2] });
    nchw = true;
  };
  const toNhwc = () => {
    if (!nchw) return;
    shape = [shape[0], shape[2], shape[3], shape[1]];
    x = g.node('Transpose', [x], 'to_nhwc', shape, { perm: [0, 2, 3, 1] });
    nchw = false;
  };
  const activate = (name: string, act: string) => {
    const op = activationOp(act);
    if (!op) return;
    if (op === 'Softmax') toNhwc();
    x = g.node(op, [x], `${name}/${act}`, shape, op === 'Softmax' ? { axis: -1 } : {});
  };
  const kernel = (name: string, data: Float32Array, dims: number[], channelAxis: number): string => {
    if (o.weights === 'float32') return g.constant(`${name}/kernel`, dims, DataType.FLOAT, data);
    const qt = quantize(data, { bits: 8, scheme: 'symmetric', axis: channelAxis, shape: dims });
    const q = g.constant(`${name}/kernel_q`, dims, DataType.INT8, qt.q);
    const scale = g.constant(`${name}/kernel_scale`, [qt.scale.length], DataType.FLOAT, qt.scale);
    const zero = g.constant(`${name}/kernel_zero`, [qt.scale.length], DataType.INT8, new Int8Array(qt.scale.length));
    return g.node('DequantizeLinear', [q, scale, zero], `${name}/kernel`, dims, { axis: channelAxis });
  };

  for (const layer of chain(model)) {
    const cls = layer.getClassName();
    const c = layer.getConfig();
    const name = layer.name;
    const ws = layer.getWeights().map((w) => ({ shape: w.shape as number[], data: w.dataSync() as Float32Array }));
    switch (cls) {
      case 'Dense': {
        toNhwc();
        const [w, b] = ws;
        const units = w.shape[1];
        const wName = kernel(name, w.data, w.shape, 1);
        const outShape = [...shape.slice(0, -1), units];
        if (shape.length === 2) {
          const inputs = b ? [x, wName, g.constant(`${name}/bias`, [units], DataType.FLOAT, b.data)] : [x, wName];
          x = g.node('Gemm', inputs, `${name}/gemm`, outShape);
        } else {
          x = g.node('MatMul', [x, wName], `${name}/matmul`, outShape);
          if (b) x = g.node('Add', [x, g.constant(`${name}/bias`, [units], DataType.FLOAT, b.data)], `${name}/add`, outShape);
        }
        shape = outShape;
        activate(name, c.activation as string);
        break;
      }
      case 'Conv2D': {
        if (c.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`Conv2D '${name}': only channelsLast data is supported.`);
        toNchw();
        const [w, b] = ws;
        const [kh, kw, cin, cout] = w.shape;
        const strides = pair(c.strides);
        const dilations = pair(c.dilationRate);
        const size = [shape[2] as number, shape[3] as number];
        const pads = tfPads(c.padding as string, size, [kh, kw], strides, dilations);
        const wName = kernel(name, hwioToOihw(w.data, w.shape), [cout, cin, kh, kw], 0);
        const inputs = b ? [x, wName, g.constant(`${name}/bias`, [cout], DataType.FLOAT, b.data)] : [x, wName];
        const out = size.map((n, a) => Math.floor((n + pads[a] + pads[a + 2] - ((a ? kw : kh) - 1) * dilations[a] - 1) / strides[a]) + 1);
        shape = [shape[0], cout, ...out];
        x = g.node('Conv', inputs, `${name}/conv`, shape, { kernel_shape: [kh, kw], strides, dilations, pads, group: 1 });
        activate(name, c.activation as string);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        if (c.dataFormat !== 'channelsLast') throw new UnsupportedLayerError(`${cls} '${name}': only channelsLast data is supported.`);
        toNchw();
        const k = pair(c.poolSize);
        const strides = pair(c.strides ?? c.poolSize);
        const size = [shape[2] as number, shape[3] as number];
        const pads = tfPads(c.padding as string, size, k, strides);
        const out = size.map((n, a) => Math.floor((n + pads[a] + pads[a + 2] - k[a]) / strides[a]) + 1);
        shape = [shape[0], shape[1], ...out];
        // TF's average pooling ignores padded cells: ONNX's count_include_pad = 0, the default.
        x = g.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x], `${name}/pool`, shape, { kernel_shape: k, strides, pads });
        break;
      }
      case 'Flatten': {
        toNhwc();
        shape = [shape[0], (shape.slice(1) as number[]).reduce((a, b) => a * b, 1)];
        x = g.node('Flatten', [x], `${name}/flatten`, shape, { axis: 1 });
        break;
      }
      case 'Activation':
        activate(name, c.activation as string);
        break;
      case 'ReLU':
        if (c.maxValue != null) throw new UnsupportedLayerError(`ReLU '${name}' with maxValue is not supported.`);
        activate(name, 'relu');
        break;
      case 'Softmax':
        if (c.axis !== undefined && c.axis !== -1 && c.axis !== shape.length - 1) throw new UnsupportedLayerError(`Softmax '${name}' over axis ${c.axis} is not supported.`);
        activate(name, 'softmax');
        break;
      case 'Dropout':
        break;
      default:
        throw new UnsupportedLayerError(`Layer '${name}' is a ${cls}, which the ONNX exporter does not support (supported: Dense, Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Activation, ReLU, Softmax, Dropout).`);
    }
  }
  toNhwc();
  // The last node writes the graph output directly: rename its output.
  const last = g.nodes[g.nodes.length - 1];
  if (!last) throw new UnsupportedLayerError('The model has no layers the exporter translates: nothing to export.');
  const outName = o.outputName;
  const prev = last.output![0];
  last.output = [outName];
  g.valueInfo = g.valueInfo.filter((v) => v.name !== prev);

  const graph: OnnxTypes.IGraphProto = {
    name: model.name,
    node: g.nodes,
    initializer: g.initializers,
    input: [valueInfo(input, ['batch', ...exampleShape(model)])],
    output: [valueInfo(outName, shape)],
    valueInfo: g.valueInfo,
  };
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

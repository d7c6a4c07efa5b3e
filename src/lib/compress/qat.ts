import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { chain, WEIGHTED } from '../ml/layers';
import { codeRange, fakeQuantize, type Bits, type Range } from '../ml/quantize';

/** One scale for the whole kernel, or one per output channel (the kernel's last axis: Dense units, Conv2D filters). */
export type Granularity = 'tensor' | 'channel';

export interface WeightQuantOptions {
  bits: Bits;
  /** 'channel' gives each output unit its own scale, so one large filter does not coarsen all the others. */
  granularity: Granularity;
}

export interface ActivationQuantOptions {
  bits: Bits;
  /** Fixed range of the input to each weighted layer, by layer name (from calibrateActivations). */
  ranges: Record<string, Range>;
}

/** How a forward pass is quantized. Absent parts stay float32. */
export interface QuantPlan {
  weights?: WeightQuantOptions;
  activations?: ActivationQuantOptions;
}

/**
 * Symmetric fake quantization of a kernel, as the int8 ONNX export and TFLite store weights:
 * s = max|w| / qmax over the tensor or per output channel (last axis), forward
 * s · clamp(round(w / s), −qmax, qmax). The range is the kernel's own, so no weight is ever outside
 * it: the straight-through estimator passes the gradient unchanged, dL/dw = dL/dŵ, everywhere.
 * tf.round rounds half to even; values exactly half-way between two codes are the only ones that
 * may land one code apart from quantize() (which uses Math.round).
 */
export function fakeQuantWeights(w: tf.Tensor, opts: WeightQuantOptions): tf.Tensor {
  const { qmax } = codeRange(opts.bits, 'symmetric');
  const op = tf.customGrad((input) => {
    const x = input as tf.Tensor;
    const value = tf.tidy(() => {
      const axes = opts.granularity === 'channel' ? x.shape.slice(0, -1).map((_, i) => i) : undefined;
      const m = tf.max(tf.abs(x), axes);
      const s = tf.where(tf.greater(m, 0), tf.div(m, qmax), tf.onesLike(m));
      return tf.mul(tf.clipByValue(tf.round(tf.div(x, s)), -qmax, qmax), s);
    });
    return { value, gradFunc: (dy: tf.Tensor) => dy };
  });
  return op(w);
}

function activate(x: tf.Tensor, name: string): tf.Tensor {
  switch (name) {
    case 'linear': return x;
    case 'relu': return tf.relu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    case 'softmax': return tf.softmax(x);
    default: throw new Error(`Activation '${name}' is not supported by the quantized forward pass.`);
  }
}

/**
 * The model's forward pass with quantization simulated: each Dense/Conv2D input is fake-quantized to
 * its calibrated range (asymmetric, as ORT's QuantizeLinear with a uint8 zero point; values outside
 * the range are clipped and get zero gradient) and each kernel to its own grid (gradient straight
 * through). Other layers run as they are. The kernels read are the model's own variables, so
 * tf.variableGrads over model.trainableWeights trains the float "shadow" weights (QAT).
 */
export function quantizedApply(model: tfl.LayersModel, x: tf.Tensor, plan: QuantPlan, training = false): tf.Tensor {
  let h = x;
  for (const layer of chain(model)) {
    const cls = layer.getClassName();
    if (!WEIGHTED.has(cls)) {
      h = layer.apply(h, { training }) as tf.Tensor;
      continue;
    }
    const range = plan.activations?.ranges[layer.name];
    if (plan.activations && !range) throw new Error(`No calibrated activation range for layer '${layer.name}'.`);
    if (range) h = fakeQuantize(h, { bits: plan.activations!.bits, scheme: 'asymmetric', range });
    const [kernelVar, biasVar] = layer.weights.map((w) => w.read());
    const kernel = plan.weights ? fakeQuantWeights(kernelVar, plan.weights) : kernelVar;
    const c = layer.getConfig();
    let y: tf.Tensor;
    if (cls === 'Dense') {
      y = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
    } else {
      const pair = (v: unknown) => (Array.isArray(v) ? (v as [number, number]) : ([v, v] as [number, number]));
      y = tf.conv2d(h as tf.Tensor4D, kernel as tf.Tensor4D, pair(c.strides), c.padding as 'same' | 'valid', 'NHWC', pair(c.dilationRate));
    }
    if (biasVar) y = tf.add(y, biasVar);
    h = activate(y, c.activation as string);
  }
  return h;
}

/**
 * Inputs to each Dense/Conv2D layer on sample data, flattened, for static calibration. The first
 * layer's input is the data itself.
 */
export function activationSamples(model: tfl.LayersModel, x: tf.Tensor): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  tf.tidy(() => {
    let h = x;
    for (const layer of chain(model)) {
      if (WEIGHTED.has(layer.getClassName())) out[layer.name] = Float32Array.from(h.dataSync());
      h = layer.apply(h) as tf.Tensor;
    }
  });
  return out;
}

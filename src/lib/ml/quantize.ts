import * as tf from '@tensorflow/tfjs-core';

export type Bits = 8 | 4;
export type Scheme = 'symmetric' | 'asymmetric';

export interface QuantizeOptions {
  bits: Bits;
  /**
   * 'symmetric': q = round(x / s) in [−(2^(b−1) − 1), 2^(b−1) − 1] (e.g. ±127), zero point 0, s = max|x| / qmax.
   * 'asymmetric': q = round(x / s) + z in [0, 2^b − 1], s = (max − min) / (2^b − 1), the range widened to hold 0.
   */
  scheme: Scheme;
  /** Per-channel quantization along this axis of `shape` (e.g. the last axis of a kernel); per-tensor if absent. */
  axis?: number;
  /** Shape of `values`; needed with `axis`. */
  shape?: number[];
  /** A fixed range (from calibration) instead of the values' own min and max; values outside are clipped. */
  range?: Range;
}

export interface Range { min: number; max: number }

export interface Quantized {
  /** Integer codes, one per value: Int8Array for symmetric, Uint8Array for asymmetric (int4 codes also take a byte each here). */
  q: Int8Array | Uint8Array;
  /** One scale per channel (length 1 per-tensor), float32. */
  scale: Float32Array;
  /** One zero point per channel (all 0 for symmetric). */
  zeroPoint: Int32Array;
  bits: Bits;
  scheme: Scheme;
  axis?: number;
  shape?: number[];
}

/** Integer code range of a scheme. Symmetric uses the narrow range (−127..127) so that 0 is centred and −x ↦ −q. */
export function codeRange(bits: Bits, scheme: Scheme): { qmin: number; qmax: number } {
  return scheme === 'symmetric' ? { qmin: -(2 ** (bits - 1) - 1), qmax: 2 ** (bits - 1) - 1 } : { qmin: 0, qmax: 2 ** bits - 1 };
}

/** Channel of flat index i along `axis` of `shape` is floor(i / stride) mod dim, with stride the product of later dims. */
function channelLayout(n: number, opts: QuantizeOptions): { channels: number; stride: number } {
  if (opts.axis === undefined) return { channels: 1, stride: n };
  if (!opts.shape) throw new Error('Per-channel quantization needs the values\' shape.');
  const shape = opts.shape;
  const axis = opts.axis < 0 ? shape.length + opts.axis : opts.axis;
  if (axis < 0 || axis >= shape.length) throw new RangeError(`Axis ${opts.axis} is outside a shape of rank ${shape.length}.`);
  if (shape.reduce((a, b) => a * b, 1) !== n) throw new RangeError(`Shape [${shape}] does not hold ${n} values.`);
  return { channels: shape[axis], stride: shape.slice(axis + 1).reduce((a, b) => a * b, 1) };
}

/** Scale and zero point for a range. The scale is rounded to float32 first, and the codes use that rounded scale. */
export function quantParams(range: Range, bits: Bits, scheme: Scheme): { scale: number; zeroPoint: number } {
  const { qmin, qmax } = codeRange(bits, scheme);
  if (scheme === 'symmetric') {
    const m = Math.max(Math.abs(range.min), Math.abs(range.max));
    return { scale: m > 0 ? Math.fround(m / qmax) : 1, zeroPoint: 0 };
  }
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  if (hi === lo) return { scale: 1, zeroPoint: 0 };
  const scale = Math.fround((hi - lo) / (qmax - qmin));
  // z = round(−lo / s): every x in [lo, hi] then maps to x/s + z within [qmin − ½, qmax + ½], so rounding
  // and clamping move it by at most half a step.
  const zeroPoint = Math.min(qmax, Math.max(qmin, Math.round(qmin - lo / scale)));
  return { scale, zeroPoint };
}

/**
 * Linear quantization x ≈ s · (q − z). For values inside the range used, |x − dequantize(q)| ≤ s / 2.
 */
export function quantize(values: Float32Array, opts: QuantizeOptions): Quantized {
  const { qmin, qmax } = codeRange(opts.bits, opts.scheme);
  const { channels, stride } = channelLayout(values.length, opts);
  const ranges: Range[] = Array.from({ length: channels }, () => ({ min: Infinity, max: -Infinity }));
  if (opts.range) ranges.fill(opts.range);
  else
    for (let i = 0; i < values.length; i++) {
      const r = ranges[Math.floor(i / stride) % channels];
      if (values[i] < r.min) r.min = values[i];
      if (values[i] > r.max) r.max = values[i];
    }
  const params = ranges.map((r) => quantParams(Number.isFinite(r.min) ? r : { min: 0, max: 0 }, opts.bits, opts.scheme));
  const q = opts.scheme === 'symmetric' ? new Int8Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const { scale, zeroPoint } = params[Math.floor(i / stride) % channels];
    q[i] = Math.min(qmax, Math.max(qmin, Math.round(values[i] / scale) + zeroPoint));
  }
  return {
    q,
    scale: Float32Array.from(params, (p) => p.scale),
    zeroPoint: Int32Array.from(params, (p) => p.zeroPoint),
    bits: opts.bits,
    scheme: opts.scheme,
    ...(opts.axis !== undefined ? { axis: opts.axis, shape: opts.shape } : {}),
  };
}

/** x = s · (q − z) per element, with its channel's s and z. */
export function dequantize(qt: Quantized): Float32Array {
  const { channels, stride } = channelLayout(qt.q.length, { bits: qt.bits, scheme: qt.scheme, axis: qt.axis, shape: qt.shape });
  const out = new Float32Array(qt.q.length);
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / stride) % channels;
    out[i] = qt.scale[c] * (qt.q[i] - qt.zeroPoint[c]);
  }
  return out;
}

/** Storage of a quantized tensor: codes packed at `bits` per value, plus a float32 scale and an int32 zero point per channel. */
export function quantizedBytes(qt: Quantized): number {
  return Math.ceil((qt.q.length * qt.bits) / 8) + qt.scale.length * 4 + (qt.scheme === 'asymmetric' ? qt.zeroPoint.length * 4 : 0);
}

export interface CalibrationRangeOptions {
  /** 'minmax': the observed extremes; 'percentile': the p-th and (100 − p)-th percentiles, clipping rare outliers. */
  method: 'minmax' | 'percentile';
  /** Upper percentile for 'percentile', in (50, 100] (default 99.99). */
  percentile?: number;
}

/**
 * Static calibration range of activations seen on sample data. Percentiles interpolate linearly
 * between order statistics (rank p/100 · (n − 1)), as numpy.percentile does by default.
 */
export function calibrationRange(samples: Float32Array, opts: CalibrationRangeOptions): Range {
  if (samples.length === 0) throw new Error('Calibration needs at least one sample value.');
  if (opts.method === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (const v of samples) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  }
  const p = opts.percentile ?? 99.99;
  if (!(p > 50 && p <= 100)) throw new RangeError(`Percentile must lie in (50, 100]; got ${p}.`);
  const sorted = Float64Array.from(samples).sort();
  return { min: percentileOfSorted(sorted, 100 - p), max: percentileOfSorted(sorted, p) };
}

function percentileOfSorted(sorted: Float64Array, p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
}

export interface FakeQuantOptions {
  bits: Bits;
  scheme: Scheme;
  /** Fixed range (activations, from calibration); without it each call uses the tensor's own min and max (weights). */
  range?: Range;
}

/**
 * Fake quantization for quantization-aware training: the forward pass rounds to the quantization
 * grid, s · (clamp(round(x / s) + z, qmin, qmax) − z); the backward pass is the straight-through
 * estimator, passing dy where x lies inside the representable range and 0 where it was clipped
 * (rounding has zero gradient almost everywhere, so without the STE nothing would learn).
 */
export function fakeQuantize(x: tf.Tensor, opts: FakeQuantOptions): tf.Tensor {
  const op = tf.customGrad((input, save) => {
    const t = input as tf.Tensor;
    const { qmin, qmax } = codeRange(opts.bits, opts.scheme);
    const range = opts.range ?? ownRange(t);
    const { scale, zeroPoint } = quantParams(range, opts.bits, opts.scheme);
    const lo = scale * (qmin - zeroPoint);
    const hi = scale * (qmax - zeroPoint);
    const value = tf.tidy(() => tf.mul(tf.sub(tf.clipByValue(tf.add(tf.round(tf.div(t, scale)), zeroPoint), qmin, qmax), zeroPoint), scale));
    const inside = tf.tidy(() => tf.cast(tf.logicalAnd(tf.greaterEqual(t, lo - scale / 2), tf.lessEqual(t, hi + scale / 2)), 'float32'));
    (save as tf.GradSaveFunc)([inside]);
    return { value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]) };
  });
  return op(x);
}

/** min and max of a tensor, read back (one sync per call: weights change every update). */
function ownRange(t: tf.Tensor): Range {
  const both = tf.tidy(() => tf.stack([tf.min(t), tf.max(t)]));
  const [min, max] = both.dataSync();
  both.dispose();
  return { min, max };
}

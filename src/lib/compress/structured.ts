import type * as tfl from '@tensorflow/tfjs-layers';
import { buildSequential, chain, exampleShape, specOf, WEIGHTED, type LayerSpec } from '../ml/layers';

/** Layers that act on each channel of the last axis separately, so a channel selection passes through them. */
const PER_CHANNEL = new Set(['MaxPooling2D', 'AveragePooling2D', 'Dropout', 'Activation', 'ReLU', 'Softmax']);

/**
 * L2 norm of each output unit's incoming weights: a Dense kernel's column [in] or a Conv2D
 * filter [kh, kw, in]. Biases are left out, as is usual for norm-based filter pruning.
 */
export function unitNorms(model: tfl.LayersModel, layerName: string): Float32Array {
  const layer = model.getLayer(layerName);
  if (!WEIGHTED.has(layer.getClassName())) throw new Error(`Layer '${layerName}' is a ${layer.getClassName()}; only Dense and Conv2D units have norms.`);
  const kernel = layer.getWeights()[0];
  const data = kernel.dataSync();
  const out = kernel.shape[kernel.shape.length - 1];
  const sq = new Float64Array(out);
  for (let i = 0; i < data.length; i++) sq[i % out] += data[i] * data[i];
  return Float32Array.from(sq, Math.sqrt);
}

export interface SelectUnitsOptions {
  /** Fraction of each layer's units to remove, in [0, 1); at least one unit always stays. */
  fraction: number;
  /** Layers to shrink (default: every Dense and Conv2D layer but the last, whose units are the model's outputs). */
  layers?: string[];
}

/**
 * Which units to keep per layer: the n − round(fraction · n) of largest L2 norm (ties: lower index
 * kept), listed in ascending order.
 */
export function selectUnits(model: tfl.LayersModel, opts: SelectUnitsOptions): Record<string, number[]> {
  if (!(opts.fraction >= 0 && opts.fraction < 1)) throw new RangeError(`Fraction of units to remove must lie in [0, 1); got ${opts.fraction}.`);
  const weighted = chain(model).filter((l) => WEIGHTED.has(l.getClassName()));
  const names = opts.layers ?? weighted.slice(0, -1).map((l) => l.name);
  const keep: Record<string, number[]> = {};
  for (const name of names) {
    const norms = unitNorms(model, name);
    const n = norms.length;
    const k = Math.max(1, n - Math.round(opts.fraction * n));
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => norms[j] - norms[i] || i - j);
    keep[name] = order.slice(0, k).sort((a, b) => a - b);
  }
  return keep;
}

/**
 * Select entries of a weight of shape [..., in, out] along its last two axes (null: keep all).
 * Dense kernels are [in, out] and Conv2D kernels [kh, kw, in, out], so one routine serves both.
 */
function sliceKernel(w: { shape: number[]; data: Float32Array }, ins: ArrayLike<number> | null, outs: ArrayLike<number> | null) {
  const r = w.shape.length;
  const [nIn, nOut] = [w.shape[r - 2], w.shape[r - 1]];
  const prefix = w.shape.slice(0, r - 2).reduce((a, b) => a * b, 1);
  const inIdx = ins ?? Array.from({ length: nIn }, (_, i) => i);
  const outIdx = outs ?? Array.from({ length: nOut }, (_, i) => i);
  const data = new Float32Array(prefix * inIdx.length * outIdx.length);
  let p = 0;
  for (let a = 0; a < prefix; a++)
    for (let i = 0; i < inIdx.length; i++)
      for (let o = 0; o < outIdx.length; o++) data[p++] = w.data[(a * nIn + inIdx[i]) * nOut + outIdx[o]];
  return { shape: [...w.shape.slice(0, r - 2), inIdx.length, outIdx.length], data };
}

/**
 * A genuinely smaller copy of a model keeping only the listed output units (Dense neurons, Conv2D
 * filters) of the named layers. The next weighted layer loses the matching inputs: Dense rows, Conv2D
 * input channels, or after Flatten of an [h, w, C] map the rows p·C + c for every position p and kept
 * channel c. Each kept unit computes exactly what it computed before, given the kept units upstream.
 */
export function compactModel(model: tfl.LayersModel, keep: Record<string, ArrayLike<number>>): tfl.Sequential {
  const layers = chain(model);
  let selection: number[] | null = null;
  const specs: LayerSpec[] = layers.map((layer) => {
    const spec = specOf(layer);
    const cls = spec.className;
    if (WEIGHTED.has(cls)) {
      const outs = keep[layer.name] ? Array.from(keep[layer.name]) : null;
      const [kernel, bias] = spec.weights;
      const n = kernel.shape[kernel.shape.length - 1];
      if (outs && (outs.length === 0 || outs.some((u) => !(u >= 0 && u < n && Number.isInteger(u))))) throw new RangeError(`Units to keep in '${layer.name}' must be 1 to ${n} indices in [0, ${n}).`);
      spec.weights = [sliceKernel(kernel, selection, outs)];
      if (bias) spec.weights.push(outs ? { shape: [outs.length], data: Float32Array.from(outs, (u) => bias.data[u]) } : bias);
      if (outs) spec.config = { ...spec.config, [cls === 'Dense' ? 'units' : 'filters']: outs.length };
      selection = outs;
    } else if (selection && cls === 'Flatten') {
      const shape = (layer.input as tfl.SymbolicTensor).shape as number[];
      const channels = shape[shape.length - 1];
      const positions = shape.slice(1, -1).reduce((a, b) => a * b, 1);
      const sel: number[] = selection;
      selection = Array.from({ length: positions * sel.length }, (_, i) => Math.floor(i / sel.length) * channels + sel[i % sel.length]);
    } else if (selection && !PER_CHANNEL.has(cls)) {
      throw new Error(`Cannot compact through a ${cls} layer ('${layer.name}'): it mixes channels.`);
    }
    return spec;
  });
  if (selection) throw new Error('The last weighted layer cannot lose units: they are the model\'s outputs.');
  return buildSequential(`${model.name}_compact`, exampleShape(model), specs);
}

/** Structured pruning: remove the smallest-norm units of each layer and compact (selectUnits, then compactModel). */
export function structuredPrune(model: tfl.LayersModel, opts: SelectUnitsOptions): { model: tfl.Sequential; keep: Record<string, number[]> } {
  const keep = selectUnits(model, opts);
  return { model: compactModel(model, keep), keep };
}

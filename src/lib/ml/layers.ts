import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** A layer of a sequential stack as plain data: enough to rebuild it with other weights. */
export interface LayerSpec {
  className: string;
  config: tf.serialization.ConfigDict;
  /** Weights in the layer's own order (kernel, then bias). */
  weights: { shape: number[]; data: Float32Array }[];
}

/** Layers whose kernel is a prunable weight matrix: Dense [in, out] and Conv2D [kh, kw, in, out]. */
export const WEIGHTED = new Set(['Dense', 'Conv2D']);

/**
 * The layers of a model as a straight chain. Functional models whose layers branch or merge are
 * refused: every routine here assumes layer i feeds layer i + 1.
 */
export function chain(model: tfl.LayersModel): tfl.layers.Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  for (const l of layers) {
    const inbound = l.inboundNodes.flatMap((n) => n.inboundLayers);
    if (inbound.length > 1) throw new Error(`Layer '${l.name}' has ${inbound.length} inputs: only straight stacks of layers are supported.`);
  }
  return layers;
}

/** Weight data of a layer, copied out synchronously (models here are small). */
export function specOf(layer: tfl.layers.Layer): LayerSpec {
  return {
    className: layer.getClassName(),
    config: layer.getConfig(),
    weights: layer.getWeights().map((w) => ({ shape: w.shape.slice(), data: Float32Array.from(w.dataSync()) })),
  };
}

/** Input shape of one example (no batch dimension). */
export function exampleShape(model: tfl.LayersModel): number[] {
  return (model.inputs[0].shape as (number | null)[]).slice(1).map((d) => {
    if (d === null) throw new Error('Models with unknown input dimensions besides the batch are not supported.');
    return d;
  });
}

/**
 * A fresh Sequential from layer specs: the first layer gets the input shape, the rest infer theirs.
 * Weights are copied into the new layers; the source model is untouched.
 */
export function buildSequential(name: string, input: number[], specs: LayerSpec[]): tfl.Sequential {
  const model = tfl.sequential({ name });
  specs.forEach((s, i) => {
    const config: tf.serialization.ConfigDict = { ...s.config };
    delete config.batchInputShape;
    delete config.inputShape;
    if (i === 0) config.batchInputShape = [null, ...input];
    model.add(makeLayer(s.className, config));
  });
  model.layers.filter((l) => l.getClassName() !== 'InputLayer').forEach((l, i) => {
    const ws = specs[i].weights.map((w) => tf.tensor(w.data, w.shape));
    if (ws.length > 0) l.setWeights(ws);
    tf.dispose(ws);
  });
  return model;
}

/** A layer from its class name and config, through the registry tfjs-layers fills as it loads. */
export function makeLayer(className: string, config: tf.serialization.ConfigDict): tfl.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  if (!entry) throw new Error(`Unknown layer class '${className}'.`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, config) as unknown as tfl.layers.Layer;
}

/** An independent copy of a straight-stack model with the same weights. */
export function cloneModel(model: tfl.LayersModel): tfl.Sequential {
  return buildSequential(model.name, exampleShape(model), chain(model).map(specOf));
}

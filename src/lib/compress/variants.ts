/**
 * Model variants as runs: a compression lab saves each model it makes as a RunRecord with
 * `variant` set, its layers (class name + config) in params.layers, its input shape in
 * params.inputShape, and its weights as the run's one checkpoint. Any variant can then be rebuilt
 * (buildSequential, then the checkpoint's weights) and exported to ONNX, by any lab.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Store } from '../store';
import type { Checkpoint, ModelVariant, RunRecord } from '../store/types';
import { buildSequential, chain, exampleShape } from '../ml/layers';
import { exportOnnx } from '../onnx/export';

/** What saving and loading variants needs of a store (the IndexedDB store, or a memory one in tests). */
export type VariantStore = Pick<Store, 'putRun' | 'getRun' | 'putCheckpoint' | 'latestCheckpoint'>;

/** A layer without its weights: enough to rebuild it. */
export interface LayerConfig {
  className: string;
  config: tf.serialization.ConfigDict;
}

export interface SaveVariantOptions {
  /** The compression lab that made it ('prune', 'lowrank', ...). */
  lab: string;
  runId: string;
  name?: string;
  /** The lab's settings that produced it (stored beside layers and inputShape in params). */
  settings?: Record<string, unknown>;
  seed?: number;
  dataHash: string;
  backend: string;
  appVersion?: string;
  durationMs?: number;
  /** A fine-tuning curve, if the variant was trained: loss per update with its fractional epoch. */
  curve?: { epochs: number[]; losses: number[] };
  /** Test-set loss and confusion matrix, for run.final. */
  testLoss?: number;
  confusion?: number[];
}

export function layerConfigs(model: tfl.LayersModel): LayerConfig[] {
  return chain(model).map((l) => ({ className: l.getClassName(), config: l.getConfig() }));
}

/** The RunRecord of a variant (status 'done'), without its weights. */
export function variantRecord(model: tfl.LayersModel, variant: ModelVariant, o: SaveVariantOptions): RunRecord {
  const now = Date.now();
  const curve = o.curve ?? { epochs: [], losses: [] };
  return {
    id: o.runId,
    lab: o.lab,
    ...(o.name ? { name: o.name } : {}),
    // layers, inputShape and modelName are the variant's own: a setting of the same name would be overwritten.
    params: { ...(o.settings ?? {}), layers: layerConfigs(model), inputShape: exampleShape(model), modelName: model.name },
    seed: o.seed ?? 0,
    dataHash: o.dataHash,
    backend: o.backend,
    appVersion: o.appVersion ?? 'dev',
    status: 'done',
    createdAt: now,
    updatedAt: now,
    durationMs: o.durationMs ?? 0,
    epochsDone: curve.epochs.length ? Math.ceil(curve.epochs[curve.epochs.length - 1]) : 0,
    stepsDone: curve.losses.length,
    metrics: { step: curve.losses.map((_, i) => i + 1), epoch: [...curve.epochs], trainLoss: [...curve.losses], trainAcc: curve.losses.map(() => NaN) },
    epochMetrics: [],
    final: { testAcc: variant.accuracy, testLoss: o.testLoss ?? NaN, confusion: o.confusion ?? [] },
    variant,
  };
}

/** The model's weights as a checkpoint (no optimizer state: a variant is a finished model). */
export async function weightsCheckpoint(runId: string, model: tfl.LayersModel): Promise<Checkpoint> {
  const weights = await Promise.all(model.getWeights().map(async (w, i) => ({ name: model.weights[i].originalName, shape: w.shape.slice(), data: Float32Array.from(await w.data()) })));
  return { runId, epoch: 0, step: 0, createdAt: Date.now(), weights, optimizer: [] };
}

/** Save a variant: its run record, then its weights. Returns the run id. */
export async function saveVariant(store: VariantStore, model: tfl.LayersModel, variant: ModelVariant, o: SaveVariantOptions): Promise<string> {
  const run = variantRecord(model, variant, o);
  const cp = await weightsCheckpoint(o.runId, model);
  await store.putRun(run);
  await store.putCheckpoint(cp);
  return o.runId;
}

/** Rebuild a variant's model from its record and checkpoint. */
export function rebuildVariant(run: RunRecord, cp: Checkpoint): tfl.Sequential {
  const layers = run.params.layers as LayerConfig[] | undefined;
  const input = run.params.inputShape as number[] | undefined;
  if (!run.variant || !Array.isArray(layers) || !Array.isArray(input)) throw new Error(`Run ${run.id} is not a saved model variant (it has no variant, layers or input shape).`);
  const model = buildSequential(String(run.params.modelName ?? run.lab), input, layers.map((l) => ({ ...l, weights: [] })));
  if (cp.weights.length !== model.weights.length) {
    model.dispose();
    throw new Error(`Run ${run.id}'s checkpoint has ${cp.weights.length} weight tensors; its layers need ${model.weights.length}.`);
  }
  const ws = cp.weights.map((w) => tf.tensor(w.data, w.shape));
  try {
    model.setWeights(ws);
  } catch (e) {
    model.dispose();
    throw new Error(`Run ${run.id}'s weights do not fit its layers: ${(e as Error).message}`);
  } finally {
    tf.dispose(ws);
  }
  return model;
}

/** Load a saved variant's record and rebuilt model. */
export async function loadVariant(store: VariantStore, runId: string): Promise<{ run: RunRecord; model: tfl.Sequential }> {
  const run = await store.getRun(runId);
  if (!run) throw new Error(`Run ${runId} is not in this browser's storage (deleted?).`);
  const cp = await store.latestCheckpoint(runId);
  if (!cp) throw new Error(`Run ${runId} has no saved weights.`);
  return { run, model: rebuildVariant(run, cp) };
}

/** A variant as an ONNX file, with its weights stored as the variant asks (float32, or int8 + DequantizeLinear). */
export async function exportVariantOnnx(store: VariantStore, runId: string): Promise<{ bytes: Uint8Array; filename: string; run: RunRecord }> {
  const { run, model } = await loadVariant(store, runId);
  try {
    const bytes = exportOnnx(model, { weights: run.variant!.exportWeights ?? 'float32' });
    return { bytes, filename: `prodlab-${run.lab}-${run.variant!.technique}-${run.id.slice(-6)}.onnx`, run };
  } finally {
    model.dispose();
  }
}

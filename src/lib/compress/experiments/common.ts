/** Pieces every compression experiment's result uses: a model row for the comparison table, and chart curves. */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BaseInfo, ExperimentContext, Measured } from '../service';
import type { LayerMask } from '../prune';
import type { TrainReport } from '../kit';

/** One model in a result's comparison table. */
export interface ModelRow {
  label: string;
  accuracy: number;
  params: number;
  nonzero: number;
  bytes: number;
  batch1Ms: number;
  batch32Ms: number;
  /** The saved variant, when this row was saved. */
  runId?: string;
}

/** One line (or set of points) of a chart. */
export interface Curve {
  label: string;
  x: number[];
  y: number[];
  points?: boolean;
}

export function row(label: string, m: Measured, runId?: string): ModelRow {
  return { label, accuracy: m.accuracy, params: m.params, nonzero: m.nonzero, bytes: m.bytes, batch1Ms: m.latency.batch1Ms, batch32Ms: m.latency.batch32Ms, ...(runId ? { runId } : {}) };
}

/** The base model's row, from a measurement taken beside the others (latencies compare only when timed together). */
export function baseRow(ctx: ExperimentContext, m: Measured): ModelRow {
  const b: BaseInfo = ctx.base.info;
  return row(`base (${b.name})`, m, b.variantRunId);
}

export const pct = (x: number) => `${Math.round(100 * x)}%`;

/**
 * Fine-tune with the lab's settings (Adam at the base run's learning rate), reporting progress
 * between `from` and `to` of the whole experiment. Zero epochs leaves the model as it is.
 */
export async function fineTune(
  ctx: ExperimentContext,
  model: tfl.LayersModel,
  s: { epochs: number; trainSize: number; seed: number },
  stage: string,
  range: [number, number],
  masks?: LayerMask[],
): Promise<TrainReport | undefined> {
  if (s.epochs === 0) return undefined;
  const [from, to] = range;
  return ctx.kit.fineTune(model, s.epochs, {
    masks, trainSize: s.trainSize, seed: s.seed, learningRate: ctx.base.info.config.learningRate, checkStop: ctx.checkStop,
    onStep: (p) => ctx.progress(from + (to - from) * p.progress, `${stage}: epoch ${p.epoch.toFixed(2)}, loss ${p.loss.toFixed(3)}`),
  });
}

export const curveOf = (r: TrainReport | undefined) => (r ? { epochs: r.epochs, losses: r.losses } : undefined);

/**
 * The compression experiments the worker can run, one per lab id. A new compression lab adds one
 * line here: its function takes the ExperimentContext (kit, base model, measure, save) and settings.
 */
import { runPrune } from './prune';
import { runLowRank } from './lowrank';
import { runDistillLab, runQuantizeLab } from './quantize';

export const EXPERIMENTS = {
  prune: runPrune,
  lowrank: runLowRank,
  quantize: runQuantizeLab,
  distill: runDistillLab,
};

export type ExperimentId = keyof typeof EXPERIMENTS;
export type ExperimentSettings<K extends ExperimentId> = Parameters<(typeof EXPERIMENTS)[K]>[1];
export type ExperimentResult<K extends ExperimentId> = Awaited<ReturnType<(typeof EXPERIMENTS)[K]>>;

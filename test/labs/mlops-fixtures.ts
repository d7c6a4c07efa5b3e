/** Run records as the MLOps labs save them: params = { ...settings, result } (a one-shot run). */
import type { RunRecord } from '../../src/lib/store/types';

let n = 0;
export function record(lab: string, settings: object, result: Record<string, number | string>): RunRecord {
  n++;
  return {
    id: `run-${n}`, lab, params: { ...settings, result }, seed: Number((settings as { seed?: number }).seed ?? 0), dataHash: 'x', backend: 'js-worker', appVersion: 'test', status: 'done',
    createdAt: n, updatedAt: n, durationMs: 1, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}

/** Run records for the distributed-training labs' exercise tests, shaped as the pages save them: params = { ...settings, result }. */
import type { RunRecord } from '../../src/lib/store/types';
import type { LabMeta } from '../../labs/types';

let n = 0;
export function record(lab: string, settings: object, result: Record<string, number | string>, status: RunRecord['status'] = 'done'): RunRecord {
  n++;
  return {
    id: `run-dist-${n.toString().padStart(6, '0')}`, lab, params: { ...settings, result }, seed: Number((settings as { seed?: number }).seed ?? 0), dataHash: 'test', backend: 'wasm',
    appVersion: 'test', status, createdAt: n, updatedAt: n, durationMs: 10, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}

export const check = (meta: LabMeta, id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

/** Reading compression variants back out of runs, for exercises and summaries. */
import type { ModelVariant, RunRecord } from '../../src/lib/store/types';

export interface VariantRun {
  run: RunRecord;
  variant: ModelVariant;
  /** The lab settings plus the tags every saved variant carries (role, experimentRunId, baseRunId, baseAccuracy, baseParams). */
  p: Record<string, unknown> & { role?: string; experimentRunId?: string; baseAccuracy?: number; baseParams?: number };
}

export function variantRuns(runs: RunRecord[]): VariantRun[] {
  return runs.filter((r) => r.status === 'done' && r.variant).map((run) => ({ run, variant: run.variant!, p: run.params as VariantRun['p'] }));
}

/** Variants saved by one experiment run, by role. */
export function byExperiment(vs: VariantRun[]): Map<string, Map<string, VariantRun>> {
  const out = new Map<string, Map<string, VariantRun>>();
  for (const v of vs) {
    const id = v.p.experimentRunId;
    if (!id || !v.p.role) continue;
    if (!out.has(id)) out.set(id, new Map());
    out.get(id)!.set(v.p.role, v);
  }
  return out;
}

export const sparsityOf = (v: ModelVariant) => 1 - (v.nonzero ?? v.params) / v.params;

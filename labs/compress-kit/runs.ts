/**
 * Reading compression variants back out of runs, for exercises and summaries. Every variant carries
 * one tagging scheme (compress/service.ts ExperimentContext.save): experimentRunId (the lab run that
 * made it), role (which variant of that run), order, baseRunId, baseAccuracy, baseParams.
 */
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

/** One lab run's variants, in the order they were made. */
export interface Group { group: string; createdAt: number; runs: RunRecord[] }

/** Variant runs grouped by experimentRunId, newest group first, variants in the order they were made. */
export function groups(runs: RunRecord[]): Group[] {
  const by = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const id = r.params.experimentRunId;
    if (!r.variant || typeof id !== 'string') continue;
    const g = by.get(id) ?? [];
    g.push(r);
    by.set(id, g);
  }
  return [...by.entries()]
    .map(([group, rs]) => ({ group, createdAt: Math.min(...rs.map((r) => r.createdAt)), runs: rs.sort((a, b) => Number(a.params.order) - Number(b.params.order)) }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** The run of a group whose role is `role`. */
export const byKey = (g: Group, role: string) => g.runs.find((r) => r.params.role === role);

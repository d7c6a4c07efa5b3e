/** Reading the quantization and distillation labs' saved variant runs: one run per variant, grouped by the lab run that made them. */
import type { RunRecord } from '../../src/lib/store/types';
import { formatBytes } from '../../src/lib/core/format';

export interface Group { group: string; createdAt: number; runs: RunRecord[] }

/** Variant runs grouped by params.group, newest group first, variants in the order they were made. */
export function groups(runs: RunRecord[]): Group[] {
  const by = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (!r.variant || typeof r.params.group !== 'string') continue;
    const g = by.get(r.params.group) ?? [];
    g.push(r);
    by.set(r.params.group, g);
  }
  return [...by.entries()]
    .map(([group, rs]) => ({ group, createdAt: Math.min(...rs.map((r) => r.createdAt)), runs: rs.sort((a, b) => Number(a.params.order) - Number(b.params.order)) }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** The run of a group with params.key === key. */
export const byKey = (g: Group, key: string) => g.runs.find((r) => r.params.key === key);

export const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
/** Bytes in the one unit style of every lab (core/format: binary units, "918.5 KiB"). */
export const kb = (bytes: number) => formatBytes(bytes);
/** Difference of two accuracies in percentage points, signed. */
export const points = (a: number, b: number) => `${a - b >= 0 ? '+' : '−'}${Math.abs(100 * (a - b)).toFixed(1)} pts`;

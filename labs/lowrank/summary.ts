import type { RunRecord } from '../../src/lib/store/types';
import { variantRuns } from '../compress-kit/runs';
import { pct } from '../compress-kit/format';
import { plural } from '../../src/lib/core/format';

/** What the learner's saved factorizations showed, from their numbers. */
export function summarize(runs: RunRecord[]): string[] {
  const vs = variantRuns(runs).filter((v) => v.variant.technique === 'lowrank' && typeof v.p.baseParams === 'number');
  if (vs.length === 0) return [];
  const out: string[] = [];
  const smallest = vs.reduce((a, b) => (a.variant.params <= b.variant.params ? a : b));
  out.push(`The smallest factorized model (${smallest.variant.description}) kept ${pct(smallest.variant.params / smallest.p.baseParams!)} of the parameters at ${pct(smallest.variant.accuracy)} test accuracy (base ${pct(smallest.p.baseAccuracy ?? NaN)}).`);
  const tuned = vs.filter((v) => typeof v.p.accuracyBefore === 'number' && Number(v.p.epochs) >= 1);
  if (tuned.length) {
    const t = tuned.reduce((a, b) => (a.variant.accuracy - (a.p.accuracyBefore as number) >= b.variant.accuracy - (b.p.accuracyBefore as number) ? a : b));
    out.push(`Fine-tuning helped most at rank ${String(t.p.rank)}: ${pct(t.p.accuracyBefore as number)} right after truncation, ${pct(t.variant.accuracy)} after ${plural(Number(t.p.epochs), 'epoch')}.`);
  }
  return out;
}

import type { RunRecord } from '../../src/lib/store/types';
import { byExperiment, sparsityOf, variantRuns } from '../compress-kit/runs';
import { pct } from '../compress-kit/format';

/** What the learner's saved pruning runs showed, one sentence per finding, from their numbers. */
export function summarize(runs: RunRecord[]): string[] {
  const vs = variantRuns(runs);
  const out: string[] = [];
  const pruned = vs.filter((v) => v.p.role === 'pruned' && typeof v.p.baseAccuracy === 'number');
  if (pruned.length) {
    const top = pruned.reduce((a, b) => (sparsityOf(a.variant) - (a.p.baseAccuracy! - a.variant.accuracy) * 10 >= sparsityOf(b.variant) - (b.p.baseAccuracy! - b.variant.accuracy) * 10 ? a : b));
    out.push(`With ${pct(sparsityOf(top.variant), 0)} of all weights at zero (${top.variant.description}), test accuracy was ${pct(top.variant.accuracy)} against the base's ${pct(top.p.baseAccuracy!)}.`);
  }
  for (const m of byExperiment(vs).values()) {
    const c = m.get('compact');
    const u = m.get('control');
    if (c && u) {
      const head = `Structured pruning to ${c.variant.params.toLocaleString('en')} parameters ran batch-1 inference in ${c.variant.latencyMs.toFixed(3)} ms; the unstructured model with as many nonzero weights took ${u.variant.latencyMs.toFixed(3)} ms`;
      out.push(
        u.variant.latencyMs > c.variant.latencyMs
          ? `${head}: its dense kernels still multiply every zero.`
          : `${head}, no slower this time: at this size the timing is within noise, so time both again before drawing a conclusion.`,
      );
      break;
    }
  }
  for (const m of byExperiment(vs).values()) {
    const t = m.get('ticket');
    const r = m.get('random');
    if (t && r) {
      out.push(`Lottery ticket at ${pct(Number(t.p.sparsity), 0)} sparsity: the rewound ticket reached ${pct(t.variant.accuracy)}, the same mask on fresh random weights ${pct(r.variant.accuracy)}.`);
      break;
    }
  }
  return out;
}

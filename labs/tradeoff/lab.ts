import type { CheckResult, Exercise, LabMeta } from '../types';
import { variantRuns, type VariantRun } from '../compress-kit/runs';
import { paretoFront } from '../../src/lib/compress/pareto';
import { kib, pct } from '../compress-kit/format';

const techniques: Exercise = {
  id: 'three-techniques',
  title: 'Put three compression techniques on one chart',
  task: 'Save models from at least three techniques (pruning, low-rank, quantization, distillation) so that they share the trade-off chart with your base model.',
  check({ runs }): CheckResult {
    const seen = new Set(variantRuns(runs).map((v) => v.variant.technique).filter((t) => t !== 'baseline'));
    return { passed: seen.size >= 3, detail: seen.size ? `Techniques so far: ${[...seen].join(', ')}.` : 'No compressed models saved yet: run the pruning or low-rank lab first.' };
  },
};

/** A quarter of the base's bytes, within 2 points of its accuracy, and on the accuracy/size front. */
const budget: Exercise = {
  id: 'budget',
  title: 'Ship a model a quarter of the size',
  task: 'Get a model onto the accuracy/size Pareto front that stores in at most a quarter of its base model\'s bytes and is at most 2 points less accurate.',
  check({ runs }): CheckResult {
    const vs = variantRuns(runs);
    const front = new Set(paretoFront(vs.map((v) => ({ cost: v.variant.bytes, value: v.variant.accuracy }))).map((i) => vs[i].run.id));
    const base = (v: VariantRun) => vs.find((b) => b.variant.technique === 'baseline' && b.variant.parentRunId === v.variant.parentRunId);
    const ok = vs.filter((v) => {
      const b = base(v);
      return v.variant.technique !== 'baseline' && b && front.has(v.run.id) && v.variant.bytes <= b.variant.bytes / 4 && v.variant.accuracy >= b.variant.accuracy - 0.02;
    });
    if (ok.length === 0) return { passed: false, detail: `None yet among ${vs.length} saved models. Combine techniques: prune or factorize, fine-tune, and watch the front.` };
    const best = ok.reduce((a, b) => (a.variant.bytes <= b.variant.bytes ? a : b));
    return { passed: true, runId: best.run.id, detail: `${best.variant.description}: ${kib(best.variant.bytes)}, ${pct(best.variant.accuracy)}.` };
  },
};

export const meta: LabMeta = {
  id: 'tradeoff',
  title: 'The trade-off view: accuracy against size and latency',
  summary: 'Every model your compression labs saved, on one Pareto chart; export any of them to ONNX and read its graph.',
  learn: [
    'Pareto fronts: which models are worth considering at all',
    'why size and latency fronts differ (zeros shrink files, not dense kernels)',
    'exporting a compressed model to ONNX and reading its graph',
  ],
  minutes: 10,
  exercises: [techniques, budget],
};

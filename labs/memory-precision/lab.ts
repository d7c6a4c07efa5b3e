import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { MemoryPrecisionSettings } from '../../src/lib/runners/memory-precision-fields';
import { formatBytes, formatDuration, pct } from '../../src/lib/core/format';
import { distRuns, fmt, num, sameExcept, statesNumber, type DistRun } from '../dist-kit/runs';
import type { Column } from '../kit/columns';

type Run = DistRun<MemoryPrecisionSettings>;
const runsOf = (runs: RunRecord[]) => distRuns<MemoryPrecisionSettings>(runs);
const checkpointing = (runs: RunRecord[]) => runsOf(runs).filter((r) => r.result.experiment === 'checkpointing');
const precision = (runs: RunRecord[]) => runsOf(runs).filter((r) => r.result.experiment === 'precision');
const PRECISION_KEYS = ['precision', 'scaling', 'initScale', 'growthInterval', 'compareFp32', 'experiment', 'depth', 'width', 'batch', 'repeats'];

const sqrtN: Exercise = {
  id: 'sqrt-n',
  title: 'The √n rule',
  task: 'Run the checkpointing experiment with a depth of 15 or more. The least peak memory should come with a checkpoint every k ≈ √n blocks (within a factor of 2).',
  check({ runs }): CheckResult {
    const rs = checkpointing(runs).filter((r) => num(r, 'blocks') >= 16);
    const ok = rs.find((r) => num(r, 'bestK') >= num(r, 'sqrtN') / 2 && num(r, 'bestK') <= 2 * num(r, 'sqrtN'));
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: n = ${num(ok, 'blocks')} blocks, √n = ${fmt(num(ok, 'sqrtN'), 1)}; the least memory, ${formatBytes(num(ok, 'bestPeak'))}, came at k = ${num(ok, 'bestK')} (no checkpointing: ${formatBytes(num(ok, 'nonePeak'))}).` };
    if (rs.length) return { passed: false, runId: rs[0].record.id, detail: `Run ${rs[0].label} had its least memory at k = ${num(rs[0], 'bestK')}, far from √n = ${fmt(num(rs[0], 'sqrtN'), 1)}: a wider net or a larger batch makes activations dominate the engine's fixed costs.` };
    return { passed: false, detail: 'No checkpointing run with depth ≥ 15 yet.' };
  },
};

const tradeoff: Exercise = {
  id: 'tradeoff',
  title: 'Memory for time',
  task: 'From a checkpointing run, state how much peak memory the best k saved against no checkpointing, and how much longer its step took, both in percent.',
  answerPrompt: 'At k = … memory fell by …% and a step took …% longer',
  check({ runs, answers }): CheckResult {
    const rs = checkpointing(runs);
    if (!rs.length) return { passed: false, detail: 'Run the checkpointing experiment first.' };
    const a = answers.tradeoff ?? '';
    const hit = rs.find((r) => statesNumber(a, 100 * num(r, 'memorySaving'), 3) && statesNumber(a, 100 * num(r, 'timeCost'), 5));
    if (hit) return { passed: true, runId: hit.record.id, detail: `Run ${hit.label}: ${pct(num(hit, 'memorySaving'))} less memory for ${pct(num(hit, 'timeCost'))} more time per step (${formatDuration(num(hit, 'noneMs'))} → ${formatDuration(num(hit, 'bestMs'))}).` };
    const r = rs[0];
    return { passed: false, runId: r.record.id, detail: `Run ${r.label} measured ${pct(num(r, 'memorySaving'))} less memory and ${pct(num(r, 'timeCost'))} more time: state both numbers.` };
  },
};

const underflow: Exercise = {
  id: 'underflow',
  title: 'Gradients below fp16\'s floor',
  task: 'Train in fp16 with no loss scaling, then with dynamic scaling, otherwise the same. Without scaling some gradients round to exactly zero; with it, fewer (or none) do.',
  check({ runs }): CheckResult {
    const rs = precision(runs).filter((r) => r.settings.precision === 'fp16');
    for (const a of rs.filter((r) => r.settings.scaling === 'none')) {
      const b = rs.find((r) => r.settings.scaling === 'dynamic' && sameExcept(r, a, ['scaling', 'initScale', 'growthInterval', 'compareFp32']));
      if (!b) continue;
      const passed = num(a, 'meanUnderflow') > 0 && num(b, 'meanUnderflow') < num(a, 'meanUnderflow');
      return { passed, runId: b.record.id, detail: `Without scaling ${pct(num(a, 'meanUnderflow'), 3)} of the nonzero gradients became 0 on average (up to ${pct(num(a, 'maxUnderflow'), 3)}); with dynamic scaling ${pct(num(b, 'meanUnderflow'), 3)}.${passed ? '' : ' Expected fewer with scaling.'}` };
    }
    return { passed: false, detail: 'Need an fp16 run without scaling and one with dynamic scaling, otherwise the same.' };
  },
};

const bf16: Exercise = {
  id: 'bf16',
  title: 'bf16 needs no scaling',
  task: 'Train in bf16 without loss scaling and with the fp32 comparison on: nothing underflows, and the test accuracy stays within 2 points of fp32.',
  check({ runs }): CheckResult {
    const rs = precision(runs).filter((r) => r.settings.precision === 'bf16' && r.settings.scaling === 'none' && Number.isFinite(num(r, 'fp32TestAcc')));
    const ok = rs.find((r) => num(r, 'meanUnderflow') === 0 && Math.abs(num(r, 'accuracyCost')) <= 0.02);
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: no gradient flushed to 0; test accuracy ${pct(num(ok, 'testAcc'))} against fp32's ${pct(num(ok, 'fp32TestAcc'))}.` };
    if (rs.length) return { passed: false, runId: rs[0].record.id, detail: `Run ${rs[0].label}: ${pct(num(rs[0], 'meanUnderflow'), 3)} underflow, accuracy ${pct(num(rs[0], 'testAcc'))} vs fp32 ${pct(num(rs[0], 'fp32TestAcc'))}.` };
    return { passed: false, detail: 'No bf16 run without scaling and with the fp32 comparison yet.' };
  },
};

const overflow: Exercise = {
  id: 'overflow',
  title: 'Too much scale',
  task: 'Set a static loss scale so large that fp16 overflows (try 2²⁴ = 16,777,216): steps are skipped. Then run dynamic scaling from the same scale: it halves until the gradients fit and trains.',
  check({ runs }): CheckResult {
    const rs = precision(runs).filter((r) => r.settings.precision === 'fp16');
    for (const a of rs.filter((r) => r.settings.scaling === 'static' && num(r, 'skippedSteps') >= 1)) {
      const b = rs.find((r) => r.settings.scaling === 'dynamic' && r.settings.initScale === a.settings.initScale && sameExcept(r, a, PRECISION_KEYS.filter((k) => k !== 'initScale')));
      if (!b) continue;
      const passed = num(b, 'skippedSteps') < b.settings.steps && num(b, 'finalScale') < b.settings.initScale;
      return { passed, runId: b.record.id, detail: `Static ${a.settings.initScale.toLocaleString('en')}: ${num(a, 'skippedSteps')} of ${a.settings.steps} steps skipped. Dynamic from the same scale: ${num(b, 'skippedSteps')} skipped, ending at ${num(b, 'finalScale').toLocaleString('en')}.` };
    }
    return { passed: false, detail: 'Need an fp16 static-scale run with skipped steps and a dynamic run starting from the same scale.' };
  },
};

export const meta: LabMeta = {
  id: 'memory-precision',
  title: 'Activation checkpointing and mixed precision',
  summary: 'Two ways to fit more model in the same memory, measured: keep fewer activations and recompute them, or keep fewer bits per number. Find the √n sweet spot, watch fp16 gradients vanish below its floor, rescue them with loss scaling, and see why bf16 needs none.',
  learn: [
    'what a training step keeps for its backward pass, and the √n checkpointing rule',
    'peak memory against step time, both measured',
    'fp16 and bf16 rounding (round to nearest, ties to even), underflow and overflow',
    'fp32 master weights, static and dynamic loss scaling, skipped steps',
  ],
  minutes: 30,
  exercises: [sqrtN, tradeoff, underflow, bf16, overflow],
};

export const columns: Column<Run>[] = [
  { label: 'experiment', value: (r) => (r.result.experiment === 'checkpointing' ? `checkpointing, ${r.settings.depth} × ${r.settings.width}` : `${r.settings.precision}, scaling ${r.settings.scaling}`) },
  { label: 'best k / test acc', num: true, value: (r) => (r.result.experiment === 'checkpointing' ? `k = ${num(r, 'bestK')}` : pct(num(r, 'testAcc'))) },
  { label: 'memory saved / underflow', num: true, value: (r) => (r.result.experiment === 'checkpointing' ? pct(num(r, 'memorySaving')) : pct(num(r, 'meanUnderflow'), 3)) },
  { label: 'time cost / skipped', num: true, value: (r) => (r.result.experiment === 'checkpointing' ? pct(num(r, 'timeCost')) : String(num(r, 'skippedSteps'))) },
];

export function summarize(runs: RunRecord[]): string[] {
  const out: string[] = [];
  const ck = checkpointing(runs);
  if (ck.length) out.push(`${ck.length} checkpointing run(s): the best k saved ${pct(Math.min(...ck.map((r) => num(r, 'memorySaving'))))}–${pct(Math.max(...ck.map((r) => num(r, 'memorySaving'))))} of the peak memory.`);
  const pr = precision(runs);
  const fp16none = pr.filter((r) => r.settings.precision === 'fp16' && r.settings.scaling === 'none');
  if (fp16none.length) out.push(`Unscaled fp16 flushed up to ${pct(Math.max(...fp16none.map((r) => num(r, 'maxUnderflow'))), 3)} of the gradients to zero in a step.`);
  return out;
}

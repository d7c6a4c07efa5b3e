import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { PlannerSettings } from '../../src/lib/runners/scale-planner';
import { formatBytes, formatDuration, count } from '../../src/lib/core/format';
import { distRuns, fmt, num, statesNumber, type DistRun } from '../dist-kit/runs';
import type { Column } from '../kit/columns';

type Run = DistRun<PlannerSettings>;
const runsOf = (runs: RunRecord[]) => distRuns<PlannerSettings>(runs);
const GB = 1e9;

const fewest: Exercise = {
  id: 'fewest',
  title: 'The fewest GPUs for 6.7B',
  task: 'With the 6.7B model on 80 GB GPUs, set the number of GPUs to the fewest (a power of two) on which ZeRO-3 with checkpointing fits, and plan it.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.size === '6.7b' && r.settings.gpuMemoryGB === 80);
    const ok = rs.find((r) => num(r, 'zero3Fits') === 1 && r.settings.gpus === num(r, 'zero3Fewest'));
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: ZeRO-3 fits on ${ok.settings.gpus} GPUs at ${formatBytes(num(ok, 'zero3Total'), { si: true })} each; on ${ok.settings.gpus / 2} it would not.` };
    if (rs.length) return { passed: false, runId: rs[0].record.id, detail: `Run ${rs[0].label} used ${rs[0].settings.gpus} GPUs; ZeRO-3 with checkpointing first fits at ${num(rs[0], 'zero3Fewest')} at these settings.` };
    return { passed: false, detail: 'No plan of the 6.7B model on 80 GB GPUs yet.' };
  },
};

const dpWall: Exercise = {
  id: 'dp-wall',
  title: 'Why more GPUs do not help data parallelism',
  task: 'Plan the 6.7B model on 80 GB GPUs: data parallelism does not fit, however many GPUs you give it. Explain why, stating the model-state memory it needs per GPU in GB.',
  answerPrompt: 'Data parallelism needs … GB per GPU because …',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.size === '6.7b' && num(x, 'dpFits') === 0);
    if (!r) return { passed: false, detail: 'Plan the 6.7B model where data parallelism does not fit first.' };
    const states = (16 * num(r, 'params')) / GB;
    const a = answers['dp-wall'] ?? '';
    const passed = statesNumber(a, states, 0.05 * states) && /(replica|every (gpu|rank)|copy|each gpu|not (divided|sharded))/i.test(a);
    return { passed, runId: r.record.id, detail: passed ? `Right: 16 bytes × ${count(num(r, 'params'))} parameters = ${fmt(states, 1)} GB on every GPU, whatever N is.` : `Each GPU holds a full copy: 16 bytes per parameter = ${fmt(states, 1)} GB. Say that number and why N does not divide it.` };
  },
};

const big: Exercise = {
  id: 'big',
  title: 'Fit 65B on 16 GPUs, no offload',
  task: 'Find settings under which the 65B model fits on at most 16 GPUs of 80 GB or less without offloading the optimizer to the CPU.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.size === '65b' && r.settings.gpus <= 16 && r.settings.gpuMemoryGB <= 80);
    const ok = rs.find((r) => num(r, 'fittingNoOffload') > 0);
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: ${num(ok, 'fittingNoOffload')} configuration(s) without offload fit on ${ok.settings.gpus} GPUs (ZeRO-3 with checkpointing: ${formatBytes(num(ok, 'zero3Total'), { si: true })} per GPU).` };
    return { passed: false, detail: rs.length ? `None of your ${rs.length} plan(s) of 65B on ≤ 16 GPUs fits without offload: which stage divides all 16 bytes per parameter by N?` : 'No plan of the 65B model on 16 GPUs or fewer yet.' };
  },
};

export const meta: LabMeta = {
  id: 'scale-planner',
  title: 'Planning a 1B-70B training run',
  summary: 'Size a real training run before renting the GPUs: memory per GPU by component, whether it fits, and the step time from FLOPs and the network, for data parallelism and every ZeRO stage, with offload and checkpointing. The same formulas your ZeRO lab runs were measured against.',
  learn: [
    'model states (16 bytes per parameter in mixed-precision Adam) against activations',
    'how ZeRO stages, offload and checkpointing move the fit line',
    'compute time from FLOPs, communication from bytes and bandwidth',
    'why some models need many GPUs for memory before speed',
  ],
  minutes: 20,
  exercises: [fewest, dpWall, big],
};

export const columns: Column<Run>[] = [
  { label: 'model', value: (r) => `${r.settings.size} (${fmt(num(r, 'params') / GB, 1)}B)` },
  { label: 'GPUs', num: true, value: (r) => String(r.settings.gpus) },
  { label: 'ZeRO-3 + ckpt / GPU', num: true, value: (r) => formatBytes(num(r, 'zero3Total'), { si: true }) },
  { label: 'configurations that fit', num: true, value: (r) => String(num(r, 'fitting')) },
  { label: 'ZeRO-3 step', num: true, wide: true, value: (r) => formatDuration(1000 * num(r, 'zero3StepSeconds')) },
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  return [`${rs.length} plan(s) of ${[...new Set(rs.map((r) => r.settings.size))].join(', ')}; ${rs.filter((r) => num(r, 'fitting') > 0).length} had at least one configuration that fits.`];
}

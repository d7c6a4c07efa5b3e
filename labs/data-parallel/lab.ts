import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { DataParallelSettings } from '../../src/lib/runners/data-parallel-fields';
import { formatBytes, formatDuration, pct } from '../../src/lib/core/format';
import { distRuns, fmt, num, sameExcept, statesNumber, type DistRun } from '../dist-kit/runs';
import type { Column } from '../kit/columns';

type Run = DistRun<DataParallelSettings>;
const runsOf = (runs: RunRecord[]) => distRuns<DataParallelSettings>(runs);

const equivalence: Exercise = {
  id: 'equivalence',
  title: 'Four ranks, one model',
  task: 'Train with 4 or more ranks and "Compare with one worker" on. Averaging the ranks\' gradients must end where one worker with the whole global batch ends.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.ranks >= 4 && r.settings.compareSingle);
    const ok = rs.find((r) => num(r, 'equivalent') === 1);
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: ${ok.settings.ranks} ranks x batch ${ok.settings.batchPerRank} ended ${fmt(num(ok, 'relDiff'), 8)} (relative) from one worker with batch ${num(ok, 'globalBatch')}: the same training up to float rounding.` };
    if (rs.length) return { passed: false, runId: rs[0].record.id, detail: `Run ${rs[0].label} ended ${fmt(num(rs[0], 'relDiff'), 8)} from one worker, above the tolerance: do the ranks and the one worker see the same global batch (same seed, steps, learning rate)?` };
    return { passed: false, detail: 'No run yet with 4 or more ranks and the one-worker comparison on.' };
  },
};

const accumulation: Exercise = {
  id: 'accumulation',
  title: 'The same global batch, two ways',
  task: 'Make one global batch twice with the same seed, steps and optimizer: once with more ranks and accumulation 1, once with accumulation 2 or more (e.g. 4 ranks x 32 x 1 and 2 ranks x 32 x 2). Both must match one worker.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.compareSingle && num(r, 'equivalent') === 1);
    for (const a of rs.filter((r) => r.settings.accumSteps >= 2)) {
      for (const b of rs.filter((r) => r.settings.accumSteps === 1)) {
        if (num(a, 'globalBatch') !== num(b, 'globalBatch') || !sameExcept(a, b, ['ranks', 'batchPerRank', 'accumSteps', 'transport', 'algorithm', 'ranksPerNode', 'latencyUs', 'bandwidthGBps', 'interLatencyUs', 'interBandwidthGBps'])) continue;
        return { passed: true, runId: a.record.id, detail: `Global batch ${num(a, 'globalBatch')}: ${a.settings.ranks} x ${a.settings.batchPerRank} x ${a.settings.accumSteps} and ${b.settings.ranks} x ${b.settings.batchPerRank} x 1 both matched one worker. Bytes per update per rank: ${formatBytes(num(a, 'bytesPerStep'))} and ${formatBytes(num(b, 'bytesPerStep'))}.` };
      }
    }
    return { passed: false, detail: 'Need two runs that both matched one worker, with the same global batch and other settings, one with accumulation ≥ 2 and one without.' };
  },
};

const ringBytes: Exercise = {
  id: 'ring-bytes',
  title: 'What a ring costs each rank',
  task: 'Run the same model with 2 ranks and with 8 ranks. The ring formula says each rank sends 2(N−1)/N of the gradient bytes: 1x the model at 2 ranks, 1.75x at 8.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs.filter((r) => r.settings.ranks === 8)) {
      const b = rs.find((r) => r.settings.ranks === 2 && r.settings.model === a.settings.model);
      if (!b) continue;
      const ratio = num(a, 'bytesPerStep') / num(b, 'bytesPerStep');
      const passed = Math.abs(ratio - 1.75) < 0.01;
      return { passed, runId: a.record.id, detail: `8 ranks sent ${formatBytes(num(a, 'bytesPerStep'))} per update each, 2 ranks ${formatBytes(num(b, 'bytesPerStep'))}: ratio ${fmt(ratio)}${passed ? ', as 2·7/8 ÷ 2·1/2 = 1.75 says.' : ' (expected 1.75).'}` };
    }
    return { passed: false, detail: 'Need a run with 8 ranks and one with 2 ranks of the same model.' };
  },
};

const overlap: Exercise = {
  id: 'overlap',
  title: 'When communication dominates',
  task: 'Lower the simulated bandwidth until the simulated all-reduces take longer than the compute. How many milliseconds per step did overlapping communication with the backward pass save there? Answer with your run\'s number.',
  answerPrompt: 'Overlap saved … ms per step (and why it cannot save more)',
  check({ runs, answers }): CheckResult {
    const rs = runsOf(runs).filter((r) => num(r, 'simCommMs') > num(r, 'simComputeMs'));
    if (!rs.length) return { passed: false, detail: 'No run yet whose simulated communication outlasts its compute: lower the bandwidth (More settings).' };
    const a = answers.overlap ?? '';
    const hit = rs.find((r) => {
      const saved = num(r, 'simStepMsNoOverlap') - num(r, 'simStepMs');
      return statesNumber(a, saved, Math.max(0.05, 0.1 * saved));
    });
    if (hit) return { passed: true, runId: hit.record.id, detail: `Run ${hit.label}: ${formatDuration(num(hit, 'simStepMsNoOverlap'))} without overlap, ${formatDuration(num(hit, 'simStepMs'))} with; overlap can hide at most the backward pass, ${pct(num(hit, 'simComputeMs') / num(hit, 'simStepMs'))} of the step here.` };
    const r = rs[0];
    return { passed: false, runId: r.record.id, detail: `In run ${r.label} overlap saved ${fmt(num(r, 'simStepMsNoOverlap') - num(r, 'simStepMs'), 2)} ms per step: state that number in your answer.` };
  },
};

export const meta: LabMeta = {
  id: 'data-parallel',
  title: 'Data parallelism: ranks, rings and all-reduce',
  summary: 'Train one model on several workers at once: each takes its shard of the data, and a ring all-reduce written by hand averages their gradients. Check it against one worker, then see on a simulated network when talking costs more than computing.',
  learn: [
    'how a distributed sampler gives each rank a disjoint, reshuffled shard',
    'the ring all-reduce: reduce-scatter then all-gather, 2(N−1)/N of the bytes per rank',
    'why N ranks with batch b equal one worker with batch N·b, and accumulation equals a larger batch',
    'latency, bandwidth, ring vs tree, and what overlapping communication with compute buys',
  ],
  minutes: 25,
  exercises: [equivalence, accumulation, ringBytes, overlap],
};

export const columns: Column<Run>[] = [
  { label: 'ranks × batch × k', value: (r) => `${r.settings.ranks} × ${r.settings.batchPerRank} × ${r.settings.accumSteps}` },
  { label: 'test acc', num: true, value: (r) => pct(num(r, 'testAcc')) },
  { label: 'vs one worker', value: (r) => (Number.isFinite(num(r, 'relDiff')) ? fmt(num(r, 'relDiff'), 8) : '–') },
  { label: 'bytes/update/rank', value: (r) => formatBytes(num(r, 'bytesPerStep')) },
  { label: 'simulated step', value: (r) => formatDuration(num(r, 'simStepMs')) },
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} run(s); test accuracy ${pct(Math.min(...rs.map((r) => num(r, 'testAcc'))))}–${pct(Math.max(...rs.map((r) => num(r, 'testAcc'))))}.`];
  const compared = rs.filter((r) => Number.isFinite(num(r, 'relDiff')));
  if (compared.length) out.push(`${compared.filter((r) => num(r, 'equivalent') === 1).length} of ${compared.length} compared run(s) matched one worker; the largest relative difference was ${fmt(Math.max(...compared.map((r) => num(r, 'relDiff'))), 8)}.`);
  const commBound = rs.filter((r) => num(r, 'simCommMs') > num(r, 'simComputeMs'));
  if (commBound.length) out.push(`${commBound.length} run(s) had a simulated network slow enough that communication outlasted compute.`);
  return out;
}

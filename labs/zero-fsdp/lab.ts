import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { ZeroSettings } from '../../src/lib/runners/zero-fsdp-fields';
import type { Strategy } from '../../src/lib/distributed/strategy';
import { formatBytes, pct } from '../../src/lib/core/format';
import { distRuns, fmt, num, sameExcept, statesNumber, type DistRun } from '../dist-kit/runs';
import type { Column } from '../kit/columns';

type Run = DistRun<ZeroSettings>;
const runsOf = (runs: RunRecord[]) => distRuns<ZeroSettings>(runs);
const SHARDING_KEYS = ['strategy', 'offload', 'compareDp', 'transport'];

const stages: Exercise = {
  id: 'stages',
  title: 'Climb the stages',
  task: 'Run data parallel, ZeRO-1, ZeRO-2 and ZeRO-3 with the same ranks, precision and optimizer. Each rank\'s measured model-state memory must fall stage by stage and sit on the ZeRO formula.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => !r.settings.offload);
    const order: Strategy[] = ['dp', 'zero1', 'zero2', 'zero3'];
    for (const base of rs.filter((r) => r.settings.strategy === 'dp')) {
      const set = order.map((st) => rs.find((r) => r.settings.strategy === st && sameExcept(r, base, SHARDING_KEYS)));
      if (set.some((r) => !r)) continue;
      const held = set.map((r) => num(r!, 'heldTotal'));
      const onFormula = set.every((r) => Math.abs(num(r!, 'heldTotal') / num(r!, 'formulaTotal') - 1) < 0.01);
      const falling = held.every((h, i) => i === 0 || h < held[i - 1]);
      const passed = onFormula && (falling || base.settings.ranks === 1);
      return { passed, runId: set[3]!.record.id, detail: `${base.settings.ranks} ranks, ${base.settings.precision}: ${held.map((h) => formatBytes(h)).join(' → ')} per rank${onFormula ? ', each within 1% of the formula' : '; some run is more than 1% off its formula'}.` };
    }
    return { passed: false, detail: 'Need data parallel, ZeRO-1, ZeRO-2 and ZeRO-3 runs (no offload) with otherwise equal settings.' };
  },
};

const identical: Exercise = {
  id: 'identical',
  title: 'Sharding changes nothing about the math',
  task: 'Run ZeRO-3 with "Compare with data parallel" on: the trained weights must be bit-identical to plain data parallel\'s.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.strategy === 'zero3' && r.settings.compareDp);
    const ok = rs.find((r) => num(r, 'dpIdentical') === 1);
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label}: every one of ${num(ok, 'params').toLocaleString('en')} weights equal to data parallel's, with ${formatBytes(num(ok, 'heldTotal'))} per rank instead of ${formatBytes(num(ok, 'dpHeldTotal'))}.` };
    if (rs.length) return { passed: false, runId: rs[0].record.id, detail: `Run ${rs[0].label} differs from data parallel by up to ${fmt(num(rs[0], 'dpMaxAbsDiff'), 8)}.` };
    return { passed: false, detail: 'No ZeRO-3 run with the data-parallel comparison on yet.' };
  },
};

const traffic: Exercise = {
  id: 'traffic',
  title: 'What ZeRO-3 pays for its memory',
  task: 'Run ZeRO-2 and ZeRO-3 with otherwise equal settings and compare the bytes each rank sent per step. Write the ratio you measured.',
  answerPrompt: 'ZeRO-3 sent … times ZeRO-2\'s bytes per step, because …',
  check({ runs, answers }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs.filter((r) => r.settings.strategy === 'zero3' && r.settings.ranks > 1)) {
      const b = rs.find((r) => r.settings.strategy === 'zero2' && sameExcept(r, a, SHARDING_KEYS));
      if (!b) continue;
      const ratio = num(a, 'bytesPerStep') / num(b, 'bytesPerStep');
      const passed = statesNumber(answers.traffic ?? '', ratio, 0.05);
      return { passed, runId: a.record.id, detail: passed ? `Measured ${fmt(ratio, 3)}: ZeRO-3 all-gathers the parameters for the forward and again for the backward, ZeRO-2 once after the update.` : `Your runs measured a ratio of ${fmt(ratio, 3)} (${formatBytes(num(a, 'bytesPerStep'))} vs ${formatBytes(num(b, 'bytesPerStep'))}): state it in your answer.` };
    }
    return { passed: false, detail: 'Need a ZeRO-3 run (2 or more ranks) and a ZeRO-2 run with otherwise equal settings.' };
  },
};

const offload: Exercise = {
  id: 'offload',
  title: 'Move the optimizer off the device',
  task: 'Run ZeRO-2 with "Offload the optimizer" on. No optimizer state stays on the ranks; see what crosses to the host every step instead.',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.offload && num(x, 'heldOptimizer') === 0 && num(x, 'toHost') > 0);
    if (r) return { passed: true, runId: r.record.id, detail: `Run ${r.label}: 0 bytes of optimizer state per rank (the host holds ${formatBytes(num(r, 'hostBytes'))}); each rank sent ${formatBytes(num(r, 'toHost'))} of gradients down and got ${formatBytes(num(r, 'fromHost'))} of parameters back per step.` };
    return { passed: false, detail: 'No run with offload on yet.' };
  },
};

export const meta: LabMeta = {
  id: 'zero-fsdp',
  title: 'ZeRO and FSDP: shard the optimizer, the gradients, the weights',
  summary: 'Several workers train one model and each keeps only a slice of what data parallelism replicates. Measure every rank\'s memory from the buffers it holds, count the bytes it sends, and check the trained weights against plain data parallelism bit for bit.',
  learn: [
    'where 16 bytes per parameter go in mixed-precision Adam: 2 + 2 + 12',
    'ZeRO stages 1, 2 and 3 and FSDP\'s NO_SHARD, SHARD_GRAD_OP and FULL_SHARD as the same mechanics',
    'why ZeRO-3 moves 1.5x the bytes of data parallelism, gathering each layer just before it runs',
    'CPU offload of the optimizer and what it costs in transfers',
  ],
  minutes: 30,
  exercises: [stages, identical, traffic, offload],
};

export const columns: Column<Run>[] = [
  { label: 'strategy', value: (r) => `${r.settings.strategy}${r.settings.offload ? ' + offload' : ''}` },
  { label: 'ranks', num: true, value: (r) => String(r.settings.ranks) },
  { label: 'memory/rank', num: true, value: (r) => formatBytes(num(r, 'heldTotal')) },
  { label: 'formula', num: true, value: (r) => formatBytes(num(r, 'formulaTotal')) },
  { label: 'bytes/step', num: true, value: (r) => formatBytes(num(r, 'bytesPerStep')) },
  { label: 'test acc', num: true, wide: true, value: (r) => pct(num(r, 'testAcc')) },
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} run(s) over ${new Set(rs.map((r) => r.settings.strategy)).size} strategies.`];
  const worst = rs.reduce((m, r) => Math.max(m, Math.abs(num(r, 'heldTotal') / num(r, 'formulaTotal') - 1)), 0);
  out.push(`Measured memory per rank was within ${pct(worst, 2)} of the ZeRO formula in every run (the gap is shard padding).`);
  const compared = rs.filter((r) => Number.isFinite(num(r, 'dpIdentical')));
  if (compared.length) out.push(`${compared.filter((r) => num(r, 'dpIdentical') === 1).length} of ${compared.length} run(s) compared with data parallel ended bit-identical.`);
  return out;
}

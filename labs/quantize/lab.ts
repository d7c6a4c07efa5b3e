import type { CheckResult, Exercise, LabMeta } from '../types';
import { formatBytes, plural } from '../../src/lib/core/format';
import type { RunRecord } from '../../src/lib/store/types';
import { byKey, groups, type Group } from '../compress-kit/runs';
import { pct, points } from '../compress-kit/format';
import { names, statesShare } from '../kit/answer';

const acc = (g: Group, key: string) => byKey(g, key)?.variant?.accuracy ?? NaN;
const bytes = (g: Group, key: string) => byKey(g, key)?.variant?.bytes ?? NaN;
const setting = (g: Group, key: string) => String(g.runs[0].params[key]);

const int8Free: Exercise = {
  id: 'int8-free',
  title: 'int8 weights: a quarter of the size for (almost) nothing',
  task: 'Run the lab. Dynamic int8 with per-channel scales should stay within 1 point of the float32 model at under 30% of its size.',
  check({ runs }): CheckResult {
    for (const g of groups(runs)) {
      const a = acc(g, 'int8-channel'), f = acc(g, 'float32');
      const ratio = bytes(g, 'int8-channel') / bytes(g, 'float32');
      if (a >= f - 0.01 && ratio < 0.3) return { passed: true, runId: byKey(g, 'int8-channel')!.id, detail: `int8 per channel ${pct(a)} against float32 ${pct(f)} (${points(a, f)}) at ${(100 * ratio).toFixed(1)}% of the bytes.` };
    }
    return { passed: false, detail: 'No run yet where int8 per channel kept accuracy within 1 point at under 30% of the size.' };
  },
};

const qatRecovers: Exercise = {
  id: 'qat-recovers',
  title: 'Lose accuracy to int4, win it back with QAT',
  task: 'Find settings (int4 scales per tensor is the harsher choice) where int4 post-training quantization loses at least half a point, and QAT wins back at least half of the loss. Compare with the float model fine-tuned on the same budget: how much of the gain is just extra training?',
  check({ runs }): CheckResult {
    let last: Group | undefined;
    for (const g of groups(runs)) {
      const f = acc(g, 'float32'), p = acc(g, 'int4-ptq'), q = acc(g, 'int4-qat');
      last ??= g;
      if (f - p >= 0.005 && q - p >= (f - p) / 2) return { passed: true, runId: byKey(g, 'int4-qat')!.id, detail: `float32 ${pct(f)}, int4 PTQ ${pct(p)} (${points(p, f)}), int4 QAT ${pct(q)} (${points(q, p)} over PTQ); the float control fine-tuned alike reached ${pct(acc(g, 'float-ft'))}.` };
    }
    if (!last) return { passed: false, detail: 'Run the lab first.' };
    return { passed: false, runId: last.runs[0].id, detail: `Latest run: float32 ${pct(acc(last, 'float32'))}, int4 PTQ ${pct(acc(last, 'int4-ptq'))}, QAT ${pct(acc(last, 'int4-qat'))}. Need PTQ at least 0.5 points below float and QAT recovering half of that.` };
  },
};

const percentile: Exercise = {
  id: 'percentile-4bit',
  title: 'Calibration ranges at 4-bit activations',
  task: 'Run with activation bits int4 and compare the static variants calibrated with min–max and with percentile ranges. Which won, and why?',
  answerPrompt: 'Which range method won at 4 bits in your run (min–max or percentile), its accuracy (e.g. 80.1%), and why?',
  check({ runs, answers }): CheckResult {
    const g = groups(runs).find((x) => setting(x, 'activationBits') === '4');
    if (!g) return { passed: false, detail: 'No run with int4 activations yet.' };
    const mm = acc(g, 'static-minmax'), pc = acc(g, 'static-percentile');
    const a = (answers['percentile-4bit'] ?? '').trim();
    // The answer names the method that won in this run (and not only the other one) and states its accuracy.
    const winner = pc >= mm ? 'percentile' : 'min–max';
    const namesMinMax = /min\s*[-–—]?\s*max/i.test(a);
    const namesWinner = winner === 'percentile' ? names(a, 'percentile') : namesMinMax;
    const good = namesWinner && statesShare(a, Math.max(mm, pc), 0.0006) && /(outlier|clip|range|step|resolution|grid|tail|rare)/i.test(a);
    return { passed: good, runId: g.runs[0].id, detail: `With int4 activations: min–max ${pct(mm)}, percentile ${pct(pc)} (${points(pc, mm)}).${good ? '' : ` Name the method that won in this run, state its accuracy, and explain in a sentence or two what a wide range does to the size of each step.`}` };
  },
};

const granularity: Exercise = {
  id: 'int4-granularity',
  title: 'Per tensor against per channel at int4',
  task: 'Run once with int4 scales per tensor and once per channel, other settings equal, and compare int4 PTQ accuracy and size.',
  check({ runs }): CheckResult {
    const gs = groups(runs);
    // The two runs differ only in int4 granularity: every other setting of the lab is the same.
    const same = (a: Group, b: Group) => ['base', 'seed', 'calibrationSize', 'percentile', 'activationBits', 'qatEpochs', 'qatLearningRate', 'trainSize', 'testSize'].every((k) => setting(a, k) === setting(b, k));
    const pairs = gs.filter((g) => setting(g, 'int4Granularity') === 'tensor').flatMap((tg) => gs.filter((cg) => setting(cg, 'int4Granularity') === 'channel' && same(tg, cg)).map((cg) => [tg, cg] as const));
    const t = pairs[0]?.[0] ?? gs.find((g) => setting(g, 'int4Granularity') === 'tensor');
    const c = pairs[0]?.[1] ?? gs.find((g) => setting(g, 'int4Granularity') === 'channel');
    if (!t || !c) return { passed: false, detail: `Need a run with int4 scales per tensor and one per channel (have ${t ? 'per tensor' : 'no per-tensor run'}, ${c ? 'per channel' : 'no per-channel run'}).` };
    if (!pairs.length) return { passed: false, detail: 'Your per-tensor and per-channel runs differ in other settings too: change only the int4 scales and run again.' };
    return { passed: true, runId: byKey(c, 'int4-ptq')?.id, detail: `int4 PTQ per tensor ${pct(acc(t, 'int4-ptq'))} at ${bytes(t, 'int4-ptq')} bytes; per channel ${pct(acc(c, 'int4-ptq'))} at ${bytes(c, 'int4-ptq')} bytes (one float32 scale per output unit).` };
  },
};

export const meta: LabMeta = {
  id: 'quantize',
  title: 'Quantization: int8, int4 and quantization-aware training',
  summary: 'Store a trained classifier in 8 and 4 bits: weight-only and static quantization, calibration ranges, per-channel scales, and QAT, with accuracy, bytes and errors measured.',
  learn: [
    'linear quantization x ≈ s·(q − z): scales, zero points, symmetric and asymmetric grids',
    'dynamic (weights only) against static (activations too, calibrated on sample images) quantization',
    'min–max against percentile calibration ranges, per-tensor against per-channel scales',
    'quantization-aware training: rounding in the forward pass, a straight-through gradient',
  ],
  minutes: 25,
  exercises: [int8Free, qatRecovers, percentile, granularity],
};

export function summarize(runs: RunRecord[]): string[] {
  const gs = groups(runs);
  if (!gs.length) return [];
  const out = [`${plural(gs.length, 'run')}, ${runs.length} saved variants.`];
  const g = gs[0];
  const f = acc(g, 'float32');
  out.push(`Latest: float32 ${pct(f)} in ${formatBytes(bytes(g, 'float32'))}; int8 per channel ${pct(acc(g, 'int8-channel'))} in ${formatBytes(bytes(g, 'int8-channel'))}; int4 ${pct(acc(g, 'int4-ptq'))} after PTQ and ${pct(acc(g, 'int4-qat'))} after QAT in ${formatBytes(bytes(g, 'int4-qat'))}.`);
  const ft = acc(g, 'float-ft');
  if (Number.isFinite(ft)) {
    const gain = acc(g, 'int4-qat') - acc(g, 'int4-ptq');
    const gainText = `QAT's gain over PTQ (${points(acc(g, 'int4-qat'), acc(g, 'int4-ptq'))})`;
    const cause =
      gain <= 0 ? `${gainText} is not a gain here, so there is nothing for the longer training to explain.`
      : ft > f ? `part of ${gainText} may come from training longer, not from learning the rounding.`
      : `training longer did not help the float model, so ${gainText} is not explained by the extra training.`;
    out.push(`The float model fine-tuned on QAT's budget reached ${pct(ft)} (${points(ft, f)}): ${cause}`);
  }
  return out;
}

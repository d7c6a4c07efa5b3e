import type { CheckResult, Exercise, LabMeta } from '../types';
import { formatBytes, plural } from '../../src/lib/core/format';
import type { RunRecord } from '../../src/lib/store/types';
import { byKey, groups, type Group } from '../compress-kit/runs';
import { pct, points } from '../compress-kit/format';

const p = (r: RunRecord, k: string) => r.params[k];
const teacherAcc = (g: Group) => Number(p(g.runs[0], 'teacherAccuracy'));
const teacherBytes = (g: Group) => Number(p(g.runs[0], 'teacherBytes'));
const ofKind = (g: Group, kind: string) => g.runs.filter((r) => p(r, 'kind') === kind);

const smallStudent: Exercise = {
  id: 'small-student',
  title: 'A student within 5 points of its teacher at a fraction of the size',
  task: 'Distil into a student of at most 15% of the teacher’s bytes that scores within 5 points of the teacher.',
  check({ runs }): CheckResult {
    for (const g of groups(runs)) for (const r of [...ofKind(g, 'distilled'), ...ofKind(g, 'qat')]) {
      const frac = r.variant!.bytes / teacherBytes(g);
      if (r.variant!.accuracy >= teacherAcc(g) - 0.05 && frac <= 0.15) return { passed: true, runId: r.id, detail: `${r.variant!.description}: ${pct(r.variant!.accuracy)} against the teacher's ${pct(teacherAcc(g))} (${points(r.variant!.accuracy, teacherAcc(g))}) at ${(100 * frac).toFixed(1)}% of its bytes.` };
    }
    return { passed: false, detail: 'No distilled student yet within 5 points of its teacher at ≤ 15% of its size.' };
  },
};

const beatAlone: Exercise = {
  id: 'beat-alone',
  title: 'Does the teacher help?',
  task: 'Sweep temperatures and α (and try a smaller student). Find a setting where the distilled student beats the same student trained alone (same seed, data and budget).',
  check({ runs }): CheckResult {
    let best: { g: Group; r: RunRecord; alone: number } | undefined;
    for (const g of groups(runs)) {
      const alone = byKey(g, 'alone')?.variant?.accuracy ?? NaN;
      for (const r of ofKind(g, 'distilled')) if (!best || r.variant!.accuracy - alone > best.r.variant!.accuracy - best.alone) best = { g, r, alone };
    }
    if (!best) return { passed: false, detail: 'Run the lab first.' };
    const gain = best.r.variant!.accuracy - best.alone;
    return { passed: gain > 0, runId: best.r.id, detail: `Best: ${best.r.variant!.description} ${pct(best.r.variant!.accuracy)} against ${pct(best.alone)} alone (${points(best.r.variant!.accuracy, best.alone)}). With 1,000 test images a difference under about 2 points may be noise: try another seed.` };
  },
};

const self: Exercise = {
  id: 'self-distill',
  title: 'Self-distillation',
  task: 'Turn on self-distillation: a fresh copy of the teacher’s architecture learns from the teacher. Compare it with the teacher.',
  check({ runs }): CheckResult {
    for (const g of groups(runs)) for (const r of ofKind(g, 'self')) return { passed: true, runId: r.id, detail: `Self-distilled ${pct(r.variant!.accuracy)} against the teacher's ${pct(teacherAcc(g))} (${points(r.variant!.accuracy, teacherAcc(g))}), trained on ${p(r, 'trainSize')} images for ${p(r, 'epochs')} epochs.` };
    return { passed: false, detail: 'No self-distilled student yet (set Self-distillation to yes).' };
  },
};

const quantStudent: Exercise = {
  id: 'qat-student',
  title: 'Distil into a quantized student',
  task: 'Choose a quantized student (int4 QAT): distillation and quantization-aware training together. How small does it get, and what does it cost in accuracy?',
  check({ runs }): CheckResult {
    for (const g of groups(runs)) for (const r of ofKind(g, 'qat')) {
      const frac = r.variant!.bytes / teacherBytes(g);
      return { passed: true, runId: r.id, detail: `${r.variant!.description}: ${pct(r.variant!.accuracy)} at ${(100 * frac).toFixed(2)}% of the teacher's bytes (teacher ${pct(teacherAcc(g))}).` };
    }
    return { passed: false, detail: 'No quantized student yet.' };
  },
};

const yourTeacher: Exercise = {
  id: 'your-teacher',
  title: 'Your own model as the teacher',
  task: 'Train a model in the training lab (a CNN makes a strong teacher), then come back and distil it: the lab picks your latest finished run.',
  check({ runs }): CheckResult {
    for (const g of groups(runs)) {
      const base = String(p(g.runs[0], 'base'));
      if (base.startsWith('your training run')) return { passed: true, runId: g.runs[0].id, detail: `Teacher: ${base}, ${pct(teacherAcc(g))} here; best student ${pct(Math.max(...g.runs.map((r) => r.variant!.accuracy)))}.` };
    }
    return { passed: false, detail: 'Every run so far used the default teacher: finish a run in the training lab first.' };
  },
};

export const meta: LabMeta = {
  id: 'distill',
  title: 'Knowledge distillation',
  summary: 'Train a small student to imitate a large teacher’s softened predictions, against the same student trained alone; then self-distil and distil into a quantized student.',
  learn: [
    'the distillation loss α·T²·KL(teacher ‖ student at temperature T) + (1 − α)·cross-entropy',
    'what the temperature reveals: the teacher’s “dark knowledge” about similar classes',
    'fair comparisons: same seed, data and budget for every student',
    'self-distillation, and distillation combined with quantization-aware training',
  ],
  minutes: 25,
  exercises: [smallStudent, beatAlone, self, quantStudent, yourTeacher],
};

export function summarize(runs: RunRecord[]): string[] {
  const gs = groups(runs);
  if (!gs.length) return [];
  const g = gs[0];
  const alone = byKey(g, 'alone')?.variant;
  const best = [...ofKind(g, 'distilled')].sort((a, b) => b.variant!.accuracy - a.variant!.accuracy)[0]?.variant;
  const out = [`${plural(gs.length, 'run')}. Latest teacher: ${pct(teacherAcc(g))} in ${formatBytes(teacherBytes(g))}.`];
  if (alone && best) out.push(`Student alone ${pct(alone.accuracy)}; best distilled (${best.description}) ${pct(best.accuracy)}, ${points(best.accuracy, alone.accuracy)} for the teacher's help, at ${(100 * best.bytes / teacherBytes(g)).toFixed(1)}% of the teacher's size.`);
  return out;
}

import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, sameExcept } from '../kit/runs';
import { col, type Column, type Run } from '../kit/columns';
import { fixed as fmt, pct, plural } from '../../src/lib/core/format';

type S = { seed: number; n: number; labelBias: number; labelNoise: number; threshold: number; bins: number; minSlice: number; shiftFeature: string };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const survive: Exercise = {
  id: 'survive',
  title: 'Does the worst slice survive a stricter search?',
  task: 'Raise the smallest slice to 100 or more and run. Is the worst slice still significantly worse than overall after the Bonferroni adjustment?',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.minSlice >= 100);
    if (!r) return { passed: false, detail: 'No run with smallest slice ≥ 100 yet.' };
    const p = num(r, 'worstPAdjusted');
    return { passed: true, runId: r.record.id, detail: `Worst slice among ${num(r, 'slicesTested')}: "${r.result.worstSlice}" with ${pct(num(r, 'worstErrorRate'))} errors on ${num(r, 'worstN')} cases; adjusted p = ${p < 1e-4 ? '< 0.0001' : fmt(p, 4)} — ${p < 0.05 ? 'significant: worth a look' : 'not significant: could be luck'}.` };
  },
};

const labelErrors: Exercise = {
  id: 'label-errors',
  title: 'Blame the labels, measurably',
  task: 'Run with label noise 0 and with label noise ≥ 0.15, other settings equal. Accuracy against the recorded labels should fall much more than accuracy against the truth.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs.filter((r) => r.settings.labelNoise >= 0.15)) for (const b of rs.filter((r) => r.settings.labelNoise === 0)) {
      if (!sameExcept(a, b, ['labelNoise'])) continue;
      const dRec = num(b, 'accuracy') - num(a, 'accuracy');
      const dTrue = num(b, 'accuracyTrue') - num(a, 'accuracyTrue');
      const passed = dRec > 2 * Math.max(dTrue, 0.005);
      return { passed, runId: a.record.id, detail: `Noise ${a.settings.labelNoise}: accuracy fell ${pct(dRec)} against recorded labels but ${pct(dTrue)} against the truth; ${pct(num(a, 'labelErrorShare'))} of the model's "errors" were label errors.` };
    }
    return { passed: false, detail: 'Need a run with label noise 0 and one with ≥ 0.15, other settings equal.' };
  },
};

const occlusion: Exercise = {
  id: 'occlusion',
  title: 'Which missing feature hurts most?',
  task: 'Read the occlusion chart of a run and name the feature whose loss (imputed by its mean) costs the most accuracy.',
  answerPrompt: 'Which feature, and why might it matter most?',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs)[0];
    if (!r) return { passed: false, detail: 'Run the lab first.' };
    const feature = String(r.result.worstOcclusion);
    const a = (answers['occlusion'] ?? '').trim();
    const good = a.toLowerCase().includes(feature.toLowerCase()) && a.length >= 20;
    return { passed: good, runId: r.record.id, detail: good ? `Yes: without ${feature} accuracy drops to ${pct(num(r, 'worstOcclusionAccuracy'))} (from ${pct(num(r, 'accuracy'))}).` : 'Your answer should name the feature the chart shows and give a reason.' };
  },
};

export const meta: LabMeta = {
  id: 'error-analysis',
  title: 'Error analysis: slices, label errors and robustness',
  summary: 'Find where a credit model fails: error rates on every slice and pair of slices, the worst slices tested for significance, label errors among its mistakes, and its accuracy under noise, missing features and shifted inputs.',
  learn: [
    'slice metrics by feature ranges and categories, and intersections of two',
    'why the worst of hundreds of slices needs a multiple-testing correction',
    'how many of a model\u2019s "errors" are wrong labels (the generator keeps the truth)',
    'robustness tests: input noise, occlusion (a missing feature) and covariate shift',
  ],
  minutes: 20,
  exercises: [survive, labelErrors, occlusion],
};

export const columns: Column<Run>[] = [
  col.setting('noise', 'labelNoise'),
  col.setting('min slice', 'minSlice'),
  col.pct('accuracy', 'accuracy'),
  col.pct('vs truth', 'accuracyTrue'),
  col.pct('worst slice error', 'worstErrorRate'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out: string[] = [];
  const sig = rs.filter((r) => num(r, 'worstPAdjusted') < 0.05);
  out.push(`${plural(rs.length, 'run')}; in ${sig.length} the worst slice was significantly worse than overall after adjusting for the slices searched.`);
  const gap = rs.map((r) => num(r, 'accuracyTrue') - num(r, 'accuracy'));
  const lo = pct(Math.min(...gap));
  const hi = pct(Math.max(...gap));
  if (Math.min(...gap) > 0) out.push(`Accuracy against the truth exceeded accuracy against the recorded labels by ${lo === hi ? lo : `${lo} to ${hi}`}: measured error includes the labels' own errors.`);
  else out.push(`Accuracy against the truth minus accuracy against the recorded labels ranged ${lo === hi ? `at ${lo}` : `from ${lo} to ${hi}`}: with this label noise, the recorded labels did not always understate the model.`);
  const shift = rs.map((r) => `${r.settings.shiftFeature} −2 sd → ${pct(num(r, 'accuracyShiftMinus2'))}, +2 sd → ${pct(num(r, 'accuracyShiftPlus2'))}`);
  out.push(`Under shift: ${[...new Set(shift)].slice(0, 3).join('; ')}.`);
  return out;
}

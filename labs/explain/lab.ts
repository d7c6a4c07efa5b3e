import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, sameExcept } from '../kit/runs';
import { bestRun } from '../kit/exercises';
import { statesNumber } from '../kit/answer';
import { col, type Column, type Run } from '../kit/columns';
import { fixed as fmt, plural } from '../../src/lib/core/format';

type S = { seed: number; n: number; labelBias: number; labelNoise: number; labelSmoothing: number; row: number; pdFeature: string; repeats: number; background: number; shapRows: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const findGroup = bestRun<S>({
  id: 'find-group',
  title: 'Catch the model using the protected attribute',
  task: 'Raise the injected label bias to 0.3 or more. Does the group climb into the top three features by mean |SHAP|?',
}, {
  among: (r) => r.settings.labelBias >= 0.3,
  none: 'No run with label bias ≥ 0.3 yet.',
  pass: (r) => num(r, 'groupShapRank') <= 3,
  detail: (r) => `Run ${r.label}: the group ranks #${num(r, 'groupShapRank')} by mean |SHAP| (${fmt(num(r, 'shap_group'))}); its coefficient is ${fmt(num(r, 'coef_group'))} log-odds.`,
});

const refused: Exercise = {
  id: 'refused',
  title: 'Explain a refusal',
  task: 'Change "Applicant to explain" until you find one the model would refuse (P(default) ≥ 0.5), and read which feature pushed the score most.',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => num(x, 'localFx') >= 0.5);
    if (!r) return { passed: false, detail: 'No explained applicant with P(default) ≥ 0.5 yet: try other row numbers.' };
    return { passed: true, runId: r.record.id, detail: `Applicant ${r.settings.row}: P(default) ${fmt(num(r, 'localFx'))} against an average of ${fmt(num(r, 'localBase'))}; the largest push came from ${r.result.localTop}.` };
  },
};

const smoothing: Exercise = {
  id: 'smoothing',
  title: 'Noisy labels and label smoothing',
  task: 'With label noise ≥ 0.2, run once with label smoothing 0 and once with ≥ 0.2, other settings equal. What happens to the coefficients and to ranking against the true labels?',
  answerPrompt: 'State the coefficient norm of your smoothed run (e.g. 1.42); what did smoothing change, and what did it leave alone?',
  check({ runs, answers }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.labelNoise >= 0.2);
    for (const a of rs.filter((r) => r.settings.labelSmoothing === 0)) for (const b of rs.filter((r) => r.settings.labelSmoothing >= 0.2)) {
      if (!sameExcept(a, b, ['labelSmoothing'])) continue;
      const d = `Coefficient norm ${fmt(num(a, 'coefNorm'))} → ${fmt(num(b, 'coefNorm'))}; ROC-AUC vs true labels ${fmt(num(a, 'aucTrue'))} → ${fmt(num(b, 'aucTrue'))}; mean |p − p_true| ${fmt(num(a, 'trueError'))} → ${fmt(num(b, 'trueError'))}.`;
      const ans = (answers['smoothing'] ?? '').trim();
      const good = statesNumber(ans, num(b, 'coefNorm'), Math.max(0.0015, 0.01 * num(b, 'coefNorm'))) && /(shrink|smaller|weights|coefficient|confiden|calibrat|rank|AUC)/i.test(ans);
      return { passed: good, runId: b.record.id, detail: good ? d : `${d} Now state the smoothed run’s coefficient norm and answer the question.` };
    }
    return { passed: false, detail: 'Need two runs with label noise ≥ 0.2 differing only in label smoothing (0 and ≥ 0.2).' };
  },
};

export const meta: LabMeta = {
  id: 'explain',
  title: 'Explanations: permutation importance, partial dependence, SHAP',
  summary: 'Explain a credit model globally and one decision at a time, with permutation importance, partial dependence and Kernel SHAP over a background sample, and see what noisy labels and label smoothing do to it.',
  learn: [
    'permutation importance: the drop in ROC-AUC when one feature is shuffled',
    'partial dependence and ICE curves: the model\u2019s answer as one feature sweeps its range',
    'Kernel SHAP: additive explanations of one prediction against a background sample, and their global summary',
    'how an explanation reveals use of a protected attribute learnt from biased labels',
    'noisy labels and label smoothing: what they do to weights, ranking and probabilities',
  ],
  minutes: 25,
  exercises: [findGroup, refused, smoothing],
};

export const columns: Column<Run>[] = [
  col.setting('bias', 'labelBias'),
  col.setting('noise', 'labelNoise'),
  col.setting('smoothing', 'labelSmoothing'),
  col.setting('applicant', 'row'),
  col.fixed('AUC (true)', 'aucTrue'),
  col.text('top |SHAP|', (r) => String((r.result as Record<string, unknown>).topShap ?? '–')),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out: string[] = [];
  const agree = rs.filter((r) => r.result.topImportance === r.result.topShap).length;
  out.push(`In ${agree} of ${plural(rs.length, 'run')} permutation importance and mean |SHAP| agreed on the most important feature.`);
  const byBias = [...rs].sort((a, b) => a.settings.labelBias - b.settings.labelBias);
  const lo = byBias[0], hi = byBias[byBias.length - 1];
  if (lo.settings.labelBias !== hi.settings.labelBias) out.push(`The group's coefficient went from ${fmt(num(lo, 'coef_group'))} at label bias ${lo.settings.labelBias} to ${fmt(num(hi, 'coef_group'))} at ${hi.settings.labelBias}: the model learns the bias it is shown.`);
  const speeds = rs.map((r) => num(r, 'shapPerSecond')).filter(Number.isFinite).sort((a, b) => a - b);
  if (speeds.length) out.push(`Kernel SHAP ran at a median ${fmt(speeds[Math.floor(speeds.length / 2)], 0)} explanations per second in the worker (8 features, every coalition, background as set).`);
  const pairs = rs.filter((a) => a.settings.labelSmoothing > 0 && rs.some((b) => b.settings.labelSmoothing === 0 && sameExcept(a, b, ['labelSmoothing'])));
  if (pairs.length) out.push(`${plural(pairs.length, 'smoothed run')} ${pairs.length === 1 ? 'has' : 'have'} an unsmoothed twin: compare their coefficient norms in the run table.`);
  return out;
}

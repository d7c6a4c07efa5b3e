import type { CheckResult, Exercise, LabMeta } from '../types';
import { variantRuns } from '../compress-kit/runs';
import { pct } from '../compress-kit/format';
import { names } from '../kit/answer';

const half: Exercise = {
  id: 'half-params',
  title: 'Half the parameters, at most 1 point less accurate',
  task: 'Find a rank (and fine-tune) that leaves at most half of the base model\'s parameters with test accuracy within 1 percentage point of the base.',
  check({ runs }): CheckResult {
    const vs = variantRuns(runs).filter((v) => v.variant.technique === 'lowrank' && typeof v.p.baseParams === 'number' && typeof v.p.baseAccuracy === 'number' && v.variant.params <= 0.5 * v.p.baseParams);
    if (vs.length === 0) return { passed: false, detail: 'No factorized model with at most half the parameters yet.' };
    const best = vs.reduce((a, b) => (a.variant.accuracy >= b.variant.accuracy ? a : b));
    const drop = best.p.baseAccuracy! - best.variant.accuracy;
    const detail = `Best at ≤ half size: ${best.variant.description}, ${best.variant.params.toLocaleString('en')} parameters, ${pct(best.variant.accuracy)} against the base's ${pct(best.p.baseAccuracy!)}.`;
    return { passed: drop <= 0.01, runId: best.run.id, detail };
  },
};

const recover: Exercise = {
  id: 'recover',
  title: 'See a fine-tune recover what truncation lost',
  task: 'Find a rank where truncating costs accuracy and one or more fine-tune epochs win back at least 2 points.',
  check({ runs }): CheckResult {
    const vs = variantRuns(runs).filter((v) => v.variant.technique === 'lowrank' && Number(v.p.epochs) >= 1 && typeof v.p.accuracyBefore === 'number');
    if (vs.length === 0) return { passed: false, detail: 'No fine-tuned factorized model yet.' };
    const gain = (v: (typeof vs)[number]) => v.variant.accuracy - (v.p.accuracyBefore as number);
    const best = vs.reduce((a, b) => (gain(a) >= gain(b) ? a : b));
    const detail = `Largest recovery: rank ${String(best.p.rank)}, ${pct(best.p.accuracyBefore as number)} after truncation → ${pct(best.variant.accuracy)} after fine-tuning.`;
    return { passed: gain(best) >= 0.02, runId: best.run.id, detail: gain(best) >= 0.02 ? detail : `${detail} Try a smaller rank.` };
  },
};

const spectrum: Exercise = {
  id: 'spectrum',
  title: 'Read the singular value spectrum',
  task: 'Factorize every hidden layer, look at the spectra, and say which layer could lose the most rank and why.',
  answerPrompt: 'Name the layer (as the spectra chart does) whose singular values fall off fastest, and say what that means for its rank.',
  check({ runs, answers }): CheckResult {
    const sweep = variantRuns(runs).find((v) => v.variant.technique === 'lowrank' && v.p.target === 'hidden');
    if (!sweep) return { passed: false, detail: 'Run the sweep with "every hidden Dense layer" first.' };
    const fastest = typeof sweep.p.fastestLayer === 'string' ? sweep.p.fastestLayer : undefined;
    if (!fastest) return { passed: false, detail: 'Run the sweep again: this saved run predates the spectrum measurement.' };
    const a = (answers['spectrum'] ?? '').trim();
    const named = names(a, fastest);
    const why = /(energy|decay|fall|drop|singular|small|tail|few directions|low.?rank|rank)/i.test(a);
    const share = Number(sweep.p.fastestRank90Share);
    return {
      passed: named && why,
      runId: sweep.run.id,
      detail: named && why
        ? `Yes: in your sweep ${fastest} keeps 90% of its spectrum's energy in ${pct(share, 0)} of its full rank, so it loses least when truncated.`
        : named ? 'Right layer; now say what its fast fall-off means for the rank it needs.' : 'Look again at the spectra: name the layer whose singular values fall off fastest in your sweep.',
    };
  },
};

export const meta: LabMeta = {
  id: 'lowrank',
  title: 'Low-rank factorization: one big layer as two thin ones',
  summary: 'Replace dense layers by the truncated SVD of their weights, sweep the rank, and fine-tune the factors back to accuracy.',
  learn: [
    'the truncated SVD as the best rank-k approximation (Eckart–Young)',
    'reading a singular value spectrum',
    'when factorizing saves parameters: rank below in·out/(in + out)',
    'fine-tuning the two factors together',
  ],
  minutes: 20,
  exercises: [half, recover, spectrum],
};

import { CONFIG_LABELS, type LeakageDigest } from '../../src/lib/runners/leakage';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, type LabRun } from '../kit/runs';
import { statesNumber } from '../kit/answer';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;






type Run = LabRun<Settings, LeakageDigest>;
const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, LeakageDigest>(runs);
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const LEAK_KEYS = ['leakSplit', 'leakPreprocessing', 'leakTarget', 'leakDuplicates'] as const;
const onCount = (r: Run) => LEAK_KEYS.filter((k) => Number(r.settings[k]) === 1).length;

const eachLeak: Exercise = {
  id: 'each-leak',
  title: 'Switch each leak on, one at a time',
  task: 'Run your pipeline clean (all four switches 0), then with exactly one leak on, for each of the four. Each leaky run’s validation-minus-future gap should exceed the clean run’s.',
  check({ runs }) {
    const rs = all(runs).filter((r) => r.settings.model === 'logistic' || r.settings.model === 'knn');
    const clean = rs.find((r) => onCount(r) === 0);
    if (!clean) return { passed: false, detail: 'No clean run yet: set all four leak switches to 0 and run.' };
    const found: string[] = [];
    const missing: string[] = [];
    for (const k of LEAK_KEYS) {
      const r = rs.find((x) => onCount(x) === 1 && Number(x.settings[k]) === 1 && x.settings.model === clean.settings.model && x.result.gap > clean.result.gap);
      if (r) found.push(`${k}: gap ${f3(r.result.gap)}`);
      else missing.push(k);
    }
    const head = `Clean run ${clean.label}: validation ${f3(clean.result.valAuc)}, future ${f3(clean.result.testAuc)}, gap ${f3(clean.result.gap)}.`;
    if (missing.length) return { passed: false, runId: clean.id, detail: `${head} Still to show (one leak on, same model, larger gap): ${missing.join(', ')}.${found.length ? ` Done: ${found.join('; ')}.` : ''}` };
    return { passed: true, runId: clean.id, detail: `${head} ${found.join('; ')}.` };
  },
};

const findFeature: Exercise = {
  id: 'find-feature',
  title: 'Find the leaked feature',
  task: 'With the target-derived feature on, read the permutation importance: one feature carries most of the validation skill. Confirm it with ablation (drop it, watch validation fall).',
  answerPrompt: 'Which feature leaks, what validation AUC is left when you drop it (e.g. 0.712), and why would it not be available when the model has to predict?',
  check({ runs, answers }) {
    const r = all(runs).find((x) => Number(x.settings.leakTarget) === 1 && x.result.spike === 'retention_offer');
    if (!r) return { passed: false, detail: 'No run yet where the importance view flags a spike on the leaked feature (target-derived feature on).' };
    const drop = r.result.valAuc - Number(r.result.ablate_retention_offer);
    const found = `Run ${r.label}: the spike is on retention_offer; dropping it takes validation from ${f3(r.result.valAuc)} to ${f3(Number(r.result.ablate_retention_offer))} (−${f3(drop)}), while the future AUC is ${f3(r.result.testAuc)}.`;
    const a = (answers['find-feature'] ?? '').trim();
    const ok = statesNumber(a, Number(r.result.ablate_retention_offer), 0.0015) && /retention|offer/i.test(a) && /(after|cancel|future|outcome|later|not (yet )?known|prediction time)/i.test(a);
    return { passed: ok, runId: r.id, detail: ok ? found : `${found} Now name the feature, state the validation AUC without it, and say why it is not there at prediction time.` };
  },
};

const nullModel: Exercise = {
  id: 'null-model',
  title: 'A null model that scores above chance',
  task: 'The null model is trained on shuffled labels: it should score at chance. Find a pipeline where it scores above the chance bound on validation (try preprocessing fitted on all data, or duplicates with knn).',
  answerPrompt: 'What did the null model score on validation in your run (e.g. 0.581), and why can a model trained on shuffled labels still score above chance?',
  check({ runs, answers }) {
    const a = (answers['null-model'] ?? '').trim();
    const above = all(runs).filter((x) => x.result.nullVal > x.result.nullBound);
    const r = above.find((x) => statesNumber(a, x.result.nullVal, 0.0015)) ?? above[0];
    if (!r) return { passed: false, detail: 'No run yet where the shuffled-label model beats the chance bound on validation.' };
    const on = LEAK_KEYS.filter((k) => Number(r.settings[k]) === 1).join(', ') || 'none';
    const found = `Run ${r.label} (${r.settings.model}; leaks on: ${on}): the null model scores ${f3(r.result.nullVal)} on validation, above the chance bound ${f3(r.result.nullBound)}.`;
    const ok = statesNumber(a, r.result.nullVal, 0.0015) && /(label|encod|duplicat|cop|same row|fitted|memor)/i.test(a);
    return { passed: ok, runId: r.id, detail: ok ? found : `${found} Now state that score and explain where the signal came from.` };
  },
};

export const meta: LabMeta = {
  id: 'leakage',
  title: 'Leakage: four leaks and how to catch them',
  summary: 'Four leakages, each switched on and off with its measured effect on validation and on a true future test set: random split of time-ordered data, preprocessing fitted on all data, a target-derived feature, duplicates across train and test. Plus detection: feature importance spikes, a null model, ablation.',
  learn: [
    'why a random split of time-ordered data validates on the past the model already lives in',
    'how preprocessing fitted on all data (a target encoding) carries validation labels into the features',
    'how a column written after the outcome (a target-derived feature) makes validation look brilliant and the future no better',
    'why duplicates across train and validation flatter models that memorise',
    'three detectors: a permutation-importance spike, a null model on shuffled labels, ablation',
  ],
  minutes: 25,
  exercises: [eachLeak, findFeature, nullModel],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, LeakageDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  const gaps = ['split', 'preprocessing', 'target', 'duplicates'].map((c) => ({ c, g: Number(r.result[`val_${c}`]) - Number(r.result[`test_${c}`]) }));
  const worst = gaps.reduce((a, b) => (b.g > a.g ? b : a));
  const base = Number(r.result.val_none) - Number(r.result.test_none);
  const out = [`Latest run (${r.label}, ${r.settings.model}): without leaks validation was ${f3(Number(r.result.val_none))} and the future ${f3(Number(r.result.test_none))} (gap ${f3(base)}). The worst single leak was ${CONFIG_LABELS[worst.c]}, with a gap of ${f3(worst.g)}.`];
  const futureMove = Number(r.result.test_all) - Number(r.result.test_none);
  out.push(`With all four on, validation read ${f3(Number(r.result.val_all))} against ${f3(Number(r.result.val_none))} clean, while the future went from ${f3(Number(r.result.test_none))} to ${f3(Number(r.result.test_all))} (${futureMove >= 0 ? '+' : ''}${f3(futureMove)}): ${Math.abs(futureMove) < 0.03 ? 'the report changed, the model hardly did' : 'the leaks changed the model too'}.`);
  if (r.result.spike) out.push(`The importance view flagged ${r.result.spike} as a spike in your pipeline.`);
  out.push(r.result.nullVal > r.result.nullBound ? `The null model scored ${f3(r.result.nullVal)} on shuffled labels, above the chance bound ${f3(r.result.nullBound)}: something outside the labels links validation to training.` : `The null model scored ${f3(r.result.nullVal)} (chance bound ${f3(r.result.nullBound)}): no leak it can see.`);
  return out;
}

/** Lab "Hyperparameter search": metadata and exercises (the page is phase 2; the runner is src/lib/runners/hpo.ts). */
import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, type LabRun } from '../kit/runs';
import { col, type Column, type Run as KitRun } from '../kit/columns';
import { fixed, pct, noun } from '../../src/lib/core/format';
import type { HpoSettings } from '../../src/lib/runners/hpo';

export { defaults, fields } from '../../src/lib/runners/hpo';

type Run = LabRun<HpoSettings>;
const runsOf = (runs: RunRecord[]): Run[] => labRuns<HpoSettings>(runs).filter((r) => r.record.lab === 'hpo');
const str = (r: Run, k: string) => String(r.result[k] ?? '');
/** A number the run kept (NaN when absent): the kit's num, for typed settings. */
const num = (r: Run, k: string): number => (typeof r.result[k] === 'number' ? (r.result[k] as number) : NaN);

/** How a learner may name each hyperparameter of the training job. */
const NAMES: Record<string, RegExp> = {
  learningRate: /learning[\s-]*rate|\blr\b|step size/i,
  hidden: /hidden|width|units|neurons/i,
  l2: /\bl2\b|weight[\s-]*decay|regulari[sz]/i,
  momentum: /momentum/i,
  batchSize: /batch/i,
};

const randomBeatsGrid: Exercise = {
  id: 'random-beats-grid',
  title: 'See random search beat grid search at the same budget',
  task: 'Train the small network with at least 20 trials per search. Random search should find a lower validation loss than the grid, and the run shows why: count the learning rates each one tried.',
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => r.settings.objective === 'mlp' && r.settings.trials >= 20);
    if (!ok.length) return { passed: false, detail: 'No run yet of the training job with 20 or more trials.' };
    const hit = ok.find((r) => num(r, 'bestRandom') < num(r, 'bestGrid'));
    const r = hit ?? ok[0];
    const detail = `Best validation loss: grid ${fixed(num(r, 'bestGrid'))} (${num(r, 'trialsGrid')} trials), random ${fixed(num(r, 'bestRandom'))}. The most important parameter, ${str(r, 'topParam')}, took ${num(r, 'distinctTopGrid')} values on the grid and ${num(r, 'distinctTopRandom')} in random search.`;
    return { passed: !!hit, runId: r.record.id, detail: hit ? detail : `${detail} Here the grid won; try another seed or more trials.` };
  },
};

const tpeHartmann: Exercise = {
  id: 'tpe-hartmann',
  title: 'Let TPE learn where to look',
  task: 'Search Hartmann-6 (six parameters) with at least 40 trials. TPE models where good trials were and samples there, so it should end below random search.',
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => r.settings.objective === 'hartmann6' && r.settings.trials >= 40);
    if (!ok.length) return { passed: false, detail: 'No Hartmann-6 run with 40 or more trials yet.' };
    const hit = ok.find((r) => num(r, 'bestTpe') < num(r, 'bestRandom'));
    const r = hit ?? ok[0];
    const detail = `TPE reached ${fixed(num(r, 'bestTpe'))}, random search ${fixed(num(r, 'bestRandom'))}, grid ${fixed(num(r, 'bestGrid'))}; the minimum is ${fixed(num(r, 'minimum'))}.`;
    return { passed: !!hit, runId: r.record.id, detail: hit ? detail : `${detail} Random search won this seed; one seed is one draw, try another.` };
  },
};

const earlyStopping: Exercise = {
  id: 'early-stopping',
  title: 'Count what early stopping saves',
  task: 'Train the small network, then say how many epochs Hyperband trained and how many full-budget random search trained, with the best loss each found.',
  answerPrompt: 'Epochs for Hyperband and for full-budget random search, and what each found:',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => Number.isFinite(num(x, 'epochsHyperband')));
    if (!r) return { passed: false, detail: 'Train the small network first (objective: train a small network).' };
    const hb = num(r, 'epochsHyperband');
    const full = num(r, 'epochsFull');
    const a = answers['early-stopping'] ?? '';
    const says = (n: number) => new RegExp(`(^|[^\\d])${n}([^\\d]|$)`).test(a.replace(/,(?=\d{3})/g, ''));
    const passed = says(hb) && (says(full) || a.includes(pct(hb / full, 0)));
    return {
      passed, runId: r.record.id,
      detail: passed
        ? `Hyperband trained ${hb} epochs (${pct(hb / full, 0)} of ${full}) and found ${fixed(num(r, 'bestHyperband'))}; full-budget random search found ${fixed(num(r, 'bestFull'))}; the median rule used ${num(r, 'epochsMedian')} epochs.`
        : `Your answer should state your run's numbers: Hyperband's epochs and random search's (or the share).`,
    };
  },
};

const importance: Exercise = {
  id: 'importance',
  title: 'Name the hyperparameter that mattered',
  task: 'After training the small network, name the hyperparameter that explained most of the variation in validation loss (the importance chart).',
  answerPrompt: 'The most important hyperparameter in your run:',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.objective === 'mlp');
    if (!r) return { passed: false, detail: 'Train the small network first.' };
    const top = str(r, 'topParam');
    const passed = (NAMES[top] ?? new RegExp(top, 'i')).test(answers.importance ?? '');
    return { passed, runId: r.record.id, detail: passed ? `Yes: ${top} explained ${pct(num(r, 'topImportance'))} of the main-effect variance in run ${r.label}.` : 'Check the importance chart of your latest run of the training job.' };
  },
};

export const meta: LabMeta = {
  id: 'hpo',
  title: 'Hyperparameter search: grid, random, TPE and Hyperband',
  summary: 'Tune a small network and standard test functions with grid, random and Bayesian (TPE) search at the same budget, then stop bad runs early with the median rule and Hyperband.',
  learn: [
    'why random search beats grid search when few hyperparameters matter (Bergstra and Bengio 2012)',
    'how TPE models good and bad trials to choose the next one (Bergstra et al. 2011)',
    'successive halving and Hyperband brackets (Li et al. 2018), and the median stopping rule',
    'which hyperparameters matter, by fANOVA on a random forest fitted to the trials',
  ],
  minutes: 25,
  exercises: [randomBeatsGrid, tpeHartmann, earlyStopping, importance],
};

/** One line per finding across the learner's runs, for the lab's summary. */
export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} search ${noun(rs.length, 'run')}.`];
  const mlp = rs.filter((r) => r.settings.objective === 'mlp');
  const wins = mlp.filter((r) => num(r, 'bestRandom') < num(r, 'bestGrid')).length;
  if (mlp.length) out.push(`On the training job random search beat the grid in ${wins} of ${mlp.length} ${noun(mlp.length, 'run')}.`);
  const e = mlp.find((r) => Number.isFinite(num(r, 'epochsHyperband')));
  if (e) out.push(`Hyperband used ${pct(num(e, 'epochsHyperband') / num(e, 'epochsFull'), 0)} of random search's epochs (${num(e, 'epochsHyperband')} of ${num(e, 'epochsFull')}); the median rule ${pct(num(e, 'epochsMedian') / num(e, 'epochsFull'), 0)}.`);
  return out;
}

const n = (r: KitRun, k: string) => (typeof (r.result as Record<string, unknown>)[k] === 'number' ? ((r.result as Record<string, number>)[k]) : NaN);

export const columns: Column<KitRun>[] = [
  col.setting('objective', 'objective'),
  col.setting('trials', 'trials'),
  col.fixed('best grid', 'bestGrid', 4),
  col.fixed('best random', 'bestRandom', 4),
  col.fixed('best TPE', 'bestTpe', 4),
  { label: 'Hyperband epochs', num: true, wide: true, value: (r) => (Number.isFinite(n(r, 'epochsHyperband')) ? `${n(r, 'epochsHyperband')} / ${n(r, 'epochsFull')}` : '–') },
];

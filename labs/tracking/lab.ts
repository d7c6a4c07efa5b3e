/** Lab "Tracking and registry": metadata and exercises (the page is phase 2; the runner is src/lib/runners/tracking.ts). */
import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, type LabRun } from '../kit/runs';
import { col, type Column, type Run as KitRun } from '../kit/columns';
import { fixed, noun } from '../../src/lib/core/format';
import type { TrackingSettings } from '../../src/lib/runners/tracking';

export { defaults, fields } from '../../src/lib/runners/tracking';

type Run = LabRun<TrackingSettings>;
const runsOf = (runs: RunRecord[]): Run[] => labRuns<TrackingSettings>(runs).filter((r) => r.record.lab === 'tracking');
const str = (r: Run, k: string) => String(r.result[k] ?? '');
/** A number the run kept (NaN when absent): the kit's num, for typed settings. */
const num = (r: Run, k: string): number => (typeof r.result[k] === 'number' ? (r.result[k] as number) : NaN);

const bestRun: Exercise = {
  id: 'best-run',
  title: 'Find your best training run with a query',
  task: "Filter to the training lab's runs (lab = 'train') and order them by a metric, best first (metrics.testAcc DESC). Save the query.",
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => /\blab\s*=\s*'train'/i.test(r.settings.filter) && /^\s*metrics\.\S+\s+(ASC|DESC)/i.test(r.settings.orderBy));
    if (!ok.length) return { passed: false, detail: "No saved query yet with lab = 'train' ordered by a metric." };
    const r = ok.find((x) => num(x, 'matched') >= 1);
    if (!r) return { passed: false, runId: ok[0].record.id, detail: 'Your query matched no run: train a model in the training lab first.' };
    return { passed: true, runId: r.record.id, detail: `${num(r, 'matched')} of ${num(r, 'total')} runs matched; the top one is ${str(r, 'topId')}${Number.isFinite(num(r, 'topValue')) ? ` at ${fixed(num(r, 'topValue'), 4)}` : ''}.` };
  },
};

const seedNoise: Exercise = {
  id: 'seed-noise',
  title: 'Compare two runs that differ only in their seed',
  task: 'Train the same settings twice with two seeds, then compare the two runs. No setting differs, yet the metrics do: that spread is noise, the yardstick for any other difference.',
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => num(r, 'compared') === 2);
    if (!ok.length) return { passed: false, detail: 'Compare two runs first (their ids in "Compare runs").' };
    const hit = ok.find((r) => str(r, 'sameSeed') === 'no' && ['', 'seed'].includes(str(r, 'differingParams')));
    if (hit) return { passed: true, runId: hit.record.id, detail: 'The two runs share every setting but the seed; whatever their metrics differ by is seed noise.' };
    return { passed: false, runId: ok[0].record.id, detail: `Your comparison differs in ${str(ok[0], 'differingParams') || 'nothing but the same seed'}; pick two runs whose only difference is the seed.` };
  },
};

const rollback: Exercise = {
  id: 'rollback',
  title: 'Promote a challenger, then roll back',
  task: 'Register two versions of a model, point "champion" at the newer one, then move it back to the older one. Save a query afterwards so the registry history is in your run.',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => num(x, 'rollbacks') >= 1);
    if (r) return { passed: true, runId: r.record.id, detail: `The registry history shows ${num(r, 'aliasMoves')} alias ${noun(num(r, 'aliasMoves'), 'move')}, ${num(r, 'rollbacks')} of them back to an older version: nothing was overwritten.` };
    const last = runsOf(runs)[0];
    return { passed: false, ...(last ? { runId: last.record.id } : {}), detail: last ? `Your latest saved query saw ${num(last, 'aliasMoves')} alias ${noun(num(last, 'aliasMoves'), 'move')} and no rollback yet.` : 'Save a query after changing the registry.' };
  },
};

const lineage: Exercise = {
  id: 'lineage',
  title: 'Trace a deployment back to its data',
  task: 'Trace the lineage of a model you served in the serving lab: from the deployment back through its run to the dataset hash.',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => /\bdeployment\b/.test(str(x, 'lineageKinds')) && /\bdataset\b/.test(str(x, 'lineageKinds')));
    if (r) return { passed: true, runId: r.record.id, detail: `The lineage holds ${num(r, 'lineageNodes')} nodes: ${str(r, 'lineageKinds')}.` };
    return { passed: false, detail: 'No saved query yet whose lineage reaches from a deployment to a dataset; trace a run that was served.' };
  },
};

export const meta: LabMeta = {
  id: 'tracking',
  title: 'Experiment tracking and the model registry',
  summary: 'Every run of every lab in one table: search it with MLflow filters, compare runs side by side, see parallel coordinates, keep a model registry with aliases and its full history, and trace lineage from data to deployment.',
  learn: [
    'what a run record must hold to be reproducible: parameters, metrics, seed, data hash, code version',
    'searching and comparing runs, and telling a real difference from seed noise',
    'a model registry with versions and aliases (champion, challenger) and an append-only history',
    'lineage: which data, run and version a deployed model came from',
  ],
  minutes: 20,
  exercises: [bestRun, seedNoise, rollback, lineage],
};

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const r = rs[0];
  return [`${rs.length} saved quer${rs.length === 1 ? 'y' : 'ies'}. The latest matched ${num(r, 'matched')} of ${num(r, 'total')} runs across ${num(r, 'labs')} ${noun(num(r, 'labs'), 'lab')}; the registry holds ${num(r, 'models')} ${noun(num(r, 'models'), 'model')} with ${num(r, 'aliasMoves')} alias ${noun(num(r, 'aliasMoves'), 'move')}.`];
}

const n = (r: KitRun, k: string) => (typeof (r.result as Record<string, unknown>)[k] === 'number' ? (r.result as Record<string, number>)[k] : NaN);

export const columns: Column<KitRun>[] = [
  col.text('filter', (r) => String((r.settings as Record<string, unknown>).filter ?? '')),
  col.text('order by', (r) => String((r.settings as Record<string, unknown>).orderBy ?? '')),
  { label: 'matched', num: true, value: (r) => `${n(r, 'matched')} / ${n(r, 'total')}` },
  col.count('alias moves', 'aliasMoves'),
];

/** Lab "Pipelines as DAGs": metadata and exercises (the page is phase 2; the runner is src/lib/runners/pipelines.ts). */
import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, type LabRun } from '../kit/runs';
import { col, type Column, type Run as KitRun } from '../kit/columns';
import { count, noun } from '../../src/lib/core/format';
import type { PipelinesSettings } from '../../src/lib/runners/pipelines';

export { defaults, fields } from '../../src/lib/runners/pipelines';

type Run = LabRun<PipelinesSettings>;
const runsOf = (runs: RunRecord[]): Run[] => labRuns<PipelinesSettings>(runs).filter((r) => r.record.lab === 'pipelines');
const str = (r: Run, k: string) => String(r.result[k] ?? '');
/** A number the run kept (NaN when absent): the kit's num, for typed settings. */
const num = (r: Run, k: string): number => (typeof r.result[k] === 'number' ? (r.result[k] as number) : NaN);
const says = (answer: string, n: number) => new RegExp(`(^|[^\\d])${n}([^\\d]|$)`).test(answer.replace(/,(?=\d{3})/g, ''));

const retries: Exercise = {
  id: 'retries',
  title: 'Let retries absorb flaky failures',
  task: 'Set the failure rate to 0.2 or more and allow at least 2 retries. Find a run whose first attempt at the flow completes even though some attempts failed.',
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => r.settings.failureRate >= 0.2 && r.settings.retries >= 2);
    if (!ok.length) return { passed: false, detail: 'No run yet with failure rate ≥ 0.2 and 2 or more retries.' };
    const hit = ok.find((r) => str(r, 'firstState') === 'completed' && num(r, 'firstFailedAttempts') >= 1);
    const r = hit ?? ok[0];
    return hit
      ? { passed: true, runId: r.record.id, detail: `${num(r, 'firstFailedAttempts')} ${noun(num(r, 'firstFailedAttempts'), 'attempt')} failed, ${num(r, 'firstRetriedOk')} ${noun(num(r, 'firstRetriedOk'), 'task')} succeeded on a retry, and the flow completed in ${num(r, 'firstMinutes')} minutes (${num(r, 'criticalPathMinutes')} with no failures).` }
      : { passed: false, runId: r.record.id, detail: `Your latest such run ${str(r, 'firstState') === 'completed' ? 'had no failed attempt' : 'still failed'}; try another seed.` };
  },
};

const rerunFailed: Exercise = {
  id: 'rerun-failed',
  title: 'Re-run only what failed',
  task: 'Set retries to 0 and find a seed whose first run fails. The re-run should run only the failed task and what it skipped: everything that succeeded comes from the cache.',
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => r.settings.retries === 0 && str(r, 'firstState') === 'failed');
    if (!ok.length) return { passed: false, detail: 'No run yet with 0 retries whose first run failed; raise the failure rate or change the seed.' };
    const r = ok[0];
    const todo = num(r, 'firstFailedTasks') + num(r, 'firstSkipped');
    // register never comes from the cache (it is a side effect), so it may run again on top of what failed.
    const passed = str(r, 'rerunState') === 'completed' && num(r, 'rerunExecuted') <= todo + 1 && num(r, 'rerunExecuted') < num(r, 'tasks');
    return { passed, runId: r.record.id, detail: `First run: ${num(r, 'firstFailedTasks')} failed, ${num(r, 'firstSkipped')} skipped. The re-run ran ${num(r, 'rerunExecuted')} of ${num(r, 'tasks')} tasks${passed ? '; the rest were cache hits.' : '.'}` };
  },
};

const cacheKeys: Exercise = {
  id: 'cache-keys',
  title: 'Predict what a change re-runs',
  task: 'Change the train code or a training setting before the third run. Say how many tasks ran again and why the others did not.',
  answerPrompt: 'How many tasks re-ran, and why did the others not?',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.change === 'code' || x.settings.change === 'settings');
    if (!r) return { passed: false, detail: 'Run with the change set to the train code or a training setting first.' };
    const n = num(r, 'changeExecuted');
    const a = answers['cache-keys'] ?? '';
    const passed = says(a, n) && /cache|hash|key|input|upstream|unchanged|same/i.test(a);
    return {
      passed, runId: r.record.id,
      detail: passed
        ? `${n} of ${num(r, 'tasks')} tasks re-ran (${str(r, 'changeExecutedTasks')}): the change reaches them; the tasks upstream kept their inputs and code, so their cache keys matched.`
        : `Your run re-ran a number of tasks you can read in the third run's timeline; state that number and what the cache key is made of.`,
    };
  },
};

const schedule: Exercise = {
  id: 'schedule',
  title: 'A week of nightly runs',
  task: 'Replay at least 7 days with new data every 2 days or less often. How many task runs did the cache save?',
  answerPrompt: 'Task runs served from the cache over the replay:',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.days >= 7 && x.settings.newDataEvery >= 2);
    if (!r) return { passed: false, detail: 'Replay 7 days or more with new data every 2 days or more first.' };
    const cached = num(r, 'scheduleCached');
    const passed = says(answers.schedule ?? '', cached);
    return {
      passed, runId: r.record.id,
      detail: passed
        ? `${num(r, 'scheduledRuns')} runs (${num(r, 'skippedTriggers')} ${noun(num(r, 'skippedTriggers'), 'trigger')} skipped while a run was still going): ${count(num(r, 'scheduleExecuted'))} task runs executed, ${count(cached)} served from the cache.`
        : 'Count the cache hits in the schedule table of your run and give that number.',
    };
  },
};

const gates: Exercise = {
  id: 'gates',
  title: 'Continuous training: loosen the accuracy gate',
  task: 'Run with continuous training (30 days or more), then again with the same seed and days but a lower "accuracy gain to promote" (e.g. −0.01). The looser gate should promote more challengers; the gate table shows which gate still refused the others.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.ctDays >= 30 && Number.isFinite(num(r, 'ctPromoted')));
    for (const a of rs) for (const b of rs) {
      if (b.settings.seed !== a.settings.seed || b.settings.ctDays !== a.settings.ctDays || !(b.settings.ctGain < a.settings.ctGain)) continue;
      const passed = num(b, 'ctPromoted') > num(a, 'ctPromoted');
      return {
        passed, runId: b.record.id,
        detail: `Gain ${a.settings.ctGain} → ${b.settings.ctGain}: ${num(a, 'ctPromoted')} → ${num(b, 'ctPromoted')} of ${num(b, 'ctRetrains')} ${noun(num(b, 'ctRetrains'), 'challenger')} promoted; mean daily accuracy ${num(a, 'ctAccuracyWith').toFixed(3)} → ${num(b, 'ctAccuracyWith').toFixed(3)} (${num(b, 'ctAccuracyWithout').toFixed(3)} without retraining).${passed ? '' : ' Another gate (calibration or the fairness gap) refused them: try a lower gain or another seed.'}`,
      };
    }
    return { passed: false, detail: 'Need two runs with continuous training, same seed and days, the second with a lower accuracy gain.' };
  },
};

export const meta: LabMeta = {
  id: 'pipelines',
  title: 'Pipelines as DAGs: retries, caching and schedules',
  summary: 'Run the training steps as a flow on a fast-forwarded clock: parallel branches, retries with back-off, a cache keyed by inputs and code, and a week of scheduled runs.',
  learn: [
    'tasks with declared inputs and outputs, run in dependency order with independent branches side by side',
    'retries with exponential back-off, and why a failed result must never be cached',
    'cache keys from the hash of a task\'s inputs and code: what a change re-runs, and what expiry does',
    'cron schedules and event triggers, and what happens when a run is still going at the next trigger',
    'continuous training: drift alarms trigger retrains, and a challenger replaces the champion only if it passes every gate',
  ],
  minutes: 20,
  exercises: [retries, rerunFailed, cacheKeys, schedule, gates],
};

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} pipeline ${noun(rs.length, 'run')}.`];
  const r = rs[0];
  if (Number.isFinite(num(r, 'ctRetrains'))) out.push(`Continuous training (latest run): ${num(r, 'ctRetrains')} drift-triggered ${noun(num(r, 'ctRetrains'), 'retrain')}, ${num(r, 'ctPromoted')} promoted; mean daily accuracy ${num(r, 'ctAccuracyWith').toFixed(3)} with retraining, ${num(r, 'ctAccuracyWithout').toFixed(3)} without.`);
  out.push(`Latest: the first run ${str(r, 'firstState')} in ${num(r, 'firstMinutes')} minutes (${num(r, 'criticalPathMinutes')} on the critical path, ${num(r, 'sequentialMinutes')} one task at a time); after the change (${r.settings.change}) ${num(r, 'changeExecuted')} of ${num(r, 'tasks')} tasks ran.`);
  return out;
}

const n = (r: KitRun, k: string) => (typeof (r.result as Record<string, unknown>)[k] === 'number' ? (r.result as Record<string, number>)[k] : NaN);

export const columns: Column<KitRun>[] = [
  col.setting('failure rate', 'failureRate'),
  col.setting('retries', 'retries'),
  col.setting('change', 'change'),
  col.result<Record<string, string>>('first run', (d) => String(d.firstState ?? '–')),
  { label: 'ran after change', num: true, value: (r) => `${n(r, 'changeExecuted')} / ${n(r, 'tasks')}` },
  { label: 'scheduled: ran / cached', num: true, wide: true, value: (r) => `${n(r, 'scheduleExecuted')} / ${n(r, 'scheduleCached')}` },
];

/**
 * Lab "Pipelines as DAGs": the site's training steps (src/lib/mlops/training-flow.ts) as a flow,
 * run on a fast-forwarded clock with injected failures: the first run (retries absorb some
 * failures, others fail the task and skip what depends on it), a re-run that does only what failed,
 * a run after one change (new data, a new setting or new train code) that does only what the change
 * reaches, and days of scheduled runs (cron, plus a drift alarm as an event trigger) over a cache
 * whose entries expire.
 */
import { SettingsError, type Field } from '../core/fields';
import { deriveSeed, mulberry32 } from '../core/rng';
import { quietContext, type TaskContext } from '../core/task';
import { VirtualClock } from '../mlops/clock';
import { continuousTraining, GATE_DEFAULTS, type ContinuousResult } from '../mlops/continuous';
import { downstream, flowGraph, outputsOf } from '../mlops/dag';
import { fail } from '../mlops/errors';
import { MemoryFlowCache, runFlow, type FlowRun, type FlowTask } from '../mlops/flow';
import { sha256 } from '../mlops/hash';
import { layoutGraph, type GraphLayout } from '../mlops/layout';
import { cronTimes, runSchedule } from '../mlops/schedule';
import { STEP_MINUTES, trainingFlow, type TrainingFlowInputs } from '../mlops/training-flow';

export type Change = 'none' | 'data' | 'settings' | 'code';

export interface PipelinesSettings {
  /** Chance that any attempt of any task fails (a flaky machine), before retries. */
  failureRate: number;
  retries: number;
  /** Wait before the first retry; each further retry waits twice as long. */
  backoffSeconds: number;
  /** Tasks running at once. */
  concurrency: number;
  /** What changes before the third run. */
  change: Change;
  /** Days of scheduled runs to replay. */
  days: number;
  /** When the flow runs (cron, UTC). */
  schedule: string;
  /** New data lands every this many days. */
  newDataEvery: number;
  /** Day of a drift alarm that triggers an extra run (0: none). */
  driftDay: number;
  /** How long a cached result stays valid. */
  ttlHours: number;
  /** Credit applicants per extract. */
  rows: number;
  seed: number;
  /** Days of the drift lab's stream replayed with continuous training (0: none). */
  ctDays: number;
  /** Accuracy a challenger must gain over the champion, on the same holdout rows, to be promoted. */
  ctGain: number;
}

export const defaults: PipelinesSettings = {
  failureRate: 0.15, retries: 2, backoffSeconds: 30, concurrency: 3, change: 'code', days: 7, schedule: '0 2 * * *', newDataEvery: 2, driftDay: 4, ttlHours: 48, rows: 4000, seed: 1, ctDays: 60, ctGain: 0.005,
};

export const fields: Field[] = [
  { key: 'failureRate', label: 'Failure rate', kind: 'number', min: 0, max: 0.9, step: 0.05, group: 'Failures', explain: 'Chance that an attempt fails (a lost worker, a timeout). Each retry is a fresh chance.' },
  { key: 'retries', label: 'Retries', kind: 'number', min: 0, max: 5, step: 1, integer: true, explain: 'Attempts after the first before a task is given up; what depends on it is then skipped.' },
  { key: 'backoffSeconds', label: 'Back-off (s)', kind: 'number', min: 0, max: 600, step: 5, explain: 'Wait before the first retry; it doubles for each further retry (exponential back-off).' },
  { key: 'concurrency', label: 'Tasks at once', kind: 'number', min: 1, max: 4, step: 1, integer: true, explain: 'How many tasks may run side by side: evaluate, fairness and compress need only the model.' },
  { key: 'change', label: 'Change before the third run', kind: 'choice', group: 'Caching', options: [
    { value: 'none', label: 'nothing' }, { value: 'data', label: 'new data' }, { value: 'settings', label: 'a training setting (L2)' }, { value: 'code', label: 'the train code' },
  ], explain: 'The cache key holds the hash of each task\'s inputs and code: see which tasks the change reaches.' },
  { key: 'ttlHours', label: 'Cache lifetime (h)', kind: 'number', min: 1, max: 720, step: 1, explain: 'A cached result older than this is not used: the task runs again.' },
  { key: 'days', label: 'Days to replay', kind: 'number', min: 1, max: 30, step: 1, integer: true, group: 'Schedule', explain: 'The schedule runs on a simulated clock: a month takes a moment.' },
  { key: 'schedule', label: 'Schedule (cron, UTC)', kind: 'text', explain: 'Minute hour day month weekday: "0 2 * * *" is every night at 02:00.' },
  { key: 'newDataEvery', label: 'New data every (days)', kind: 'number', min: 1, max: 30, step: 1, integer: true, explain: 'On other nights the input is unchanged, so the cache can serve the run.' },
  { key: 'driftDay', label: 'Drift alarm on day', kind: 'number', min: 0, max: 30, step: 1, integer: true, explain: 'A drift alarm at 14:00 that day triggers an extra run (0: no alarm).' },
  { key: 'rows', label: 'Applicants', kind: 'number', min: 500, max: 20000, step: 500, integer: true, advanced: true, explain: 'Rows the extract step makes each time.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, advanced: true, explain: 'Fixes the data and which attempts fail.' },
  { key: 'ctDays', label: 'Continuous training: days', kind: 'number', min: 0, max: 90, step: 1, integer: true, group: 'Continuous training', explain: "Days of the drift lab's stream replayed: its drift alarms trigger retrains, gates decide promotion (0: skip; at least 30)." },
  { key: 'ctGain', label: 'Accuracy gain to promote', kind: 'number', min: -0.05, max: 0.05, step: 0.005, explain: "A challenger must beat the champion's accuracy by this much on the same recent rows (and pass calibration, fairness, latency and size)." },
];

/** Scheduled runs allowed in one replay (days × runs a day), so a run stays well under a minute. */
export const MAX_SCHEDULED_RUNS = 200;
const START = Date.UTC(2025, 0, 6); // a Monday
const DAY = 24 * 3600_000;

export function validate(s: PipelinesSettings): void {
  try {
    cronTimes(s.schedule, START - 1, START + s.days * DAY, 'UTC', MAX_SCHEDULED_RUNS);
  } catch (e) {
    const message = (e as Error).message.replace(/fires more than (\d+) times in the period\./, `fires more than $1 times in ${s.days} days: too many runs for one replay. Choose a sparser schedule or fewer days.`);
    throw new SettingsError('schedule', message);
  }
  if (s.ctDays > 0 && s.ctDays < 30) throw new SettingsError('ctDays', `Continuous training needs at least 30 days of the stream (the first drift starts on day 20); it is ${s.ctDays}. Use 0 to skip it.`);
  if (s.driftDay > s.days) throw new SettingsError('driftDay', `The drift alarm (day ${s.driftDay}) falls after the last replayed day (${s.days}).`);
}

/** Which attempts fail: a fixed draw per (flow run, task, attempt), so the same seed fails the same attempts. */
export function failurePlan(seed: number, run: number, rate: number): (task: string, attempt: number) => boolean {
  return (task, attempt) => rate > 0 && mulberry32(deriveSeed(seed, run * 1009 + parseInt(sha256(`${task}#${attempt}`).slice(0, 8), 16)))() < rate;
}

export interface TaskSummary {
  name: string;
  state: string;
  start: number;
  end: number;
  attempts: { start: number; end: number; error?: string }[];
  cause?: string;
}

export interface FlowSummary {
  label: string;
  state: FlowRun['state'];
  /** Clock minutes from the first start to the last end. */
  minutes: number;
  tasks: TaskSummary[];
  executed: string[];
  cached: string[];
  failedAttempts: number;
}

export interface PipelinesResult {
  graph: { nodes: { name: string; inputs: string[]; outputs: string[]; minutes: number }[]; layout: GraphLayout };
  /** Sum of every step's minutes: what the flow takes one task at a time. */
  sequentialMinutes: number;
  /** The longest chain of dependent steps: what it takes with enough parallel workers and no failures. */
  criticalPathMinutes: number;
  runs: FlowSummary[];
  /** The tasks the change reaches (itself and everything downstream of it). */
  changeReaches: string[];
  schedule: { at: number; reason: string; ran: boolean; state?: string; executed: number; cached: number; minutes: number }[];
  /** Continuous training over the drift lab's stream (absent when ctDays is 0). */
  continuous?: ContinuousResult;
  /** Results of the last successful run's steps. */
  model?: { auc: number; accuracy: number; ece: number; parityGap: number; bytes: number; floatBytes: number; compressedAccuracy: number; registered: boolean };
}

function summarise(label: string, r: FlowRun): FlowSummary {
  const tasks = Object.values(r.tasks).map((t) => ({ name: t.name, state: t.state, start: t.start, end: t.end, attempts: t.attempts.map((a) => ({ start: a.start, end: a.end, ...(a.error ? { error: a.error } : {}) })), ...(t.cause ? { cause: t.cause } : {}) }));
  return {
    label, state: r.state, minutes: (r.end - r.start) / 60_000, tasks, executed: r.ran, cached: tasks.filter((t) => t.state === 'cached').map((t) => t.name),
    failedAttempts: tasks.reduce((n, t) => n + t.attempts.filter((a) => a.error).length, 0),
  };
}

export async function run(ctx: TaskContext = quietContext, s: PipelinesSettings = defaults): Promise<PipelinesResult> {
  validate(s);
  const clock = new VirtualClock(START);
  const cache = new MemoryFlowCache();
  const retries = { retries: s.retries, backoffMs: s.backoffSeconds * 1000, factor: 2 };
  const settings = { l2: 1, minAuc: 0.7, maxParityGap: 0.1 };
  const source = (k: number) => ({ rows: s.rows, seed: deriveSeed(s.seed, 100 + k), defaultRate: 0.2 });
  let flowNo = 0;
  const flow = (tasks: FlowTask[], inputs: TrainingFlowInputs, failures: boolean) =>
    runFlow(tasks, { clock, cache, retries, concurrency: s.concurrency, cacheTtlMs: s.ttlHours * 3600_000, inputs: { ...inputs }, ctx, ...(failures ? { failures: failurePlan(s.seed, flowNo++, s.failureRate) } : {}) });

  const v1 = trainingFlow({ train: 1 });
  const g = flowGraph(v1, ['source', 'settings']);
  const runs: FlowSummary[] = [];
  let last: FlowRun | undefined;
  ctx.progress(0, 'first run');
  const first = await flow(v1, { source: source(0), settings }, true);
  runs.push(summarise('first run', first));
  if (first.state === 'completed') last = first;
  if (first.state === 'failed') {
    clock.advanceTo(clock.now() + 3600_000);
    const again = await flow(v1, { source: source(0), settings }, false);
    runs.push(summarise('re-run after the failure', again));
    if (again.state === 'completed') last = again;
  }
  clock.advanceTo(clock.now() + 3600_000);
  ctx.progress(0.2, 'run after the change');
  const changed = {
    none: { tasks: v1, inputs: { source: source(0), settings }, from: [] as string[] },
    data: { tasks: v1, inputs: { source: source(1), settings }, from: ['extract'] },
    settings: { tasks: v1, inputs: { source: source(0), settings: { ...settings, l2: settings.l2 * 10 } }, from: g.order.filter((n) => v1.find((t) => t.name === n)!.inputs?.includes('settings')) },
    code: { tasks: trainingFlow({ train: 2 }), inputs: { source: source(0), settings }, from: ['train'] },
  }[s.change];
  if (!changed) fail('change', `change must be one of none, data, settings, code; it is ${JSON.stringify(s.change)}.`);
  const third = await flow(changed.tasks, changed.inputs, false);
  runs.push(summarise(`after the change (${s.change})`, third));
  if (third.state === 'completed') last = third;

  // The schedule: from the next midnight, new data every newDataEvery days, a drift alarm, the cache as it stands.
  const from = Math.ceil((clock.now() + 1) / DAY) * DAY;
  const dayOf = (t: number) => Math.floor((t - from) / DAY);
  const schedule: PipelinesResult['schedule'] = [];
  const firings = await runSchedule({
    clock, from, until: from + s.days * DAY,
    triggers: [{ kind: 'cron', pattern: s.schedule }, { kind: 'event', event: 'drift' }],
    events: s.driftDay > 0 ? [{ at: from + (s.driftDay - 1) * DAY + 14 * 3600_000, name: 'drift' }] : [],
    run: async (reason) => {
      ctx.progress(0.3 + (0.7 * dayOf(clock.now())) / s.days, `${reason}, day ${dayOf(clock.now()) + 1}`);
      const batch = 2 + Math.floor(dayOf(clock.now()) / s.newDataEvery);
      const r = await flow(changed.tasks, { source: source(batch), settings: changed.inputs.settings }, true);
      if (r.state === 'completed') last = r;
      return summarise(reason, r);
    },
  });
  for (const f of firings) {
    const r = f.result as FlowSummary | undefined;
    schedule.push({ at: f.at, reason: f.reason, ran: f.ran, ...(r ? { state: r.state } : {}), executed: r?.executed.length ?? 0, cached: r?.cached.length ?? 0, minutes: r?.minutes ?? 0 });
  }
  let continuous: ContinuousResult | undefined;
  if (s.ctDays > 0) {
    ctx.progress(0.9, 'continuous training');
    await ctx.tick(0.9, 'continuous training');
    continuous = continuousTraining({ seed: s.seed, days: s.ctDays, gates: { ...GATE_DEFAULTS, minAccuracyGain: s.ctGain } });
  }
  ctx.progress(1, 'done');
  const a = last?.artifacts as Record<string, any> | undefined;
  return {
    graph: {
      nodes: v1.map((t) => ({ name: t.name, inputs: [...(t.inputs ?? [])], outputs: [...outputsOf(t)], minutes: STEP_MINUTES[t.name] })),
      layout: layoutGraph(v1.map((t) => ({ id: t.name })), [...g.deps].flatMap(([to, ds]) => ds.map((from) => ({ from, to })))),
    },
    sequentialMinutes: Object.values(STEP_MINUTES).reduce((x, y) => x + y, 0),
    criticalPathMinutes: criticalPath(g.order, g.deps),
    runs,
    changeReaches: g.order.filter((n) => downstream(g, changed.from).has(n) || n === 'register'),
    schedule,
    ...(continuous ? { continuous } : {}),
    ...(a ? { model: { ...a.metrics, parityGap: a.fairness.parityGap, bytes: a.compressed.bytes, floatBytes: a.compressed.floatBytes, compressedAccuracy: a.compressed.accuracy, registered: a.decision.registered } } : {}),
  };
}

/** Longest path through the DAG by step minutes (tasks in dependency order, so one pass suffices). */
function criticalPath(order: string[], deps: Map<string, string[]>): number {
  const finish = new Map<string, number>();
  for (const n of order) finish.set(n, Math.max(0, ...deps.get(n)!.map((d) => finish.get(d)!)) + STEP_MINUTES[n]);
  return Math.max(...finish.values());
}

/** The numbers a saved run keeps (params.result). */
export function summary(r: PipelinesResult): Record<string, number | string> {
  const first = r.runs[0];
  const rerun = r.runs.length === 3 ? r.runs[1] : undefined;
  const change = r.runs[r.runs.length - 1];
  const ran = r.schedule.filter((x) => x.ran);
  return {
    tasks: r.graph.nodes.length,
    firstState: first.state, firstFailedAttempts: first.failedAttempts, firstMinutes: first.minutes,
    firstRetriedOk: first.tasks.filter((t) => t.state === 'completed' && t.attempts.length > 1).length,
    firstFailedTasks: first.tasks.filter((t) => t.state === 'failed').length, firstSkipped: first.tasks.filter((t) => t.state === 'skipped').length,
    rerunExecuted: rerun ? rerun.executed.length : NaN, rerunState: rerun?.state ?? '',
    changeExecuted: change.executed.length, changeReaches: r.changeReaches.length, changeExecutedTasks: change.executed.join(' '),
    sequentialMinutes: r.sequentialMinutes, criticalPathMinutes: r.criticalPathMinutes,
    scheduledRuns: ran.length, skippedTriggers: r.schedule.length - ran.length,
    scheduleExecuted: ran.reduce((n, x) => n + x.executed, 0), scheduleCached: ran.reduce((n, x) => n + x.cached, 0),
    scheduleFailed: ran.filter((x) => x.state === 'failed').length,
    ...(r.continuous ? {
      ctRetrains: r.continuous.retrains.length, ctPromoted: r.continuous.retrains.filter((t) => t.promoted).length,
      ctAccuracyWith: r.continuous.meanAccuracy.withCt, ctAccuracyWithout: r.continuous.meanAccuracy.without,
    } : {}),
    ...(r.model ? { auc: r.model.auc, compressedAccuracy: r.model.compressedAccuracy, registered: r.model.registered ? 'yes' : 'no' } : {}),
  };
}

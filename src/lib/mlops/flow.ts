/**
 * runFlow: the pipeline runner. Tasks declare the artifacts they read and write; they run in
 * dependency order, independent branches at the same time (up to `concurrency`). Semantics:
 *
 * - Retries: a failed attempt is retried up to `retries` times, waiting backoffMs·factor^(k−1)
 *   (capped at maxBackoffMs) before retry k, on the flow's clock. Injected failures (`failures`)
 *   make an attempt fail before the task runs, as a flaky worker would.
 * - Caching: a task's key is SHA-256 over its name, the hash of its code (FlowTask.code, or the
 *   source of its run function), its params, and the hash of every input's value. A task whose key
 *   has an unexpired entry in the cache is not run: its outputs come from the cache. So a changed
 *   input or changed code re-runs the task, and what depends on it re-runs when the task's outputs
 *   change. Entries expire cacheTtlMs after they were written (on the clock). Only successful
 *   results are written: a failed one never is.
 * - Failure: when a task fails for good, tasks downstream of it are skipped; independent branches
 *   finish. Run the same flow again with the same cache and only the failed and skipped tasks run:
 *   everything that succeeded is a cache hit.
 * - Time: with a virtual clock (VirtualClock) the runner replays the flow as a discrete-event
 *   simulation: an attempt takes FlowTask.durationMs of clock time whatever the CPU took, waits and
 *   back-offs move the clock, and the timeline is the same on every machine. With the real clock,
 *   times are wall time.
 * - Stop: ctx.checkStop() between events; a StoppedError ends the flow with it.
 */
import { isStopped, quietContext } from '../core/task';
import { wallClock } from './clock';
import { checkInt, checkNumber, FlowError } from './errors';
import { downstream, flowGraph, outputsOf } from './dag';
import { hashValue, sha256 } from './hash';
import type { FlowEvent, FlowOptions, FlowRun, FlowTask, RetryPolicy, TaskRun } from './flow-types';

export type { TaskRunInfo, FlowTask, RetryPolicy, CacheEntry, FlowCache, FailurePlan, FlowOptions, TaskState, Attempt, TaskRun, FlowEvent, FlowRun } from './flow-types';
export { MemoryFlowCache } from './flow-types';

const DEFAULT_POLICY: Required<RetryPolicy> = { retries: 0, backoffMs: 1000, factor: 2, maxBackoffMs: 10 * 60 * 1000 };

/** Wait before attempt `attempt` (2 = first retry). */
export function backoffDelay(policy: Required<RetryPolicy>, attempt: number): number {
  return Math.min(policy.maxBackoffMs, policy.backoffMs * policy.factor ** (attempt - 2));
}

function policyOf(r: number | RetryPolicy | undefined, culprit: string): Required<RetryPolicy> {
  const p = typeof r === 'number' || r === undefined ? { ...DEFAULT_POLICY, retries: r ?? 0 } : { ...DEFAULT_POLICY, ...r };
  checkInt(`${culprit}retries`, p.retries, 0, 100);
  checkNumber(`${culprit}backoffMs`, p.backoffMs, 0);
  checkNumber(`${culprit}factor`, p.factor, 1);
  checkNumber(`${culprit}maxBackoffMs`, p.maxBackoffMs, 0);
  return p;
}

/** The cache key of a task for given input values. */
export function taskKey(t: FlowTask, inputs: Record<string, unknown>): string {
  const code = t.code ?? String(t.run);
  return sha256(JSON.stringify({ task: t.name, code: sha256(code), params: hashValue(t.params ?? null), inputs: Object.keys(inputs).sort().map((k) => [k, hashValue(inputs[k])]) }));
}

interface Pending {
  at: number;
  seq: number;
  task: string;
  kind: 'ready' | 'done';
  attempt: number;
  start: number;
  result?: { ok: true; outputs: Record<string, unknown> } | { ok: false; error: string; injected: boolean; stopped?: unknown };
}

export async function runFlow(tasks: readonly FlowTask[], opts: FlowOptions = {}): Promise<FlowRun> {
  const clock = opts.clock ?? wallClock;
  const ctx = opts.ctx ?? quietContext;
  const given = opts.inputs ?? {};
  const g = flowGraph(tasks, Object.keys(given));
  for (const t of tasks) if (typeof t.run !== 'function') throw new FlowError('bad-task', t.name, `Task "${t.name}" has no run function.`);
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const flowPolicy = policyOf(opts.retries, '');
  // A task's own retry count keeps the flow's back-off.
  const policies = new Map(tasks.map((t) => [t.name, t.retries === undefined ? flowPolicy : { ...flowPolicy, retries: policyOf(t.retries, `task "${t.name}" `).retries }]));
  const concurrency = opts.concurrency ?? Infinity;
  if (concurrency !== Infinity) checkInt('concurrency', concurrency, 1);
  const rank = new Map(g.order.map((n, i) => [n, i]));

  const artifacts: Record<string, unknown> = { ...given };
  const runs: Record<string, TaskRun> = {};
  const events: FlowEvent[] = [];
  const ran: string[] = [];
  const started = clock.now();
  const emit = (e: FlowEvent) => {
    events.push(e);
    opts.onEvent?.(e);
  };

  const queue: Pending[] = [];
  let seq = 0;
  const push = (p: Omit<Pending, 'seq'>) => queue.push({ ...p, seq: seq++ });
  let running = 0;
  const inflight = new Set<Promise<void>>();

  const inputsOf = (t: FlowTask) => Object.fromEntries((t.inputs ?? []).map((i) => [i, artifacts[i]]));
  const succeeded = (n: string) => runs[n] !== undefined && (runs[n].state === 'completed' || runs[n].state === 'cached') && Number.isFinite(runs[n].end);
  const waitingFor = new Set(g.order);
  const isReady = (n: string) => waitingFor.has(n) && g.deps.get(n)!.every(succeeded);

  const skipDownstream = (failed: string, at: number) => {
    for (const n of g.order) {
      if (n === failed || !waitingFor.has(n) || !downstream(g, [failed]).has(n)) continue;
      waitingFor.delete(n);
      runs[n] = { name: n, state: 'skipped', key: '', attempts: [], start: at, end: at, cause: failed };
      emit({ at, task: n, kind: 'skipped', message: `upstream task "${failed}" failed` });
    }
  };

  /** Start attempt `attempt` of task n now; its result is queued as a 'done' event. */
  const launch = (n: string, attempt: number) => {
    const t = byName.get(n)!;
    const start = clock.now();
    running++;
    emit({ at: start, task: n, kind: attempt === 1 ? 'start' : 'retry', attempt });
    const p = (async () => {
      let result: Pending['result'];
      if (opts.failures?.(n, attempt)) {
        result = { ok: false, error: `injected failure (attempt ${attempt})`, injected: true };
      } else {
        try {
          const out = await t.run(inputsOf(t), { attempt, now: start });
          result = { ok: true, outputs: collectOutputs(t, out) };
        } catch (e) {
          result = { ok: false, error: e instanceof Error ? e.message : String(e), injected: false, ...(isStopped(e) ? { stopped: e } : {}) };
        }
      }
      const end = clock.virtual ? start + (t.durationMs ?? 0) : clock.now();
      push({ at: end, task: n, kind: 'done', attempt, start, result });
    })();
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  /** Launch (or serve from cache) every ready task while slots are free, in dependency order. */
  const startReady = async () => {
    for (const n of g.order) {
      if (running >= concurrency) return;
      if (!isReady(n)) continue;
      waitingFor.delete(n);
      const t = byName.get(n)!;
      const key = taskKey(t, inputsOf(t));
      const now = clock.now();
      runs[n] = { name: n, state: 'completed', key, attempts: [], start: now, end: Infinity };
      if (opts.cache && t.cache !== false) {
        const hit = await opts.cache.get(key);
        if (hit && hit.expiresAt > now) {
          Object.assign(artifacts, hit.outputs);
          Object.assign(runs[n], { state: 'cached', end: now });
          emit({ at: now, task: n, kind: 'cached', message: `written ${hit.createdAt}` });
          continue;
        }
        if (hit) {
          await opts.cache.delete(key);
          emit({ at: now, task: n, kind: 'expired', message: `expired at ${hit.expiresAt}` });
        }
      }
      launch(n, 1);
    }
  };

  const handle = async (e: Pending) => {
    const r = runs[e.task];
    const t = byName.get(e.task)!;
    if (e.kind === 'ready') return launch(e.task, e.attempt);
    running--;
    const res = e.result!;
    if (!res.ok && res.stopped) throw res.stopped;
    r.attempts.push({ attempt: e.attempt, start: e.start, end: e.at, ...(res.ok ? {} : { error: res.error, injected: res.injected }) });
    if (r.attempts.length === 1) r.start = e.start;
    if (res.ok) {
      Object.assign(artifacts, res.outputs);
      r.end = e.at;
      ran.push(e.task);
      emit({ at: e.at, task: e.task, kind: 'completed', attempt: e.attempt });
      if (opts.cache && t.cache !== false) {
        const ttl = t.cacheTtlMs ?? opts.cacheTtlMs ?? Infinity;
        await opts.cache.set(r.key, { task: e.task, outputs: res.outputs, createdAt: e.at, expiresAt: e.at + ttl });
      }
      return;
    }
    const policy = policies.get(e.task)!;
    if (e.attempt <= policy.retries) {
      const at = e.at + backoffDelay(policy, e.attempt + 1);
      emit({ at: e.at, task: e.task, kind: 'failed', attempt: e.attempt, message: `${res.error}; retry ${e.attempt} of ${policy.retries} at +${at - e.at} ms` });
      running++; // the slot stays taken through the back-off
      push({ at, task: e.task, kind: 'ready', attempt: e.attempt + 1, start: at });
      return;
    }
    Object.assign(r, { state: 'failed', end: e.at, error: res.error });
    emit({ at: e.at, task: e.task, kind: 'failed', attempt: e.attempt, message: res.error });
    skipDownstream(e.task, e.at);
  };

  const total = tasks.length;
  await startReady();
  while (queue.length > 0 || inflight.size > 0) {
    ctx.checkStop();
    if (clock.virtual) {
      // Discrete events: every attempt under way must report its (virtual) end before the earliest event is known.
      while (inflight.size > 0) await Promise.race(inflight);
    } else if (!queue.some((q) => q.at <= clock.now())) {
      // Wall time: wake when an attempt ends or the next back-off is over.
      const next = Math.min(...queue.map((q) => q.at));
      await Promise.race([...inflight, ...(Number.isFinite(next) ? [clock.sleep(next - clock.now())] : [])]);
      continue;
    }
    queue.sort((a, b) => a.at - b.at || (a.kind === 'done' ? 0 : 1) - (b.kind === 'done' ? 0 : 1) || rank.get(a.task)! - rank.get(b.task)! || a.seq - b.seq);
    const e = queue.shift();
    if (!e) continue;
    if (clock.virtual) clock.advanceTo!(e.at);
    if (e.kind === 'ready') running--; // handed back, launch takes it again
    await handle(e);
    await startReady();
    const settled = Object.values(runs).filter((x) => x.state !== 'completed' || Number.isFinite(x.end)).length;
    ctx.progress(settled / total, `${settled} of ${total} tasks done`);
  }
  const state = Object.values(runs).some((r) => r.state === 'failed' || r.state === 'skipped') ? 'failed' : 'completed';
  return { state, tasks: runs, artifacts, ran, events, start: started, end: clock.now() };
}

function collectOutputs(t: FlowTask, out: unknown): Record<string, unknown> {
  if (!t.outputs) return { [t.name]: out };
  if (typeof out !== 'object' || out === null) throw new Error(`task "${t.name}" must return a record with ${outputsOf(t).join(', ')}`);
  const rec = out as Record<string, unknown>;
  for (const o of t.outputs) if (!(o in rec)) throw new Error(`task "${t.name}" did not return its output "${o}"`);
  return Object.fromEntries(t.outputs.map((o) => [o, rec[o]]));
}

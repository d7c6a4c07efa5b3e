import { describe, expect, it } from 'vitest';
import { FlowError, MemoryFlowCache, runFlow, VirtualClock, type FlowRun, type FlowTask } from '../../../src/lib/mlops';
import { Interrupt, StoppedError, taskContext } from '../../../src/lib/core/task';
import { mulberry32 } from '../../../src/lib/core/rng';

/** extract → (clean, stats) → train → evaluate; `log` records each run of a task. */
function etl(log: string[], over: Partial<Record<string, Partial<FlowTask>>> = {}): FlowTask[] {
  const t = (task: FlowTask): FlowTask => ({ ...task, ...over[task.name], run: over[task.name]?.run ?? ((i, info) => (log.push(task.name), task.run(i, info))) });
  return [
    t({ name: 'extract', inputs: ['raw'], run: ({ raw }) => (raw as number[]).map((x) => x * 2), durationMs: 1000 }),
    t({ name: 'clean', inputs: ['extract'], run: ({ extract }) => (extract as number[]).filter((x) => x > 0), durationMs: 3000 }),
    t({ name: 'stats', inputs: ['extract'], run: ({ extract }) => (extract as number[]).filter((x) => x > 0).length, durationMs: 2000 }),
    t({ name: 'train', inputs: ['clean', 'stats'], outputs: ['model', 'trainLoss'], run: ({ clean, stats }) => ({ model: (clean as number[]).reduce((a, b) => a + b, 0) / (stats as number), trainLoss: 0.1 }), durationMs: 500 }),
    t({ name: 'evaluate', inputs: ['model'], run: ({ model }) => (model as number) > 0, durationMs: 200 }),
  ];
}

const states = (r: FlowRun) => Object.fromEntries(Object.values(r.tasks).map((t) => [t.name, t.state]));

describe('runFlow: order and parallel branches', () => {
  it('runs tasks after their inputs, independent branches side by side on the clock', async () => {
    const log: string[] = [];
    const clock = new VirtualClock(0);
    const r = await runFlow(etl(log), { clock, inputs: { raw: [1, -2, 3] } });
    expect(r.state).toBe('completed');
    expect(r.artifacts.model).toBe(4); // clean [2, 6], stats 2
    expect(r.artifacts.evaluate).toBe(true);
    expect(r.tasks.clean.start).toBe(1000);
    expect(r.tasks.stats.start).toBe(1000); // beside clean, not after it
    expect(r.tasks.train.start).toBe(4000); // after the slower branch
    expect(r.end).toBe(4700);
    expect(r.ran).toEqual(['extract', 'stats', 'clean', 'train', 'evaluate']);
  });

  it('concurrency 1 runs the branches one after the other', async () => {
    const r = await runFlow(etl([]), { clock: new VirtualClock(0), inputs: { raw: [1] }, concurrency: 1 });
    expect(r.end).toBe(1000 + 3000 + 2000 + 500 + 200);
  });
});

describe('runFlow: retries', () => {
  it('retries a failing task with exponential back-off, then succeeds', async () => {
    let n = 0;
    const log: string[] = [];
    const tasks = etl(log, { stats: { run: () => { if (++n < 3) throw new Error(`flaky ${n}`); return 3; } } });
    const r = await runFlow(tasks, { clock: new VirtualClock(0), inputs: { raw: [1, 2, 3] }, retries: { retries: 3, backoffMs: 100, factor: 2 } });
    expect(r.state).toBe('completed');
    const a = r.tasks.stats.attempts;
    expect(a.map((x) => x.error)).toEqual(['flaky 1', 'flaky 2', undefined]);
    // attempt 1: 1000–3000; waits 100; attempt 2: 3100–5100; waits 200; attempt 3: 5300–7300.
    expect(a.map((x) => [x.start, x.end])).toEqual([[1000, 3000], [3100, 5100], [5300, 7300]]);
    expect(r.tasks.train.start).toBe(7300);
  });

  it('injected failures count as attempts; past the retries the task fails and only its dependants are skipped', async () => {
    const log: string[] = [];
    const r = await runFlow(etl(log), { clock: new VirtualClock(0), inputs: { raw: [1] }, retries: 1, failures: (task) => task === 'clean' });
    expect(r.state).toBe('failed');
    expect(states(r)).toEqual({ extract: 'completed', clean: 'failed', stats: 'completed', train: 'skipped', evaluate: 'skipped' });
    expect(r.tasks.clean.attempts).toHaveLength(2);
    expect(r.tasks.clean.attempts.every((x) => x.injected)).toBe(true);
    expect(r.tasks.train.cause).toBe('clean');
    expect(log).toEqual(['extract', 'stats']);
  });

  it("a task's own retries override the flow's", async () => {
    const r = await runFlow(etl([], { clean: { retries: 0 } }), { clock: new VirtualClock(0), inputs: { raw: [1] }, retries: 5, failures: (task, k) => task !== 'extract' && k < 3 });
    expect(r.tasks.clean.attempts).toHaveLength(1);
    expect(r.tasks.stats.attempts).toHaveLength(3);
  });
});

describe('runFlow: caching', () => {
  it('a second run with the same inputs and code is all cache hits', async () => {
    const cache = new MemoryFlowCache();
    const log: string[] = [];
    await runFlow(etl(log), { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0) });
    log.length = 0;
    const r = await runFlow(etl(log), { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0) });
    expect(log).toEqual([]);
    expect(Object.values(states(r))).toEqual(['cached', 'cached', 'cached', 'cached', 'cached']);
    expect(r.artifacts.model).toBe(3);
  });

  it('a changed input re-runs the task and what depends on it, and stops where outputs stay equal', async () => {
    const cache = new MemoryFlowCache();
    const log: string[] = [];
    await runFlow(etl(log), { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0) });
    log.length = 0;
    // −5 doubles to −10: extract's output changes, so clean and stats re-run; both drop it, so their
    // outputs are as before and train (and evaluate after it) are cache hits.
    const r = await runFlow(etl(log), { cache, inputs: { raw: [1, 2, -5] }, clock: new VirtualClock(0) });
    expect(states(r)).toEqual({ extract: 'completed', clean: 'completed', stats: 'completed', train: 'cached', evaluate: 'cached' });
    expect(r.artifacts.model).toBe(3);
    log.length = 0;
    const r2 = await runFlow(etl(log), { cache, inputs: { raw: [1, 2, 5] }, clock: new VirtualClock(0) });
    expect(states(r2)).toEqual({ extract: 'completed', clean: 'completed', stats: 'completed', train: 'completed', evaluate: 'completed' });
    expect(r2.artifacts.model).toBeCloseTo(16 / 3, 12);
  });

  it("changed code re-runs the task and its dependants, not its upstream", async () => {
    const cache = new MemoryFlowCache();
    await runFlow(etl([]), { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0) });
    const log: string[] = [];
    const changed = etl(log, { clean: { code: 'clean v2', run: ({ extract }) => (log.push('clean'), (extract as number[]).map((x) => x + 1)) } });
    const r = await runFlow(changed, { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0) });
    expect(states(r)).toEqual({ extract: 'cached', clean: 'completed', stats: 'cached', train: 'completed', evaluate: 'completed' });
    expect(log).toEqual(['clean', 'train', 'evaluate']);
  });

  it('an expired entry is not used (and is dropped)', async () => {
    const cache = new MemoryFlowCache();
    const clock = new VirtualClock(0);
    await runFlow(etl([]), { cache, inputs: { raw: [1] }, clock, cacheTtlMs: 60_000 });
    clock.advanceTo(30_000);
    const fresh = await runFlow(etl([]), { cache, inputs: { raw: [1] }, clock, cacheTtlMs: 60_000 });
    expect(Object.values(states(fresh)).every((s) => s === 'cached')).toBe(true);
    clock.advanceTo(10 * 60_000);
    const stale = await runFlow(etl([]), { cache, inputs: { raw: [1] }, clock, cacheTtlMs: 60_000 });
    expect(Object.values(states(stale)).every((s) => s === 'completed')).toBe(true);
    expect(stale.events.filter((e) => e.kind === 'expired')).toHaveLength(5);
  });

  it('a failed result is never cached, and re-running a failed flow runs only the failed task and its dependants', async () => {
    const cache = new MemoryFlowCache();
    const log: string[] = [];
    const first = await runFlow(etl(log), { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0), failures: (t) => t === 'stats' });
    expect(first.state).toBe('failed');
    expect([...cache.entries.values()].map((e) => e.task).sort()).toEqual(['clean', 'extract']);
    log.length = 0;
    const again = await runFlow(etl(log), { cache, inputs: { raw: [1, 2] }, clock: new VirtualClock(0) });
    expect(again.state).toBe('completed');
    expect(log).toEqual(['stats', 'train', 'evaluate']);
    expect(states(again)).toEqual({ extract: 'cached', clean: 'cached', stats: 'completed', train: 'completed', evaluate: 'completed' });
  });

  it('cache: false tasks always run', async () => {
    const cache = new MemoryFlowCache();
    const log: string[] = [];
    await runFlow(etl(log, { evaluate: { cache: false } }), { cache, inputs: { raw: [1] }, clock: new VirtualClock(0) });
    log.length = 0;
    await runFlow(etl(log, { evaluate: { cache: false } }), { cache, inputs: { raw: [1] }, clock: new VirtualClock(0) });
    expect(log).toEqual(['evaluate']);
  });
});

describe('runFlow: bad flows name the culprit', () => {
  const run = (tasks: FlowTask[], inputs = {}) => runFlow(tasks, { inputs });
  const f = (name: string, inputs: string[] = [], after: string[] = []): FlowTask => ({ name, inputs, after, run: () => 1 });

  it('a cycle, with its path', async () => {
    const e = await run([f('a', ['c']), f('b', ['a']), f('c', ['b']), f('d', ['a'])]).catch((x) => x);
    expect(e).toBeInstanceOf(FlowError);
    expect(e.code).toBe('cycle');
    expect(e.message).toBe('The flow has a cycle: a → b → c → a.');
    expect(e.cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('an input nobody writes, a dependency that is no task, duplicates, a task reading itself', async () => {
    await expect(run([f('train', ['features'])])).rejects.toThrow('Task "train" reads "features", which no task writes and the flow was not given.');
    await expect(run([f('train', [], ['etl'])])).rejects.toThrow('Task "train" runs after "etl", which is not a task of this flow.');
    await expect(run([f('a'), f('a')])).rejects.toThrow('Two tasks are named "a".');
    await expect(run([{ ...f('a'), outputs: ['x'] }, { ...f('b'), outputs: ['x'] }])).rejects.toThrow('Tasks "a" and "b" both write "x".');
    await expect(run([f('a', ['a'])])).rejects.toThrow(/reads its own output/);
    await expect(run([f('a', [], ['a'])])).rejects.toThrow(/runs after itself/);
  });

  it('a task that does not return its declared outputs fails with that message', async () => {
    const r = await runFlow([{ name: 'a', outputs: ['x', 'y'], run: () => ({ x: 1 }) }]);
    expect(r.tasks.a.error).toBe('task "a" did not return its output "y"');
  });
});

describe('runFlow on the real clock and with Stop', () => {
  it('waits the real back-off between attempts', async () => {
    let n = 0;
    const t0 = Date.now();
    const r = await runFlow([{ name: 'a', run: () => { if (++n < 2) throw new Error('once'); return 1; } }], { retries: { retries: 1, backoffMs: 30 } });
    expect(r.state).toBe('completed');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(r.tasks.a.attempts[1].start - r.tasks.a.attempts[0].end).toBeGreaterThanOrEqual(25);
  });

  it('a Stop ends the flow with a StoppedError', async () => {
    const stop = new Interrupt();
    const tasks = etl([], { clean: { run: () => (stop.interrupt(), [1]) } });
    await expect(runFlow(tasks, { inputs: { raw: [1] }, ctx: taskContext(stop), clock: new VirtualClock(0) })).rejects.toBeInstanceOf(StoppedError);
  });
});

describe('runFlow property: random DAGs with random failures', () => {
  it('every task runs after its dependencies, at most retries + 1 times, and outputs equal a plain sequential run', async () => {
    const seen = { failed: 0, retriedOk: 0, skipped: 0, completed: 0 };
    for (let trial = 0; trial < 40; trial++) {
      const rng = mulberry32(1000 + trial);
      const n = 3 + Math.floor(rng() * 10);
      const retries = Math.floor(rng() * 3);
      const failP = rng() * 0.5;
      // Task i reads a random subset of earlier tasks: a DAG by construction, declared in shuffled order.
      const deps = Array.from({ length: n }, (_, i) => Array.from({ length: i }, (_, j) => j).filter(() => rng() < 0.35).map((j) => `t${j}`));
      const fn = (i: number, ins: Record<string, unknown>) => (i * 7 + Object.keys(ins).sort().reduce((s, k) => (s * 31 + (ins[k] as number)) % 1_000_003, 1)) % 1_000_003;
      const calls: { task: string; at: number; attempt: number }[] = [];
      let tick = 0;
      const tasks: FlowTask[] = deps.map((d, i) => ({
        name: `t${i}`, inputs: d, durationMs: Math.floor(rng() * 5) * 100,
        run: (ins, info) => (calls.push({ task: `t${i}`, at: tick++, attempt: info.attempt }), fn(i, ins)),
      }));
      const order = tasks.map((_, i) => i).sort(() => rng() - 0.5);
      const failSeed = Math.floor(rng() * 1e9);
      const failures = (task: string, attempt: number) => mulberry32(failSeed ^ (Number(task.slice(1)) * 977 + attempt * 131))() < failP;
      const r = await runFlow(order.map((i) => tasks[i]), { clock: new VirtualClock(0), retries, failures, concurrency: 1 + Math.floor(rng() * 3) });

      // A plain sequential run, in index order (a topological order here).
      const plain: Record<string, number> = {};
      for (let i = 0; i < n; i++) plain[`t${i}`] = fn(i, Object.fromEntries(deps[i].map((d) => [d, plain[d]])));

      const completedAt = new Map<string, number>();
      for (const c of calls) {
        for (const d of deps[Number(c.task.slice(1))]) {
          expect(completedAt.has(d), `${c.task} ran before its input ${d} finished`).toBe(true);
          expect(completedAt.get(d)!).toBeLessThan(c.at);
        }
        completedAt.set(c.task, c.at);
      }
      for (let i = 0; i < n; i++) {
        const t = r.tasks[`t${i}`];
        expect(t.attempts.length).toBeLessThanOrEqual(retries + 1);
        if (t.state === 'completed') expect(r.artifacts[`t${i}`]).toBe(plain[`t${i}`]);
        if (t.state === 'failed') expect(t.attempts).toHaveLength(retries + 1);
        if (t.state === 'skipped') expect(deps[i].some((d) => r.tasks[d].state !== 'completed')).toBe(true);
        // Virtual time: a task starts no earlier than each dependency ended.
        for (const d of deps[i]) if (t.state === 'completed') expect(t.start).toBeGreaterThanOrEqual(r.tasks[d].end);
        seen[t.state === 'completed' && t.attempts.length > 1 ? 'retriedOk' : (t.state as 'failed' | 'skipped' | 'completed')]++;
      }
    }
    // The 40 flows exercise every path: failures for good, successes after retries, skips, plain successes.
    for (const k of Object.keys(seen) as (keyof typeof seen)[]) expect(seen[k], k).toBeGreaterThan(5);
  });
});

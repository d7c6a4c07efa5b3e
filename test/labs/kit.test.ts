/**
 * The lab kit's pieces that run without a page: the engine client (crash → message → fresh worker;
 * Stop with a grace period), the saved-run reader and the run-table columns. The worker here is a
 * MessageChannel with an engine on its far end, as a browser worker would be.
 */
import { describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { EngineClient, WorkerCrashedError } from '../../labs/kit/client';
import { labRuns, num, sameExcept } from '../../labs/kit/runs';
import { col, runColumns } from '../../labs/kit/columns';
import { bestRun, runPair } from '../../labs/kit/exercises';
import { isStopped, Interrupt, taskContext } from '../../src/lib/core/task';
import type { RunRecord } from '../../src/lib/store/types';

interface Api {
  add(a: number, b: number): number;
  /** Ticks until interrupted (a runner that checks for Stop). */
  soft(): Promise<string>;
  /** Ignores interrupt() for `ms` (a runner that cannot look up: in a real worker, a long synchronous loop). */
  hard(ms: number): Promise<string>;
  interrupt(): void;
  prepared(): number;
}

/** A worker stand-in: a MessageChannel whose far end exposes Api; `crash()` fires the error event a dying worker fires. */
class FakeWorker extends EventTarget {
  terminated = false;
  private readonly port: MessagePort;
  constructor(readonly id: number) {
    super();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const stop = new Interrupt();
    let prepared = 0;
    const api: Api = {
      add: (a, b) => a + b,
      async soft() {
        stop.reset();
        const ctx = taskContext(stop);
        for (;;) {
          await new Promise((r) => setTimeout(r, 60));
          await ctx.tick(0.5);
        }
      },
      hard: (ms) => new Promise((r) => setTimeout(() => r('finished'), ms)),
      interrupt: () => stop.interrupt(),
      prepared: () => ++prepared,
    };
    Comlink.expose(api, port2);
    port1.start();
  }
  postMessage(m: unknown, t?: Transferable[]) {
    this.port.postMessage(m, t ?? []);
  }
  override addEventListener(type: string, l: EventListenerOrEventListenerObject | null) {
    if (type === 'message') this.port.addEventListener('message', l as EventListener);
    else super.addEventListener(type, l);
  }
  override removeEventListener(type: string, l: EventListenerOrEventListenerObject | null) {
    if (type === 'message') this.port.removeEventListener('message', l as EventListener);
    else super.removeEventListener(type, l);
  }
  terminate() {
    this.terminated = true;
    this.port.close();
  }
  crash(message: string) {
    this.dispatchEvent(Object.assign(new Event('error', { cancelable: true }), { message }));
  }
}

function client(opts: { graceMs?: number } = {}) {
  const workers: FakeWorker[] = [];
  const crashes: string[] = [];
  const c = new EngineClient<Api>({
    spawn: () => {
      const w = new FakeWorker(workers.length);
      workers.push(w);
      return w as unknown as Worker;
    },
    name: 'test engine',
    onFresh: async (api) => api.prepared(),
    onCrash: (m) => crashes.push(m),
  });
  return { c, workers, crashes, graceMs: opts.graceMs };
}

describe('EngineClient', () => {
  it('starts its worker on the first call and prepares it once', async () => {
    const { c, workers } = client();
    expect(c.fresh).toBe(true);
    expect(await c.call((api) => api.add(2, 3))).toBe(5);
    expect(await c.call((api) => api.prepared())).toBe(2); // onFresh was the first
    expect(workers).toHaveLength(1);
    c.dispose();
    expect(workers[0].terminated).toBe(true);
  });

  it('a crash rejects the call in flight with a message naming the engine; the next call gets a fresh, prepared worker', async () => {
    const { c, workers, crashes } = client();
    await c.call((api) => api.add(1, 1));
    const pending = c.call((api) => api.soft());
    workers[0].crash('out of memory');
    await expect(pending).rejects.toThrow(WorkerCrashedError);
    await expect(pending).rejects.toThrow('The test engine crashed (out of memory). Run again to start a fresh one; your saved runs are untouched.');
    expect(crashes).toHaveLength(1);
    expect(workers[0].terminated).toBe(true);
    expect(c.fresh).toBe(true);
    expect(await c.call((api) => api.prepared())).toBe(2);
    expect(workers).toHaveLength(2);
    c.dispose();
  });

  it('stop() ends work that checks for Stop by itself, and the worker lives on', async () => {
    const { c, workers } = client();
    const pending = c.call((api) => api.soft());
    await new Promise((r) => setTimeout(r, 150));
    c.stop((api) => api.interrupt(), 2000);
    const e = await pending.catch((x) => x);
    expect(isStopped(e)).toBe(true);
    expect(workers[0].terminated).toBe(false);
    expect(await c.call((api) => api.add(1, 2))).toBe(3);
    c.dispose();
  });

  it('stop() ends the worker of work that cannot stop, after the grace period, with StoppedError; the next call starts afresh', async () => {
    const { c, workers, crashes } = client();
    await c.call((api) => api.add(0, 0));
    const pending = c.call((api) => api.hard(800));
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    c.stop((api) => api.interrupt(), 100);
    const e = await pending.catch((x) => x);
    expect(isStopped(e)).toBe(true);
    expect((e as Error).message).toMatch(/its worker was ended/);
    expect(Date.now() - t0).toBeLessThan(700);
    expect(workers[0].terminated).toBe(true);
    expect(crashes).toEqual([]); // a Stop is not a crash
    expect(await c.call((api) => api.add(2, 2))).toBe(4);
    expect(workers).toHaveLength(2);
    c.dispose();
  });

  it('kill() is the failure drill: the call in flight rejects in words, the next starts a fresh worker', async () => {
    const { c, workers, crashes } = client();
    const pending = c.call((api) => api.soft());
    await new Promise((r) => setTimeout(r, 20));
    c.kill();
    await expect(pending).rejects.toThrow('The test engine was ended. The next run starts a fresh one; your saved runs are untouched.');
    expect(crashes).toHaveLength(1);
    expect(await c.call((api) => api.add(1, 1))).toBe(2);
    expect(workers).toHaveLength(2);
    c.dispose();
    await expect(c.call((api) => api.add(1, 1))).rejects.toThrow('The test engine was closed with its page.');
  });
});

let n = 0;
function record(params: Record<string, unknown>, status: RunRecord['status'] = 'done', name?: string): RunRecord {
  n++;
  return {
    id: `run-kit-${String(n).padStart(6, '0')}`, lab: 'x', name, params, seed: Number(params.seed ?? (params.settings as { seed?: number })?.seed ?? 0), dataHash: 'h', backend: 'test', appVersion: 'test', status,
    createdAt: n, updatedAt: n, durationMs: 1234, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}

describe('labRuns and the run table', () => {
  const now = record({ seed: 1, rate: 0.1, result: { auc: 0.8123, share: 0.25 } }, 'done', 'baseline');
  const before = record({ settings: { seed: 2, rate: 0.1 }, result: { auc: 0.7, share: 0.5 } });
  const failed = record({ seed: 3, result: { auc: 1 } }, 'failed');
  const training = record({ seed: 4, epochs: 3 });
  const rs = labRuns<{ seed: number; rate: number }>([now, before, failed, training]);

  it('reads finished one-shot runs in both stored shapes and skips the rest', () => {
    expect(rs.map((r) => [r.label, r.settings, r.result])).toEqual([
      ['baseline', { seed: 1, rate: 0.1 }, { auc: 0.8123, share: 0.25 }],
      [before.id.slice(-6), { seed: 2, rate: 0.1 }, { auc: 0.7, share: 0.5 }],
    ]);
    expect(num(rs[0], 'auc')).toBe(0.8123);
    expect(num(rs[0], 'missing')).toBeNaN();
    expect(sameExcept(rs[0], rs[1], ['seed'])).toBe(true);
    expect(sameExcept(rs[0], rs[1], [])).toBe(false);
  });

  it('columns write numbers through core/format; an unreadable cell does not throw here', () => {
    const r = rs[0];
    expect(col.pct('share', 'share').value(r)).toBe('25.0%');
    expect(col.fixed('AUC', 'auc').value(r)).toBe('0.812');
    expect(col.fixed('AUC', 'auc', 2).value(r)).toBe('0.81');
    expect(col.count('n', () => 12345).value(r)).toBe('12,345');
    expect(col.bytes('size', () => 940_584).value(r)).toBe('918.5 KiB');
    expect(col.duration('took', () => 3200).value(r)).toBe('3.2 s');
    expect(col.setting('rate', 'rate').value(r)).toBe('0.1');
    expect(col.fixed('AUC', 'missing').value(r)).toBe('–');
    expect([runColumns.name, runColumns.seed, runColumns.time].map((c) => c.value(r))).toEqual(['baseline', '1', '1.2 s']);
  });
});

describe('bestRun and runPair (labs/kit/exercises)', () => {
  type S = { seed: number; size: number; mode: string };
  const text = { id: 'x', title: 'X', task: 'Do x.' };
  // Newest first, as the store lists them.
  const big = record({ seed: 1, size: 40, mode: 'a', result: { score: 0.5 } });
  const bigGood = record({ seed: 1, size: 40, mode: 'b', result: { score: 0.95 } });
  const small = record({ seed: 1, size: 10, mode: 'a', result: { score: 0.9 } });
  const otherSeed = record({ seed: 2, size: 10, mode: 'a', result: { score: 0.2 } });
  const best = bestRun<S>(text, {
    among: (r) => r.settings.size >= 40,
    none: 'No big run yet.',
    pass: (r) => num(r, 'score') >= 0.9,
    detail: (r, passed) => `${r.id} ${passed ? 'passes' : 'falls short'}`,
  });
  const check = (e: typeof best, runs: RunRecord[]) => e.check({ runs, answers: {} });

  it('bestRun: says `none` without a run that counts, names the newest that counts when none passes, else the first that passes', () => {
    expect(check(best, [small])).toEqual({ passed: false, detail: 'No big run yet.' });
    expect(check(best, [big, small])).toEqual({ passed: false, runId: big.id, detail: `${big.id} falls short` });
    expect(check(best, [big, bigGood, small])).toEqual({ passed: true, runId: bigGood.id, detail: `${bigGood.id} passes` });
    expect(best).toMatchObject(text);
  });

  it('runPair: only pairs equal except `differIn`, judged on the first pair found; b is named unless judge names another', () => {
    const grow = runPair<S>(text, {
      differIn: ['size'],
      pair: (a, b) => b.settings.size >= 4 * a.settings.size,
      none: 'Need a pair.',
      judge: (a, b) => ({ passed: num(b, 'score') < num(a, 'score'), detail: `${a.id} → ${b.id}` }),
    });
    expect(check(grow, [big, otherSeed])).toEqual({ passed: false, detail: 'Need a pair.' });
    expect(check(grow, [big, bigGood])).toEqual({ passed: false, detail: 'Need a pair.' });
    expect(check(grow, [big, small])).toEqual({ passed: true, runId: big.id, detail: `${small.id} → ${big.id}` });
    const named = runPair<S>(text, { differIn: ['mode'], pair: (a, b) => a.settings.mode === 'b' && b.settings.mode === 'a', none: '', judge: (a) => ({ passed: true, runId: a.id, detail: '' }) });
    expect(check(named, [big, bigGood]).runId).toBe(bigGood.id);
  });
});

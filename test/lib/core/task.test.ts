import { describe, expect, it } from 'vitest';
import { Interrupt, isStopped, quietContext, runStage, sliceContext, StoppedError, taskContext, TICK_MS, type Progress } from '../../../src/lib/core/task';

describe('core/task', () => {
  it('taskContext maps a runner\'s 0..1 into its slice of the caller\'s progress and stops on interrupt', () => {
    const seen: Progress[] = [];
    const stop = new Interrupt();
    const ctx = taskContext(stop, (p) => seen.push(p), 0.5, 0.9);
    ctx.progress(0.5, 'half');
    ctx.progress(2, 'past the end');
    expect(seen).toEqual([{ fraction: 0.7, stage: 'half' }, { fraction: 0.9, stage: 'past the end' }]);
    expect(() => ctx.checkStop()).not.toThrow();
    stop.interrupt();
    expect(() => ctx.checkStop()).toThrow(StoppedError);
    stop.reset();
    expect(() => ctx.checkStop()).not.toThrow();
  });

  it('isStopped recognises a StoppedError after it crossed a worker as a plain {name, message}', () => {
    expect(isStopped(new StoppedError())).toBe(true);
    expect(isStopped({ name: 'StoppedError', message: 'Stopped by you.' })).toBe(true);
    expect(isStopped(new Error('Stopped'))).toBe(false);
    expect(isStopped(null)).toBe(false);
  });

  it('tick reports at most every TICK_MS, yields a macrotask so a queued Stop lands, then throws StoppedError', async () => {
    const seen: Progress[] = [];
    const stop = new Interrupt();
    const ctx = taskContext(stop, (p) => seen.push(p));
    ctx.progress(0, 'simulating');
    expect(ctx.tick(0.1)).toBeUndefined(); // too soon after the last report: no yield, no report
    await new Promise((r) => setTimeout(r, TICK_MS + 5));
    // A Stop that arrived while the loop computed waits in the task queue, as a worker message would.
    setTimeout(() => stop.interrupt(), 0);
    expect(stop.stopRequested).toBe(false);
    const pending = ctx.tick(0.2);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toThrow(StoppedError);
    expect(seen.at(-1)).toEqual({ fraction: 0.2, stage: 'simulating' });
    expect(quietContext.tick(0.5)).toBeUndefined();
  });

  it('sliceContext maps a step\'s 0..1 into its slice of the caller\'s progress, labels its stages, passes Stop through', () => {
    const seen: Progress[] = [];
    const stop = new Interrupt();
    const step = sliceContext(taskContext(stop, (p) => seen.push(p)), 0.25, 0.75, 'random search');
    step.progress(0.5, 'trial 3');
    step.progress(-1, 'before the start');
    expect(seen).toEqual([{ fraction: 0.5, stage: 'random search: trial 3' }, { fraction: 0.25, stage: 'random search: before the start' }]);
    stop.interrupt();
    expect(() => step.checkStop()).toThrow(StoppedError);
  });
});

describe('runStage(stage, work)', () => {
  it('reports the stage at 0 before the work starts, then passes settings and the same context on', async () => {
    const seen: string[] = [];
    const ctx = { ...quietContext, progress: (f: number, stage: string) => seen.push(`${f} ${stage}`) };
    const run = runStage('simulating', async (s: { n: number }, c) => {
      seen.push(`work ${s.n} ${c === ctx}`);
      return s.n * 2;
    });
    await expect(run(ctx, { n: 21 })).resolves.toBe(42);
    expect(seen).toEqual(['0 simulating', 'work 21 true']);
  });
});

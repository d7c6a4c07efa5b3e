import { describe, expect, it } from 'vitest';
import { Interrupt, isStopped, StoppedError, taskContext, type Progress } from '../../../src/lib/core/task';

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
});

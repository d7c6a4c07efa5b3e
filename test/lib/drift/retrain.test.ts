import { describe, expect, it } from 'vitest';
import { makeStream } from '../../../src/lib/data/stream.ts';
import { simulateRetraining } from '../../../src/lib/drift/retrain.ts';

const s = makeStream();
const mean = (xs: Float64Array, a: number, b: number) => xs.slice(a, b).reduce((x, y) => x + y, 0) / (b - a);

describe('simulateRetraining', () => {
  const never = simulateRetraining(s, { policy: 'never' });
  const continuous = simulateRetraining(s, { policy: 'continuous' });
  const periodic = simulateRetraining(s, { policy: 'periodic', periodDays: 14 });
  const triggered = simulateRetraining(s, { policy: 'triggered', triggerDays: [3, 4, 5, 41, 42, 76, 80, 81], cooldownDays: 7 });

  it('retrains when its policy says: never, every 14 days, every day, on triggers after a cooldown', () => {
    expect(never.retrainDays).toEqual([]);
    expect(periodic.retrainDays).toEqual([13, 27, 41, 55, 69, 83]);
    // Days 0 and 1: fewer than minRows labels have arrived; the last day has no next day to serve.
    expect(continuous.retrainDays).toEqual(Array.from({ length: 87 }, (_, d) => d + 2));
    expect(triggered.retrainDays).toEqual([3, 41, 76]);
  });

  it('every day is scored with the model in service, within [0, 1]', () => {
    for (const r of [never, periodic, triggered, continuous]) {
      expect(r.accuracy.length).toBe(90);
      expect(r.accuracy.every((a) => a > 0.3 && a <= 1)).toBe(true);
    }
    // Before any retrain the four policies serve the same model.
    expect(continuous.accuracy[0]).toBe(never.accuracy[0]);
  });

  it('after the concept drift, retraining on fresh labels recovers what the old model lost', () => {
    expect(mean(continuous.logLoss, 80, 90)).toBeLessThan(mean(never.logLoss, 80, 90) - 0.01);
  });
});

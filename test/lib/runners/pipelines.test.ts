import { describe, expect, it } from 'vitest';
import { checkFields } from '../../../src/lib/core/fields';
import { defaults, failurePlan, fields, run, summary, validate, type PipelinesSettings } from '../../../src/lib/runners/pipelines';

// Continuous training (ctDays) is tested once below and in test/lib/mlops/continuous.test.ts.
const small: PipelinesSettings = { ...defaults, days: 3, driftDay: 2, rows: 1000, ctDays: 0 };

describe('pipelines runner', () => {
  it('the defaults pass the field table and the cross-field rules', () => {
    expect(() => checkFields(fields, defaults)).not.toThrow();
    expect(() => validate(defaults)).not.toThrow();
  });

  it('a change to the train code re-runs train and what follows it, nothing upstream', async () => {
    const r = await run(undefined, { ...small, change: 'code', failureRate: 0 });
    const change = r.runs[r.runs.length - 1];
    expect(change.executed.sort()).toEqual(['compress', 'evaluate', 'export', 'fairness', 'register', 'train']);
    expect(change.cached.sort()).toEqual(['extract', 'features', 'split', 'validate']);
    expect(r.changeReaches.sort()).toEqual(change.executed.sort());
  });

  it("with no change only the side effect (register, never cached) runs again; new data re-runs everything", async () => {
    const none = await run(undefined, { ...small, change: 'none', failureRate: 0 });
    expect(none.runs[none.runs.length - 1].executed).toEqual(['register']);
    const data = await run(undefined, { ...small, change: 'data', failureRate: 0 });
    expect(data.runs[data.runs.length - 1].executed).toHaveLength(10);
  });

  it('with no retries a failure skips what depends on it, and the re-run does only the failed and skipped tasks', async () => {
    // Find a seed whose first run fails (the plan is fixed per seed).
    let r;
    for (let seed = 1; seed < 50; seed++) {
      r = await run(undefined, { ...small, seed, failureRate: 0.2, retries: 0, days: 1, driftDay: 0 });
      if (r.runs[0].state === 'failed') break;
    }
    const [first, rerun] = r!.runs;
    expect(first.state).toBe('failed');
    const notDone = first.tasks.filter((t) => t.state === 'failed' || t.state === 'skipped').map((t) => t.name).sort();
    expect(rerun.state).toBe('completed');
    expect(rerun.executed.filter((n) => n !== 'register').sort()).toEqual(notDone.filter((n) => n !== 'register'));
    const s = summary(r!);
    expect(s.rerunExecuted).toBe(rerun.executed.length);
    expect(s.firstFailedTasks as number).toBeGreaterThan(0);
  });

  it('runs on schedule: nightly plus the drift alarm, with cache hits on nights without new data', async () => {
    const r = await run(undefined, { ...small, failureRate: 0, newDataEvery: 2 });
    expect(r.schedule.map((x) => x.reason)).toEqual(['cron: 0 2 * * *', 'cron: 0 2 * * *', 'event: drift', 'cron: 0 2 * * *']);
    // Night 1 has new data; night 2 the same batch (cache hits but register); the drift run the same; night 3 new data.
    expect(r.schedule.map((x) => x.executed)).toEqual([10, 1, 1, 10]);
    expect(r.criticalPathMinutes).toBeLessThan(r.sequentialMinutes);
    expect(r.graph.layout.nodes.train.x).toBeGreaterThan(r.graph.layout.nodes.extract.x);
  });

  it('the failure plan is fixed by seed, run and attempt, and its rate is about right', () => {
    const plan = failurePlan(3, 0, 0.3);
    expect(plan('train', 1)).toBe(failurePlan(3, 0, 0.3)('train', 1));
    let n = 0;
    for (let run = 0; run < 200; run++) for (const t of ['a', 'b', 'c', 'd', 'e']) n += failurePlan(3, run, 0.3)(t, 1) ? 1 : 0;
    expect(n / 1000).toBeGreaterThan(0.25);
    expect(n / 1000).toBeLessThan(0.35);
  });

  it('refuses a schedule that fires too often or a drift day after the end, naming the field', () => {
    expect(() => validate({ ...defaults, schedule: '* * * * *' })).toThrow(/fires more than 200 times in 7 days/);
    expect(() => validate({ ...defaults, schedule: 'every night' })).toThrow(/cron pattern "every night" is not valid/);
    expect(() => validate({ ...defaults, days: 2, driftDay: 5 })).toThrow(/falls after the last replayed day/);
  });

  it('with ctDays the drift stream is replayed with gated retrains, and the summary counts what the result holds', async () => {
    const r = await run(undefined, { ...small, days: 1, driftDay: 0, ctDays: 40, ctGain: -0.05 });
    const ct = r.continuous!;
    expect(ct.days).toBe(40);
    expect(ct.retrains.length).toBeGreaterThan(0);
    const d = summary(r);
    expect(d.ctRetrains).toBe(ct.retrains.length);
    expect(d.ctPromoted).toBe(ct.retrains.filter((t) => t.promoted).length);
    expect(() => validate({ ...defaults, ctDays: 10 })).toThrow(/at least 30 days/);
    const off = await run(undefined, small);
    expect(off.continuous).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { cronTimes, MemoryFlowCache, runFlow, runSchedule, VirtualClock, type FlowTask } from '../../../src/lib/mlops';

const day = 24 * 3600_000;
const jan1 = Date.UTC(2025, 0, 1);

describe('cronTimes', () => {
  it('lists fire times in (from, until] in UTC: nightly at 02:00, every 15 minutes, weekdays at 09:30', () => {
    expect(cronTimes('0 2 * * *', jan1, jan1 + 3 * day).map((t) => new Date(t).toISOString())).toEqual(['2025-01-01T02:00:00.000Z', '2025-01-02T02:00:00.000Z', '2025-01-03T02:00:00.000Z']);
    expect(cronTimes('*/15 * * * *', jan1, jan1 + 3600_000)).toHaveLength(4);
    // 2025-01-01 is a Wednesday: weekdays of the first week are Wed, Thu, Fri, Mon, Tue.
    const weekdays = cronTimes('30 9 * * 1-5', jan1, jan1 + 7 * day).map((t) => new Date(t).getUTCDay());
    expect(weekdays).toEqual([3, 4, 5, 1, 2]);
  });

  it('a bad pattern is refused with croner\'s reason and the pattern', () => {
    expect(() => cronTimes('61 * * * *', jan1, jan1 + day)).toThrow(/The cron pattern "61 \* \* \* \*" is not valid: .*minute/);
  });
});

describe('runSchedule on a fast-forwarded clock', () => {
  const tasks = (log: number[]): FlowTask[] => [
    { name: 'ingest', inputs: ['day'], run: ({ day: d }) => (log.push(d as number), d), durationMs: 3600_000 },
    { name: 'train', inputs: ['ingest'], run: ({ ingest }) => (ingest as number) * 2, durationMs: 2 * 3600_000 },
  ];

  it('runs the flow at every cron time and on every matching event, and skips a trigger while a run is still going', async () => {
    const clock = new VirtualClock(0);
    const log: number[] = [];
    const cache = new MemoryFlowCache();
    const firings = await runSchedule({
      clock, from: jan1, until: jan1 + 3 * day,
      triggers: [{ kind: 'cron', pattern: '0 2 * * *' }, { kind: 'event', event: 'drift', when: (p) => (p as { psi: number }).psi > 0.2 }],
      events: [
        { at: jan1 + day + 3 * 3600_000, name: 'drift', payload: { psi: 0.3 } }, // 03:00 on day 2: the 02:00 run (3 h) is still going
        { at: jan1 + day + 12 * 3600_000, name: 'drift', payload: { psi: 0.1 } }, // below the threshold: no trigger
        { at: jan1 + 2 * day + 12 * 3600_000, name: 'drift', payload: { psi: 0.25 } }, // 12:00 on day 3: runs
      ],
      run: async () => runFlow(tasks(log), { clock, cache, inputs: { day: Math.floor((clock.now() - jan1) / day) } }),
    });
    expect(firings.map((f) => [new Date(f.at).toISOString().slice(5, 16), f.reason, f.ran])).toEqual([
      ['01-01T02:00', 'cron: 0 2 * * *', true],
      ['01-02T02:00', 'cron: 0 2 * * *', true],
      ['01-02T03:00', 'event: drift', false],
      ['01-03T02:00', 'cron: 0 2 * * *', true],
      ['01-03T12:00', 'event: drift', true],
    ]);
    expect(firings[0].end).toBe(jan1 + 5 * 3600_000); // 02:00 + 1 h + 2 h
    // The event run on day 3 sees the same input as that morning's run: every task is a cache hit and takes no time.
    expect(log).toEqual([0, 1, 2]);
    expect(firings[4].end).toBe(firings[4].at);
    expect(clock.now()).toBe(jan1 + 3 * day);
  });

  it('refuses a period that ends before it starts and an unknown trigger', async () => {
    const clock = new VirtualClock(0);
    await expect(runSchedule({ clock, from: 10, until: 5, triggers: [], run: async () => 0 })).rejects.toThrow(/ends .* before it starts/);
    await expect(runSchedule({ clock, from: 0, until: 5, triggers: [{ kind: 'webhook' } as never], run: async () => 0 })).rejects.toThrow(/Unknown trigger kind "webhook"/);
  });
});

import { describe, expect, it } from 'vitest';
import { Gateway, realClock, SERVE_DEFAULTS, ServeError, type Backend, type ServeSettings } from '../../../src/lib/serve/gateway.ts';

/** A model that takes `fixedMs + perRowMs · rows` and answers each row with its first two inputs (so outputs are traceable). */
function fake(fixedMs: number, perRowMs = 0, shift = 0): Backend & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    async run(input, dims) {
      calls.push(dims[0]);
      // Like a worker given the buffer with Comlink.transfer: the caller's view is detached.
      input = new Float32Array(structuredClone(input.buffer, { transfer: [input.buffer as ArrayBuffer] }));
      await new Promise((r) => setTimeout(r, fixedMs + perRowMs * dims[0]));
      const out = new Float32Array(dims[0] * 2);
      for (let i = 0; i < dims[0]; i++) {
        out[2 * i] = input[i * 2] + shift;
        out[2 * i + 1] = input[i * 2 + 1];
      }
      return { output: out };
    },
  };
}

const bank = Float32Array.from({ length: 64 * 2 }, (_, i) => (i % 2 === 0 ? (i * 7) % 5 : (i * 3) % 4));
const settings = (o: Partial<ServeSettings>): ServeSettings => ({ ...SERVE_DEFAULTS, durationMs: 2000, warmupMs: 500, tickMs: 100, windowMs: 500, ...o });

describe('Gateway', () => {
  it('below capacity: every request served, throughput = offered load, latency ≥ service time', async () => {
    const w = fake(2);
    const r = await new Gateway().run(settings({ qps: 200, maxBatch: 8, maxWaitMs: 1 }), { v1: [w], v2: [] }, bank, [2], 2);
    expect(r.totals.dropped + r.totals.errors).toBe(0);
    expect(r.totals.completed).toBe(r.totals.sent);
    // Poisson(300) requests in 1.5 s steady window: within 4 sd of 200/s.
    expect(Math.abs(r.steady.throughput - 200)).toBeLessThan(4 * Math.sqrt(300) / 1.5);
    expect(r.steady.throughput).toBeCloseTo(r.steady.offeredQps, 6);
    expect(r.steady.p50).toBeGreaterThanOrEqual(2);
    expect(r.steady.p99).toBeLessThan(200);
    expect(Math.max(...w.calls)).toBeLessThanOrEqual(8);
    expect(r.ticks.length).toBeGreaterThan(10);
  });

  it('past saturation: the queue fills to its bound, the surplus is dropped, throughput caps at capacity', async () => {
    // One worker, one request per call, 10 ms a call: capacity ≈ 100/s (a bit less with timer overhead).
    // Counts the loop's sleeps: with every worker busy it must wait for a completion, not spin on an overdue batch deadline.
    let spins = 0;
    const clock = { now: realClock.now, sleep: (ms: number) => ((spins += ms <= 0 ? 1 : 0), realClock.sleep(ms)) };
    const r = await new Gateway(clock).run(settings({ qps: 400, maxBatch: 1, maxWaitMs: 0, maxQueue: 50, drainMs: 1500 }), { v1: [fake(10)], v2: [] }, bank, [2], 2);
    // A loop that spins on an overdue deadline sleeps 0 ms on every pass: hundreds of times in this
    // ~2 s run (a 0 ms timer takes 1-4 ms). A correct loop has a handful, a few more when a loaded
    // machine fires its timers late (22-23 seen under load), so the bound sits far from both.
    expect(spins).toBeLessThan(100);
    expect(r.steady.throughput).toBeLessThan(110);
    expect(r.steady.throughput).toBeGreaterThan(50);
    expect(r.totals.dropped).toBeGreaterThan(300);
    expect(r.steady.maxQueue).toBe(50);
    // Queued requests wait ~50 × 10 ms: latency far above the 10 ms service time.
    expect(r.steady.p50).toBeGreaterThan(200);
  });

  it('dynamic batching lets the same worker carry the load: batches fill up under pressure', async () => {
    const w = fake(10);
    const r = await new Gateway().run(settings({ qps: 400, maxBatch: 32, maxWaitMs: 5 }), { v1: [w], v2: [] }, bank, [2], 2);
    expect(r.totals.dropped).toBe(0);
    expect(r.steady.meanBatch).toBeGreaterThan(2);
    expect(Math.abs(r.steady.throughput - 400)).toBeLessThan(4 * Math.sqrt(600) / 1.5);
  });

  it('canary: a v2 that fails every batch is rolled back once the breach lasts breachMs, then gets no traffic', async () => {
    const v2 = fake(1);
    const r = await new Gateway().run(
      settings({ qps: 300, durationMs: 3000, mode: 'canary', canaryPercent: 30, guardrail: { maxP99Ms: 50, maxErrorRate: 0.05, breachMs: 400, minRequests: 5 } }),
      { v1: [fake(1)], v2: [v2] }, bank, [2], 2, undefined, { delayMs: 0, errorRate: 1 },
    );
    expect(r.rollback).toBeDefined();
    expect(r.rollback!.atMs - r.rollback!.sinceMs).toBeGreaterThanOrEqual(400);
    expect(r.rollback!.atMs - r.rollback!.sinceMs).toBeLessThan(400 + 2 * 100 + 50);
    expect(r.rollback!.reason).toMatch(/error rate/);
    const after = r.ticks.filter((t) => t.t > r.rollback!.atMs + 600);
    expect(after.length).toBeGreaterThan(3);
    expect(after.every((t) => t.v2Percent === 0 && t.v2.errors === 0 && t.v2.count === 0)).toBe(true);
  });

  it('canary: a healthy v2 gets about its share and is never rolled back', async () => {
    const r = await new Gateway().run(settings({ qps: 300, mode: 'canary', canaryPercent: 20 }), { v1: [fake(1)], v2: [fake(1)] }, bank, [2], 2);
    expect(r.rollback).toBeUndefined();
    const last = r.ticks.at(-1)!;
    expect(last.guardrail.state).toBe('ok');
  });

  it('shadow: v2 sees copies of v1 traffic; identical models agree, a shifted one disagrees where it changes the argmax', async () => {
    const same = await new Gateway().run(settings({ qps: 200, mode: 'shadow' }), { v1: [fake(1)], v2: [fake(1)] }, bank, [2], 2);
    expect(same.shadow!.compared + same.shadow!.skipped).toBe(same.totals.completed);
    expect(same.shadow!.agreement).toBe(1);
    expect(same.shadow!.maxDiff).toBe(0);
    const shifted = await new Gateway().run(settings({ qps: 200, mode: 'shadow' }), { v1: [fake(1)], v2: [fake(1, 0, 10)] }, bank, [2], 2);
    expect(shifted.shadow!.maxDiff).toBe(10);
    expect(shifted.shadow!.agreement).toBeLessThan(1);
    // Only v1's answers count as served.
    expect(shifted.ticks.at(-1)!.v2.count).toBe(0);
  });

  it('refuses absurd settings with a message', async () => {
    const g = new Gateway();
    await expect(g.run(settings({ qps: -1 }), { v1: [fake(1)], v2: [] }, bank, [2], 2)).rejects.toThrow(ServeError);
    await expect(g.run(settings({ maxBatch: 0 }), { v1: [fake(1)], v2: [] }, bank, [2], 2)).rejects.toThrow(/max batch/);
    await expect(g.run(settings({ mode: 'canary' }), { v1: [fake(1)], v2: [] }, bank, [2], 2)).rejects.toThrow(/needs a v2/);
  });
});

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../../src/lib/core/rng.ts';
import { ArrivalSchedule, exponentialGapMs, poissonArrivals } from '../../../src/lib/serve/poisson.ts';
import { Batcher } from '../../../src/lib/serve/batcher.ts';
import { percentile, SlidingWindow } from '../../../src/lib/serve/window.ts';
import { canaryWeights, leastBusy, pickVersion } from '../../../src/lib/serve/router.ts';
import { Guardrail } from '../../../src/lib/serve/guardrail.ts';
import { ShadowComparator } from '../../../src/lib/serve/shadow.ts';
import { compareOutputs } from '../../../src/lib/serve/compare.ts';

const reference = JSON.parse(readFileSync(new URL('./percentile_reference.json', import.meta.url), 'utf8')) as { cases: { values: number[]; p: number[]; expected: number[] }[] };

const meanVar = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return [m, xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)];
};

describe('Poisson arrivals', () => {
  it('exponentialGapMs(qps) has mean 1000/qps and variance (1000/qps)² (200k draws, within 1.5%)', () => {
    for (const qps of [50, 1000]) {
      const rng = mulberry32(qps);
      const [m, v] = meanVar(Array.from({ length: 200_000 }, () => exponentialGapMs(qps, rng)));
      expect(Math.abs(m / (1000 / qps) - 1)).toBeLessThan(0.015);
      expect(Math.abs(v / (1000 / qps) ** 2 - 1)).toBeLessThan(0.03);
    }
  });

  it('poissonArrivals counts per second have mean ≈ variance ≈ qps (a Poisson count)', () => {
    const qps = 400;
    const seconds = 400;
    const times = poissonArrivals(qps, seconds * 1000, mulberry32(3));
    const counts = new Array(seconds).fill(0);
    for (const t of times) counts[Math.floor(t / 1000)]++;
    const [m, v] = meanVar(counts);
    expect(Math.abs(m / qps - 1)).toBeLessThan(0.01);
    // The variance of a sample variance of 400 Poisson(400) counts: sd ≈ 400·√(2/399) ≈ 28.
    expect(Math.abs(v - qps)).toBeLessThan(4 * 28);
    expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
  });

  it('ArrivalSchedule.due(now) releases the same times as poissonArrivals, in order, each only once', () => {
    const all = poissonArrivals(300, 2000, mulberry32(9), 100);
    const s = new ArrivalSchedule(300, mulberry32(9), 100, 2100);
    const got: number[] = [];
    for (let t = 100; t <= 2200; t += 7.3) got.push(...s.due(t));
    expect(got).toEqual(all);
    expect(s.nextAt()).toBe(Infinity);
  });
});

describe('Batcher', () => {
  it('emits exactly at max batch size, oldest first', () => {
    const b = new Batcher<number>({ maxBatch: 4, maxWaitMs: 100 });
    for (let i = 0; i < 3; i++) b.push(i, i);
    expect(b.take(3)).toBeNull();
    b.push(3, 3);
    expect(b.ready(3)).toBe('full');
    expect(b.take(3)!.map((q) => q.item)).toEqual([0, 1, 2, 3]);
    expect(b.depth).toBe(0);
  });

  it('emits a partial batch exactly when the oldest has waited max wait', () => {
    const b = new Batcher<string>({ maxBatch: 8, maxWaitMs: 5 });
    b.push('a', 10);
    b.push('b', 12);
    expect(b.deadline()).toBe(15);
    expect(b.take(14.999)).toBeNull();
    expect(b.ready(15)).toBe('waited');
    expect(b.take(15)!.map((q) => q.item)).toEqual(['a', 'b']);
    expect(b.deadline()).toBeNull();
  });

  it('a backlog leaves in batches of at most max batch; max wait 0 sends at once', () => {
    const b = new Batcher<number>({ maxBatch: 3, maxWaitMs: 0 });
    for (let i = 0; i < 7; i++) b.push(i, 0);
    expect([b.take(0)!.length, b.take(0)!.length, b.take(0)!.length, b.take(0)]).toEqual([3, 3, 1, null]);
    expect(() => new Batcher({ maxBatch: 0, maxWaitMs: 1 })).toThrow(/maxBatch/);
  });
});

describe('percentiles', () => {
  it('percentile() matches numpy.percentile (linear) on the reference vectors', () => {
    for (const c of reference.cases) {
      const sorted = [...c.values].sort((a, b) => a - b);
      c.p.forEach((p, i) => expect(percentile(sorted, p)).toBeCloseTo(c.expected[i], 9));
    }
  });

  it('SlidingWindow ranks only the completions of the last windowMs, and counts errors apart', () => {
    const w = new SlidingWindow(1000);
    const rng = mulberry32(5);
    const obs: [number, number, boolean][] = [];
    for (let t = 0; t < 5000; t += 3) obs.push([t, 100 * rng(), rng() > 0.1]);
    for (const [t, v, ok] of obs) w.add(t, v, ok);
    const now = 4200;
    const inWin = obs.filter(([t]) => t > now - 1000 && t <= now);
    const lat = inWin.filter(([, , ok]) => ok).map(([, v]) => v).sort((a, b) => a - b);
    const s = w.stats(now);
    expect(s.count).toBe(lat.length);
    expect(s.errors).toBe(inWin.length - lat.length);
    // Sorted-reference ranks: p50 between the middle values, p99 near the top.
    expect(s.p50).toBeCloseTo(percentile(lat, 50), 12);
    expect(s.p99).toBeGreaterThanOrEqual(lat[Math.floor(0.98 * (lat.length - 1))]);
    expect(s.p99).toBeLessThanOrEqual(lat[Math.ceil(0.99 * (lat.length - 1))]);
    expect(s.max).toBe(lat.at(-1));
    expect(s.perSecond).toBe(lat.length);
  });
});

describe('routing', () => {
  it('pickVersion splits uniform draws by weight', () => {
    const rng = mulberry32(11);
    let v2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) if (pickVersion(canaryWeights(5), rng()) === 'v2') v2++;
    // Binomial(100000, 0.05): sd ≈ 69.
    expect(Math.abs(v2 - 5000)).toBeLessThan(4 * 69);
    expect(pickVersion({ v1: 100, v2: 0 }, 0.9999999)).toBe('v1');
    expect(pickVersion({ v1: 0, v2: 1 }, 0)).toBe('v2');
    expect(() => canaryWeights(120)).toThrow(/0–100/);
  });

  it('leastBusy picks the free worker with the fewest in flight, −1 when all are busy', () => {
    expect(leastBusy([1, 0, 0])).toBe(1);
    expect(leastBusy([1, 1])).toBe(-1);
    expect(leastBusy([2, 1, 3], 4)).toBe(1);
  });
});

describe('Guardrail', () => {
  const cfg = { maxP99Ms: 50, maxErrorRate: 0.05, breachMs: 1000, minRequests: 10 };
  const bad = { p99Ms: 80, errorRate: 0, requests: 100 };
  const good = { p99Ms: 20, errorRate: 0, requests: 100 };

  it('rolls back exactly when a breach has lasted breachMs, not one tick before', () => {
    const g = new Guardrail(cfg);
    expect(g.observe(0, good).state).toBe('ok');
    expect(g.observe(250, bad)).toMatchObject({ state: 'breaching', since: 250 });
    expect(g.observe(1000, bad).state).toBe('breaching');
    expect(g.observe(1249.9, bad).state).toBe('breaching');
    expect(g.observe(1250, bad)).toMatchObject({ state: 'rolled-back', at: 1250, since: 250, reason: 'p99 80.0 ms > 50 ms' });
    expect(g.observe(2000, good).state).toBe('rolled-back');
  });

  it('a breach that ends before breachMs resets the clock; thin observations neither start nor reset it', () => {
    const g = new Guardrail(cfg);
    g.observe(0, bad);
    g.observe(900, good);
    expect(g.observe(1000, bad)).toMatchObject({ state: 'breaching', since: 1000 });
    expect(g.observe(1500, { p99Ms: 10, errorRate: 0, requests: 3 })).toMatchObject({ state: 'breaching', since: 1000 });
    expect(g.observe(2000, { p99Ms: 10, errorRate: 0.5, requests: 100 })).toMatchObject({ state: 'rolled-back', reason: 'error rate 50.0% > 5.0%' });
  });
});

describe('comparing outputs', () => {
  it('compareOutputs and ShadowComparator agree on diffs and class agreement', () => {
    const a = [0.1, 0.7, 0.2, 0.5, 0.4, 0.1];
    const b = [0.1, 0.6, 0.3, 0.3, 0.6, 0.1];
    const d = compareOutputs(a, b, 3);
    expect(d.agree).toBe(1);
    expect(d.maxAbsDiff).toBeCloseTo(0.2, 12);
    expect(d.perRow.map((r) => [r.a, r.b])).toEqual([[1, 1], [0, 1]]);
    const s = new ShadowComparator(3);
    s.compare(a, b);
    s.skip(2);
    expect(s.stats()).toMatchObject({ compared: 2, agree: 1, agreement: 0.5, skipped: 2 });
    expect(s.stats().meanMaxDiff).toBeCloseTo(0.15, 12);
    expect(() => compareOutputs([1, 2], [1], 1)).toThrow(/differ in size/);
  });
});

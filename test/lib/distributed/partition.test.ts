import { describe, expect, it } from 'vitest';
import { dirichletPartition, iidPartition, labelCounts, sampleDirichlet, shardPartition } from '../../../src/lib/distributed/partition.ts';
import { DistributedError } from '../../../src/lib/distributed/errors.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

const labelsOf = (classes: number, perClass: number) => Int32Array.from({ length: classes * perClass }, (_, i) => i % classes);

function everyIndexOnce(parts: number[][], n: number): boolean {
  const seen = new Uint8Array(n);
  for (const p of parts) for (const i of p) seen[i]++;
  return seen.every((c) => c === 1);
}

describe('dirichletPartition', () => {
  it('puts every sample in exactly one client, the same for the same seed', () => {
    const labels = labelsOf(10, 100);
    const a = dirichletPartition(labels, 7, 0.5, 3);
    expect(a).toHaveLength(7);
    expect(everyIndexOnce(a, labels.length)).toBe(true);
    expect(dirichletPartition(labels, 7, 0.5, 3)).toEqual(a);
    expect(dirichletPartition(labels, 7, 0.5, 4)).not.toEqual(a);
  });

  // Each class's share going to one client is a component of Dir(α·1_K): mean 1/K, variance (1/K)(1 − 1/K)/(Kα + 1).
  it.each([0.1, 1, 10])('gives class shares with the Dir(α) mean 1/K and variance (1/K)(1−1/K)/(Kα+1) at α = %s (±15%)', (alpha) => {
    const K = 5, classes = 300, perClass = 500;
    const labels = labelsOf(classes, perClass);
    const counts = labelCounts(labels, dirichletPartition(labels, K, alpha, 11), classes);
    const shares = counts.flatMap((row) => row.map((c) => c / perClass));
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    const variance = shares.reduce((a, b) => a + (b - mean) ** 2, 0) / shares.length;
    const want = ((1 / K) * (1 - 1 / K)) / (K * alpha + 1);
    expect(mean).toBeCloseTo(1 / K, 10);
    expect(Math.abs(variance / want - 1)).toBeLessThan(0.15);
  });

  it('at α = 0.01 sends most of each class to one client (mean top share > 0.75); at α = 1000 every client gets about 1/K of each', () => {
    const labels = labelsOf(10, 500);
    // For each class, the largest share any one client got.
    const topShare = (alpha: number) => {
      const counts = labelCounts(labels, dirichletPartition(labels, 10, alpha, 5), 10);
      return Array.from({ length: 10 }, (_, c) => Math.max(...counts.map((row) => row[c])) / 500);
    };
    expect(topShare(0.01).reduce((a, b) => a + b, 0) / 10).toBeGreaterThan(0.75);
    expect(Math.max(...topShare(1000))).toBeLessThan(0.15);
  });

  it('refuses α ≤ 0, fewer than one client and labels that are not whole numbers', () => {
    expect(() => dirichletPartition([0, 1], 2, 0, 1)).toThrow(/alpha must be greater than 0; it is 0/);
    expect(() => dirichletPartition([0, 1], 0, 1, 1)).toThrow(/clients must be a whole number of at least 1; it is 0/);
    expect(() => dirichletPartition([0, 1.5], 2, 1, 1)).toThrow(DistributedError);
    expect(() => dirichletPartition([0, 1], 2, NaN, 1)).toThrow(/alpha must be a finite number/);
  });
});

describe('sampleDirichlet', () => {
  it('sums to 1 and has the Dirichlet mean at α = 0.05 without underflowing to NaN', () => {
    const rng = mulberry32(2);
    const sums = new Float64Array(4);
    for (let t = 0; t < 4000; t++) {
      const p = sampleDirichlet(4, 0.05, rng);
      expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      p.forEach((x, i) => (sums[i] += x));
    }
    for (const s of sums) expect(Math.abs(s / 4000 - 0.25)).toBeLessThan(0.03);
  });
});

describe('shardPartition and iidPartition', () => {
  it('McMahan\'s split: 2 shards of label-sorted data per client, so each client sees at most 2 classes (shards never straddle here)', () => {
    const labels = labelsOf(10, 60);
    const parts = shardPartition(labels, 10, 2, 1);
    expect(everyIndexOnce(parts, labels.length)).toBe(true);
    for (const c of labelCounts(labels, parts, 10)) {
      expect(c.filter((x) => x > 0).length).toBeLessThanOrEqual(2);
      expect(c.reduce((a, b) => a + b, 0)).toBe(60);
    }
  });

  it('IID: sizes differ by at most one and classes come out near 1/10 each', () => {
    const labels = labelsOf(10, 300);
    const parts = iidPartition(labels.length, 7, 3);
    expect(everyIndexOnce(parts, labels.length)).toBe(true);
    const sizes = parts.map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const c of labelCounts(labels, parts, 10)) for (const x of c) expect(Math.abs(x / c.reduce((a, b) => a + b, 0) - 0.1)).toBeLessThan(0.07);
  });

  it('refuses more shards than samples', () => {
    expect(() => shardPartition([0, 1, 2], 2, 2, 1)).toThrow(/at least clients × shardsPerClient = 4 samples; there are 3/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  chiSquareTest,
  jensenShannonDistance,
  kolmogorovSf,
  ksTest,
  psi,
  wassersteinDistance,
} from '../../../src/lib/drift/stats.ts';
import { StatsInputError } from '../../../src/lib/stats/errors.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

/** refs/make_refs.py: scipy 1.10.1 / numpy 1.24 on Debian's system python. */
interface Refs {
  ks: { name: string; a: number[]; b: number[]; statistic: number; pValue: number; method: 'exact' | 'asymp'; pKolmogorov: number }[];
  psi: { name: string; bins: number; a: number[]; b: number[]; psi: number }[];
  chi2: { name: string; ref: number[]; cur: number[]; statistic: number; pValue: number; dof: number }[];
  js: { name: string; p: number[]; q: number[]; distance: number }[];
  wasserstein: { name: string; a: number[]; b: number[]; distance: number }[];
}
const refs = JSON.parse(readFileSync(new URL('./refs/refs.json', import.meta.url), 'utf8')) as Refs;

/** |got − want| ≤ abs + rel·|want|. */
function close(got: number, want: number, rel: number, abs = 0): void {
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(abs + rel * Math.abs(want));
}

describe('ksTest', () => {
  for (const r of refs.ks.filter((k) => k.method === 'exact')) {
    it(`ksTest(a, b) matches scipy ks_2samp(method='exact') on ${r.name} (n=${r.a.length}, ${r.b.length})`, () => {
      const got = ksTest(r.a, r.b, { method: 'exact' });
      close(got.statistic, r.statistic, 1e-12);
      close(got.pValue, r.pValue, 1e-8, 1e-14);
      // 'auto' picks the exact method below 10,000 values, as scipy does.
      expect(ksTest(r.a, r.b).method).toBe('exact');
    });
  }
  for (const r of refs.ks.filter((k) => k.method === 'asymp')) {
    it(`ksTest(a, b, asymp) is Kolmogorov's limit and within 5% of scipy's kstwo p-value on ${r.name}`, () => {
      const got = ksTest(r.a, r.b, { method: 'asymp' });
      close(got.statistic, r.statistic, 1e-12);
      close(got.pValue, r.pKolmogorov, 1e-9);
      close(got.pValue, r.pValue, 0.05);
    });
  }
  it('kolmogorovSf matches scipy kstwobign.sf across both series', () => {
    for (const r of refs.ks) {
      const en = (r.a.length * r.b.length) / (r.a.length + r.b.length);
      close(kolmogorovSf(Math.sqrt(en) * r.statistic), r.pKolmogorov, 1e-9, 1e-15);
    }
  });
  it("'auto' switches to the asymptotic p-value above 10,000 values and detects a 0.03 shift of U(0,1)", () => {
    const rng = mulberry32(1);
    const a = Array.from({ length: 12_000 }, () => rng());
    const b = Array.from({ length: 12_000 }, () => rng() + 0.03);
    const r = ksTest(a, b);
    expect(r.method).toBe('asymp');
    // D estimates the true sup |F − G| = 0.03, with sampling noise of about √(2/12000) ≈ 0.013.
    close(r.statistic, 0.03, 0, 0.03);
    expect(r.pValue).toBeLessThan(1e-3);
  });
  it('identical samples give D = 0 and p = 1', () => {
    expect(ksTest([1, 2, 3], [3, 2, 1])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });
});

describe('psi', () => {
  for (const r of refs.psi) {
    it(`psi(a, b, { bins: ${r.bins} }) matches the numpy implementation on ${r.name}`, () => {
      close(psi(r.a, r.b, { bins: r.bins }), r.psi, 1e-10, 1e-14);
    });
  }
  it('psi of a sample against itself is 0, and grows with a shift', () => {
    const rng = mulberry32(2);
    const a = Array.from({ length: 5000 }, () => rng());
    expect(psi(a, a)).toBe(0);
    expect(psi(a, a.map((x) => x + 0.2))).toBeGreaterThan(0.25);
  });
});

describe('chiSquareTest', () => {
  for (const r of refs.chi2) {
    it(`chiSquareTest(ref, cur) matches scipy chi2_contingency(correction=False) on ${r.name}`, () => {
      const got = chiSquareTest(r.ref, r.cur);
      close(got.statistic, r.statistic, 1e-12, 1e-12);
      close(got.pValue, r.pValue, 1e-9, 1e-15);
      expect(got.dof).toBe(r.dof);
    });
  }
});

describe('jensenShannonDistance', () => {
  for (const r of refs.js) {
    it(`jensenShannonDistance(p, q) matches scipy jensenshannon on ${r.name}`, () => {
      close(jensenShannonDistance(r.p, r.q), r.distance, 1e-12, 1e-8);
    });
  }
});

describe('wassersteinDistance', () => {
  for (const r of refs.wasserstein) {
    it(`wassersteinDistance(a, b) matches scipy wasserstein_distance on ${r.name}`, () => {
      close(wassersteinDistance(r.a, r.b), r.distance, 1e-11, 1e-14);
    });
  }
  it('equals the shift for a translated sample (closed form)', () => {
    close(wassersteinDistance([0, 1, 2, 5], [0.5, 1.5, 2.5, 5.5]), 0.5, 1e-14);
  });
});

describe('bad input', () => {
  it('every statistic rejects empty input and NaN with a StatsInputError naming the argument', () => {
    expect(() => ksTest([], [1])).toThrow(StatsInputError);
    expect(() => ksTest([1, NaN], [1])).toThrow(/reference\[1\]/);
    expect(() => psi([1, 2], [])).toThrow(/current/);
    expect(() => wassersteinDistance([1], [Number.NaN])).toThrow(/current\[0\]/);
    expect(() => chiSquareTest([1, 2], [1])).toThrow(/one count per category/);
    expect(() => chiSquareTest([1, -2], [1, 2])).toThrow(/count ≥ 0/);
    expect(() => jensenShannonDistance([0, 0], [1, 1])).toThrow(/positive sum/);
    expect(() => jensenShannonDistance([], [])).toThrow(StatsInputError);
  });
  it('accepts typed arrays', () => {
    expect(wassersteinDistance(new Float32Array([0, 1]), new Int32Array([1, 2]))).toBe(1);
  });
});

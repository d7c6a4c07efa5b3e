import { describe, expect, it } from 'vitest';
import {
  betaInc,
  chiSquareCdf,
  chiSquareSf,
  gammaP,
  gammaQ,
  lnGamma,
  normalCdf,
  normalQuantile,
  normalSf,
  studentTCdf,
  studentTQuantile,
  studentTSf,
  StatsInputError,
} from '../../../src/lib/stats';
import { expectClose, refs } from './refs';

const d = refs.dist;

describe('distribution functions against scipy 1.10', () => {
  it('normalCdf and normalSf match scipy.stats.norm to 1e-12 relative, tails down to 1e-307 included', () => {
    // Φ(−37.5) ≈ 4.6e-308 = exp(−703…): one ulp in 703 is already 1.1e-13 relative.
    for (const [x, p] of d.normalCdf) expectClose(normalCdf(x), p, 1e-12, 0, `cdf(${x})`);
    for (const [x, p] of d.normalSf) expectClose(normalSf(x), p, 1e-12, 0, `sf(${x})`);
  });

  it('normalQuantile matches scipy.stats.norm.ppf to 1e-13 relative, from 1e-300 to 1 − 1e-6', () => {
    for (const [p, x] of d.normalQuantile) expectClose(normalQuantile(p), x, 1e-13, 1e-15, `ppf(${p})`);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  it('studentTCdf and studentTSf match scipy.stats.t to 1e-10 relative for df ≤ 1e6, 1e-9 at df = 1e7', () => {
    // The beta continued fraction loses about df·3e-17 relative: 2e-11 at df = 1e6, 3e-10 at 1e7.
    const tol = (df: number) => (df <= 1e6 ? 1e-10 : 1e-9);
    for (const [t, df, p] of d.studentTCdf) expectClose(studentTCdf(t, df), p, tol(df), 0, `tcdf(${t}, ${df})`);
    for (const [t, df, p] of d.studentTSf) expectClose(studentTSf(t, df), p, tol(df), 0, `tsf(${t}, ${df})`);
  });

  it('studentTQuantile matches 40-digit mpmath roots to 1e-12 relative (and scipy.stats.t.ppf to its 3e-9)', () => {
    for (const [p, df, t] of d.studentTQuantile) expectClose(studentTQuantile(p, df), t, 1e-12, 1e-15, `tppf(${p}, ${df})`);
    for (const [p, df, t] of d.studentTQuantileScipy) expectClose(studentTQuantile(p, df), t, 3e-9, 0, `scipy tppf(${p}, ${df})`);
  });

  it('chiSquareCdf and chiSquareSf match scipy.stats.chi2 for 1 to 1000 df to 1e-10 relative', () => {
    for (const [x, k, p] of d.chiSquareSf) expectClose(chiSquareSf(x, k), p, 1e-10, 1e-300, `chi2sf(${x}, ${k})`);
    for (const [x, k, p] of d.chiSquareCdf) expectClose(chiSquareCdf(x, k), p, 1e-10, 1e-300, `chi2cdf(${x}, ${k})`);
  });

  it('lnGamma matches scipy.special.gammaln to 1e-13 (relative, or absolute near its zeros at 1 and 2)', () => {
    for (const [x, g] of d.lnGamma) expectClose(lnGamma(x), g, 1e-13, 1e-14, `gammaln(${x})`);
  });

  it('gammaP and gammaQ match scipy.special.gammainc/gammaincc to 1e-10 relative', () => {
    for (const [a, x, p] of d.gammaP) expectClose(gammaP(a, x), p, 1e-10, 1e-300, `P(${a}, ${x})`);
    for (const [a, x, q] of d.gammaQ) expectClose(gammaQ(a, x), q, 1e-10, 1e-300, `Q(${a}, ${x})`);
  });

  it('betaInc matches scipy.special.betainc to 1e-10 relative, including a = 5000, b = ½', () => {
    for (const [x, a, b, v] of d.betaInc) expectClose(betaInc(x, a, b), v, 1e-10, 1e-300, `I(${x}; ${a}, ${b})`);
  });

  it('studentTQuantile inverts studentTCdf and normalQuantile inverts normalCdf', () => {
    for (const p of [1e-8, 0.01, 0.3, 0.77, 0.995]) {
      expectClose(studentTCdf(studentTQuantile(p, 3.3), 3.3), p, 1e-12, 0, `t round trip ${p}`);
      expectClose(normalCdf(normalQuantile(p)), p, 1e-13, 0, `normal round trip ${p}`);
    }
  });

  it('rejects NaN and out-of-range arguments with StatsInputError', () => {
    expect(() => normalCdf(NaN)).toThrow(StatsInputError);
    expect(() => normalQuantile(1.5)).toThrow(StatsInputError);
    expect(() => studentTCdf(1, 0)).toThrow(/degrees of freedom/);
    expect(() => lnGamma(-1)).toThrow(StatsInputError);
    expect(() => betaInc(2, 1, 1)).toThrow(StatsInputError);
  });
});

/** Reference values from refs/make_refs.py (scipy 1.10 / statsmodels 0.13 on Debian), and a tolerance check. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface Refs {
  versions: Record<string, string>;
  dist: Record<string, number[][]>;
  twoProportion: {
    args: [number, number, number, number];
    z: number;
    pValue: number;
    diff: number;
    ci: [number, number];
    ci90: [number, number];
  }[];
  welch: {
    name: string;
    a: number[];
    b: number[];
    t: number;
    tStatsmodels: number;
    pValue: number;
    df: number;
    diff: number;
    ci: [number, number];
  }[];
  srm: { observed: number[]; shares: number[]; chi2: number; pValue: number }[];
  sampleSize: {
    baselineRate: number;
    minDetectableEffect: number;
    alpha: number;
    power: number;
    classic: number;
    statsmodelsPooled: number;
    statsmodelsCohensH: number;
    powerAtN: number;
    powerAtNMinus1: number;
  }[];
  cuped: {
    name: string;
    y: number[];
    x: number[];
    theta: number;
    varianceReduction: number;
    corr2: number;
    adjustedHead: number[];
    adjustedMean: number;
  }[];
  multiple: {
    pValues: number[];
    level: number;
    bhRejected: boolean[];
    bhAdjusted: number[];
    bonfRejected: boolean[];
    bonfAdjusted: number[];
  }[];
  msprt: { logLikelihoodRatio: number[][]; optimalRatio: number[][] };
}

export const refs: Refs = JSON.parse(readFileSync(new URL('./refs/refs.json', import.meta.url), 'utf8'));

/** |actual − expected| ≤ rel·|expected| + abs, with a message naming the case. */
export function expectClose(actual: number, expected: number, rel: number, abs = 0, label = ''): void {
  const err = Math.abs(actual - expected);
  const bound = rel * Math.abs(expected) + abs;
  expect(err <= bound || actual === expected, `${label}: got ${actual}, expected ${expected} (error ${err} > ${bound})`).toBe(true);
}

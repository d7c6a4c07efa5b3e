/**
 * Monte Carlo of a planned A/B test: size it with requiredSampleSize, then run it many times under
 * A/A (no effect) and A/B (the true effect) and read power, false positives, interval coverage, a
 * skewed revenue metric, a guardrail, and the false discoveries a family of metrics brings.
 */
import { deriveSeed, mulberry32 } from '../core/rng';
import { checkFinite, checkInteger, checkOpenUnit, fail } from './errors';
import { twoProportionZTest, welchTTest } from './hypothesis';
import { bonferroni, benjaminiHochberg } from './multiple';
import { requiredSampleSize } from './power';
import { normalSampler, sampleBinomial } from '../math/random';
import { quietContext, type TaskContext } from '../core/task';

/** Rate of the guardrail metric (say, users who hit an error) in control. */
export const GUARDRAIL_BASE_RATE = 0.02;
/** Most user draws one simulation may make (experiments × users per arm), to keep a run to seconds. */
export const MAX_USER_DRAWS = 60_000_000;

export interface AbTestSettings {
  /** Control conversion rate. */
  baselineRate: number;
  /** Absolute effect the test is sized to detect. */
  minDetectableEffect: number;
  alpha: number;
  /** Planned power. */
  power: number;
  /** The effect the simulated treatment really has (absolute). */
  trueEffect: number;
  /** σ of the log-normal revenue per converting user (mean 1 whatever σ): the skew. */
  revenueSigma: number;
  /** Extra metrics without any effect, analysed alongside the primary one. */
  extraMetrics: number;
  /** Absolute increase the treatment causes in the guardrail rate (base GUARDRAIL_BASE_RATE). */
  guardrailHarm: number;
  /** Simulated experiments of each kind (A/A and A/B). */
  experiments: number;
  seed: number;
}

export interface AbTestResult {
  usersPerArm: number;
  /** Two-sided p-values of the conversion z-test, one per experiment. */
  aaPValues: Float64Array;
  abPValues: Float64Array;
  /** Welch p-values of revenue per user in the A/B experiments. */
  revenuePValues: Float64Array;
  /** Observed pB − pA in the A/B experiments. */
  abDiffs: Float64Array;
  aaFalsePositiveRate: number;
  conversionPower: number;
  revenuePower: number;
  /** Share of A/B 95%-style intervals (at 1 − alpha) that contain the true effect. */
  ciCoverage: number;
  /** Share of A/B experiments where the guardrail rose significantly. */
  guardrailFlagRate: number;
  /** familyErrors.*[m]: share of A/A experiments with at least one discovery among the first m + 1 metrics. */
  familyErrors: { uncorrected: Float64Array; bonferroni: Float64Array; benjaminiHochberg: Float64Array };
  /** Power of the primary metric when it is Bonferroni-corrected together with the extra metrics. */
  primaryPowerBonferroni: number;
}

/** Checks the settings and returns the planned users per arm. */
export function validateAbTest(s: AbTestSettings): number {
  checkOpenUnit('baselineRate', s.baselineRate);
  checkOpenUnit('alpha', s.alpha);
  checkOpenUnit('power', s.power);
  checkFinite('trueEffect', s.trueEffect);
  const p2 = s.baselineRate + s.trueEffect;
  if (!(p2 > 0 && p2 < 1)) fail(`baselineRate + trueEffect must lie in (0, 1), got ${p2}`);
  if (!(s.revenueSigma >= 0 && s.revenueSigma <= 3)) fail(`revenueSigma must lie in [0, 3], got ${s.revenueSigma}`);
  checkInteger('extraMetrics', s.extraMetrics, 0);
  if (s.extraMetrics > 50) fail(`extraMetrics must be at most 50, got ${s.extraMetrics}`);
  const g = GUARDRAIL_BASE_RATE + s.guardrailHarm;
  if (!(g > 0 && g < 1)) fail(`guardrailHarm must keep the guardrail rate in (0, 1), got ${g}`);
  checkInteger('experiments', s.experiments, 10);
  checkFinite('seed', s.seed);
  const n = requiredSampleSize({ baselineRate: s.baselineRate, minDetectableEffect: s.minDetectableEffect, alpha: s.alpha, power: s.power });
  if (n * s.experiments > MAX_USER_DRAWS) {
    fail(`experiments: this plan needs ${n.toLocaleString('en')} users per arm, and × ${s.experiments} experiments is too many to simulate in seconds (limit ${MAX_USER_DRAWS.toLocaleString('en')} users). Raise the minimum detectable effect or run fewer experiments`);
  }
  return n;
}

export async function simulateAbTest(s: AbTestSettings, ctx: TaskContext = quietContext): Promise<AbTestResult> {
  const n = validateAbTest(s);
  const E = s.experiments;
  const M = 1 + s.extraMetrics;
  const p = s.baselineRate;
  const aaPValues = new Float64Array(E);
  const abPValues = new Float64Array(E);
  const revenuePValues = new Float64Array(E);
  const abDiffs = new Float64Array(E);
  const fam = { uncorrected: new Float64Array(M), bonferroni: new Float64Array(M), benjaminiHochberg: new Float64Array(M) };
  const revA = new Float64Array(n);
  const revB = new Float64Array(n);
  const family = new Array<number>(M);
  let covered = 0;
  let guard = 0;
  let primaryBonf = 0;
  const sigma = s.revenueSigma;

  for (let e = 0; e < E; e++) {
    const rng = mulberry32(deriveSeed(s.seed, e));
    const normal = normalSampler(rng);
    const bin = (m: number, q: number) => sampleBinomial(m, q, rng, normal);
    // A/A on the primary metric, plus the extra (null) metrics: the family.
    family[0] = aaPValues[e] = twoProportionZTest(bin(n, p), n, bin(n, p), n).pValue;
    for (let m = 1; m < M; m++) family[m] = twoProportionZTest(bin(n, p), n, bin(n, p), n).pValue;
    for (let m = 0; m < M; m++) {
      const prefix = family.slice(0, m + 1);
      if (prefix.some((q) => q < s.alpha)) fam.uncorrected[m]++;
      if (bonferroni(prefix, s.alpha).rejected.some(Boolean)) fam.bonferroni[m]++;
      if (benjaminiHochberg(prefix, s.alpha).rejected.some(Boolean)) fam.benjaminiHochberg[m]++;
    }
    // A/B: conversion, and revenue per user (log-normal with mean 1 for converters, 0 otherwise).
    const cA = bin(n, p);
    const cB = bin(n, p + s.trueEffect);
    const t = twoProportionZTest(cA, n, cB, n, { confidence: 1 - s.alpha });
    abPValues[e] = t.pValue;
    abDiffs[e] = t.diff;
    if (t.ci[0] <= s.trueEffect && s.trueEffect <= t.ci[1]) covered++;
    if (t.pValue < s.alpha / M) primaryBonf++;
    revA.fill(0);
    revB.fill(0);
    for (let i = 0; i < cA; i++) revA[i] = Math.exp(sigma * normal() - (sigma * sigma) / 2);
    for (let i = 0; i < cB; i++) revB[i] = Math.exp(sigma * normal() - (sigma * sigma) / 2);
    revenuePValues[e] = cA + cB > 0 ? welchTTest(revA, revB).pValue : 1;
    const g = twoProportionZTest(bin(n, GUARDRAIL_BASE_RATE), n, bin(n, GUARDRAIL_BASE_RATE + s.guardrailHarm), n);
    if (g.diff > 0 && g.pValue < s.alpha) guard++;
    if (e % 16 === 15) await ctx.tick((e + 1) / E);
  }
  const rate = (xs: Float64Array) => xs.reduce((c, q) => c + (q < s.alpha ? 1 : 0), 0) / E;
  for (const k of ['uncorrected', 'bonferroni', 'benjaminiHochberg'] as const) for (let m = 0; m < M; m++) fam[k][m] /= E;
  return {
    usersPerArm: n,
    aaPValues,
    abPValues,
    revenuePValues,
    abDiffs,
    aaFalsePositiveRate: rate(aaPValues),
    conversionPower: rate(abPValues),
    revenuePower: rate(revenuePValues),
    ciCoverage: covered / E,
    guardrailFlagRate: guard / E,
    familyErrors: fam,
    primaryPowerBonferroni: primaryBonf / E,
  };
}

/** Fixed-horizon tests for A/B experiments: two proportions, two means (Welch), sample ratio mismatch. */
import { chiSquareSf, normalQuantile, normalSf, studentTQuantile, studentTTwoSided } from './dist';
import { checkInteger, checkOpenUnit, checkSample, fail } from './errors';

const DEFAULT_CONFIDENCE = 0.95;

export interface IntervalOptions {
  /** Coverage of the reported confidence interval; default 0.95. */
  confidence?: number;
}

export interface TwoProportionResult {
  /** (p̂B − p̂A) / √(p̄(1 − p̄)(1/nA + 1/nB)), p̄ the pooled rate. */
  z: number;
  /** Two-sided p-value 2·(1 − Φ(|z|)). */
  pValue: number;
  /** p̂B − p̂A. */
  diff: number;
  /** Wald interval diff ± z_{1−α/2}·√(p̂A q̂A/nA + p̂B q̂B/nB). */
  ci: [number, number];
}

/**
 * Two-proportion z-test of B against A. The z statistic uses the pooled variance (the variance
 * under H0: pA = pB); the interval uses the unpooled (Wald) variance, as statsmodels'
 * proportions_ztest and confint_proportions_2indep(method='wald') do. Positive diff and z mean B
 * converts more. When every user in both arms converted, or none did, z = 0 and p = 1.
 */
export function twoProportionZTest(
  successesA: number,
  nA: number,
  successesB: number,
  nB: number,
  options: IntervalOptions = {},
): TwoProportionResult {
  checkInteger('nA', nA, 1);
  checkInteger('nB', nB, 1);
  checkInteger('successesA', successesA, 0);
  checkInteger('successesB', successesB, 0);
  if (successesA > nA) fail(`successesA (${successesA}) exceeds nA (${nA})`);
  if (successesB > nB) fail(`successesB (${successesB}) exceeds nB (${nB})`);
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  checkOpenUnit('confidence', confidence);
  const pA = successesA / nA;
  const pB = successesB / nB;
  const diff = pB - pA;
  const pooled = (successesA + successesB) / (nA + nB);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const z = se0 > 0 ? diff / se0 : 0;
  const pValue = Math.min(1, 2 * normalSf(Math.abs(z)));
  const se = Math.sqrt((pA * (1 - pA)) / nA + (pB * (1 - pB)) / nB);
  const half = normalQuantile(1 - (1 - confidence) / 2) * se;
  return { z, pValue, diff, ci: [diff - half, diff + half] };
}

export interface WelchResult {
  /** diff / √(s²A/nA + s²B/nB): positive when B's mean is higher. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  pValue: number;
  /** mean(b) − mean(a). */
  diff: number;
  /** diff ± t_{1−α/2, df}·se. */
  ci: [number, number];
}

function meanVar(xs: ArrayLike<number>): [number, number] {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i] - mean) ** 2;
  return [mean, ss / (xs.length - 1)];
}

/**
 * Welch's unequal-variance t-test of B against A. Sign convention: diff = mean(b) − mean(a) and
 * t = diff/se, so this equals scipy.stats.ttest_ind(b, a, equal_var=False) (note the order;
 * ttest_ind(a, b) reports −t). df = (vA/nA + vB/nB)² / ((vA/nA)²/(nA−1) + (vB/nB)²/(nB−1)).
 * Each sample needs ≥ 2 values, and at least one must vary.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>, options: IntervalOptions = {}): WelchResult {
  checkSample('a', a, 2);
  checkSample('b', b, 2);
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  checkOpenUnit('confidence', confidence);
  const [meanA, varA] = meanVar(a);
  const [meanB, varB] = meanVar(b);
  const wA = varA / a.length;
  const wB = varB / b.length;
  const se = Math.sqrt(wA + wB);
  if (!(se > 0)) fail('welchTTest needs some variation: both samples are constant, so t is undefined');
  const diff = meanB - meanA;
  const t = diff / se;
  const df = (wA + wB) ** 2 / ((wA * wA) / (a.length - 1) + (wB * wB) / (b.length - 1));
  const half = studentTQuantile(1 - (1 - confidence) / 2, df) * se;
  return { t, df, pValue: studentTTwoSided(t, df), diff, ci: [diff - half, diff + half] };
}

export interface SrmResult {
  /** Σ (observed − expected)² / expected. */
  chi2: number;
  /** Upper tail of χ² with k − 1 degrees of freedom. */
  pValue: number;
}

/**
 * Sample ratio mismatch check: Pearson's chi-square goodness of fit of the users each arm got
 * against the shares the design intended (as scipy.stats.chisquare). Stats engines alert at
 * p < 0.001. Shares must be positive and sum to 1 within 1e-9.
 */
export function srmTest(observedCounts: ArrayLike<number>, expectedShares: ArrayLike<number>): SrmResult {
  const k = observedCounts.length;
  if (k < 2) fail(`srmTest needs at least 2 arms, got ${k}`);
  if (expectedShares.length !== k) fail(`srmTest got ${k} counts but ${expectedShares.length} shares`);
  let total = 0;
  let shareSum = 0;
  for (let i = 0; i < k; i++) {
    checkInteger(`observedCounts[${i}]`, observedCounts[i], 0);
    const s = expectedShares[i];
    if (!Number.isFinite(s) || s <= 0) fail(`expectedShares[${i}] must be a positive number, got ${s}`);
    total += observedCounts[i];
    shareSum += s;
  }
  if (Math.abs(shareSum - 1) > 1e-9) fail(`expectedShares must sum to 1 (within 1e-9), got ${shareSum}`);
  if (total === 0) fail('srmTest needs at least one observed user');
  let chi2 = 0;
  for (let i = 0; i < k; i++) {
    const e = total * expectedShares[i];
    chi2 += (observedCounts[i] - e) ** 2 / e;
  }
  return { chi2, pValue: chiSquareSf(chi2, k - 1) };
}

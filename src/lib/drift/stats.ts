/**
 * Two-sample drift statistics: reference (training-time) sample against current (production)
 * sample. Written by hand because they are the lesson; checked against scipy 1.10 in
 * test/lib/drift (refs/make_refs.py). Every function rejects empty input and NaN with a
 * StatsInputError naming the argument.
 */
import { chiSquareSf } from '../stats/dist.ts';
import { checkSample, fail } from '../stats/errors.ts';
import { quantileSorted } from '../math/quantile.ts';

export type Sample = ArrayLike<number>;

export const PSI_DEFAULTS = {
  /** Number of reference-quantile bins. */
  bins: 10,
  /** Floor for a bin's share, so ln(a/e) stays finite when a bin is empty. */
  epsilon: 1e-4,
};

export interface PsiOptions {
  /** Number of bins, cut at the reference's quantiles k/bins (numpy's default 'linear' quantile). */
  bins?: number;
  /** Share given to an empty bin (default 1e-4); shares are not renormalised afterwards. */
  epsilon?: number;
}

function sorted(name: string, xs: Sample): Float64Array {
  checkSample(name, xs, 1);
  return Float64Array.from(xs).sort();
}

/** Quantile of sorted data at p, linearly interpolated between order statistics (numpy 'linear', R type 7). */
export { quantileSorted };

/** Index of the first element > x in sorted s (numpy searchsorted side='right'). */
function upperBound(s: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Population stability index. Interior edges are the reference's quantiles k/bins, k = 1..bins−1,
 * with duplicates removed (a discrete feature gives fewer bins); a value x falls in bin
 * #{edges ≤ x}, so bins are [e_{i−1}, e_i) with open ends. With shares e (reference) and
 * a (current), PSI = Σ (a−e)·ln(a/e); an empty bin's share is floored at ε = 1e-4.
 * Rule of thumb: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
 */
export function psi(reference: Sample, current: Sample, opts: PsiOptions = {}): number {
  const { bins, epsilon } = { ...PSI_DEFAULTS, ...opts };
  if (!Number.isInteger(bins) || bins < 2) fail(`bins must be a whole number ≥ 2, got ${bins}`);
  if (!(epsilon > 0 && epsilon < 1)) fail(`epsilon must lie in (0, 1), got ${epsilon}`);
  const ref = sorted('reference', reference);
  checkSample('current', current, 1);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = quantileSorted(ref, k / bins);
    if (edges.length === 0 || q > edges[edges.length - 1]) edges.push(q);
  }
  const e = new Float64Array(edges.length + 1);
  const a = new Float64Array(edges.length + 1);
  for (let i = 0; i < ref.length; i++) e[upperBound(edges, ref[i])]++;
  for (let i = 0; i < current.length; i++) a[upperBound(edges, current[i])]++;
  return psiFromCounts(e, a, { epsilon });
}

/**
 * PSI from bin counts already made (the same bins for both samples, e.g. by SQL):
 * Σ (a−e)·ln(a/e) over the shares, each floored at ε.
 */
export function psiFromCounts(referenceCounts: Sample, currentCounts: Sample, opts: Pick<PsiOptions, 'epsilon'> = {}): number {
  const epsilon = opts.epsilon ?? PSI_DEFAULTS.epsilon;
  if (!(epsilon > 0 && epsilon < 1)) fail(`epsilon must lie in (0, 1), got ${epsilon}`);
  const [r, c] = countTotals(referenceCounts, currentCounts, 'bin');
  let total = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const ei = Math.max(referenceCounts[i] / r, epsilon);
    const ai = Math.max(currentCounts[i] / c, epsilon);
    total += (ai - ei) * Math.log(ai / ei);
  }
  return total;
}

export interface KsResult {
  /** D = sup_x |F_ref(x) − F_cur(x)|. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymp';
}

export interface KsOptions {
  /** 'auto' (scipy's rule): exact when both samples have ≤ 10,000 values, else asymptotic. */
  method?: 'auto' | 'exact' | 'asymp';
}

/** Largest sample size for which 'auto' chooses the exact p-value (scipy's MAX_AUTO_N). */
export const KS_MAX_EXACT_N = 10_000;

/**
 * Kolmogorov's limiting distribution: P(√n·D > z) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²z²}
 * (scipy.stats.kstwobign.sf). For small z the Jacobi-theta form converges faster:
 * 1 − (√(2π)/z) Σ_{k≥1} e^{−(2k−1)²π²/(8z²)}.
 */
export function kolmogorovSf(z: number): number {
  if (!(z > 0)) return 1;
  if (z < 1) {
    let s = 0;
    for (let k = 1; k <= 8; k++) s += Math.exp(-((2 * k - 1) ** 2) * Math.PI ** 2 / (8 * z * z));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / z) * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * z * z);
    s += (k % 2 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Exact P(D ≥ d) for sample sizes m, n with no ties: the share of the C(m+n, n) monotone
 * lattice paths from (0,0) to (m,n) that touch |x/m − y/n| ≥ d. The recursion runs on that
 * share directly (Viehmann 2021), so tiny p-values keep their precision:
 * b(x,y) = 1 outside the band, else (x·b(x−1,y) + y·b(x,y−1)) / (x+y). O(m·n).
 * h = d·lcm(m,n) is an integer, so the band test is exact in integers: |x·n − y·m| ≥ h·g.
 */
function ksExactSf(m: number, n: number, h: number): number {
  const g = gcd(m, n);
  const hg = h * g;
  const out = (x: number, y: number) => Math.abs(x * n - y * m) >= hg;
  const col = new Float64Array(n + 1); // col[y] = b(x, y) for the current x
  col[0] = 0;
  for (let y = 1; y <= n; y++) col[y] = out(0, y) ? 1 : col[y - 1];
  for (let x = 1; x <= m; x++) {
    col[0] = out(x, 0) ? 1 : col[0];
    for (let y = 1; y <= n; y++) col[y] = out(x, y) ? 1 : (x * col[y] + y * col[y - 1]) / (x + y);
  }
  return Math.min(1, Math.max(0, col[n]));
}

/**
 * Two-sample, two-sided Kolmogorov–Smirnov test, as scipy.stats.ks_2samp. The exact p-value
 * assumes no ties (as scipy's does). The asymptotic one is Kolmogorov's limit at √(mn/(m+n))·D;
 * scipy instead uses the finite-n distribution kstwo(round(mn/(m+n))), a few per cent apart in
 * the tail for n in the thousands (see the test's tolerance).
 */
export function ksTest(reference: Sample, current: Sample, opts: KsOptions = {}): KsResult {
  const a = sorted('reference', reference);
  const b = sorted('current', current);
  const m = a.length;
  const n = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < m && j < n) {
    const x = Math.min(a[i], b[j]);
    while (i < m && a[i] === x) i++;
    while (j < n && b[j] === x) j++;
    d = Math.max(d, Math.abs(i / m - j / n));
  }
  const choice = opts.method ?? 'auto';
  const method = choice === 'auto' ? (Math.max(m, n) <= KS_MAX_EXACT_N ? 'exact' : 'asymp') : choice;
  if (method === 'exact') {
    const lcm = (m / gcd(m, n)) * n;
    const h = Math.round(d * lcm);
    return { statistic: d, pValue: h === 0 ? 1 : ksExactSf(m, n, h), method };
  }
  const en = (m * n) / (m + n);
  return { statistic: d, pValue: kolmogorovSf(Math.sqrt(en) * d), method };
}

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  /** k − 1, over the k categories seen in either sample. */
  dof: number;
}

function checkCounts(name: string, xs: Sample): void {
  checkSample(name, xs, 1);
  for (let i = 0; i < xs.length; i++) if (xs[i] < 0) fail(`${name}[${i}] must be a count ≥ 0, got ${xs[i]}`);
}

/** Check two count vectors over the same bins (or categories) and return their totals, both positive. */
function countTotals(referenceCounts: Sample, currentCounts: Sample, unit: 'bin' | 'category'): [number, number] {
  checkCounts('referenceCounts', referenceCounts);
  checkCounts('currentCounts', currentCounts);
  if (referenceCounts.length !== currentCounts.length) {
    fail(`referenceCounts and currentCounts must have one count per ${unit}: ${referenceCounts.length} ≠ ${currentCounts.length}`);
  }
  let r = 0;
  let c = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    r += referenceCounts[i];
    c += currentCounts[i];
  }
  if (r === 0 || c === 0) fail(`each sample needs a positive total count (reference ${r}, current ${c})`);
  return [r, c];
}

/**
 * Chi-square test of homogeneity on the 2 × k table of category counts (scipy's
 * chi2_contingency, no continuity correction): Σ (O − E)² / E with E = row total · column
 * total / N, on k − 1 degrees of freedom. Categories with zero count in both samples are
 * dropped first (their expected count would be 0).
 */
export function chiSquareTest(referenceCounts: Sample, currentCounts: Sample): ChiSquareResult {
  const [r, c] = countTotals(referenceCounts, currentCounts, 'category');
  const total = r + c;
  let stat = 0;
  let k = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const col = referenceCounts[i] + currentCounts[i];
    if (col === 0) continue;
    k++;
    const er = (r * col) / total;
    const ec = (c * col) / total;
    stat += (referenceCounts[i] - er) ** 2 / er + (currentCounts[i] - ec) ** 2 / ec;
  }
  const dof = k - 1;
  return { statistic: stat, pValue: dof === 0 ? 1 : chiSquareSf(stat, dof), dof };
}

/**
 * Jensen–Shannon distance between two discrete distributions (counts or probabilities; each is
 * normalised to sum 1), natural log, as scipy.spatial.distance.jensenshannon:
 * √((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q)/2. Lies in [0, √ln2].
 */
export function jensenShannonDistance(p: Sample, q: Sample): number {
  checkCounts('p', p);
  checkCounts('q', q);
  if (p.length !== q.length) fail(`p and q must have the same length: ${p.length} ≠ ${q.length}`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i];
    sq += q[i];
  }
  if (sp === 0 || sq === 0) fail('p and q must each have a positive sum');
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const mi = (pi + qi) / 2;
    if (pi > 0) js += pi * Math.log(pi / mi);
    if (qi > 0) js += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/**
 * Wasserstein-1 (earth mover's) distance between the two empirical distributions:
 * ∫ |F_ref(x) − F_cur(x)| dx, as scipy.stats.wasserstein_distance without weights.
 */
export function wassersteinDistance(reference: Sample, current: Sample): number {
  const a = sorted('reference', reference);
  const b = sorted('current', current);
  const m = a.length;
  const n = b.length;
  let i = 0;
  let j = 0;
  let x = Math.min(a[0], b[0]);
  let w = 0;
  while (i < m || j < n) {
    const next = j >= n || (i < m && a[i] <= b[j]) ? a[i] : b[j];
    w += Math.abs(i / m - j / n) * (next - x);
    x = next;
    while (i < m && a[i] === x) i++;
    while (j < n && b[j] === x) j++;
  }
  return w;
}

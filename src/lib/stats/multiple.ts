/** Multiple-testing corrections over a family of p-values (one per metric or per segment). */
import { checkOpenUnit, fail } from './errors';

export interface MultipleTestResult {
  /** rejected[i]: hypothesis i is declared significant. */
  rejected: boolean[];
  /** Adjusted p-values, in input order; rejected[i] ⇔ adjusted[i] ≤ level (up to rounding). */
  adjusted: number[];
}

function checkPValues(pValues: ArrayLike<number>): void {
  if (pValues.length === 0) fail('need at least one p-value');
  for (let i = 0; i < pValues.length; i++) {
    const p = pValues[i];
    if (!(p >= 0 && p <= 1)) fail(`pValues[${i}] must lie in [0, 1], got ${p}`);
  }
}

/** Bonferroni: reject pᵢ ≤ α/m (family-wise error ≤ α); adjusted pᵢ = min(1, m·pᵢ). */
export function bonferroni(pValues: ArrayLike<number>, alpha = 0.05): MultipleTestResult {
  checkPValues(pValues);
  checkOpenUnit('alpha', alpha);
  const m = pValues.length;
  const rejected: boolean[] = [];
  const adjusted: number[] = [];
  for (let i = 0; i < m; i++) {
    rejected.push(pValues[i] <= alpha / m);
    adjusted.push(Math.min(1, m * pValues[i]));
  }
  return { rejected, adjusted };
}

/**
 * Benjamini–Hochberg step-up (false discovery rate ≤ q for independent tests): sort p ascending,
 * find the largest k with p₍ₖ₎ ≤ (k/m)·q, reject the k smallest. Adjusted p₍ᵢ₎ =
 * min over j ≥ i of min(1, m·p₍ⱼ₎/j), as statsmodels' multipletests(method='fdr_bh').
 */
export function benjaminiHochberg(pValues: ArrayLike<number>, q = 0.05): MultipleTestResult {
  checkPValues(pValues);
  checkOpenUnit('q', q);
  const m = pValues.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  let k = 0;
  for (let r = 1; r <= m; r++) if (pValues[order[r - 1]] <= (r / m) * q) k = r;
  const rejected = new Array<boolean>(m).fill(false);
  const adjusted = new Array<number>(m).fill(1);
  let running = 1;
  for (let r = m; r >= 1; r--) {
    const i = order[r - 1];
    running = Math.min(running, (m * pValues[i]) / r);
    adjusted[i] = running;
    rejected[i] = r <= k;
  }
  return { rejected, adjusted };
}

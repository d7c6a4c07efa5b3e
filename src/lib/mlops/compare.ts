/**
 * The Mann–Whitney U test, for "is one search's best value over seeds worse than another's?": the
 * normal approximation with tie correction and continuity correction, as scipy.stats.mannwhitneyu
 * computes it for samples this size (method 'asymptotic'):
 *
 *   U₁ = R₁ − n₁(n₁ + 1)/2,  μ = n₁n₂/2,  σ² = n₁n₂/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))),
 *   z = (U − μ − ½)/σ,  p = P(Z > z) (×2 two-sided, with U = max(U₁, U₂)).
 *
 * 'greater' asks whether x tends to be larger than y (for a minimised value: worse).
 */
import { normalSf } from '../stats/dist';
import { fail } from './errors';

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitney {
  /** U of the first sample. */
  u: number;
  z: number;
  p: number;
}

/** Average ranks (1-based) of the values, ties sharing the mean of their ranks; and Σ(t³ − t) over tie groups. */
export function ranks(values: readonly number[]): { ranks: Float64Array; tieTerm: number } {
  const idx = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const r = new Float64Array(values.length);
  let tieTerm = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks: r, tieTerm };
}

export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitney {
  if (x.length < 1 || y.length < 1) fail('samples', 'The Mann–Whitney test needs at least one value in each sample.');
  if ([...x, ...y].some((v) => !Number.isFinite(v))) fail('samples', 'The Mann–Whitney test needs finite values.');
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const { ranks: r, tieTerm } = ranks([...x, ...y]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += r[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  if (!(sigma > 0)) return { u: u1, z: 0, p: 1 }; // every value tied: no evidence either way
  const z = (u - mu - 0.5) / sigma;
  const p = Math.min(1, Math.max(0, (alternative === 'two-sided' ? 2 : 1) * normalSf(z)));
  return { u: u1, z, p };
}

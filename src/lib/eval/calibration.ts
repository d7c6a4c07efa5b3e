/** How well predicted probabilities match observed frequencies: Brier score, ECE, reliability diagrams. */
import { checkBinary, checkCount, checkNonEmpty, checkProbabilities, checkSameLength, type Labels } from './errors';

export interface CalibrationOptions {
  /** Number of equal-width probability bins on [0, 1]. */
  bins?: number;
}

export interface ReliabilityDiagram {
  /** bins + 1 edges, i·(1/bins) as numpy's linspace. Bin 0 is [0, 1/bins]; bin i > 0 is (i/bins, (i+1)/bins]. */
  edges: Float64Array;
  /** Cases in each bin. */
  counts: Float64Array;
  /** Mean predicted probability in each bin (the x of the diagram); NaN for an empty bin. */
  meanProb: Float64Array;
  /** Fraction of positives in each bin (the y of the diagram); NaN for an empty bin. */
  frequency: Float64Array;
}

const DEFAULTS: Required<CalibrationOptions> = { bins: 10 };

function checkLabelsAndProbs(yTrue: Labels, probs: ArrayLike<number>): void {
  checkNonEmpty('yTrue', yTrue);
  checkSameLength(['yTrue', 'probs'], [yTrue, probs]);
  checkBinary('yTrue', yTrue);
  checkProbabilities('probs', probs);
}

/** Brier score: mean of (p − y)², 0 for a perfect forecast, 0.25 for always saying ½. */
export function brierScore(yTrue: Labels, probs: ArrayLike<number>): number {
  checkLabelsAndProbs(yTrue, probs);
  let s = 0;
  for (let i = 0; i < yTrue.length; i++) s += (probs[i] - yTrue[i]) ** 2;
  return s / yTrue.length;
}

/**
 * Per-bin counts, mean probability and observed frequency over equal-width bins. Bins are
 * closed on the right, as in Guo et al. (2017) and sklearn's calibration_curve(strategy='uniform'):
 * p = 0.3 with 10 bins falls in (0.2, 0.3].
 */
export function reliabilityDiagram(yTrue: Labels, probs: ArrayLike<number>, bins = DEFAULTS.bins): ReliabilityDiagram {
  checkLabelsAndProbs(yTrue, probs);
  checkCount('bins', bins, 1);
  const counts = new Float64Array(bins);
  const sumProb = new Float64Array(bins);
  const sumPos = new Float64Array(bins);
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => (i === bins ? 1 : i * (1 / bins)));
  for (let i = 0; i < yTrue.length; i++) {
    const b = binOf(probs[i], edges, bins);
    counts[b]++;
    sumProb[b] += probs[i];
    sumPos[b] += yTrue[i];
  }
  const meanProb = counts.map((c, b) => (c > 0 ? sumProb[b] / c : NaN));
  const frequency = counts.map((c, b) => (c > 0 ? sumPos[b] / c : NaN));
  return { edges, counts, meanProb, frequency };
}

/** Bin b holds edges[b] < p ≤ edges[b+1] (bin 0 also holds 0): the count of interior edges below p. */
function binOf(p: number, edges: Float64Array, bins: number): number {
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(p * bins) - 1));
  while (b > 0 && !(edges[b] < p)) b--;
  while (b < bins - 1 && edges[b + 1] < p) b++;
  return b;
}

/** ECE = Σ_b (n_b / n) · |frequency_b − meanProb_b| over non-empty equal-width bins. */
export function expectedCalibrationError(yTrue: Labels, probs: ArrayLike<number>, options: CalibrationOptions = {}): number {
  const { bins } = { ...DEFAULTS, ...options };
  const d = reliabilityDiagram(yTrue, probs, bins);
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (d.counts[b] > 0) ece += (d.counts[b] / yTrue.length) * Math.abs(d.frequency[b] - d.meanProb[b]);
  }
  return ece;
}

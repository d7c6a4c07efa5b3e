/** Lab "Error analysis": slice metrics, the worst slices, label errors among the model's errors, robustness. */
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { CREDIT_FEATURES, take, type CreditFeature } from '../eval/credit-data';
import type { Matrix } from '../eval/matrix';
import { sliceMetrics, worstSlices, type Slice } from '../eval/slices';
import { mulberry32, deriveSeed } from '../core/rng';
import { DATA_DEFAULTS, accuracyAt, fit, prepare, round, CREDIT_FIELDS as C, featureField } from '../eval/credit-model';
import { gaussian } from '../math/random';

export interface ErrorAnalysisSettings {
  seed: number;
  n: number;
  labelBias: number;
  labelNoise: number;
  threshold: number;
  /** Quantile ranges per numeric feature. */
  bins: number;
  /** Smallest slice reported. */
  minSlice: number;
  /** The feature shifted in the robustness test. */
  shiftFeature: CreditFeature;
}

export const defaults: ErrorAnalysisSettings = { seed: 1, n: 4000, labelBias: 0.15, labelNoise: 0.05, threshold: 0.5, bins: 4, minSlice: 30, shiftFeature: 'income' };

export const fields: Field[] = [
  C.seed, C.n, C.labelBias, C.labelNoise, C.threshold,
  { key: 'bins', label: 'Ranges per feature', kind: 'number', integer: true, min: 2, max: 10, step: 1, explain: 'Each numeric feature is cut at quantiles into this many slices.' },
  { key: 'minSlice', label: 'Smallest slice', kind: 'number', integer: true, min: 5, max: 500, step: 5, explain: 'Slices with fewer test cases are not reported: too noisy to act on.' },
  featureField('shiftFeature', 'Shifted feature', 'The robustness test moves this feature for everyone, as a changed population would.'),
];

export interface ErrorAnalysisResult {
  /** Hash of the generated data (features and recorded labels). */
  dataHash: string;
  testSize: number;
  accuracy: number;
  /** Accuracy against the clean labels, which a real team never has. */
  accuracyTrue: number;
  /** Of the test cases the model gets "wrong", the share whose recorded label is itself wrong. */
  labelErrorShare: number;
  slicesTested: number;
  worst: Slice[];
  /** Single-feature slices in column order (for the per-feature table). */
  singles: Slice[];
  noise: { sigma: Float64Array; accuracy: Float64Array };
  occlusion: { feature: string[]; accuracy: Float64Array };
  shift: { amount: Float64Array; accuracy: Float64Array };
}

const NUMERIC: readonly string[] = CREDIT_FEATURES.filter((f) => f !== 'group');

export function run(ctx: TaskContext, s: ErrorAnalysisSettings): ErrorAnalysisResult {
  ctx.progress(0.1, 'generating data');
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, labelBias: s.labelBias, labelNoise: s.labelNoise });
  ctx.progress(0.25, 'training the logistic model');
  const f = fit(p, { features: 'all' });
  const test = p.split.test;
  const y = take(p.data.y, test);
  const yTrue = take(p.data.yTrue, test);
  const X = f.rows(test);
  const probs = f.probs(test);
  const pred = Uint8Array.from(probs, (v) => (v >= s.threshold ? 1 : 0));
  let wrong = 0;
  let labelWrong = 0;
  for (let i = 0; i < y.length; i++) {
    if (pred[i] !== y[i]) {
      wrong++;
      if (y[i] !== yTrue[i]) labelWrong++;
    }
  }
  ctx.progress(0.4, 'scoring slices');
  const columns = f.names.map((name, c) => ({
    name,
    kind: name === 'group' ? ('categorical' as const) : ('numeric' as const),
    values: Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + c]),
  }));
  const report = sliceMetrics(columns, y, pred, { bins: s.bins, minSize: s.minSlice });
  ctx.progress(0.7, 'robustness tests');
  const sd = f.scaler.sd;
  const numericCols = f.names.map((nm, c) => (NUMERIC.includes(nm) ? c : -1)).filter((c) => c >= 0);
  const accOn = (M: Matrix) => accuracyAt(y, f.predict(M), s.threshold);
  // Gaussian noise of σ training standard deviations on every numeric feature: one seeded standard
  // normal draw scaled by each σ (common random numbers), so the curve shows σ, not the draw.
  const sigma = Float64Array.from([0, 0.25, 0.5, 0.75, 1, 1.5, 2]);
  const rng = mulberry32(deriveSeed(s.seed, 100));
  const z = Float64Array.from(X.data, () => gaussian(rng));
  const noiseAcc = sigma.map((sg) => {
    const data = Float64Array.from(X.data);
    for (let i = 0; i < X.rows; i++) for (const c of numericCols) data[i * X.cols + c] += sg * sd[c] * z[i * X.cols + c];
    return accOn({ data, rows: X.rows, cols: X.cols });
  });
  // Occlusion: a feature goes missing and is imputed with its training mean.
  const occ = f.names.map((_, c) => {
    const data = Float64Array.from(X.data);
    for (let i = 0; i < X.rows; i++) data[i * X.cols + c] = f.scaler.mean[c];
    return accOn({ data, rows: X.rows, cols: X.cols });
  });
  // Covariate shift: the chosen feature moves by k training standard deviations for everyone.
  const amount = Float64Array.from([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2]);
  const sc = f.names.indexOf(s.shiftFeature);
  const shiftAcc = amount.map((a) => {
    const data = Float64Array.from(X.data);
    if (sc >= 0) for (let i = 0; i < X.rows; i++) data[i * X.cols + sc] += a * sd[sc];
    return accOn({ data, rows: X.rows, cols: X.cols });
  });
  ctx.progress(1, 'done');
  let okTrue = 0;
  for (let i = 0; i < y.length; i++) okTrue += pred[i] === yTrue[i] ? 1 : 0;
  return {
    dataHash: p.hash,
    testSize: y.length,
    accuracy: 1 - wrong / y.length,
    accuracyTrue: okTrue / y.length,
    labelErrorShare: wrong ? labelWrong / wrong : 0,
    slicesTested: report.tested,
    worst: worstSlices(report, 8),
    singles: report.slices.filter((sl) => sl.features.length === 1),
    noise: { sigma, accuracy: noiseAcc },
    occlusion: { feature: f.names, accuracy: Float64Array.from(occ) },
    shift: { amount, accuracy: shiftAcc },
  };
}

export function digest(r: ErrorAnalysisResult) {
  const w = r.worst[0];
  return {
    accuracy: round(r.accuracy),
    accuracyTrue: round(r.accuracyTrue),
    labelErrorShare: round(r.labelErrorShare),
    slicesTested: r.slicesTested,
    worstSlice: w?.description ?? '',
    worstErrorRate: w ? round(w.errorRate) : 0,
    worstN: w?.n ?? 0,
    worstPAdjusted: w ? round(w.pAdjusted, 6) : 1,
    accuracyNoise1: round(r.noise.accuracy[4]),
    worstOcclusion: r.occlusion.feature[r.occlusion.accuracy.reduce((b, v, j, a) => (v < a[b] ? j : b), 0)],
    worstOcclusionAccuracy: round(Math.min(...r.occlusion.accuracy)),
    accuracyShiftMinus2: round(r.shift.accuracy[0]),
    accuracyShiftPlus2: round(r.shift.accuracy[r.shift.accuracy.length - 1]),
  };
}

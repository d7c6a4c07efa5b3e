/**
 * A per-day drift monitor over the production stream, and its score against the injected
 * ground truth. Each day's rows are compared with the reference (training-time) sample:
 * numeric features by PSI, KS, Wasserstein and Jensen–Shannon, categorical ones by chi-square
 * and Jensen–Shannon; data quality by null rate and unseen categories; and, as labels arrive,
 * the model's log loss on the labels that arrived that day.
 */
import {
  CATEGORICAL_FEATURES,
  CATEGORIES,
  NUMERIC_FEATURES,
  STREAM_DEFAULTS,
  type DriftEvent,
  type ProductionStream,
  type StreamFeature,
  type StreamTable,
} from '../data/stream.ts';
import { chiSquareTest, jensenShannonDistance, ksTest, psi, quantileSorted, wassersteinDistance } from './stats.ts';

export type NumericRule = 'psi' | 'ks' | 'wasserstein' | 'js';
export type CategoricalRule = 'chi2' | 'js';

export const DETECTOR_DEFAULTS = {
  /** Statistic that raises a numeric feature's drift alarm. */
  numericRule: 'psi' as NumericRule,
  /** Statistic that raises a categorical feature's drift alarm. */
  categoricalRule: 'chi2' as CategoricalRule,
  /** PSI ≥ 0.2: the usual "major shift" line (0.1–0.2 is "watch"). */
  psi: 0.2,
  /** KS p-value below this alarms (with 2,000 rows a day KS flags shifts too small to matter). */
  ksPValue: 1e-3,
  /** Wasserstein-1 in reference standard deviations. */
  wasserstein: 0.25,
  /** Jensen–Shannon distance (natural log) over the PSI bins or the categories. */
  js: 0.1,
  /** Chi-square homogeneity p-value below this alarms. */
  chi2PValue: 1e-4,
  /** Alarm when a feature's null rate exceeds the reference's by this much (absolute). */
  nullRateIncrease: 0.05,
  /** Alarm when categories unseen in the reference make up at least this share of a day. */
  newCategoryShare: 0.01,
  /**
   * Alarm when the log loss on the labels arriving that day exceeds the log loss the model's own
   * predictions expect (mean binary entropy of p) by this much. A calibrated model under covariate
   * shift has observed ≈ expected, however its log loss moves; a change of P(y|x) breaks that.
   */
  excessLogLoss: 0.05,
  /** Fewest labels a day needs before its log loss is judged. */
  minLabels: 200,
  /** Bins for PSI and for the numeric Jensen–Shannon distance. */
  bins: 10,
};

export type DetectorOptions = Partial<typeof DETECTOR_DEFAULTS>;

/** 'range' (values outside the reference's range) and 'proxy' (drift of the model's output) come from alarmsFor (alarms.ts). */
export type Check = 'drift' | 'nulls' | 'new-category' | 'performance' | 'range' | 'proxy';

export interface Alarm {
  day: number;
  /** The feature, or 'model' for a performance alarm. */
  feature: StreamFeature | 'model';
  check: Check;
  value: number;
  threshold: number;
}

export interface FeatureDay {
  feature: StreamFeature;
  nullRate: number;
  /** Numeric features. */
  psi?: number;
  ks?: { statistic: number; pValue: number };
  /** Wasserstein-1 divided by the reference standard deviation. */
  wasserstein?: number;
  /** Categorical features. */
  chi2?: { statistic: number; pValue: number; dof: number };
  newCategoryShare?: number;
  js: number;
  drift: boolean;
}

export interface DayReport {
  day: number;
  rows: number;
  features: FeatureDay[];
  /** Share of features whose drift alarm fired: the dataset-level drift signal. */
  driftShare: number;
  /** The model on the labels that arrived this day (undefined with too few labels). */
  performance?: Performance;
  alarms: Alarm[];
}

export interface DriftReport {
  options: typeof DETECTOR_DEFAULTS;
  /** The model on the reference sample. */
  reference: Performance;
  days: DayReport[];
  alarms: Alarm[];
}

function present(xs: Float64Array): Float64Array {
  return xs.filter((x) => !Number.isNaN(x));
}

function nullRate(xs: Float64Array): number {
  let k = 0;
  for (const x of xs) if (Number.isNaN(x)) k++;
  return xs.length ? k / xs.length : 0;
}

function counts(codes: Uint8Array, k: number): Float64Array {
  const c = new Float64Array(k);
  for (const x of codes) c[x]++;
  return c;
}

function sd(xs: Float64Array): number {
  let m = 0;
  for (const x of xs) m += x;
  m /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - m) ** 2;
  return Math.sqrt(v / Math.max(1, xs.length - 1));
}

/** Histogram of xs over the reference's quantile bins (the same bins PSI uses). */
function binned(refSorted: Float64Array, bins: number, xs: Float64Array): Float64Array {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const q = quantileSorted(refSorted, k / bins);
    if (!edges.length || q > edges[edges.length - 1]) edges.push(q);
  }
  const h = new Float64Array(edges.length + 1);
  for (const x of xs) {
    let i = 0;
    while (i < edges.length && edges[i] <= x) i++;
    h[i]++;
  }
  return h;
}

export interface Performance {
  labels: number;
  /** Mean −[y ln p + (1−y) ln(1−p)]. */
  logLoss: number;
  /** Mean binary entropy of p: the log loss a calibrated model expects of itself. */
  expectedLogLoss: number;
  /** Accuracy at threshold 0.5. */
  accuracy: number;
  /** Mean prediction and observed label rate. */
  meanPrediction: number;
  labelRate: number;
}

function performance(t: StreamTable, rows: Iterable<number>): Performance {
  let n = 0;
  let ll = 0;
  let h = 0;
  let right = 0;
  let sp = 0;
  let sy = 0;
  for (const i of rows) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, t.prediction[i]));
    const y = t.label[i];
    ll -= y ? Math.log(p) : Math.log(1 - p);
    h -= p * Math.log(p) + (1 - p) * Math.log(1 - p);
    right += (p >= 0.5 ? 1 : 0) === y ? 1 : 0;
    sp += p;
    sy += y;
    n++;
  }
  return { labels: n, logLoss: ll / n, expectedLogLoss: h / n, accuracy: right / n, meanPrediction: sp / n, labelRate: sy / n };
}

/**
 * Score every day of the stream against its reference. Labels are used on the day they arrive
 * (labelDay), so a change in P(y|x) is seen only as its labels come in. KS uses its asymptotic
 * p-value here (thousands of rows a day; the exact one costs O(m·n)).
 */
export function monitorStream(s: ProductionStream, opts: DetectorOptions = {}): DriftReport {
  const o = { ...DETECTOR_DEFAULTS, ...opts };
  const ref = s.reference;
  const refNumeric = Object.fromEntries(NUMERIC_FEATURES.map((f) => {
    const xs = present(ref.numeric[f]);
    return [f, { xs, sorted: Float64Array.from(xs).sort(), sd: sd(xs), nullRate: nullRate(ref.numeric[f]) }];
  }));
  const refCounts = Object.fromEntries(CATEGORICAL_FEATURES.map((f) => [f, counts(ref.categorical[f], CATEGORIES[f].length)]));
  const reference = performance(ref, Array.from({ length: ref.n }, (_, i) => i));
  const rowsByLabelDay: number[][] = Array.from({ length: s.options.days }, () => []);
  for (let i = 0; i < s.stream.n; i++) {
    const d = s.stream.labelDay[i];
    if (d < s.options.days) rowsByLabelDay[d].push(i);
  }

  const days: DayReport[] = [];
  for (let day = 0; day < s.options.days; day++) {
    const a = s.dayStart[day];
    const b = s.dayStart[day + 1];
    const alarms: Alarm[] = [];
    const alarm = (feature: Alarm['feature'], check: Check, value: number, threshold: number) => alarms.push({ day, feature, check, value, threshold });
    const features: FeatureDay[] = [];

    for (const f of NUMERIC_FEATURES) {
      const r = refNumeric[f];
      const all = s.stream.numeric[f].subarray(a, b);
      const xs = present(all);
      const nr = nullRate(all);
      if (nr > r.nullRate + o.nullRateIncrease) alarm(f, 'nulls', nr, r.nullRate + o.nullRateIncrease);
      if (xs.length === 0) {
        features.push({ feature: f, nullRate: nr, js: NaN, drift: false });
        continue;
      }
      const fd: FeatureDay = {
        feature: f,
        nullRate: nr,
        psi: psi(r.xs, xs, { bins: o.bins }),
        ks: ksTest(r.xs, xs, { method: 'asymp' }),
        wasserstein: wassersteinDistance(r.xs, xs) / r.sd,
        js: jensenShannonDistance(binned(r.sorted, o.bins, r.xs), binned(r.sorted, o.bins, xs)),
        drift: false,
      };
      const [value, threshold, over] =
        o.numericRule === 'psi' ? [fd.psi!, o.psi, fd.psi! >= o.psi]
        : o.numericRule === 'ks' ? [fd.ks!.pValue, o.ksPValue, fd.ks!.pValue < o.ksPValue]
        : o.numericRule === 'wasserstein' ? [fd.wasserstein!, o.wasserstein, fd.wasserstein! >= o.wasserstein]
        : [fd.js, o.js, fd.js >= o.js];
      fd.drift = over;
      if (over) alarm(f, 'drift', value, threshold);
      features.push(fd);
    }

    for (const f of CATEGORICAL_FEATURES) {
      const c = counts(s.stream.categorical[f].subarray(a, b), CATEGORIES[f].length);
      const rc = refCounts[f];
      let unseen = 0;
      for (let k = 0; k < c.length; k++) if (rc[k] === 0) unseen += c[k];
      const share = unseen / (b - a);
      if (share >= o.newCategoryShare) alarm(f, 'new-category', share, o.newCategoryShare);
      const chi2 = chiSquareTest(rc, c);
      const fd: FeatureDay = { feature: f, nullRate: 0, chi2, newCategoryShare: share, js: jensenShannonDistance(rc, c), drift: false };
      fd.drift = o.categoricalRule === 'chi2' ? chi2.pValue < o.chi2PValue : fd.js >= o.js;
      if (fd.drift) alarm(f, 'drift', o.categoricalRule === 'chi2' ? chi2.pValue : fd.js, o.categoricalRule === 'chi2' ? o.chi2PValue : o.js);
      features.push(fd);
    }

    let perf: DayReport['performance'];
    if (rowsByLabelDay[day].length >= o.minLabels) {
      perf = performance(s.stream, rowsByLabelDay[day]);
      const excess = perf.logLoss - perf.expectedLogLoss;
      if (excess > o.excessLogLoss) alarm('model', 'performance', excess, o.excessLogLoss);
    }
    days.push({ day, rows: b - a, features, driftShare: features.filter((f) => f.drift).length / features.length, performance: perf, alarms });
  }
  return { options: o, reference, days, alarms: days.flatMap((d) => d.alarms) };
}

export interface EventScore {
  event: DriftEvent;
  /** Day of the first alarm attributed to the event, or null if it was missed. */
  detectedOn: number | null;
  /** detectedOn − start, in days. */
  delay: number | null;
}

export interface DetectionScore {
  events: EventScore[];
  /** Alarms no active event explains. */
  falseAlarms: Alarm[];
  /** Days with no event active at all, and the alarms raised on them. */
  quietDays: number[];
  quietDayAlarms: Alarm[];
}

/**
 * Which event explains an alarm: one active that day whose features include the alarm's
 * feature (a concept drift, invisible in the inputs, explains only performance alarms; for
 * those, "active" means its first labels have arrived: day > start).
 */
function explains(e: DriftEvent, a: Alarm): boolean {
  if (e.kind === 'concept-drift') return a.check === 'performance' && a.day > e.start && a.day < e.end + STREAM_DEFAULTS.maxLabelDelay;
  return a.check !== 'performance' && e.features.includes(a.feature as StreamFeature) && a.day >= e.start && a.day < e.end;
}

/** Score a report against the stream's injected events: detection delay per event, false alarms, quiet days. */
export function scoreDetections(report: Pick<DriftReport, 'alarms'> & { days: { day: number }[] }, events: readonly DriftEvent[]): DetectionScore {
  const scored = events.map((event) => {
    const first = report.alarms.find((a) => explains(event, a));
    return { event, detectedOn: first?.day ?? null, delay: first ? first.day - event.start : null };
  });
  const falseAlarms = report.alarms.filter((a) => !events.some((e) => explains(e, a)));
  const quietDays = report.days.map((d) => d.day).filter((d) => !events.some((e) => d >= e.start && d < e.end));
  const quiet = new Set(quietDays);
  return { events: scored, falseAlarms, quietDays, quietDayAlarms: report.alarms.filter((a) => quiet.has(a.day)) };
}

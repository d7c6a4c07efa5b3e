/** Lab "Model card": one evaluation of the model to ship, written up as a Markdown model card. */
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { CREDIT_FEATURES, CREDIT_FEATURE_INFO, take, type CreditFeature } from '../eval/credit-data';
import { averagePrecision, rocAuc } from '../eval/curves';
import { brierScore, expectedCalibrationError } from '../eval/calibration';
import { isotonicCalibration, plattCalibration } from '../eval/calibrators';
import { demographicParityDifference, disparateImpactRatio, equalOpportunityDifference, equalizedOddsDifference, groupRates } from '../eval/fairness';
import { applyGroupThresholds, fitGroupThresholds, reweighing } from '../eval/mitigation';
import { modelCardMarkdown, type ModelCardInput } from '../eval/modelcard';
import { sliceMetrics, worstSlices } from '../eval/slices';
import { DATA_DEFAULTS, fit, prepare, round, type FeatureSet, CREDIT_FIELDS as C } from '../eval/credit-model';

export type CardMitigation = 'none' | 'reweighing' | 'penalty' | 'group-thresholds';
export type CardCalibration = 'none' | 'platt' | 'isotonic';

export interface CardSettings {
  seed: number;
  n: number;
  labelBias: number;
  labelNoise: number;
  proxyStrength: number;
  features: FeatureSet;
  mitigation: CardMitigation;
  calibration: CardCalibration;
  threshold: number;
}

export const defaults: CardSettings = { seed: 1, n: 4000, labelBias: 0.15, labelNoise: 0.05, proxyStrength: 0.7, features: 'no-group', mitigation: 'none', calibration: 'platt', threshold: 0.5 };

export const fields: Field[] = [
  C.seed, C.n, C.labelBias, C.labelNoise, C.proxyStrength, C.features,
  {
    key: 'mitigation', label: 'Bias mitigation', kind: 'choice', explain: 'Applied before shipping; the card reports what it did.',
    options: [
      { value: 'none', label: 'none' },
      { value: 'reweighing', label: 'reweighing' },
      { value: 'penalty', label: 'fairness penalty' },
      { value: 'group-thresholds', label: 'per-group thresholds' },
    ],
  },
  {
    key: 'calibration', label: 'Calibration', kind: 'choice', explain: 'Fitted on the calibration split.',
    options: [
      { value: 'none', label: 'none' },
      { value: 'platt', label: 'Platt scaling' },
      { value: 'isotonic', label: 'isotonic regression' },
    ],
  },
  { ...C.threshold, explain: 'Approve when P(default) < this.' },
];

export interface CardResult {
  card: ModelCardInput;
  markdown: string;
}

/** Which run the card describes: given by the page with the settings, written into the card. */
export interface CardRunInfo {
  runId: string;
  /** ISO date (YYYY-MM-DD) of the run. */
  date: string;
  appVersion: string;
}

const MITIGATION_TEXT: Record<CardMitigation, string> = {
  none: 'none',
  reweighing: 'reweighing (Kamiran–Calders sample weights making group and label independent in training)',
  penalty: 'demographic-parity penalty in training (weight 20)',
  'group-thresholds': 'per-group approval thresholds equalising approval rates, fitted on the calibration split',
};

export function run(ctx: TaskContext, s: CardSettings & Partial<CardRunInfo>): CardResult {
  ctx.progress(0.1, 'generating data');
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, labelBias: s.labelBias, labelNoise: s.labelNoise, proxyStrength: s.proxyStrength });
  const { train, calibration: cal, test } = p.split;
  ctx.progress(0.3, 'training');
  const f = fit(p, {
    features: s.features,
    sampleWeight: s.mitigation === 'reweighing' ? reweighing(take(p.data.y, train), take(p.data.group, train)) : undefined,
    fairness: s.mitigation === 'penalty' ? 20 : 0,
  });
  ctx.progress(0.6, 'calibrating and scoring');
  const yCal = take(p.data.y, cal);
  const calibrate: (z: Float64Array, q: Float64Array) => Float64Array =
    s.calibration === 'platt' ? ((pl) => (z) => z.map((v) => pl(v)))(plattCalibration(f.logits(cal), yCal))
    : s.calibration === 'isotonic' ? ((iso) => (_z, q) => q.map((v) => iso(v)))(isotonicCalibration(f.probs(cal), yCal))
    : (_z, q) => q;
  const y = take(p.data.y, test);
  const g = take(p.data.group, test);
  const raw = f.probs(test);
  const probs = calibrate(f.logits(test), raw);
  const fav = Uint8Array.from(y, (v) => 1 - v);
  let approve: Uint8Array = Uint8Array.from(probs, (q) => (q < s.threshold ? 1 : 0));
  if (s.mitigation === 'group-thresholds') {
    const pc = calibrate(f.logits(cal), f.probs(cal));
    const th = fitGroupThresholds(pc.map((q) => 1 - q), Uint8Array.from(yCal, (v) => 1 - v), take(p.data.group, cal), 'demographic-parity', 1 - s.threshold);
    approve = applyGroupThresholds(probs.map((q) => 1 - q), g, th);
  }
  const flag = approve.map((a) => 1 - a);
  let tp = 0, fp = 0, ok = 0;
  for (let i = 0; i < y.length; i++) {
    ok += flag[i] === y[i] ? 1 : 0;
    if (flag[i] && y[i]) tp++;
    else if (flag[i]) fp++;
  }
  const positives = y.reduce((a, b) => a + b, 0);
  const rates = groupRates(fav, approve, g);
  ctx.progress(0.8, 'slices');
  const X = f.rows(test);
  const report = sliceMetrics(
    f.names.map((name, c) => ({ name, kind: name === 'group' ? 'categorical' : 'numeric', values: Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + c]) })),
    y, flag, { bins: 4, minSize: 30 },
  );
  // Slice by group too, even when the model does not use it.
  const byGroup = sliceMetrics([{ name: 'group', kind: 'categorical', values: g }], y, flag, { minSize: 1 });
  const card: ModelCardInput = {
    title: 'credit default risk (logistic regression)',
    date: s.date ?? '',
    runId: s.runId ?? '',
    seed: s.seed,
    dataHash: p.hash,
    appVersion: s.appVersion ?? '',
    intendedUse: 'A teaching model: ranks synthetic loan applicants by risk of default so a reviewer can practise evaluating a model before it ships.',
    outOfScope: 'real lending decisions, real people, any data other than Prodlab\'s seeded generator.',
    model: {
      description: 'Logistic regression (L2 = 1, Newton/IRLS) on standardised features.',
      features: f.names,
      threshold: s.threshold,
      mitigation: MITIGATION_TEXT[s.mitigation],
      calibration: s.calibration === 'none' ? 'none' : `${s.calibration} scaling fitted on the calibration split`,
    },
    data: {
      description: `Synthetic credit applicants from Prodlab's seeded generator. Features: ${CREDIT_FEATURES.filter((c) => f.names.includes(c)).map((c) => `${c} (${CREDIT_FEATURE_INFO[c as CreditFeature]})`).join('; ')}. Label: 1 = recorded default. The groups share one distribution of legitimate features; label bias and noise are injected on purpose.`,
      train: train.length,
      calibration: cal.length,
      test: test.length,
      settings: { n: s.n, seed: s.seed, labelBias: s.labelBias, labelNoise: s.labelNoise, proxyStrength: s.proxyStrength, defaultRate: DATA_DEFAULTS.defaultRate },
    },
    metrics: [
      { name: 'ROC AUC', value: rocAuc(y, probs), note: 'P(a defaulter scores above a repayer)' },
      { name: 'average precision', value: averagePrecision(y, probs), note: `PR-AUC; a random ranking scores the default rate, ${round(positives / y.length, 3)}` },
      { name: 'accuracy', value: ok / y.length, note: 'decisions against recorded labels' },
      { name: 'precision (defaults flagged)', value: tp + fp ? tp / (tp + fp) : NaN, note: 'refused applicants who defaulted' },
      { name: 'recall (defaults caught)', value: tp / positives, note: 'defaulters refused' },
    ],
    calibration: { ece: expectedCalibrationError(y, probs), brier: brierScore(y, probs), eceBefore: expectedCalibrationError(y, raw), brierBefore: brierScore(y, raw), bins: 10 },
    groups: [0, 1].map((k) => {
      const idx = Int32Array.from(Array.from(g.keys()).filter((i) => g[i] === k));
      const r = rates.find((q) => q.group === k)!;
      return { group: String(k), n: r.n, approvalRate: r.selectionRate, tpr: r.tpr, auc: rocAuc(take(y, idx), take(probs, idx)) };
    }),
    fairness: { dpd: demographicParityDifference(approve, g), dir: disparateImpactRatio(approve, g), eopp: equalOpportunityDifference(fav, approve, g), eod: equalizedOddsDifference(fav, approve, g) },
    slices: {
      overallErrorRate: report.errorRate,
      tested: report.tested,
      worst: [...worstSlices(report, 5), ...byGroup.slices].map((sl) => ({ description: sl.description, n: sl.n, errorRate: sl.errorRate, pAdjusted: sl.pAdjusted })),
    },
    limitations: [
      'Labels are historical decisions: they carry the injected label bias against group 1, so metrics against them can hide that bias.',
      f.names.includes('neighbourhood') && !f.names.includes('group') ? 'The protected attribute is removed but neighbourhood, a proxy for it, remains.' : '',
      'Synthetic data: no claim about any real population.',
    ].filter(Boolean),
  };
  ctx.progress(1, 'done');
  return { card, markdown: modelCardMarkdown(card) };
}

export function digest(r: CardResult) {
  const c = r.card;
  const m = Object.fromEntries(c.metrics.map((x) => [x.name, round(x.value)]));
  return {
    auc: m['ROC AUC'], ap: m['average precision'], accuracy: m['accuracy'],
    ece: round(c.calibration.ece), eceBefore: round(c.calibration.eceBefore), brier: round(c.calibration.brier),
    dpd: round(c.fairness.dpd), dir: round(c.fairness.dir), eopp: round(c.fairness.eopp), eod: round(c.fairness.eod),
    approval0: round(c.groups[0].approvalRate), approval1: round(c.groups[1].approvalRate),
    worstSlice: c.slices.worst[0]?.description ?? '', worstErrorRate: round(c.slices.worst[0]?.errorRate ?? 0),
    markdown: r.markdown,
  };
}

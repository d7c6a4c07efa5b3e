/** Lab "Model card": one evaluation of the model to ship, written up as a Markdown model card. */
import { CREDIT_FEATURES, CREDIT_FEATURE_INFO, take, type CreditFeature } from '../credit-data';
import { averagePrecision, rocAuc } from '../curves';
import { brierScore, expectedCalibrationError } from '../calibration';
import { isotonicCalibration, plattCalibration } from '../calibrators';
import { demographicParityDifference, disparateImpactRatio, equalOpportunityDifference, equalizedOddsDifference, groupRates } from '../fairness';
import { applyGroupThresholds, fitGroupThresholds, reweighing } from '../mitigation';
import { modelCardMarkdown, type ModelCardInput } from '../modelcard';
import { sliceMetrics, worstSlices } from '../slices';
import { DATA_DEFAULTS, fit, prepare, round, type FeatureSet, type Progress } from './pipeline';

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

export const CARD_DEFAULTS: CardSettings = { seed: 1, n: 4000, labelBias: 0.15, labelNoise: 0.05, proxyStrength: 0.7, features: 'no-group', mitigation: 'none', calibration: 'platt', threshold: 0.5 };

export interface CardResult {
  card: ModelCardInput;
  markdown: string;
}

export interface CardRunInfo {
  runId: string;
  date: string;
  appVersion: string;
}

const MITIGATION_TEXT: Record<CardMitigation, string> = {
  none: 'none',
  reweighing: 'reweighing (Kamiran–Calders sample weights making group and label independent in training)',
  penalty: 'demographic-parity penalty in training (weight 20)',
  'group-thresholds': 'per-group approval thresholds equalising approval rates, fitted on the calibration split',
};

export function runCard(s: CardSettings, info: CardRunInfo, progress: Progress = () => {}): CardResult {
  progress({ fraction: 0.1, stage: 'generating data' });
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, labelBias: s.labelBias, labelNoise: s.labelNoise, proxyStrength: s.proxyStrength });
  const { train, calibration: cal, test } = p.split;
  progress({ fraction: 0.3, stage: 'training' });
  const f = fit(p, {
    features: s.features,
    sampleWeight: s.mitigation === 'reweighing' ? reweighing(take(p.data.y, train), take(p.data.group, train)) : undefined,
    fairness: s.mitigation === 'penalty' ? 20 : 0,
  });
  progress({ fraction: 0.6, stage: 'calibrating and scoring' });
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
  progress({ fraction: 0.8, stage: 'slices' });
  const X = f.rows(test);
  const report = sliceMetrics(
    f.names.map((name, c) => ({ name, kind: name === 'group' ? 'categorical' : 'numeric', values: Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + c]) })),
    y, flag, { bins: 4, minSize: 30 },
  );
  // Slice by group too, even when the model does not use it.
  const byGroup = sliceMetrics([{ name: 'group', kind: 'categorical', values: g }], y, flag, { minSize: 1 });
  const card: ModelCardInput = {
    title: 'credit default risk (logistic regression)',
    date: info.date,
    runId: info.runId,
    seed: s.seed,
    dataHash: p.hash,
    appVersion: info.appVersion,
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
  progress({ fraction: 1, stage: 'done' });
  return { card, markdown: modelCardMarkdown(card) };
}

export function summarizeCard(r: CardResult) {
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

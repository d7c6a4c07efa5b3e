/**
 * Lab "Fairness": audit the data for bias before training, measure group gaps in a model's decisions,
 * and mitigate them three ways. Decisions are approvals: approve when P(default) < threshold, and
 * the favourable label is "repaid" (y = 0), so selection rate = approval rate and equal opportunity
 * compares approval rates among people who repaid.
 */
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { CREDIT_FEATURES, take } from '../eval/credit-data';
import { rocAuc, rocCurve } from '../eval/curves';
import {
  demographicParityDifference,
  disparateImpactRatio,
  equalOpportunityDifference,
  equalizedOddsDifference,
  groupRates,
} from '../eval/fairness';
import { applyGroupThresholds, fitGroupThresholds, reweighing } from '../eval/mitigation';
import { DATA_DEFAULTS, fit, prepare, round, type FeatureSet, type Fitted, CREDIT_FIELDS as C } from '../eval/credit-model';

export interface FairnessSettings {
  seed: number;
  n: number;
  /** Fraction of group-1 repayers recorded as defaults in the historical labels. */
  labelBias: number;
  /** How strongly "neighbourhood" reveals the group. */
  proxyStrength: number;
  /** Features of the model that the mitigations start from. */
  features: FeatureSet;
  /** Approve when P(default) < threshold. */
  threshold: number;
  /** Weight of the demographic-parity penalty in training. */
  penalty: number;
}

export const defaults: FairnessSettings = { seed: 1, n: 4000, labelBias: 0.25, proxyStrength: 0.7, features: 'no-group', threshold: 0.5, penalty: 20 };

export const fields: Field[] = [
  C.seed, C.n, C.labelBias, C.proxyStrength, C.features,
  { ...C.threshold, explain: 'Approve when P(default) < this.' },
  { key: 'penalty', label: 'Fairness penalty weight', kind: 'number', min: 0, max: 1000, step: 1, explain: 'Weight of (gap in mean score between groups)² in the training loss.' },
];

export type FairnessVariant = 'with group' | 'without group' | 'without group or proxy' | 'reweighing' | 'fairness penalty' | 'group thresholds (parity)' | 'group thresholds (opportunity)';

export interface VariantResult {
  variant: FairnessVariant;
  /** Accuracy against the recorded labels. */
  accuracy: number;
  /** Accuracy against the clean labels. */
  accuracyTrue: number;
  auc: number;
  approval0: number;
  approval1: number;
  /** Demographic parity difference of approvals. */
  dpd: number;
  /** Disparate impact ratio of approvals (four-fifths rule: flag below 0.8). */
  dir: number;
  /** Equal opportunity difference against the recorded labels. */
  eopp: number;
  /** The same against the clean labels. */
  eoppTrue: number;
  /** Equalized odds difference against the recorded labels. */
  eod: number;
}

export interface FairnessResult {
  /** Hash of the generated data (features and recorded labels). */
  dataHash: string;
  audit: {
    /** Recorded default rate per group in the training rows. */
    recordedRate: [number, number];
    /** True default rate per group (the generator's clean labels). */
    trueRate: [number, number];
    /** Pearson correlation of neighbourhood with group. */
    proxyCorrelation: number;
    /** How well neighbourhood alone tells the groups apart (ROC AUC). */
    proxyAuc: number;
    groupSize: [number, number];
  };
  variants: VariantResult[];
  /** ROC of default detection per group, for the model the mitigations start from. */
  groupRoc: { group: number; auc: number; fpr: Float64Array; tpr: Float64Array }[];
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function run(ctx: TaskContext, s: FairnessSettings): FairnessResult {
  ctx.progress(0.05, 'generating data');
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, labelBias: s.labelBias, proxyStrength: s.proxyStrength, labelNoise: 0 });
  const { train, calibration: cal, test } = p.split;
  const gTr = take(p.data.group, train);
  const yTr = take(p.data.y, train);
  const rate = (y: Uint8Array, g: Uint8Array, k: number) => {
    let a = 0, m = 0;
    for (let i = 0; i < y.length; i++) {
      if (g[i] !== k) continue;
      m++;
      a += y[i];
    }
    return a / m;
  };
  const yTrueTr = take(p.data.yTrue, train);
  const neigh = Float64Array.from(train, (i) => p.data.X.data[i * p.data.X.cols + CREDIT_FEATURES.indexOf('neighbourhood')]);
  const audit: FairnessResult['audit'] = {
    recordedRate: [rate(yTr, gTr, 0), rate(yTr, gTr, 1)],
    trueRate: [rate(yTrueTr, gTr, 0), rate(yTrueTr, gTr, 1)],
    proxyCorrelation: pearson(neigh, gTr),
    proxyAuc: rocAuc(gTr, neigh),
    groupSize: [gTr.length - gTr.reduce((a, b) => a + b, 0), gTr.reduce((a, b) => a + b, 0)],
  };

  const y = take(p.data.y, test);
  const yTrue = take(p.data.yTrue, test);
  const g = take(p.data.group, test);
  const fav = Uint8Array.from(y, (v) => 1 - v);
  const favTrue = Uint8Array.from(yTrue, (v) => 1 - v);
  const score = (v: VariantResult['variant'], probs: Float64Array, approve: Uint8Array): VariantResult => {
    let ok = 0, okTrue = 0;
    for (let i = 0; i < y.length; i++) {
      ok += approve[i] === fav[i] ? 1 : 0;
      okTrue += approve[i] === favTrue[i] ? 1 : 0;
    }
    const rates = groupRates(fav, approve, g);
    const r0 = rates.find((r) => r.group === 0)!;
    const r1 = rates.find((r) => r.group === 1)!;
    return {
      variant: v,
      accuracy: ok / y.length,
      accuracyTrue: okTrue / y.length,
      auc: rocAuc(y, probs),
      approval0: r0.selectionRate,
      approval1: r1.selectionRate,
      dpd: demographicParityDifference(approve, g),
      dir: disparateImpactRatio(approve, g),
      eopp: equalOpportunityDifference(fav, approve, g),
      eoppTrue: equalOpportunityDifference(favTrue, approve, g),
      eod: equalizedOddsDifference(fav, approve, g),
    };
  };
  const approveAt = (probs: Float64Array) => Uint8Array.from(probs, (q) => (q < s.threshold ? 1 : 0));
  const plain = (f: Fitted, v: FairnessVariant) => {
    const probs = f.probs(test);
    return score(v, probs, approveAt(probs));
  };

  const variants: VariantResult[] = [];
  const steps: [FairnessVariant, () => VariantResult][] = [
    ['with group', () => plain(fit(p, { features: 'all' }), 'with group')],
    ['without group', () => plain(fit(p, { features: 'no-group' }), 'without group')],
    ['without group or proxy', () => plain(fit(p, { features: 'no-group-no-proxy' }), 'without group or proxy')],
    ['reweighing', () => plain(fit(p, { features: s.features, sampleWeight: reweighing(yTr, gTr) }), 'reweighing')],
    ['fairness penalty', () => plain(fit(p, { features: s.features, fairness: s.penalty }), 'fairness penalty')],
  ];
  for (const [k, [name, go]] of steps.entries()) {
    ctx.progress(0.1 + 0.13 * k, `training: ${name}`);
    variants.push(go());
  }
  ctx.progress(0.8, 'fitting per-group thresholds on the calibration split');
  const base = fit(p, { features: s.features });
  const probsCal = base.probs(cal);
  const favCal = Uint8Array.from(take(p.data.y, cal), (v) => 1 - v);
  const gCal = take(p.data.group, cal);
  const probs = base.probs(test);
  const sFav = probs.map((q) => 1 - q);
  const tau = 1 - s.threshold;
  for (const [criterion, v] of [['demographic-parity', 'group thresholds (parity)'], ['equal-opportunity', 'group thresholds (opportunity)']] as const) {
    const th = fitGroupThresholds(probsCal.map((q) => 1 - q), favCal, gCal, criterion, tau);
    variants.push(score(v, probs, applyGroupThresholds(sFav, g, th)));
  }
  const groupRoc = [0, 1].map((k) => {
    const idx = Int32Array.from(Array.from(g.keys()).filter((i) => g[i] === k));
    const yk = take(y, idx);
    const pk = take(probs, idx);
    const roc = rocCurve(yk, pk);
    return { group: k, auc: rocAuc(yk, pk), fpr: roc.fpr, tpr: roc.tpr };
  });
  ctx.progress(1, 'done');
  return {
    dataHash: p.hash, audit, variants, groupRoc };
}

export function digest(r: FairnessResult) {
  const out: Record<string, number | string> = {
    recordedRate0: round(r.audit.recordedRate[0]), recordedRate1: round(r.audit.recordedRate[1]),
    trueRate0: round(r.audit.trueRate[0]), trueRate1: round(r.audit.trueRate[1]),
    proxyCorrelation: round(r.audit.proxyCorrelation), proxyAuc: round(r.audit.proxyAuc),
    groupAuc0: round(r.groupRoc[0].auc), groupAuc1: round(r.groupRoc[1].auc),
  };
  const key: Record<FairnessVariant, string> = {
    'with group': 'withGroup', 'without group': 'noGroup', 'without group or proxy': 'noProxy', reweighing: 'reweighing',
    'fairness penalty': 'penalty', 'group thresholds (parity)': 'thresholdsDP', 'group thresholds (opportunity)': 'thresholdsEO',
  };
  for (const v of r.variants) {
    const k = key[v.variant];
    out[`${k}_accuracy`] = round(v.accuracy);
    out[`${k}_accuracyTrue`] = round(v.accuracyTrue);
    out[`${k}_dpd`] = round(v.dpd);
    out[`${k}_dir`] = round(v.dir);
    out[`${k}_eopp`] = round(v.eopp);
    out[`${k}_eoppTrue`] = round(v.eoppTrue);
    out[`${k}_eod`] = round(v.eod);
  }
  return out;
}

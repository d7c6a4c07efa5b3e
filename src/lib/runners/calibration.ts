/** Lab "Calibration": reliability diagrams, ECE and Brier before and after Platt, isotonic and temperature scaling. */
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { brierScore, expectedCalibrationError, reliabilityDiagram } from '../eval/calibration';
import { isotonicCalibration, plattCalibration } from '../eval/calibrators';
import { temperatureScaling } from '../eval/temperature';
import { rocAuc } from '../eval/curves';
import { take } from '../eval/credit-data';
import { DATA_DEFAULTS, fit, prepare, round, CREDIT_FIELDS as C } from '../eval/credit-model';

/** How the model is trained; each is a real, common cause of (mis)calibration. */
export type CalibrationModel = 'plain' | 'balanced' | 'smoothed';

export interface CalibrationSettings {
  seed: number;
  n: number;
  defaultRate: number;
  model: CalibrationModel;
  /** Equal-width bins of the reliability diagram and ECE. */
  bins: number;
}

export const defaults: CalibrationSettings = { seed: 1, n: 4000, defaultRate: 0.2, model: 'balanced', bins: 10 };

export const fields: Field[] = [
  C.seed, C.n,
  { key: 'defaultRate', label: 'Default rate', kind: 'number', min: 0.02, max: 0.5, step: 0.01, explain: 'Share of applicants who default.' },
  {
    key: 'model', label: 'Model training', kind: 'choice', explain: 'Balanced class weights and label smoothing are common practice, and both distort probabilities.',
    options: [
      { value: 'plain', label: 'plain logistic regression' },
      { value: 'balanced', label: 'balanced class weights' },
      { value: 'smoothed', label: 'label smoothing ε = 0.3' },
    ],
  },
  { key: 'bins', label: 'Bins', kind: 'number', integer: true, min: 2, max: 50, step: 1, explain: 'Equal-width probability bins of the diagram and of ECE.' },
];

export type CalibrationMethod = 'uncalibrated' | 'platt' | 'isotonic' | 'temperature';
export const CALIBRATION_METHODS: CalibrationMethod[] = ['uncalibrated', 'platt', 'isotonic', 'temperature'];

export interface MethodResult {
  method: CalibrationMethod;
  ece: number;
  brier: number;
  auc: number;
  /** Mean |p̂ − p_true|: the calibration error against the generator's true probabilities, which only a simulation knows. */
  trueError: number;
  meanProb: Float64Array;
  frequency: Float64Array;
  counts: Float64Array;
}

export interface CalibrationResult {
  /** Hash of the generated data (features and recorded labels). */
  dataHash: string;
  calibrationSize: number;
  testSize: number;
  temperature: number;
  platt: { a: number; b: number };
  methods: MethodResult[];
}

export function run(ctx: TaskContext, s: CalibrationSettings): CalibrationResult {
  ctx.progress(0.1, 'generating data');
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, defaultRate: s.defaultRate, labelBias: 0, labelNoise: 0 });
  ctx.progress(0.3, `training the ${s.model} logistic model`);
  const f = fit(p, { features: 'no-group', classWeight: s.model === 'balanced' ? 'balanced' : 'none', labelSmoothing: s.model === 'smoothed' ? 0.3 : 0 });
  ctx.progress(0.6, 'fitting calibrators on the calibration split');
  const { calibration: cal, test } = p.split;
  const yCal = take(p.data.y, cal);
  const zCal = f.logits(cal);
  const pCal = f.probs(cal);
  const platt = plattCalibration(zCal, yCal);
  const iso = isotonicCalibration(pCal, yCal);
  const temp = temperatureScaling(zCal, yCal);
  const y = take(p.data.y, test);
  const pTrue = take(p.data.pTrue, test);
  const z = f.logits(test);
  const raw = f.probs(test);
  const probs: Record<CalibrationMethod, Float64Array> = {
    uncalibrated: raw,
    platt: z.map((v) => platt(v)),
    isotonic: raw.map((v) => iso(v)),
    temperature: z.map((v) => temp(v)),
  };
  ctx.progress(0.9, 'scoring on the test split');
  const methods = CALIBRATION_METHODS.map((method) => {
    const q = probs[method];
    const d = reliabilityDiagram(y, q, s.bins);
    let te = 0;
    for (let i = 0; i < q.length; i++) te += Math.abs(q[i] - pTrue[i]) / q.length;
    return { method, ece: expectedCalibrationError(y, q, { bins: s.bins }), brier: brierScore(y, q), auc: rocAuc(y, q), trueError: te, meanProb: d.meanProb, frequency: d.frequency, counts: d.counts };
  });
  ctx.progress(1, 'done');
  return {
    dataHash: p.hash, calibrationSize: cal.length, testSize: test.length, temperature: temp.temperature, platt: { a: platt.a, b: platt.b }, methods };
}

export function digest(r: CalibrationResult) {
  const out: Record<string, number> = { temperature: round(r.temperature), plattA: round(r.platt.a), plattB: round(r.platt.b) };
  for (const m of r.methods) {
    out[`ece_${m.method}`] = round(m.ece);
    out[`brier_${m.method}`] = round(m.brier);
    out[`auc_${m.method}`] = round(m.auc);
    out[`trueError_${m.method}`] = round(m.trueError);
  }
  return out;
}

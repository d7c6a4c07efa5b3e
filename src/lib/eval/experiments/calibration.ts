/** Lab "Calibration": reliability diagrams, ECE and Brier before and after Platt, isotonic and temperature scaling. */
import { brierScore, expectedCalibrationError, reliabilityDiagram } from '../calibration';
import { isotonicCalibration, plattCalibration } from '../calibrators';
import { temperatureScaling } from '../temperature';
import { rocAuc } from '../curves';
import { take } from '../credit-data';
import { DATA_DEFAULTS, fit, prepare, round, type Progress } from './pipeline';

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

export const CALIBRATION_DEFAULTS: CalibrationSettings = { seed: 1, n: 4000, defaultRate: 0.2, model: 'balanced', bins: 10 };

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

export function runCalibration(s: CalibrationSettings, progress: Progress = () => {}): CalibrationResult {
  progress({ fraction: 0.1, stage: 'generating data' });
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, defaultRate: s.defaultRate, labelBias: 0, labelNoise: 0 });
  progress({ fraction: 0.3, stage: `training the ${s.model} logistic model` });
  const f = fit(p, { features: 'no-group', classWeight: s.model === 'balanced' ? 'balanced' : 'none', labelSmoothing: s.model === 'smoothed' ? 0.3 : 0 });
  progress({ fraction: 0.6, stage: 'fitting calibrators on the calibration split' });
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
  progress({ fraction: 0.9, stage: 'scoring on the test split' });
  const methods = CALIBRATION_METHODS.map((method) => {
    const q = probs[method];
    const d = reliabilityDiagram(y, q, s.bins);
    let te = 0;
    for (let i = 0; i < q.length; i++) te += Math.abs(q[i] - pTrue[i]) / q.length;
    return { method, ece: expectedCalibrationError(y, q, { bins: s.bins }), brier: brierScore(y, q), auc: rocAuc(y, q), trueError: te, meanProb: d.meanProb, frequency: d.frequency, counts: d.counts };
  });
  progress({ fraction: 1, stage: 'done' });
  return {
    dataHash: p.hash, calibrationSize: cal.length, testSize: test.length, temperature: temp.temperature, platt: { a: platt.a, b: platt.b }, methods };
}

export function summarizeCalibration(r: CalibrationResult) {
  const out: Record<string, number> = { temperature: round(r.temperature), plattA: round(r.platt.a), plattB: round(r.platt.b) };
  for (const m of r.methods) {
    out[`ece_${m.method}`] = round(m.ece);
    out[`brier_${m.method}`] = round(m.brier);
    out[`auc_${m.method}`] = round(m.auc);
    out[`trueError_${m.method}`] = round(m.trueError);
  }
  return out;
}

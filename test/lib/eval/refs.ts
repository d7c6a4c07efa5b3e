/** Typed access to refs/refs.json, the scikit-learn / numpy reference values written by refs/make_refs.py. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export interface CurveRef {
  name: string;
  y: number[];
  scores: number[];
  auc: number;
  ap: number;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  rocCorners: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  confusion: { threshold: number; tp: number; fp: number; tn: number; fn: number }[];
  netBenefit: { thresholds: number[]; model: number[]; treatAll: number[] };
}

export interface CalibrationRef {
  name: string;
  y: number[];
  probs: number[];
  brier: number;
  bins: { bins: number; counts: number[]; frequency: number[]; meanProb: number[]; ece: number }[];
}

export interface CalibratorRef {
  name: string;
  scores: number[];
  y: number[];
  grid: number[];
  isotonic: number[];
  plattScipy: [number, number];
  plattSklearn: [number, number];
  hardScipy: [number, number];
  hardSklearnLR: [number, number];
}

export interface FairnessRef {
  name: string;
  y: number[];
  yPred: number[];
  groups: (string | number)[];
  selectionRate: number[];
  tpr: number[];
  fpr: number[];
  dpd: number;
  eod: number;
  eopp: number;
  dir: number;
}

export interface ImportanceRef {
  X: number[][];
  y: number[];
  w: number[];
  b: number;
  baseline: number;
  expectedMean: number[];
  sklearnRepeats: number;
  sklearnMean: number[];
  sklearnStd: number[];
}

export interface ShapRef {
  name: string;
  background: number[][];
  explanations: { x: number[]; phi: number[]; base: number; fx: number }[];
}

export interface Refs {
  generator: string;
  curves: CurveRef[];
  calibration: CalibrationRef[];
  calibrators: CalibratorRef[];
  fairness: FairnessRef[];
  importance: ImportanceRef;
  shap: ShapRef[];
}

export const refs = JSON.parse(readFileSync(new URL('./refs/refs.json', import.meta.url), 'utf8')) as Refs;

/** Element-wise |actual − expected| ≤ tol, same length; NaN only where NaN is expected. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(expected[i])) expect(actual[i]).toBeNaN();
    else worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Evaluation and responsible-ML metrics: ranking curves, calibration, fairness, explanations. Pure TypeScript. */
export { EvalInputError } from './errors';
export type { Labels } from './errors';
export { rocCurve, prCurve, rocAuc, averagePrecision } from './curves';
export type { RocCurve, RocCurveOptions, PrCurve } from './curves';
export { confusionMatrixAt, netBenefit } from './threshold';
export type { ConfusionMatrix, NetBenefitCurve } from './threshold';
export { brierScore, expectedCalibrationError, reliabilityDiagram } from './calibration';
export type { CalibrationOptions, ReliabilityDiagram } from './calibration';
export { isotonicCalibration, plattCalibration } from './calibrators';
export type { IsotonicCalibrator, PlattCalibrator, PlattOptions } from './calibrators';
export {
  groupRates,
  demographicParityDifference,
  equalOpportunityDifference,
  equalizedOddsDifference,
  disparateImpactRatio,
} from './fairness';
export type { Group, GroupRates } from './fairness';
export { matrixFromRows } from './matrix';
export type { Matrix, PredictFn } from './matrix';
export { permutationImportance } from './importance';
export type { MetricFn, PermutationImportance, PermutationImportanceOptions } from './importance';
export { kernelShap } from './shap';
export type { KernelShapOptions, ShapExplanation } from './shap';
export { temperatureScaling, multiclassTemperature, softmaxNll } from './temperature';
export type { TemperatureCalibrator } from './temperature';

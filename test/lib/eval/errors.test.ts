import { describe, expect, it } from 'vitest';
import {
  EvalInputError,
  averagePrecision,
  brierScore,
  confusionMatrixAt,
  demographicParityDifference,
  equalizedOddsDifference,
  expectedCalibrationError,
  isotonicCalibration,
  kernelShap,
  matrixFromRows,
  netBenefit,
  permutationImportance,
  plattCalibration,
  prCurve,
  reliabilityDiagram,
  rocAuc,
  rocCurve,
} from '../../../src/lib/eval';

/** The thrown error is an EvalInputError, named so, whose message matches `pattern`. */
function expectEvalError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EvalInputError);
  expect((caught as Error).name).toBe('EvalInputError');
  expect((caught as Error).message).toMatch(pattern);
}

const y = [0, 1, 0, 1];
const s = [0.1, 0.7, 0.4, 0.9];
const rankers = { rocAuc, averagePrecision, rocCurve, prCurve };

describe.each(Object.entries(rankers))('%s input errors', (_name, fn) => {
  it('rejects mismatched lengths', () => expectEvalError(() => fn(y, [0.1, 0.2]), /4 values but scores has 2/));
  it('rejects a single class', () => expectEvalError(() => fn([1, 1, 1, 1], s), /only class 1.*both classes/));
  it('rejects NaN scores', () => expectEvalError(() => fn(y, [0.1, NaN, 0.3, 0.4]), /scores\[1\] is NaN/));
  it('rejects empty input', () => expectEvalError(() => fn([], []), /yTrue is empty/));
  it('rejects labels other than 0 and 1', () => expectEvalError(() => fn([0, 2, 0, 1], s), /yTrue\[1\] is 2/));
});

describe('calibration metric input errors', () => {
  it('brierScore rejects probabilities outside [0, 1] and NaN', () => {
    expectEvalError(() => brierScore(y, [0.1, 1.2, 0.3, 0.4]), /probs\[1\] is 1.2/);
    expectEvalError(() => brierScore(y, [0.1, NaN, 0.3, 0.4]), /probs\[1\] is NaN/);
  });
  it('expectedCalibrationError rejects mismatched lengths, empty input and a bad bin count', () => {
    expectEvalError(() => expectedCalibrationError(y, [0.5]), /same length/);
    expectEvalError(() => expectedCalibrationError([], []), /empty/);
    expectEvalError(() => expectedCalibrationError(y, s, { bins: 0 }), /bins is 0/);
    expectEvalError(() => reliabilityDiagram(y, s, 2.5), /bins is 2.5/);
  });
});

describe('calibrator input errors', () => {
  it.each([
    ['isotonicCalibration', isotonicCalibration],
    ['plattCalibration', plattCalibration],
  ] as const)('%s rejects a single class, NaN scores and mismatched lengths', (_n, fit) => {
    expectEvalError(() => fit(s, [0, 0, 0, 0]), /only class 0/);
    expectEvalError(() => fit([0.1, NaN, 0.3, 0.4], y), /scores\[1\] is NaN/);
    expectEvalError(() => fit(s, [0, 1]), /scores has 4 values but yTrue has 2/);
    expectEvalError(() => fit(s, y)(NaN), /score is NaN/);
  });
});

describe('threshold and fairness input errors', () => {
  it('confusionMatrixAt and netBenefit reject NaN and thresholds outside [0, 1)', () => {
    expectEvalError(() => confusionMatrixAt(y, s, NaN), /threshold is NaN/);
    expectEvalError(() => netBenefit(y, s, [0.2, 1]), /thresholds\[1\] is 1/);
    expectEvalError(() => netBenefit(y, [0.1, 2, 0.3, 0.4], [0.2]), /scores\[1\] is 2/);
  });
  it('fairness metrics reject mismatched groups, non-binary predictions and NaN groups', () => {
    expectEvalError(() => demographicParityDifference([1, 0, 1], ['a', 'b']), /yPred has 3 values but groups has 2/);
    expectEvalError(() => demographicParityDifference([1, 0.5], ['a', 'b']), /yPred\[1\] is 0.5/);
    expectEvalError(() => equalizedOddsDifference([1, 0], [1, 0], [0, NaN]), /groups\[1\] is NaN/);
  });
});

describe('explainer input errors', () => {
  const X = matrixFromRows([
    [1, 2],
    [3, 4],
  ]);
  const predict = () => [0, 0];
  const metric = () => 0;
  it('permutationImportance rejects a y of the wrong length, NaN in X, a wrong-length prediction and NaN scores', () => {
    expectEvalError(() => permutationImportance(predict, X, [1, 2, 3], metric), /X rows has 2 values but y has 3/);
    expectEvalError(() => permutationImportance(predict, { data: Float64Array.of(1, NaN, 3, 4), rows: 2, cols: 2 }, [1, 2], metric), /X\.data\[1\] is NaN/);
    expectEvalError(() => permutationImportance(() => [0], X, [1, 2], metric), /predict returned 1 values for 2 rows/);
    expectEvalError(() => permutationImportance(predict, X, [1, 2], () => NaN), /metric returned NaN/);
    expectEvalError(() => permutationImportance(predict, { data: new Float64Array(3), rows: 2, cols: 2 }, [1, 2], metric), /rows × cols = 4/);
  });
  it('kernelShap rejects an x of the wrong width and an empty background', () => {
    expectEvalError(() => kernelShap(predict, [1, 2, 3], X), /x has 3 features but background has 2/);
    expectEvalError(() => kernelShap(predict, [1, 2], { data: new Float64Array(0), rows: 0, cols: 2 }), /at least one row/);
  });
  it('kernelShap asks for more coalitions when too few were sampled to determine every φ', () => {
    const wide = matrixFromRows([Array.from({ length: 12 }, (_, j) => j), Array.from({ length: 12 }, (_, j) => -j)]);
    const sumRow = (M: { data: Float64Array; rows: number; cols: number }) =>
      Array.from({ length: M.rows }, (_, i) => M.data.subarray(i * M.cols, (i + 1) * M.cols).reduce((a, b) => a * 0.9 + b, 0));
    expectEvalError(() => kernelShap(sumRow, Array(12).fill(1), wide, { nSamples: 6 }), /raise nSamples/);
  });
  it('matrixFromRows rejects ragged rows', () => {
    expectEvalError(() => matrixFromRows([[1, 2], [3]]), /row 1 has 1 values but row 0 has 2/);
  });
});

/**
 * Comparing two models' outputs on the same inputs: the check that an exported model computes what
 * the original did (ONNX vs tfjs), and the shadow deployment's v2-vs-v1 diff.
 */

export interface OutputDiff {
  rows: number;
  /** max |a − b| over every value. */
  maxAbsDiff: number;
  /** Mean over rows of max |a − b| within the row. */
  meanRowMaxDiff: number;
  /** Rows whose argmax (predicted class) is the same in both. */
  agree: number;
  /** Per row: argmax of a, argmax of b, max |a − b|. */
  perRow: { a: number; b: number; maxDiff: number }[];
}

export function argmax(x: ArrayLike<number>, from = 0, n = x.length): number {
  let best = from;
  for (let i = from + 1; i < from + n; i++) if (x[i] > x[best]) best = i;
  return best - from;
}

/** Row-by-row comparison of two row-major outputs with `width` values per row. */
export function compareOutputs(a: ArrayLike<number>, b: ArrayLike<number>, width: number): OutputDiff {
  if (a.length !== b.length) throw new Error(`Outputs differ in size: ${a.length} vs ${b.length} values.`);
  if (!(width > 0) || a.length % width !== 0) throw new Error(`${a.length} values do not split into rows of ${width}.`);
  const rows = a.length / width;
  const perRow: OutputDiff['perRow'] = [];
  let maxAbsDiff = 0;
  let sum = 0;
  let agree = 0;
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = r * width; j < (r + 1) * width; j++) m = Math.max(m, Math.abs(a[j] - b[j]));
    const ra = argmax(a, r * width, width);
    const rb = argmax(b, r * width, width);
    if (ra === rb) agree++;
    perRow.push({ a: ra, b: rb, maxDiff: m });
    maxAbsDiff = Math.max(maxAbsDiff, m);
    sum += m;
  }
  return { rows, maxAbsDiff, meanRowMaxDiff: rows ? sum / rows : 0, agree, perRow };
}

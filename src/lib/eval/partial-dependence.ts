/**
 * Partial dependence (Friedman 2001): PD_j(v) = mean over rows i of f(x_i with x_ij := v), the model's
 * average answer when feature j is forced to v and everything else keeps its observed joint
 * distribution. ICE curves are the per-row terms before averaging.
 */
import { EvalInputError, checkCount, checkFinite } from './errors';
import { checkMatrix, predictChecked, type Matrix, type PredictFn } from './matrix';
import { quantileSorted } from '../math/quantile';

export interface PartialDependenceOptions {
  /** Grid values; default: gridSize quantiles of the column between the 5th and 95th percentile, distinct. */
  grid?: ArrayLike<number>;
  /** Points in the default grid. */
  gridSize?: number;
  /** Rows whose ICE curves to return (the first iceRows rows). */
  iceRows?: number;
}

export interface PartialDependence {
  grid: Float64Array;
  /** PD at each grid value. */
  average: Float64Array;
  /** ice[r][k]: row r's prediction at grid[k]. */
  ice: Float64Array[];
}

/** Linear-interpolated quantile q ∈ [0, 1] of sorted values (numpy's default 'linear' method). */
export { quantileSorted };

export function partialDependence(predict: PredictFn, X: Matrix, feature: number, options: PartialDependenceOptions = {}): PartialDependence {
  checkMatrix('X', X);
  const { rows, cols } = X;
  if (!Number.isInteger(feature) || feature < 0 || feature >= cols) throw new EvalInputError(`feature is ${feature}; X has columns 0 to ${cols - 1}.`);
  const gridSize = options.gridSize ?? 20;
  checkCount('gridSize', gridSize, 2);
  let grid: Float64Array;
  if (options.grid) {
    grid = Float64Array.from(options.grid);
    if (grid.length === 0) throw new EvalInputError('grid is empty; give at least one value.');
    checkFinite('grid', grid);
  } else {
    const col = Float64Array.from({ length: rows }, (_, i) => X.data[i * cols + feature]).sort();
    const qs = Array.from({ length: gridSize }, (_, k) => quantileSorted(col, 0.05 + (0.9 * k) / (gridSize - 1)));
    grid = Float64Array.from(new Set(qs));
  }
  const iceRows = Math.min(rows, options.iceRows ?? 0);
  const average = new Float64Array(grid.length);
  const ice = Array.from({ length: iceRows }, () => new Float64Array(grid.length));
  const work: Matrix = { data: Float64Array.from(X.data), rows, cols };
  for (let k = 0; k < grid.length; k++) {
    for (let i = 0; i < rows; i++) work.data[i * cols + feature] = grid[k];
    const pred = predictChecked(predict, work);
    let s = 0;
    for (let i = 0; i < rows; i++) s += pred[i];
    average[k] = s / rows;
    for (let r = 0; r < iceRows; r++) ice[r][k] = pred[r];
  }
  return { grid, average, ice };
}

/** Input checks shared by the math fitters and every metric: each failure names the argument and the fix. */

/**
 * Thrown for inputs a fit or metric cannot be computed from: mismatched lengths, NaN, one class where
 * two are needed, empty input. A RangeError, as math's other argument checks are.
 */
export class EvalInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

export function checkSameLength(names: string[], arrays: ArrayLike<unknown>[]): void {
  const n = arrays[0].length;
  for (let k = 1; k < arrays.length; k++) {
    if (arrays[k].length !== n) {
      throw new EvalInputError(
        `${names[0]} has ${n} values but ${names[k]} has ${arrays[k].length}; they must be the same length.`,
      );
    }
  }
}

/** Every entry a finite number (NaN and ±Infinity rejected). */
export function checkFinite(name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new EvalInputError(`${name}[${i}] is ${a[i]}; every value must be a finite number.`);
  }
}

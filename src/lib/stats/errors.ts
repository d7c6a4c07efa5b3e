/** Input checks shared by the statistics core. Every bad input becomes one StatsInputError with a plain message. */

export class StatsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatsInputError';
  }
}

export function fail(message: string): never {
  throw new StatsInputError(message);
}

export function checkFinite(name: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${name} must be a finite number, got ${x}`);
}

/** A probability strictly inside (0, 1): alpha, power, rates, shares. */
export function checkOpenUnit(name: string, x: number): void {
  checkFinite(name, x);
  if (x <= 0 || x >= 1) fail(`${name} must lie strictly between 0 and 1, got ${x}`);
}

/** A whole number ≥ min (counts, sample sizes, seeds of loops). */
export function checkInteger(name: string, x: number, min = 0): void {
  checkFinite(name, x);
  if (!Number.isInteger(x)) fail(`${name} must be a whole number, got ${x}`);
  if (x < min) fail(`${name} must be at least ${min}, got ${x}`);
}

/** A sample of at least minLength finite numbers. */
export function checkSample(name: string, xs: ArrayLike<number>, minLength: number): void {
  if (xs == null || typeof xs.length !== 'number') fail(`${name} must be an array of numbers`);
  if (xs.length < minLength) fail(`${name} needs at least ${minLength} values, got ${xs.length}`);
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) fail(`${name}[${i}] must be a finite number, got ${xs[i]}`);
  }
}

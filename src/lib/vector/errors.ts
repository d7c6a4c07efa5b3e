/** A bad argument to a vector index or metric, told in words that name the argument. */
export class VectorError extends Error {
  override name = 'VectorError';
}

/** Checks that `x` holds whole rows of `dim` finite numbers; returns the row count. */
export function rowsOf(x: Float32Array, dim: number, what = 'vectors'): number {
  if (!(x instanceof Float32Array)) throw new VectorError(`${what} must be a Float32Array (n × dim, row-major).`);
  if (x.length % dim !== 0) throw new VectorError(`${what}: length ${x.length} is not a multiple of dim ${dim}.`);
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) throw new VectorError(`${what}: value ${x[i]} at row ${Math.floor(i / dim)}, column ${i % dim} is not a finite number.`);
  return x.length / dim;
}

export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new VectorError(`k must be a whole number ≥ 1 (got ${k}).`);
}

export function checkPositiveInt(name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new VectorError(`${name} must be a whole number ≥ ${min} (got ${v}).`);
}

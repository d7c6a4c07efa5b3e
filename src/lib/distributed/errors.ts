/** The one error the distributed library throws for bad input: its message names the argument at fault. */
export class DistributedError extends Error {
  override name = 'DistributedError';
}

/** Throw a DistributedError unless `ok`. */
export function ensure(ok: boolean, message: string): asserts ok {
  if (!ok) throw new DistributedError(message);
}

/** A whole number in [min, max], or a DistributedError naming `what`. */
export function requireInt(x: number, what: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  ensure(Number.isInteger(x) && x >= min && x <= max, `${what} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `between ${min} and ${max}`}; it is ${String(x)}.`);
}

/** A finite number of at least `min`, or a DistributedError naming `what`. */
export function requireFinite(x: number, what: string, min = -Infinity): void {
  ensure(typeof x === 'number' && Number.isFinite(x) && x >= min, `${what} must be a finite number${min > -Infinity ? ` of at least ${min}` : ''}; it is ${String(x)}.`);
}

/**
 * The errors of the MLOps library. Each names its culprit (the parameter, the task, the cycle) so a
 * page can put the message beside the control or the node at fault.
 */

/** Bad input to a search, a study or a schedule: `culprit` is the parameter or option at fault. */
export class MlopsInputError extends Error {
  override name = 'MlopsInputError';
  constructor(readonly culprit: string, message: string) {
    super(message);
  }
}

export type FlowErrorCode = 'cycle' | 'unknown-dependency' | 'unknown-input' | 'duplicate-task' | 'duplicate-output' | 'bad-task';

/** A flow that cannot run as declared. `task` is the task at fault; `cycle` lists a cycle's tasks in order. */
export class FlowError extends Error {
  override name = 'FlowError';
  constructor(readonly code: FlowErrorCode, readonly task: string, message: string, readonly cycle?: string[]) {
    super(message);
  }
}

export function fail(culprit: string, message: string): never {
  throw new MlopsInputError(culprit, message);
}

/** A whole number ≥ min, named in the message when it is not. */
export function checkInt(name: string, x: number, min: number, max = Infinity): void {
  if (typeof x !== 'number' || !Number.isInteger(x)) fail(name, `${name} must be a whole number; it is ${x}.`);
  if (x < min) fail(name, `${name} must be at least ${min}; it is ${x}.`);
  if (x > max) fail(name, `${name} must be at most ${max}; it is ${x}.`);
}

/** A finite number ≥ min. */
export function checkNumber(name: string, x: number, min = -Infinity, max = Infinity): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(name, `${name} must be a finite number; it is ${x}.`);
  if (x < min) fail(name, `${name} must be at least ${min}; it is ${x}.`);
  if (x > max) fail(name, `${name} must be at most ${max}; it is ${x}.`);
}

import type { OnnxDim } from '../onnx/describe';

export type InferErrorKind = 'format' | 'unsupported' | 'shape' | 'options' | 'state' | 'runtime' | 'crashed' | 'timeout';

/** An inference failure with a message meant for the learner; `kind` says which sort. */
export class InferError extends Error {
  override name = 'InferError';
  constructor(public readonly kind: InferErrorKind, message: string) {
    super(message);
  }
}

/** The most values one input may hold (64 M floats = 256 MB): past it a request is refused, not attempted. */
export const MAX_INPUT_ELEMENTS = 64 * 1024 * 1024;

/**
 * Checks an input against the model's declared input shape before ORT sees it: a wrong rank, a
 * fixed size that differs, a data length that is not the product of the dims, or an absurd size.
 */
export function checkInputDims(length: number, dims: number[], declared: OnnxDim[], name: string): void {
  const show = (d: readonly (OnnxDim | number)[]) => `[${d.map((x) => x ?? '?').join(', ')}]`;
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new InferError('shape', `Input dims must be positive integers; got ${JSON.stringify(dims)}.`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size > MAX_INPUT_ELEMENTS) throw new InferError('shape', `Input dims ${show(dims)} ask for ${size.toExponential(2)} values, over the ${MAX_INPUT_ELEMENTS} this service accepts.`);
  if (size !== length) throw new InferError('shape', `Input dims ${show(dims)} hold ${size} values but the data has ${length}.`);
  if (declared.length && dims.length !== declared.length) throw new InferError('shape', `The model's input "${name}" has shape ${show(declared)} (rank ${declared.length}); got rank ${dims.length} ${show(dims)}.`);
  declared.forEach((d, i) => {
    if (typeof d === 'number' && d > 0 && dims[i] !== d) throw new InferError('shape', `The model's input "${name}" has shape ${show(declared)}; dimension ${i} must be ${d}, got ${dims[i]}.`);
  });
}

/**
 * onnxruntime's failures as one plain sentence a learner can act on. The runtime's own text
 * (`narrowing_error`, `Module.MountedFiles is not available`, `No Op registered for X with
 * domain_version of 13`, `[ShapeInferenceError] ...`) names C++ internals; each known kind is
 * told as what is wrong with the file and what to do, naming at most an operator (its name
 * checked to be an identifier) and never echoing the rest of the runtime's text.
 */
import type { OnnxDim } from './describe.ts';

export type OnnxProblem = 'unsupported' | 'format' | 'shape' | 'runtime';

export interface PlainOnnxError {
  kind: OnnxProblem;
  message: string;
}

/** Longest runtime text passed through for an error of no known kind. */
const MAX_RAW_CHARS = 200;

/** An operator or node name as the runtime printed it, if it is a plain identifier (else null). */
const ident = (s: string | undefined) => (s && /^[A-Za-z_][\w.:]{0,63}$/.test(s) ? s : null);

export function plainOnnxError(raw: string): PlainOnnxError {
  // Cut first: the patterns below then run on a bounded text (a hostile file can make the runtime's message huge).
  const msg = raw.slice(0, 4000).replace(/\s+/g, ' ').trim();
  const noOp = /No Op registered for (.{1,200}?) with domain_version of (\d+)/.exec(msg);
  if (noOp) {
    const op = ident(noOp[1]);
    return { kind: 'unsupported', message: `The model uses ${op ? `the operator ${op}` : 'an operator'}, which is not an ONNX operator at opset ${noOp[2]} (a custom or misspelled op): re-export it with standard operators.` };
  }
  const kernel = /Could not find an implementation for (\w+)(?:\((\d+)\))?/.exec(msg) ?? /([\w.:]{1,128})\((-?\d+)\) is not a registered function\/op/.exec(msg);
  if (kernel) {
    const op = ident(kernel[1]) ?? 'one of its operators';
    return { kind: 'unsupported', message: `This runtime cannot run the operator ${op}${kernel[2] ? ` (opset ${kernel[2]})` : ''} for the model's types: onnxruntime-web has no kernel for it. Export with another opset or data type.` };
  }
  if (/MountedFiles|external data|external_data/i.test(msg)) {
    return { kind: 'format', message: 'This model keeps its weights in a separate file (ONNX external data), which a page cannot open: save it with the weights inside the .onnx file (onnx.save(model, path, save_as_external_data=False)).' };
  }
  if (/narrowing_error/.test(msg)) {
    return { kind: 'shape', message: 'A size in this model is too large for the runtime (a dimension or tensor past 2^31 elements): check its declared shapes.' };
  }
  const shapeInf = /\[ShapeInferenceError\]\s*(?:\(op_type:(\w+)(?:, node name: ([^)]*))?\))?/.exec(msg);
  if (shapeInf) {
    const op = ident(shapeInf[1]);
    const node = ident(shapeInf[2]);
    return { kind: 'format', message: `The model's shapes do not fit together${op ? ` at a ${op} node${node ? ` ("${node}")` : ''}` : ''}: an input's shape disagrees with what the operator needs. The file was probably edited or exported wrongly; re-export it from the framework.` };
  }
  if (/invalid dimensions|invalid rank|got invalid dimensions/i.test(msg)) {
    return { kind: 'shape', message: 'The input does not fit the model: its dimensions differ from the shape the model declares.' };
  }
  if (/protobuf|failed to load model|ModelProto|model format error|parse/i.test(msg)) {
    return { kind: 'format', message: 'onnxruntime could not read this model: the file is damaged or not an ONNX model it knows.' };
  }
  const first = msg.length > MAX_RAW_CHARS ? `${msg.slice(0, MAX_RAW_CHARS - 1)}…` : msg;
  return { kind: 'runtime', message: `onnxruntime failed: ${first || 'no reason given'}` };
}

/** Values per request of a declared shape (unknown or symbolic dims count as 1: the smallest request). */
export function declaredSize(shape: readonly OnnxDim[] | null): number {
  return (shape ?? []).reduce<number>((a, d) => a * (typeof d === 'number' && d > 0 ? d : 1), 1);
}

import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { useBackend } from '../ml/tf-node.ts';
import { declaredSize, plainOnnxError } from '../../../src/lib/onnx/errors.ts';
import { onnx, type OnnxTypes } from '../../../src/lib/onnx/proto.ts';
import { InferError, InferService } from '../../../src/lib/serve/infer.ts';
import { mlpOnnx } from '../serve/fixtures.ts';

ort.env.wasm.numThreads = 1;

/** The lab's MLP as ONNX, changed by `edit`: the hostile files a learner might load. */
function edited(edit: (m: OnnxTypes.ModelProto) => void): Uint8Array {
  const m = onnx.ModelProto.decode(mlpOnnx(1).bytes);
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

/** What onnxruntime-web itself throws for these bytes (the raw text the page used to show). */
async function ortText(bytes: Uint8Array): Promise<string> {
  return ort.InferenceSession.create(bytes).then(() => 'loaded', (e: Error) => e.message);
}

async function loadFailure(bytes: Uint8Array): Promise<InferError> {
  const e = await new InferService(async () => ort).load(bytes).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(InferError);
  return e as InferError;
}

describe('plainOnnxError on what onnxruntime-web really throws', () => {
  beforeAll(() => useBackend('cpu'));

  it('an operator ONNX does not have (No Op registered for NoSuchOp) is named, with the opset, in one sentence', async () => {
    const bytes = edited((m) => (m.graph!.node!.find((n) => n.opType === 'Relu')!.opType = 'NoSuchOp'));
    expect(await ortText(bytes)).toMatch(/No Op registered for NoSuchOp with domain_version of 13/);
    expect(await loadFailure(bytes)).toMatchObject({
      kind: 'unsupported',
      message: 'The model uses the operator NoSuchOp, which is not an ONNX operator at opset 13 (a custom or misspelled op): re-export it with standard operators.',
    });
  });

  it('weights in an external file (Module.MountedFiles is not available) are told as such, with the fix', async () => {
    const bytes = edited((m) => {
      const t = m.graph!.initializer![0];
      t.rawData = new Uint8Array(0);
      t.floatData = [];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [{ key: 'location', value: 'weights.bin' }];
    });
    expect(await ortText(bytes)).toMatch(/Module\.MountedFiles is not available/);
    const e = await loadFailure(bytes);
    expect(e.kind).toBe('format');
    expect(e.message).toMatch(/^This model keeps its weights in a separate file \(ONNX external data\)/);
    expect(e.message).not.toMatch(/MountedFiles|weights\.bin/);
  });

  it('shapes that do not fit ([ShapeInferenceError]) become a sentence without the runtime text', async () => {
    const bytes = edited((m) => {
      const t = m.graph!.initializer![0];
      t.dims = [Number(t.dims![0]) - 1, ...t.dims!.slice(1).map(Number)];
    });
    expect(await ortText(bytes)).toMatch(/\[ShapeInferenceError\]/);
    const e = await loadFailure(bytes);
    expect(e.kind).toBe('format');
    expect(e.message).toMatch(/^The model's shapes do not fit together: an input's shape disagrees/);
    expect(e.message).not.toMatch(/ShapeInferenceError|unification|ERROR_CODE/);
  });

  it('a declared input of 2^31 × 2^31 is refused at load, with the number, before the runtime sees it', async () => {
    const bytes = edited((m) => (m.graph!.input![0].type!.tensorType!.shape!.dim = [{ dimValue: 2 ** 31 }, { dimValue: 2 ** 31 }]));
    const e = await loadFailure(bytes);
    expect(e.kind).toBe('shape');
    expect(e.message).toBe('The model declares its input "input" as [2147483648 × 2147483648], 4.61e+18 values for one request, over the 67,108,864 this service accepts: it could never be run.');
  });

  it('the lab\'s own model still loads: a symbolic batch dimension counts as 1', () => {
    expect(declaredSize(['batch', 784])).toBe(784);
    expect(declaredSize(null)).toBe(1);
    expect(declaredSize([2 ** 31, 2 ** 31])).toBe(2 ** 62);
  });
});

describe('plainOnnxError on texts the runtime gives elsewhere', () => {
  it('narrowing_error (a size past 2^31 inside the runtime) is told as a size problem', () => {
    expect(plainOnnxError('narrowing_error')).toEqual({ kind: 'shape', message: 'A size in this model is too large for the runtime (a dimension or tensor past 2^31 elements): check its declared shapes.' });
  });

  it('an operator name that is not an identifier is not echoed', () => {
    const m = plainOnnxError('No Op registered for <img src=x onerror=alert(1)> with domain_version of 13').message;
    expect(m).toBe('The model uses an operator, which is not an ONNX operator at opset 13 (a custom or misspelled op): re-export it with standard operators.');
  });

  it('an unknown failure is passed on cut to 200 characters', () => {
    const m = plainOnnxError(`weird ${'x'.repeat(5000)}`).message;
    expect(m.length).toBeLessThanOrEqual('onnxruntime failed: '.length + 200);
    expect(m.startsWith('onnxruntime failed: weird x')).toBe(true);
  });
});

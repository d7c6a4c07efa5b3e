import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-web';
import { uniform, useBackend } from '../ml/tf-node.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { cloneModel, dequantize, factorizeDense, quantize, structuredPrune } from '../../../src/lib/compress/index.ts';
import { describeOnnx, exportOnnx, OnnxFormatError, UnsupportedLayerError } from '../../../src/lib/onnx/index.ts';
import { onnx } from '../../../src/lib/onnx/proto.ts';
import { checkModel, onnxCheckerMissing } from './python-onnx.ts';

// onnxruntime-web runs in Node through its wasm build; one thread, as in the app's inference worker.
ort.env.wasm.numThreads = 1;

beforeAll(() => useBackend('cpu'));

/** Non-zero biases (initial ones are 0), so a misplaced or dropped bias changes the outputs. */
function withBiases(model: tfl.LayersModel, seed: number): tfl.LayersModel {
  model.layers.forEach((l, i) => {
    const ws = l.getWeights();
    if (ws.length === 2) l.setWeights([ws[0], tf.tensor(uniform(ws[1].size, seed + i).map((v) => 0.1 * v), ws[1].shape)]);
  });
  return model;
}

/** Largest |onnxruntime output − tfjs output| for a seeded batch. */
async function maxDiffVsTfjs(model: tfl.LayersModel, bytes: Uint8Array, batch: number, seed: number): Promise<number> {
  const shape = (model.inputs[0].shape as number[]).slice(1);
  const size = shape.reduce((a, b) => a * b, 1);
  const xs = uniform(batch * size, seed);
  const x = tf.tensor(xs, [batch, ...shape]);
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  x.dispose();
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ input: new ort.Tensor('float32', xs, [batch, ...shape]) });
  const got = result.output.data as Float32Array;
  await session.release();
  expect(got.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
  return worst;
}

/** A model using the rest of what the exporter translates: strided 'same' conv on an odd size, average pooling, Dense on 4-D input, softmax. */
function zoo(): tfl.Sequential {
  const m = tfl.sequential({ name: 'zoo' });
  m.add(tfl.layers.conv2d({ inputShape: [9, 9, 2], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', name: 'conv', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'avg' }));
  m.add(tfl.layers.dense({ units: 5, activation: 'sigmoid', name: 'per_pixel', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tfl.layers.flatten({ name: 'flat' }));
  m.add(tfl.layers.dropout({ rate: 0.5, name: 'drop' }));
  m.add(tfl.layers.dense({ units: 3, name: 'out', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tfl.layers.activation({ activation: 'softmax', name: 'probs' }));
  return withBiases(m, 30) as tfl.Sequential;
}

const cases: [string, () => tfl.LayersModel][] = [
  ['mlp', () => withBiases(buildModel('mlp', 1), 10)],
  ['cnn', () => withBiases(buildModel('cnn', 2), 20)],
  ['zoo', zoo],
  ['compacted cnn', () => structuredPrune(withBiases(buildModel('cnn', 3), 40), { fraction: 0.5 }).model],
  ['factorized mlp', () => factorizeDense(withBiases(buildModel('mlp', 4), 50), 'dense1', 20)],
];

describe('exportOnnx', () => {
  for (const [name, make] of cases) {
    it(`exportOnnx(${name}) gives onnxruntime-web outputs within 1e-4 of tfjs`, async () => {
      const model = make();
      expect(await maxDiffVsTfjs(model, exportOnnx(model), 4, 7)).toBeLessThan(1e-4);
    });
    it.skipIf(onnxCheckerMissing !== null)(`exportOnnx(${name}) passes onnx.checker.check_model(full_check=True)${onnxCheckerMissing ? ` [skipped: ${onnxCheckerMissing}]` : ''}`, () => {
      expect(checkModel(exportOnnx(make()))).toBe('');
    });
  }

  it.skipIf(onnxCheckerMissing !== null)('the checker test can fail: a recorded shape that contradicts shape inference is rejected', () => {
    const m = onnx.ModelProto.decode(exportOnnx(buildModel('mlp', 1)));
    const info = m.graph!.valueInfo!.find((v) => v.name === 'dense1/gemm')!;
    info.type!.tensorType!.shape!.dim![1] = { dimValue: 255 };
    expect(checkModel(onnx.ModelProto.encode(m).finish())).toMatch(/dense1\/gemm|255|256/);
  });

  it("exportOnnx(cnn, { weights: 'int8' }) stores int8 kernels (~4x smaller) and matches tfjs with the dequantized weights", async () => {
    const model = withBiases(buildModel('cnn', 5), 60);
    const float = exportOnnx(model);
    const int8 = exportOnnx(model, { weights: 'int8' });
    expect(int8.length).toBeLessThan(float.length / 3.5);
    // Independent reference: tfjs with each kernel replaced by its per-output-channel int8 round trip.
    const ref = cloneModel(model);
    for (const l of ref.layers) {
      const ws = l.getWeights();
      if (ws.length === 0) continue;
      const k = ws[0];
      const deq = dequantize(quantize(k.dataSync() as Float32Array, { bits: 8, scheme: 'symmetric', axis: k.rank - 1, shape: k.shape }));
      l.setWeights([tf.tensor(deq, k.shape), ws[1]]);
    }
    expect(await maxDiffVsTfjs(ref, int8, 3, 8)).toBeLessThan(1e-4);
    if (!onnxCheckerMissing) expect(checkModel(int8)).toBe('');
    const d = describeOnnx(int8);
    expect(d.parameters.filter((p) => p.dtype === 'int8' && p.name.endsWith('kernel_q')).length).toBe(4);
    expect(d.nodes.filter((n) => n.op === 'DequantizeLinear').length).toBe(4);
  });

  it('exportOnnx refuses an unsupported layer, naming it', () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3 }), tfl.layers.batchNormalization({ name: 'bn' })] });
    expect(() => exportOnnx(m)).toThrow(UnsupportedLayerError);
    expect(() => exportOnnx(m)).toThrow(/'bn' is a BatchNormalization/);
  });
});

describe('describeOnnx', () => {
  it('describeOnnx(exportOnnx(mlp)) lists Gemm/Relu nodes with shapes and 4 bytes per parameter', () => {
    const model = buildModel('mlp', 1);
    const d = describeOnnx(exportOnnx(model));
    expect(d.opsets['']).toBe(13);
    expect(d.nodes.map((n) => n.op)).toEqual(['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(d.nodes.map((n) => n.outputShapes[0])).toEqual([['batch', 256], ['batch', 256], ['batch', 128], ['batch', 128], ['batch', 10]]);
    expect(d.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 784] }]);
    expect(d.outputs).toEqual([{ name: 'output', dtype: 'float32', shape: ['batch', 10] }]);
    expect(d.parameterCount).toBe(model.countParams());
    expect(d.parameterBytes).toBe(4 * model.countParams());
    expect(d.parameters[0]).toEqual({ name: 'dense1/kernel', dtype: 'float32', dims: [784, 256], bytes: 784 * 256 * 4 });
  });

  it('describeOnnx(exportOnnx(cnn)) shows the NCHW round trip, conv attributes and pooled shapes', () => {
    const d = describeOnnx(exportOnnx(buildModel('cnn', 1)));
    expect(d.nodes.map((n) => n.op)).toEqual(['Transpose', 'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Transpose', 'Flatten', 'Gemm', 'Relu', 'Gemm']);
    const conv = d.nodes[1];
    expect(conv.attributes).toEqual({ kernel_shape: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], group: 1 });
    expect(conv.outputShapes[0]).toEqual(['batch', 16, 28, 28]);
    expect(d.nodes[6].outputShapes[0]).toEqual(['batch', 32, 7, 7]);
    expect(d.nodes[8].outputShapes[0]).toEqual(['batch', 1568]);
    expect(d.parameters.find((p) => p.name === 'conv1/kernel')!.dims).toEqual([16, 1, 3, 3]);
  });

  it('describeOnnx rejects truncated and non-ONNX bytes with OnnxFormatError', () => {
    const bytes = exportOnnx(buildModel('mlp', 1));
    expect(() => describeOnnx(bytes.slice(0, 1000))).toThrow(OnnxFormatError);
    expect(() => describeOnnx(new TextEncoder().encode('hello, this is not a model'))).toThrow(OnnxFormatError);
  });
});


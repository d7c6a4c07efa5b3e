import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { registerWasmTrainingKernels } from '../../../src/lib/runtime/wasm-kernels.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { relMaxDiff, uniform, useBackend, type BackendName } from './tf-node.ts';

/**
 * The cpu backend's Conv2DBackpropFilter (a direct loop in JS) is the independent reference.
 * Both sides sum the same float32 products in different orders, so they agree to a few ulps of
 * the result's scale: we allow max |wasm − cpu| ≤ 1e-4 · max |cpu|.
 */
const TOL = 1e-4;

beforeAll(async () => {
  registerWasmTrainingKernels();
  await useBackend('wasm');
  await useBackend('cpu');
});

interface ConvCase {
  batch: number;
  inShape: [number, number]; // H, W
  inC: number;
  outC: number;
  kernel: [number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
}

const cases: ConvCase[] = [
  { batch: 1, inShape: [8, 8], inC: 1, outC: 1, kernel: [3, 3], strides: [1, 1], pad: 'same' },
  { batch: 2, inShape: [9, 9], inC: 3, outC: 16, kernel: [3, 3], strides: [2, 2], pad: 'same' },
  { batch: 2, inShape: [8, 8], inC: 16, outC: 3, kernel: [3, 3], strides: [2, 2], pad: 'same' },
  { batch: 3, inShape: [10, 7], inC: 16, outC: 16, kernel: [5, 5], strides: [1, 1], pad: 'valid' },
  { batch: 1, inShape: [11, 11], inC: 3, outC: 1, kernel: [5, 5], strides: [2, 2], pad: 'valid' },
  // H − fh odd with stride 2: the last input row is never read, so x must be cropped.
  { batch: 2, inShape: [12, 10], inC: 1, outC: 16, kernel: [5, 5], strides: [2, 2], pad: 'valid' },
  { batch: 2, inShape: [9, 12], inC: 3, outC: 3, kernel: [3, 5], strides: [2, 1], pad: 'same' },
];

const label = (c: ConvCase) =>
  `x [${c.batch},${c.inShape},${c.inC}], filter [${c.kernel},${c.inC},${c.outC}], ` +
  `strides ${c.strides}, pad '${c.pad}'`;

/** d/dx and d/dW of Σ conv2d(x, W) ⊙ r on one backend, for fixed seeded x, W, r. */
async function convGrads(backend: BackendName, c: ConvCase): Promise<{ dx: Float32Array; dw: Float32Array }> {
  await useBackend(backend);
  const [h, w] = c.inShape;
  const xShape: [number, number, number, number] = [c.batch, h, w, c.inC];
  const wShape: [number, number, number, number] = [...c.kernel, c.inC, c.outC];
  return tf.tidy(() => {
    const x = tf.tensor4d(uniform(tf.util.sizeFromShape(xShape), 1), xShape);
    const filter = tf.tensor4d(uniform(tf.util.sizeFromShape(wShape), 2), wShape);
    const outShape = tf.conv2d(x, filter, c.strides, c.pad).shape;
    const r = tf.tensor(uniform(tf.util.sizeFromShape(outShape), 3), outShape);
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r));
    const [dx, dw] = tf.grads(f)([x, filter]);
    return { dx: dx.dataSync() as Float32Array, dw: dw.dataSync() as Float32Array };
  });
}

describe('registerWasmTrainingKernels', () => {
  it('registerWasmTrainingKernels() registers Conv2DBackpropFilter for wasm once, and a second call keeps it', () => {
    const first = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
    expect(first).toBeDefined();
    registerWasmTrainingKernels();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')?.kernelFunc).toBe(first?.kernelFunc);
  });

  for (const c of cases) {
    it(`tf.grads(conv2d) on wasm matches cpu for dx and dW within 1e-4 of scale: ${label(c)}`, async () => {
      const cpu = await convGrads('cpu', c);
      const wasm = await convGrads('wasm', c);
      expect(wasm.dw.length).toBe(cpu.dw.length);
      expect(relMaxDiff(wasm.dw, cpu.dw), 'dW').toBeLessThan(TOL);
      expect(relMaxDiff(wasm.dx, cpu.dx), 'dx').toBeLessThan(TOL);
    });
  }

  // Padding forms and layouts tf.conv2d's gradient does not reach on wasm (whose forward Conv2D
  // is NHWC only), called as the kernel itself.
  const direct: { name: string; dataFormat: 'NHWC' | 'NCHW'; pad: Exclude<tf.Conv2DBackpropFilterAttrs['pad'], 'same' | 'valid'> }[] = [
    { name: 'explicit NHWC', dataFormat: 'NHWC', pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
    { name: 'numeric', dataFormat: 'NHWC', pad: 1 },
    { name: 'explicit NCHW', dataFormat: 'NCHW', pad: [[0, 0], [0, 0], [1, 2], [0, 1]] },
  ];
  it.each(direct)('runKernel(Conv2DBackpropFilter) on wasm matches cpu with $name padding', async ({ dataFormat, pad }) => {
    const filterShape: [number, number, number, number] = [3, 3, 3, 4];
    const strides: [number, number] = [2, 2];
    const [n, h, w, cIn] = [2, 9, 8, 3];
    const xShape = dataFormat === 'NHWC' ? [n, h, w, cIn] : [n, cIn, h, w];
    const dwOn = async (backend: BackendName) => {
      await useBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(uniform(tf.util.sizeFromShape(xShape), 4), xShape as [number, number, number, number]);
        const info = tf.backend_util.computeConv2DInfo(
          x.shape, filterShape, strides, 1, pad, undefined, false,
          dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst',
        );
        const dy = tf.tensor(uniform(tf.util.sizeFromShape(info.outShape), 5), info.outShape);
        const attrs = { strides, pad, dataFormat, filterShape };
        const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        expect(dw.shape).toEqual(filterShape);
        return dw.dataSync();
      });
    };
    const cpu = await dwOn('cpu');
    const wasm = await dwOn('wasm');
    expect(relMaxDiff(wasm, cpu)).toBeLessThan(TOL);
  });
});

/** d/dx of Σ conv2d(x, W) ⊙ r alone (tfjs's Conv2DBackpropInput), for fixed seeded x, W, r. */
async function convDx(backend: BackendName, c: ConvCase): Promise<Float32Array> {
  await useBackend(backend);
  const [h, w] = c.inShape;
  const xShape: [number, number, number, number] = [c.batch, h, w, c.inC];
  const wShape: [number, number, number, number] = [...c.kernel, c.inC, c.outC];
  return tf.tidy(() => {
    const x = tf.tensor4d(uniform(tf.util.sizeFromShape(xShape), 11), xShape);
    const filter = tf.tensor4d(uniform(tf.util.sizeFromShape(wShape), 12), wShape);
    const outShape = tf.conv2d(x, filter, c.strides, c.pad).shape;
    const r = tf.tensor(uniform(tf.util.sizeFromShape(outShape), 13), outShape);
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, filter, c.strides, c.pad), r)))(x);
    return dx.dataSync() as Float32Array;
  });
}

describe('Conv2DBackpropInput on wasm (XNNPACK conv for stride 1, tfjs kernel otherwise)', () => {
  it('registerWasmTrainingKernels() replaces it once, and a second call keeps it', () => {
    const first = tf.getKernel(tf.Conv2DBackpropInput, 'wasm');
    registerWasmTrainingKernels();
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')?.kernelFunc).toBe(first?.kernelFunc);
  });

  const dxCases: ConvCase[] = [];
  for (const [batch, inC, outC] of [[1, 1, 16], [3, 3, 1], [3, 16, 3], [1, 16, 16]] as const) {
    for (const kernel of [[3, 3], [5, 5], [3, 5]] as [number, number][]) {
      for (const pad of ['same', 'valid'] as const) {
        for (const s of [1, 2]) {
          dxCases.push({ batch, inShape: [9, 8], inC, outC, kernel, strides: [s, s], pad });
        }
      }
    }
  }
  it.each(dxCases.map((c) => [label(c), c] as const))('tf.grad(conv2d) dx on wasm matches cpu within 1e-4 of scale: %s', async (_, c) => {
    const cpu = await convDx('cpu', c);
    const wasm = await convDx('wasm', c);
    expect(wasm.length).toBe(cpu.length);
    expect(relMaxDiff(wasm, cpu)).toBeLessThan(TOL);
  });

  // Explicit and numeric pads, including ones wider than the kernel (pad > k − 1: the tfjs kernel),
  // and NCHW (the tfjs kernel), called as the kernel itself.
  const direct: { name: string; dataFormat: 'NHWC' | 'NCHW'; pad: tf.Conv2DBackpropInputAttrs['pad']; strides: [number, number] }[] = [
    { name: 'explicit NHWC', dataFormat: 'NHWC', pad: [[0, 0], [2, 0], [1, 2], [0, 0]], strides: [1, 1] },
    { name: 'explicit NHWC, pad wider than the kernel', dataFormat: 'NHWC', pad: [[0, 0], [3, 1], [0, 4], [0, 0]], strides: [1, 1] },
    { name: 'numeric', dataFormat: 'NHWC', pad: 1, strides: [1, 1] },
    { name: 'explicit NCHW', dataFormat: 'NCHW', pad: [[0, 0], [0, 0], [1, 2], [0, 1]], strides: [1, 1] },
    { name: 'explicit NHWC, stride 2', dataFormat: 'NHWC', pad: [[0, 0], [1, 0], [2, 1], [0, 0]], strides: [2, 2] },
  ];
  it.each(direct)('runKernel(Conv2DBackpropInput) on wasm matches cpu with $name padding', async ({ dataFormat, pad, strides }) => {
    const filterShape: [number, number, number, number] = [3, 3, 3, 4];
    const [n, h, w, cIn] = [2, 9, 8, 3];
    const inputShape: [number, number, number, number] = dataFormat === 'NHWC' ? [n, h, w, cIn] : [n, cIn, h, w];
    const dxOn = async (backend: BackendName) => {
      await useBackend(backend);
      return tf.tidy(() => {
        const filter = tf.tensor4d(uniform(tf.util.sizeFromShape(filterShape), 14), filterShape);
        const info = tf.backend_util.computeConv2DInfo(
          inputShape, filterShape, strides, 1, pad, undefined, false,
          dataFormat === 'NHWC' ? 'channelsLast' : 'channelsFirst',
        );
        const dy = tf.tensor(uniform(tf.util.sizeFromShape(info.outShape), 15), info.outShape);
        const attrs = { strides, pad, dataFormat, inputShape };
        const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        expect(dx.shape).toEqual(inputShape);
        return dx.dataSync();
      });
    };
    const cpu = await dxOn('cpu');
    const wasm = await dxOn('wasm');
    expect(relMaxDiff(wasm, cpu)).toBeLessThan(TOL);
  });
});

/** The training lab's CNN (buildModel), with weights set from seeded arrays so both backends start equal. */
function buildCnn(): tfl.Sequential {
  const model = buildModel('cnn', 1);
  model.setWeights(
    model.getWeights().map((v, i) => {
      // Glorot-uniform scale from fan-in and fan-out; biases small but non-zero.
      const fanIn = v.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const scale = v.rank === 1 ? 0.05 : Math.sqrt(6 / (fanIn + v.shape[v.rank - 1]));
      return tf.mul(tf.tensor(uniform(v.size, 100 + i), v.shape), scale);
    }),
  );
  return model;
}

const LR = { sgd: 0.1, momentum: 0.05, adam: 1e-3 };
const optimizers = {
  sgd: () => tf.train.sgd(LR.sgd),
  momentum: () => tf.train.momentum(LR.momentum, 0.9),
  adam: () => tf.train.adam(LR.adam),
};

/** Weights before and after `steps` steps of variableGrads + applyGradients, first-step gradients, tensor counts. */
async function trainSteps(backend: BackendName, opt: keyof typeof optimizers, steps: number) {
  await useBackend(backend);
  const model = buildCnn();
  const optimizer = optimizers[opt]();
  const batch = 8;
  const x = tf.tensor4d(uniform(batch * 28 * 28, 7).map((v) => (v + 1) / 2), [batch, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 10), 'int32'), 10);
  const before = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  const firstGrads: Float32Array[] = [];
  const counts: { tensors: number; buffers: number }[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
    if (s === 0) firstGrads.push(...model.trainableWeights.map((w) => Float32Array.from(grads[w.name].dataSync())));
    optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose([value, ...Object.values(grads)]);
    counts.push({ tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers });
  }
  const after = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return { before, after, firstGrads, counts };
}

const delta = (after: Float32Array, before: Float32Array) => after.map((v, j) => v - before[j]);

describe('CNN training step on wasm', () => {
  const steps = 2;

  it('variableGrads(softmaxCrossEntropy(CNN)) on wasm matches cpu for all 8 weights within 1e-4 of scale', async () => {
    const cpu = await trainSteps('cpu', 'sgd', 1);
    const wasm = await trainSteps('wasm', 'sgd', 1);
    expect(wasm.firstGrads).toHaveLength(8);
    wasm.firstGrads.forEach((g, i) => {
      expect(g.some((v) => v !== 0), `gradient ${i} is not all zero`).toBe(true);
      expect(relMaxDiff(g, cpu.firstGrads[i]), `gradient ${i}`).toBeLessThan(TOL);
    });
  });

  it.each(['sgd', 'momentum'] as const)(
    `${steps} steps of variableGrads + %s.applyGradients move every CNN weight as on cpu within 1e-4 of the update scale`,
    async (opt) => {
      const cpu = await trainSteps('cpu', opt, steps);
      const wasm = await trainSteps('wasm', opt, steps);
      cpu.after.forEach((cpuW, i) => {
        expect(wasm.before[i]).toEqual(cpu.before[i]);
        const cpuDelta = delta(cpuW, cpu.before[i]);
        expect(cpuDelta.some((d) => d !== 0), `weight ${i} moved`).toBe(true);
        expect(relMaxDiff(delta(wasm.after[i], wasm.before[i]), cpuDelta), `update of weight ${i}`).toBeLessThan(TOL);
      });
      // Every intermediate of the composed kernel is freed: step 2 leaves as much as step 1.
      expect(wasm.counts[1]).toEqual(wasm.counts[0]);
    },
  );

  // Adam's first step is lr·g/(|g| + ε) with ε = 1e-7: for the few dense-layer gradients of size
  // ≈ ε it amplifies the backends' ~1e-8 gradient differences to a few per cent of lr. So Adam is
  // held to "no weight's update differs by more than 0.1·lr"; a wrong gradient moves many by ~lr.
  it(`${steps} steps of variableGrads + adam.applyGradients move every CNN weight as on cpu within 0.1·lr`, async () => {
    const cpu = await trainSteps('cpu', 'adam', steps);
    const wasm = await trainSteps('wasm', 'adam', steps);
    cpu.after.forEach((cpuW, i) => {
      const cpuDelta = delta(cpuW, cpu.before[i]);
      const wasmDelta = delta(wasm.after[i], wasm.before[i]);
      let worst = 0;
      for (let j = 0; j < cpuDelta.length; j++) worst = Math.max(worst, Math.abs(wasmDelta[j] - cpuDelta[j]));
      expect(cpuDelta.some((d) => Math.abs(d) > LR.adam), `weight ${i} moved by more than lr`).toBe(true);
      expect(worst / LR.adam, `update of weight ${i}, in units of lr`).toBeLessThan(0.1);
    });
    expect(wasm.counts[1]).toEqual(wasm.counts[0]);
  });
});

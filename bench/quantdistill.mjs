// The `quantdistill` section of `npm run bench` (issue 4): what quantization-aware training costs per
// update against a float update (tfjs-wasm in Node, the MLP at batch 64), and whether the int8 ONNX
// file (int8 kernels + DequantizeLinear) runs faster than the float32 one in onnxruntime-node.
// Node only: the labs' browser numbers are shown to the learner on the page.
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchQuantDistill({ log }) {
  const { measure } = (await runnerImport('/bench/quantdistill-core.ts', { root, configFile: false, logLevel: 'error' })).module;
  const r = await measure(log);
  const [layers, ops, q] = ['layers', 'ops', 'qat4'].map((k) => median(r.update[k]));
  const figures = [
    ['qat-int4-update-mlp-b64', round(q, 2), 'ms', {
      reference: { name: 'float32 update through the same ops (quantizedApply, empty plan)', value: round(ops, 2), unit: 'ms' },
      notes: `tfjs-wasm in Node ${process.version}; one epoch of 1,280 images (20 updates) per run, median of 5 interleaved runs after a warm-up. QAT fake-quantizes every kernel per channel (max, divide, round, clip, multiply) forward and passes the gradient straight through. The same float update through tfjs-layers' model.apply: ${round(layers, 2)} ms.`,
    }],
  ];
  for (const batch of ['1', '64']) {
    const fl = median(r.ort[batch].float), i8 = median(r.ort[batch].int8);
    figures.push([`onnx-int8-mlp-batch${batch}`, round(i8, 4), 'ms', {
      reference: { name: 'float32 ONNX file, same weights', value: round(fl, 4), unit: 'ms' },
      notes: `onnxruntime-node, 1 thread, graph optimisation 'all'; median of 5 interleaved medians of 5 samples of >= 5 ms. Files: float32 ${r.bytes.float} B, int8 ${r.bytes.int8} B.`,
    }]);
  }
  return { raw: r, figures };
}

/**
 * Training kernels that tfjs 4.22's wasm backend lacks, composed from the wasm kernels it has.
 *
 * One training step of a conv net needs, per Conv2D, the gradient with respect to the input
 * (`Conv2DBackpropInput`, present) and with respect to the filter (`Conv2DBackpropFilter`,
 * missing: the first `variableGrads` throws "Kernel 'Conv2DBackpropFilter' not registered for
 * backend 'wasm'"). Every other kernel of a conv-pool-dense step (MaxPoolGrad, Step for the
 * ReLU gradient, _FusedMatMul, the softmax cross-entropy pieces, the optimizers' updates) is
 * already registered. Two present kernels are rerouted to XNNPACK for speed: transposed matmuls
 * and stride-1 Conv2DBackpropInput (see below).
 */
import {
  backend_util,
  BatchMatMul,
  _FusedMatMul as FusedMatMul,
  unregisterKernel,
  type BatchMatMulAttrs,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  registerKernel,
  Reverse,
  Slice,
  Transpose,
  type Conv2DAttrs,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropFilterAttrs,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

const BACKEND = 'wasm';

type Shape4 = [number, number, number, number];

/** Runs another wasm kernel directly (no engine, no tape); the caller disposes its output. */
function run(name: string, backend: KernelBackend, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const kernel = getKernel(name, BACKEND);
  if (!kernel) throw new Error(`wasm-kernels: the wasm backend has no '${name}' kernel to build on`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
}

/**
 * dW[a,b,ci,co] = Σ_{n,i,j} x[n, s_h·i + a − pTop, s_w·j + b − pLeft, ci] · dy[n,i,j,co]
 *
 * Read with ci as the batch, (i,j) as the filter taps, n as the input channel and (a,b) as the
 * output pixel, this is a stride-1 convolution of x' = x as [Cin,H,W,N] with the filter
 * dy' = dy as [Ho,Wo,N,Cout], dilated by the forward stride and padded explicitly by pTop above
 * and (Ho−1)·s_h + fh − H − pTop below (likewise for width). Its output [Cin,fh,fw,Cout] is
 * transposed to [fh,fw,Cin,Cout]. When that bottom/right pad is negative (rows the forward
 * convolution never read, e.g. 'valid' with a stride that does not divide H − fh), x is cropped.
 * Conv2D, Transpose and Slice are the wasm backend's own kernels, so the heavy part runs
 * in XNNPACK.
 */
const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const b = backend as KernelBackend;
  const channelsLast = backend_util.convertConv2DDataFormat(dataFormat) === 'channelsLast';
  const info = backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    channelsLast ? 'channelsLast' : 'channelsFirst',
  );
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: ho, outWidth: wo, padInfo } = info;

  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    // x → [Cin,H,W,N]; dy → [Ho,Wo,N,Cout], from either layout.
    let xT = keep(run(Transpose, b, { x }, { perm: channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0] }));
    const dyT = keep(run(Transpose, b, { x: dy }, { perm: channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1] }));

    const padBottom = (ho - 1) * sh + fh - h - padInfo.top;
    const padRight = (wo - 1) * sw + fw - w - padInfo.left;
    if (padBottom < 0 || padRight < 0) {
      const [cin, , , n] = xT.shape;
      const size = [cin, h + Math.min(padBottom, 0), w + Math.min(padRight, 0), n];
      xT = keep(run(Slice, b, { x: xT }, { begin: [0, 0, 0, 0], size }));
    }
    const convAttrs: Conv2DAttrs = {
      strides: 1,
      dilations: [sh, sw],
      pad: [
        [0, 0],
        [padInfo.top, Math.max(padBottom, 0)],
        [padInfo.left, Math.max(padRight, 0)],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    };
    // A bad output shape (a negative size, say) corrupts the wasm heap rather than throwing.
    const expected = [xT.shape[0], fh, fw, dyT.shape[3]];
    const { strides: s1, dilations: d, pad: p } = convAttrs;
    const got = backend_util.computeConv2DInfo(xT.shape as Shape4, dyT.shape as Shape4, s1, d ?? 1, p).outShape;
    if (got.join() !== expected.join()) {
      throw new Error(`wasm-kernels: Conv2DBackpropFilter would produce [${got}], expected [${expected}]`);
    }
    const dw = keep(run(Conv2D, b, { x: xT, filter: dyT }, convAttrs));
    return run(Transpose, b, { x: dw }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

const kernels: KernelConfig[] = [{ kernelName: Conv2DBackpropFilter, backendName: BACKEND, kernelFunc: conv2DBackpropFilter }];

/**
 * Registers the kernels above for the 'wasm' backend. Safe to call more than once, before or
 * after the backend is initialised; a kernel tfjs already provides is left alone.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of kernels) {
    if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
  }
  useXnnpackForTransposedMatMul();
  useXnnpackForConv2DBackpropInput();
}

const patchedMatMul = new WeakSet<KernelFunc>();

/**
 * tfjs 4.22's wasm BatchMatMul and _FusedMatMul hand only untransposed operands to XNNPACK; with
 * transposeA or transposeB they fall back to a scalar loop, 12-15x slower (128x784 · 784x256:
 * 1.4 ms plain, 16 ms with B transposed, 20 ms with A transposed, here). A dense layer's backward
 * pass is made of exactly those: dX = dY·Wᵀ and dW = Xᵀ·dY. So on wasm the transposed operand is
 * transposed explicitly (a cheap copy) and the product stays in XNNPACK. XNNPACK sums in its own
 * order, so results differ from the scalar loop by float32 rounding (still bit-identical run to run).
 */
function useXnnpackForTransposedMatMul(): void {
  for (const name of [BatchMatMul, FusedMatMul]) {
    const orig = getKernel(name, BACKEND);
    if (!orig || patchedMatMul.has(orig.kernelFunc)) continue;
    const transpose = getKernel(Transpose, BACKEND)!.kernelFunc;
    const inner = orig.kernelFunc;
    const swapLast = (t: TensorInfo, backend: unknown) => {
      const perm = t.shape.map((_, i) => i);
      perm.splice(-2, 2, perm.length - 1, perm.length - 2);
      return transpose({ inputs: { x: t }, backend: backend as KernelBackend, attrs: { perm } }) as TensorInfo;
    };
    const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
      if (!transposeA && !transposeB) return inner({ inputs, backend, attrs });
      const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
      const aT = transposeA ? swapLast(a, backend) : a;
      const bT = transposeB ? swapLast(b, backend) : b;
      try {
        return inner({ inputs: { ...inputs, a: aT, b: bT }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        if (aT !== a) (backend as KernelBackend).disposeData(aT.dataId);
        if (bT !== b) (backend as KernelBackend).disposeData(bT.dataId);
      }
    };
    patchedMatMul.add(kernelFunc);
    unregisterKernel(name, BACKEND);
    registerKernel({ ...orig, kernelFunc });
  }
}

const patchedBackpropInput = new WeakSet<KernelFunc>();

/**
 * tfjs 4.22's wasm Conv2DBackpropInput is a scalar loop (29 ms of a 69 ms CNN-64 update here).
 * For stride 1 (the gradient has no dilation) it is a plain convolution that XNNPACK runs:
 *
 *   dx[n,y,x,ci] = Σ_{a,b,co} dy[n, y − a + pTop, x − b + pLeft, co] · W[a,b,ci,co]
 *                = conv2d(dy, W')[n,y,x,ci],  W'[a,b,co,ci] = W[fh−1−a, fw−1−b, ci, co],
 *
 * padded by fh − 1 − pTop above and fh − 1 − pBottom below (likewise for width). Strides > 1,
 * NCHW (wasm's Conv2D is NHWC only) and forward pads wider than the kernel go to tfjs's kernel.
 * XNNPACK sums in its own order, so dx differs from the scalar loop by float32 rounding (still
 * bit-identical run to run).
 */
function useXnnpackForConv2DBackpropInput(): void {
  const orig = getKernel(Conv2DBackpropInput, BACKEND);
  if (!orig || patchedBackpropInput.has(orig.kernelFunc)) return;
  const fallback = orig.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') return fallback(args);
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as Shape4,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const padTop = fh - 1 - padInfo.top;
    const padBottom = fh - 1 - padInfo.bottom;
    const padLeft = fw - 1 - padInfo.left;
    const padRight = fw - 1 - padInfo.right;
    if (sh !== 1 || sw !== 1 || Math.min(padTop, padBottom, padLeft, padRight) < 0) return fallback(args);
    if (dy.shape.join() !== info.outShape.join()) return fallback(args);
    const convAttrs: Conv2DAttrs = {
      strides: 1,
      dilations: 1,
      pad: [
        [0, 0],
        [padTop, padBottom],
        [padLeft, padRight],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    };
    const [fh2, fw2, ci, co] = filter.shape;
    // A bad output shape corrupts the wasm heap rather than throwing: check before running.
    const got = backend_util.computeConv2DInfo(dy.shape as Shape4, [fh2, fw2, co, ci], 1, 1, convAttrs.pad).outShape;
    if (got.join() !== info.inShape.join()) return fallback(args);
    const b = backend as KernelBackend;
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temps.push(t), t);
    try {
      const swapped = keep(run(Transpose, b, { x: filter }, { perm: [0, 1, 3, 2] }));
      const flipped = keep(run(Reverse, b, { x: swapped }, { dims: [0, 1] }));
      return run(Conv2D, b, { x: dy, filter: flipped }, convAttrs);
    } finally {
      for (const t of temps) b.disposeData(t.dataId);
    }
  };
  patchedBackpropInput.add(kernelFunc);
  unregisterKernel(Conv2DBackpropInput, BACKEND);
  registerKernel({ ...orig, kernelFunc });
}

/** ONNX files for the serving tests: the lab's MLP exported, and deliberately broken variants of it. */
import { buildModel } from '../../../src/lib/ml/models.ts';
import { exportOnnx } from '../../../src/lib/onnx/index.ts';
import { onnx } from '../../../src/lib/onnx/proto.ts';

export function mlpOnnx(seed = 1): { model: ReturnType<typeof buildModel>; bytes: Uint8Array } {
  const model = buildModel('mlp', seed);
  return { model, bytes: exportOnnx(model) };
}

/** The same graph with its first Relu moved to an operator domain no runtime implements. */
export function withUnknownOperator(bytes: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  const node = m.graph!.node!.find((n) => n.opType === 'Relu')!;
  node.opType = 'FancyRelu';
  node.domain = 'ai.prodlab.custom';
  m.opsetImport!.push({ domain: 'ai.prodlab.custom', version: 1 });
  return onnx.ModelProto.encode(m).finish();
}

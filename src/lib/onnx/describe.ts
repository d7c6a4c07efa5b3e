import { onnx, BYTES_PER_ELEMENT, DATA_TYPE_NAMES, type OnnxTypes } from './proto';

/** A dimension: a size, or a symbolic name such as 'batch' (null when the file leaves it unnamed). */
export type OnnxDim = number | string | null;

export interface OnnxTensorInfo {
  name: string;
  dtype: string;
  /** Null where the file records no shape for this tensor. */
  shape: OnnxDim[] | null;
}

export interface OnnxNodeInfo {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, number | number[] | string>;
  /** Shapes of the outputs where the file records them (value_info, graph outputs). */
  outputShapes: (OnnxDim[] | null)[];
}

export interface OnnxParameterInfo {
  name: string;
  dtype: string;
  dims: number[];
  /** Bytes of the stored values (raw_data or the typed fields). */
  bytes: number;
}

export interface OnnxDescription {
  irVersion: number;
  /** Opset per domain ('' is the default ONNX domain). */
  opsets: Record<string, number>;
  producer: string;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  nodes: OnnxNodeInfo[];
  parameters: OnnxParameterInfo[];
  parameterCount: number;
  parameterBytes: number;
  /** Size of the whole file. */
  fileBytes: number;
}

/** Thrown for bytes that are not a readable ONNX model. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

const num = (v: number | { toNumber(): number } | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

function tensorInfo(v: OnnxTypes.IValueInfoProto): OnnxTensorInfo {
  const t = v.type?.tensorType;
  return {
    name: v.name ?? '',
    dtype: DATA_TYPE_NAMES[t?.elemType ?? 0] ?? `type ${t?.elemType}`,
    shape: t?.shape ? (t.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : null)) : null,
  };
}

function attributeValue(a: OnnxTypes.IAttributeProto): number | number[] | string {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT: return num(a.i);
    case T.FLOAT: return a.f ?? 0;
    case T.INTS: return (a.ints ?? []).map(num);
    case T.FLOATS: return a.floats ?? [];
    case T.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    default: return `<${T[a.type ?? 0] ?? 'unknown'}>`;
  }
}

function parameterInfo(t: OnnxTypes.ITensorProto): OnnxParameterInfo {
  const dims = (t.dims ?? []).map(num);
  const count = dims.reduce((a, b) => a * b, 1);
  const dataType = t.dataType ?? 0;
  const bytes = t.rawData && t.rawData.length > 0 ? t.rawData.length : count * (BYTES_PER_ELEMENT[dataType] ?? 0);
  return { name: t.name ?? '', dtype: DATA_TYPE_NAMES[dataType] ?? `type ${dataType}`, dims, bytes };
}

/**
 * What a graph view shows of an ONNX file: its nodes in order with their attributes and output
 * shapes, the graph's inputs and outputs, and every initializer with its size. Reads any ONNX file;
 * shapes of intermediate tensors appear only where the file records value_info (exportOnnx does).
 */
export function describeOnnx(bytes: Uint8Array): OnnxDescription {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxFormatError(`Not a readable ONNX file (${bytes.length} bytes): ${(e as Error).message}`);
  }
  const graph = model.graph;
  if (!graph) throw new OnnxFormatError('The file decodes as protobuf but holds no ONNX graph.');
  const shapes = new Map<string, OnnxDim[] | null>();
  for (const v of [...(graph.valueInfo ?? []), ...(graph.output ?? []), ...(graph.input ?? [])]) {
    const info = tensorInfo(v);
    shapes.set(info.name, info.shape);
  }
  const initNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const parameters = (graph.initializer ?? []).map(parameterInfo);
  return {
    irVersion: num(model.irVersion),
    opsets: Object.fromEntries((model.opsetImport ?? []).map((o) => [o.domain ?? '', num(o.version)])),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    // Older files list initializers among the inputs too; those are parameters, not inputs.
    inputs: (graph.input ?? []).filter((v) => !initNames.has(v.name)).map(tensorInfo),
    outputs: (graph.output ?? []).map(tensorInfo),
    nodes: (graph.node ?? []).map((n, i) => ({
      name: n.name || `${n.opType}_${i}`,
      op: n.opType ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a)])),
      outputShapes: (n.output ?? []).map((o) => shapes.get(o) ?? null),
    })),
    parameters,
    parameterCount: parameters.reduce((s, p) => s + p.dims.reduce((a, b) => a * b, 1), 0),
    parameterBytes: parameters.reduce((s, p) => s + p.bytes, 0),
    fileBytes: bytes.length,
  };
}

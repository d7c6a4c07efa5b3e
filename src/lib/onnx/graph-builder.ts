/** Building an ONNX graph: nodes, initializers and the shape of every intermediate tensor. */
import { onnx, DataType, type OnnxTypes } from './proto';

export type Dim = number | string;
type Attr = number | number[] | string;

/**
 * Accumulates nodes, initializers and intermediate shapes. Every tensor gets a value_info entry,
 * so a graph view can show shapes without running shape inference.
 */
export class GraphBuilder {
  nodes: OnnxTypes.INodeProto[] = [];
  initializers: OnnxTypes.ITensorProto[] = [];
  valueInfo: OnnxTypes.IValueInfoProto[] = [];
  private used = new Set<string>();

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  node(op: string, inputs: string[], outName: string, shape: Dim[] | null, attrs: Record<string, Attr> = {}): string {
    const output = this.unique(outName);
    this.nodes.push({ opType: op, name: output, input: inputs, output: [output], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    if (shape) this.valueInfo.push(valueInfo(output, shape));
    return output;
  }

  constant(name: string, dims: number[], dataType: number, data: ArrayBufferView): string {
    const unique = this.unique(name);
    // raw_data is little-endian; typed arrays use the platform's order, little-endian on every platform browsers run on.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.initializers.push({ name: unique, dims, dataType, rawData: bytes });
    return unique;
  }
}

function attribute(name: string, v: Attr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.INT, i: v };
}

export function valueInfo(name: string, shape: Dim[], elemType: number = DataType.FLOAT): OnnxTypes.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

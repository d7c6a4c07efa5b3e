/**
 * A simulation's columns as Arrow IPC, for loading into the data worker's DuckDB. Numbers stay
 * typed (Int32 / Float64 / Int8 / Uint8 vectors, no copies into row objects); string columns become
 * Utf8.
 */
import { Table, makeVector, tableToIPC, vectorFromArray, Utf8 } from 'apache-arrow';

export type Column = Int32Array | Float64Array | Int8Array | Uint8Array | string[];

export function columnsToIpc(cols: Record<string, Column>): Uint8Array {
  const vectors = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Array.isArray(v) ? vectorFromArray(v, new Utf8()) : makeVector(v)]));
  return tableToIPC(new Table(vectors), 'stream');
}

/** Column j of a row-major rows × cols matrix. */
export function column(data: Float64Array, cols: number, j: number): Float64Array {
  const out = new Float64Array(data.length / cols);
  for (let i = 0; i < out.length; i++) out[i] = data[i * cols + j];
  return out;
}

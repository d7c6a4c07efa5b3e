import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { column, columnsToIpc } from '../../labs/sim-sql/columns';

describe('sim-sql columnsToIpc', () => {
  it('round-trips typed and string columns through Arrow IPC with their types', () => {
    const ipc = columnsToIpc({ id: Int32Array.from([1, 2, 3]), x: Float64Array.from([0.5, -1, 2.25]), flag: Uint8Array.from([1, 0, 1]), code: Int8Array.from([-1, 0, 2]), name: ['a', 'b', 'c'] });
    const t = tableFromIPC(ipc);
    expect(t.numRows).toBe(3);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['id:Int32', 'x:Float64', 'flag:Uint8', 'code:Int8', 'name:Utf8']);
    expect(t.getChild('x')!.toArray()).toEqual(Float64Array.from([0.5, -1, 2.25]));
    expect(Array.from(t.getChild('name')!)).toEqual(['a', 'b', 'c']);
  });

  it('column(j) reads one column of a row-major matrix', () => {
    expect(Array.from(column(Float64Array.from([1, 2, 3, 4, 5, 6]), 3, 1))).toEqual([2, 5]);
  });
});

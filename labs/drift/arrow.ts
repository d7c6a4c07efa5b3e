import type { Table } from 'apache-arrow';
import type { Columns } from '../../src/lib/drift/sql';

/** An Arrow result as plain columns (typed arrays for numbers, string arrays for text). */
export function columnsOf(t: Table): Columns {
  return Object.fromEntries(t.schema.fields.map((f, i) => [f.name, t.getChildAt(i)!.toArray() as ArrayLike<unknown>]));
}

/**
 * The runs as one Arrow table, ready for DuckDB (phase 2: `SELECT params.lr, metrics.testAcc FROM
 * runs WHERE lab = 'train'`). One row per run; the attributes as plain columns (times as
 * milliseconds since the epoch, Float64) and two struct columns, params and metrics, holding every
 * key any run has (null where a run lacks it). Dotted keys nest: params.settings.qps is a struct
 * inside params, so SQL reaches it with the same dots. A param that is a number in every run that
 * has it is Float64, a boolean one Bool, anything else Utf8 (numbers printed as JavaScript does).
 */
import { Bool, Field, Float64, Struct, Table, Utf8, makeData, makeVector, tableToIPC, type Data, type Vector } from 'apache-arrow';
import type { RunRow, Scalar } from './runs-table';

/** Keys nested by their dots; a key that is both a value and a prefix keeps the value as "_value". */
interface KeyTree {
  [part: string]: KeyTree | string;
}

function keyTree(keys: Iterable<string>): KeyTree {
  const root: KeyTree = {};
  for (const key of [...keys].sort()) {
    const parts = key.split('.');
    let node = root;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) {
        if (typeof node[p] === 'object') (node[p] as KeyTree)._value = key;
        else node[p] = key;
      } else {
        const cur = node[p];
        if (typeof cur === 'string') node[p] = { _value: cur };
        else if (cur === undefined) node[p] = {};
        node = node[p] as KeyTree;
      }
    });
  }
  return root;
}

type Kind = 'number' | 'boolean' | 'string';

function kindOf(values: Iterable<Scalar | undefined>): Kind {
  let kind: Kind | undefined;
  for (const v of values) {
    if (v === undefined) continue;
    const k = typeof v as Kind;
    if (kind === undefined) kind = k;
    else if (kind !== k) return 'string';
  }
  return kind ?? 'string';
}

const enc = new TextEncoder();

/** Validity bitmap (bit i set: row i has a value) and the null count. */
function validity(has: (i: number) => boolean, n: number): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (has(i)) nullBitmap[i >> 3] |= 1 << (i & 7);
    else nullCount++;
  }
  return { nullBitmap, nullCount };
}

/** Utf8 column data straight from strings (null where absent): offsets and UTF-8 bytes. */
function utf8Data(values: readonly (string | undefined)[]): Data<Utf8> {
  const n = values.length;
  const parts = values.map((v) => (v === undefined ? new Uint8Array(0) : enc.encode(v)));
  const valueOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) valueOffsets[i + 1] = valueOffsets[i] + parts[i].length;
  const data = new Uint8Array(valueOffsets[n]);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]));
  return makeData({ type: new Utf8(), length: n, valueOffsets, data, ...validity((i) => values[i] !== undefined, n) });
}

/** A column of one key over all rows, built from typed arrays (vectorFromArray is ~10× slower here). */
function leafData(get: (i: number) => Scalar | undefined, n: number): Data {
  const values = Array.from({ length: n }, (_, i) => get(i));
  const kind = kindOf(values);
  const valid = validity((i) => values[i] !== undefined, n);
  if (kind === 'number') return makeData({ type: new Float64(), length: n, data: Float64Array.from(values, (v) => (v === undefined ? 0 : (v as number))), ...valid });
  if (kind === 'boolean') {
    const bits = new Uint8Array((n + 7) >> 3);
    values.forEach((v, i) => v === true && (bits[i >> 3] |= 1 << (i & 7)));
    return makeData({ type: new Bool(), length: n, data: bits, ...valid });
  }
  return utf8Data(values.map((v) => (v === undefined ? undefined : String(v))));
}

function structData(tree: KeyTree, get: (i: number, key: string) => Scalar | undefined, n: number): Data<Struct> {
  const names = Object.keys(tree);
  const children = names.map((name) => {
    const t = tree[name];
    return typeof t === 'string' ? leafData((i) => get(i, t), n) : structData(t, get, n);
  });
  const type = new Struct(names.map((name, k) => new Field(name, children[k].type, true)));
  return makeData({ type, length: n, nullCount: 0, children });
}

/** The runs table. Rows from runRow(); each run is one row. */
export function runsToArrow(rows: readonly RunRow[]): Table {
  const n = rows.length;
  const f64 = (f: (r: RunRow) => number) => makeVector(Float64Array.from(rows, f));
  const str = (f: (r: RunRow) => string) => makeVector(utf8Data(rows.map(f)));
  const paramKeys = new Set<string>();
  const metricKeys = new Set<string>();
  for (const r of rows) {
    for (const k in r.params) paramKeys.add(k);
    for (const k in r.metrics) metricKeys.add(k);
  }
  const columns: Record<string, Vector> = {
    id: str((r) => r.id),
    lab: str((r) => r.lab),
    name: str((r) => r.name),
    status: str((r) => r.status),
    seed: f64((r) => r.seed),
    dataHash: str((r) => r.dataHash),
    backend: str((r) => r.backend),
    appVersion: str((r) => r.appVersion),
    createdAt: f64((r) => r.createdAt),
    durationMs: f64((r) => r.durationMs),
  };
  if (paramKeys.size) columns.params = makeVector(structData(keyTree(paramKeys), (i, k) => rows[i].params[k], n));
  if (metricKeys.size) columns.metrics = makeVector(structData(keyTree(metricKeys), (i, k) => rows[i].metrics[k], n));
  return new Table(columns);
}

/** The table as Arrow IPC stream bytes: what crosses to the DuckDB worker (insertArrowFromIPCStream). */
export function runsToIpc(rows: readonly RunRow[]): Uint8Array {
  return tableToIPC(runsToArrow(rows), 'stream');
}

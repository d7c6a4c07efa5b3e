/**
 * Every saved run of every lab as one flat row, in MLflow's terms: attributes (id, lab, status,
 * seed, data hash, backend, app version, times), params (the settings: every scalar in the run's
 * params, nested keys joined by dots) and metrics (what the run measured: the numbers under
 * params.result or params.summary, the final test scores, the last validation and training values,
 * a compressed variant's accuracy, size and latency). Search, comparison, parallel coordinates and
 * the Arrow table all read these rows.
 */
import type { RunRecord } from '../store/types';

export type Scalar = number | string | boolean;

export interface RunRow {
  id: string;
  lab: string;
  name: string;
  status: string;
  seed: number;
  dataHash: string;
  backend: string;
  appVersion: string;
  createdAt: number;
  durationMs: number;
  params: Record<string, Scalar>;
  metrics: Record<string, number>;
}

export const ATTRIBUTES = ['id', 'lab', 'name', 'status', 'seed', 'dataHash', 'backend', 'appVersion', 'createdAt', 'durationMs'] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** Params keys that hold results, not settings: their numbers become metrics. */
const RESULT_KEYS = ['result', 'summary'];
const MAX_DEPTH = 4;

function flatten(o: Record<string, unknown>, prefix: string, depth: number, out: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(o)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[key] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && depth < MAX_DEPTH) flatten(v as Record<string, unknown>, key, depth + 1, out);
  }
}

const last = (xs: readonly number[] | undefined) => (xs && xs.length ? xs[xs.length - 1] : undefined);

export function runRow(r: RunRecord): RunRow {
  const params: Record<string, Scalar> = {};
  const metrics: Record<string, number> = {};
  const p = (r.params ?? {}) as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (!RESULT_KEYS.includes(k)) settings[k] = v;
  flatten(settings, '', 0, params);
  for (const k of RESULT_KEYS) {
    const v = p[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const flat: Record<string, unknown> = {};
      flatten(v as Record<string, unknown>, '', 0, flat);
      for (const [mk, mv] of Object.entries(flat)) if (typeof mv === 'number') metrics[mk] = mv;
    }
  }
  const put = (k: string, v: number | undefined) => {
    if (typeof v === 'number') metrics[k] = v;
  };
  put('testAcc', r.final?.testAcc);
  put('testLoss', r.final?.testLoss);
  put('eceBefore', r.final?.calibration?.eceBefore);
  put('eceAfter', r.final?.calibration?.eceAfter);
  for (const [k, v] of Object.entries(r.final?.robustness ?? {})) put(`robustness.${k}`, v);
  const lastEpoch = r.epochMetrics?.[r.epochMetrics.length - 1];
  put('valAcc', lastEpoch?.valAcc);
  put('valLoss', lastEpoch?.valLoss);
  put('trainLoss', last(r.metrics?.trainLoss));
  put('trainAcc', last(r.metrics?.trainAcc));
  if (r.variant) {
    put('variant.accuracy', r.variant.accuracy);
    put('variant.bytes', r.variant.bytes);
    put('variant.params', r.variant.params);
    put('variant.latencyMs', r.variant.latencyMs);
  }
  return {
    id: r.id, lab: r.lab, name: r.name ?? '', status: r.status, seed: r.seed, dataHash: r.dataHash ?? '', backend: r.backend ?? '', appVersion: r.appVersion ?? '',
    createdAt: r.createdAt, durationMs: r.durationMs, params, metrics,
  };
}

/** A column's value in a row: an attribute, `params.<key>` or `metrics.<key>` (undefined when the run lacks it). */
export function columnValue(row: RunRow, column: string): Scalar | undefined {
  if (column.startsWith('params.')) return row.params[column.slice(7)];
  if (column.startsWith('metrics.')) return row.metrics[column.slice(8)];
  if (column.startsWith('attributes.')) column = column.slice(11);
  return (ATTRIBUTES as readonly string[]).includes(column) ? row[column as Attribute] : undefined;
}

/** Every column some row has: the attributes, then params.* and metrics.* sorted. */
export function runColumns(rows: readonly RunRow[]): string[] {
  const p = new Set<string>();
  const m = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r.params)) p.add(k);
    for (const k of Object.keys(r.metrics)) m.add(k);
  }
  return [...ATTRIBUTES, ...[...p].sort().map((k) => `params.${k}`), ...[...m].sort().map((k) => `metrics.${k}`)];
}

export interface ComparedKey {
  column: string;
  values: (Scalar | undefined)[];
  /** Whether the runs disagree (a run lacking the key counts as different). */
  differs: boolean;
}

/** Side by side: every param and metric of the runs, those that differ first, then alphabetical. */
export function compareRuns(rows: readonly RunRow[]): ComparedKey[] {
  const cols = runColumns(rows).filter((c) => c.startsWith('params.') || c.startsWith('metrics.') || c === 'seed' || c === 'dataHash' || c === 'backend' || c === 'appVersion');
  const out = cols.map((column) => {
    const values = rows.map((r) => columnValue(r, column));
    return { column, values, differs: values.some((v) => !Object.is(v, values[0])) };
  });
  return out.sort((a, b) => Number(b.differs) - Number(a.differs) || (a.column < b.column ? -1 : 1));
}

export interface ParallelAxis {
  column: string;
  kind: 'number' | 'category';
  /** Data range of a number axis (log is the learner's choice when drawing). */
  min: number;
  max: number;
  /** Categories of a category axis, in first-seen order. */
  categories: string[];
  /** Each run's position on the axis in [0, 1] (NaN where the run lacks the column). */
  positions: Float64Array;
}

/** Parallel coordinates: one axis per column, each run a polyline through its positions. */
export function parallelCoordinates(rows: readonly RunRow[], columns: readonly string[]): { ids: string[]; axes: ParallelAxis[] } {
  const axes = columns.map((column): ParallelAxis => {
    const values = rows.map((r) => columnValue(r, column));
    const present = values.filter((v) => v !== undefined);
    const numeric = present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v));
    const positions = new Float64Array(rows.length).fill(NaN);
    if (numeric) {
      const xs = present as number[];
      const min = Math.min(...xs);
      const max = Math.max(...xs);
      values.forEach((v, i) => {
        if (typeof v === 'number') positions[i] = max > min ? (v - min) / (max - min) : 0.5;
      });
      return { column, kind: 'number', min, max, categories: [], positions };
    }
    const categories = [...new Set(present.map(String))];
    values.forEach((v, i) => {
      if (v !== undefined) positions[i] = categories.length > 1 ? categories.indexOf(String(v)) / (categories.length - 1) : 0.5;
    });
    return { column, kind: 'category', min: 0, max: categories.length - 1, categories, positions };
  });
  return { ids: rows.map((r) => r.id), axes };
}

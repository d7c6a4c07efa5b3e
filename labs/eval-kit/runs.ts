/**
 * How the evaluation labs keep their runs. The store's RunRecord is shaped for training runs; an
 * evaluation run is one computation, so it is stored as a finished RunRecord whose params hold the
 * lab's settings plus `result`, the run's summary numbers (plain JSON: what exercises, the run
 * table, the summary and the model card read). Curves and charts are not stored: a run is a pure
 * function of its settings and seed, so "Show" recomputes them exactly. metrics and epochMetrics
 * stay empty; backend is 'js-worker'.
 */
import type { RunRecord } from '../../src/lib/store/types';

export type Summary = Record<string, number | string>;

export interface EvalRun<S = Record<string, number | string>> {
  record: RunRecord;
  settings: S;
  result: Summary;
  label: string;
}

export function evalRuns<S = Record<string, number | string>>(runs: RunRecord[]): EvalRun<S>[] {
  return runs
    .filter((r) => r.status === 'done' && r.params && typeof r.params.result === 'object' && r.params.result !== null)
    .map((record) => {
      const { result, ...settings } = record.params as Record<string, unknown>;
      return { record, settings: settings as S, result: result as Summary, label: record.name ?? record.id.slice(-6) };
    });
}

export const num = (r: EvalRun, key: string): number => {
  const v = r.result[key];
  return typeof v === 'number' ? v : NaN;
};

export const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
export const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');

/** Two runs with the same settings except the listed keys. */
export function sameExcept<S>(a: EvalRun<S>, b: EvalRun<S>, keys: string[]): boolean {
  const sa = a.settings as Record<string, unknown>;
  const sb = b.settings as Record<string, unknown>;
  return Object.keys(sa).every((k) => keys.includes(k) || sa[k] === sb[k]);
}

/** A run-table column: a label and how to read it from a run. */
export interface RunColumn {
  label: string;
  value: (r: EvalRun) => string;
}

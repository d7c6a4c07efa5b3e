/**
 * How the distributed-training labs read their saved runs. A run is one finished computation,
 * stored (kit's oneShotRecord) with params = { ...settings, result }, where result is the runner's
 * `summary` (plain numbers and strings). Exercises, run tables and summaries read only these.
 * (The same shape as labs/eval-kit/runs.ts; a candidate for labs/kit once the kit takes one.)
 */
import type { RunRecord } from '../../src/lib/store/types';
import type { Column, Run } from '../kit/columns';

export type Summary = Record<string, number | string>;

export interface DistRun<S> {
  record: RunRecord;
  settings: S;
  result: Summary;
  /** The learner's name for the run, or the end of its id. */
  label: string;
}

export function distRuns<S>(runs: RunRecord[]): DistRun<S>[] {
  return runs
    .filter((r) => r.status === 'done' && r.params && typeof r.params.result === 'object' && r.params.result !== null)
    .map((record) => {
      const { result, ...settings } = record.params as Record<string, unknown>;
      return { record, settings: settings as S, result: result as Summary, label: record.name ?? record.id.slice(-6) };
    });
}

/** A summary number, NaN when missing or not a number. */
export const num = <S>(r: DistRun<S>, key: string): number => {
  const v = r.result[key];
  return typeof v === 'number' ? v : NaN;
};

/** Two runs whose settings agree except for the listed keys. */
export function sameExcept<S>(a: DistRun<S>, b: DistRun<S>, keys: readonly string[]): boolean {
  const sa = a.settings as Record<string, unknown>;
  const sb = b.settings as Record<string, unknown>;
  return Object.keys({ ...sa, ...sb }).every((k) => keys.includes(k) || sa[k] === sb[k]);
}

/** Every number written in a text ("1.5x", "12,345", "-3.2%", "4e-5"), in order. */
export function numbersIn(text: string): number[] {
  return (text.match(/-?\d[\d,]*(?:\.\d+)?(?:e-?\d+)?|-?\.\d+/gi) ?? []).map((m) => Number(m.replace(/,/g, ''))).filter(Number.isFinite);
}

/** The answer states `value` (some number in it within `tolerance` of it, absolute). */
export function statesNumber(answer: string, value: number, tolerance: number): boolean {
  return Number.isFinite(value) && numbersIn(answer).some((x) => Math.abs(x - value) <= tolerance);
}

export const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** A lab's DistRun columns as the kit's run table takes them (its rows carry the same record, settings and result). */
export const tableColumns = <S>(cols: Column<DistRun<S>>[]): Column<Run>[] => cols as unknown as Column<Run>[];

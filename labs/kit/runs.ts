/**
 * A lab's saved runs, read the same way in every lab: the store's RunRecord holds a one-shot run
 * (a simulation, an evaluation, a query) as a finished record whose params are the lab's settings
 * plus `result`, the few numbers the run table, the exercises and the summary read. Charts are not
 * stored: a run is a pure function of its settings and seed, so "Show" recomputes them exactly.
 *
 * Light on purpose (types and pure functions only): lab.ts files, loaded eagerly for the course
 * page, import it for their exercise checks.
 */
import type { RunRecord } from '../../src/lib/store/types';

/** The numbers (and short strings) kept with a run. */
export type Summary = Record<string, number | string>;

export interface LabRun<S = Record<string, number | string>, D = Summary> {
  record: RunRecord;
  id: string;
  name?: string;
  /** The run's name, or the end of its id: what tables and messages call it. */
  label: string;
  createdAt: number;
  durationMs: number;
  seed: number;
  settings: S;
  result: D;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/**
 * The finished runs among `runs`, with their settings and result. Reads both stored shapes:
 * params = { ...settings, result } (every lab now) and params = { settings, result } (the
 * experimentation labs' runs saved before the kit), so a learner's earlier runs still count.
 */
export function labRuns<S = Record<string, number | string>, D = Summary>(runs: readonly RunRecord[]): LabRun<S, D>[] {
  const out: LabRun<S, D>[] = [];
  for (const record of runs) {
    const p = record.params as Record<string, unknown> | undefined;
    if (record.status !== 'done' || !isObject(p) || !isObject(p.result)) continue;
    const { result, ...rest } = p;
    const settings = isObject(p.settings) && Object.keys(rest).length === 1 ? p.settings : rest;
    out.push({
      record, id: record.id, name: record.name, label: runLabel(record), createdAt: record.createdAt, durationMs: record.durationMs, seed: record.seed,
      settings: settings as S, result: result as D,
    });
  }
  return out;
}

export const runLabel = (r: { id: string; name?: string }): string => r.name ?? r.id.slice(-6);

/** A number kept with a run (NaN when absent or not a number). */
export function num(r: { result: object }, key: string): number {
  const v = (r.result as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : NaN;
}

/** A setting of a run as a number (settings from a link are numbers already; this reads either). */
export const setting = (r: { settings: object }, key: string): number => Number((r.settings as Record<string, unknown>)[key]);

/** Two runs with the same settings except the listed keys. */
export function sameExcept(a: LabRun<object, unknown>, b: LabRun<object, unknown>, keys: string[]): boolean {
  const sa = a.settings as Record<string, unknown>;
  const sb = b.settings as Record<string, unknown>;
  return Object.keys(sa).every((k) => keys.includes(k) || sa[k] === sb[k]);
}

/**
 * Shared pieces of the experimentation labs (ab-test, pitfalls, cuped, bandits, interleaving,
 * uplift): a settings field list that drives the controls, the URL and the per-field checks, and
 * the shape in which a simulation run is saved. Light on purpose: lab.ts files import it eagerly.
 */
import type { ParamSpec } from '../../src/lib/core/url-state';
import type { RunRecord } from '../../src/lib/store/types';

export type SettingValue = number | string;
export type Settings = Record<string, SettingValue>;

export interface Field {
  key: string;
  label: string;
  /** One line beside the control: what it does to the experiment. */
  explain: string;
  min?: number;
  max?: number;
  integer?: boolean;
  /** A text field (e.g. a list of rates) instead of a number. */
  text?: boolean;
  /** Heading of the group this field starts (pitfalls has several). */
  group?: string;
}

export function paramSpec(fields: Field[]): ParamSpec<Settings> {
  return Object.fromEntries(fields.map((f) => [f.key, { kind: f.text ? 'string' : 'number' }])) as ParamSpec<Settings>;
}

/** The message for one field's value, or '' when it is acceptable on its own. */
export function checkField(f: Field, v: SettingValue): string {
  if (f.text) return typeof v === 'string' && v.trim() !== '' ? '' : `${f.label} is empty.`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `${f.label} must be a number.`;
  if (f.integer && !Number.isInteger(v)) return `${f.label} must be a whole number.`;
  if (f.min !== undefined && v < f.min) return `${f.label} must be at least ${f.min}.`;
  if (f.max !== undefined && v > f.max) return `${f.label} must be at most ${f.max.toLocaleString('en')}.`;
  return '';
}

/** The field a library error message is about: the first field key it names. */
export function fieldOfMessage(fields: Field[], message: string): string | undefined {
  let best: { key: string; at: number } | undefined;
  for (const f of fields) {
    const at = message.search(new RegExp(`\\b${f.key}\\b`));
    if (at >= 0 && (!best || at < best.at)) best = { key: f.key, at };
  }
  return best?.key;
}

/**
 * How a simulation run is stored: a RunRecord with lab = the lab id, status 'done', and
 * params = { settings, result } where result is the run's digest (a few numbers). The training
 * fields of RunRecord (metrics, epochMetrics, final) stay empty. Exercise checks read these.
 */
export interface SimRun<S = Settings, D = Record<string, number>> {
  id: string;
  name?: string;
  createdAt: number;
  durationMs: number;
  settings: S;
  result: D;
}

export function simRuns<S = Settings, D = Record<string, number>>(runs: RunRecord[]): SimRun<S, D>[] {
  const out: SimRun<S, D>[] = [];
  for (const r of runs) {
    const p = r.params as { settings?: S; result?: D };
    if (r.status === 'done' && p?.settings && p?.result) out.push({ id: r.id, name: r.name, createdAt: r.createdAt, durationMs: r.durationMs, settings: p.settings, result: p.result });
  }
  return out;
}

export const runName = (r: { id: string; name?: string }) => r.name ?? r.id.slice(-6);
export const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)}%`;

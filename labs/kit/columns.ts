/**
 * Run-table columns: a header and how to read a row. The helpers write every number through
 * core/format, so a share is "85.5%", a time "3.2 s", a size "918.5 KiB" in every lab's table.
 */
import { count, fixed, formatBytes, formatDuration, pct } from '../../src/lib/core/format';
import { num, setting, type LabRun } from './runs';

/** A run-table column: its header and how to read a row; `wide` columns drop out on narrow screens. */
export interface Column<T> {
  label: string;
  value: (r: T) => string;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** Hidden below 640 px wide, so the table fits a phone. */
  wide?: boolean;
  title?: (r: T) => string;
}

/** Any lab's run: columns read settings and results by key. */
export type Run = LabRun<object, object>;
type Read = string | ((r: Run) => number);
const reader = (read: Read) => (typeof read === 'string' ? (r: Run) => num(r, read) : read);

/** Columns of a lab's runs; `read` is a result key or a function of the run. */
export const col = {
  /** A share, as a percentage. */
  pct: (label: string, read: Read, digits = 1): Column<Run> => ({ label, num: true, value: (r) => pct(reader(read)(r), digits) }),
  /** A number with fixed decimals. */
  fixed: (label: string, read: Read, digits = 3): Column<Run> => ({ label, num: true, value: (r) => fixed(reader(read)(r), digits) }),
  /** A whole count with thousands separators. */
  count: (label: string, read: Read): Column<Run> => ({ label, num: true, value: (r) => count(reader(read)(r)) }),
  /** Milliseconds, as a duration. */
  duration: (label: string, read: Read): Column<Run> => ({ label, num: true, value: (r) => formatDuration(reader(read)(r)) }),
  /** Bytes, in binary units. */
  bytes: (label: string, read: Read): Column<Run> => ({ label, num: true, value: (r) => formatBytes(reader(read)(r)) }),
  /** A setting, as it was set. */
  setting: (label: string, key: string): Column<Run> => ({ label, num: true, value: (r) => String((r.settings as Record<string, unknown>)[key] ?? '–') }),
  /** A numeric setting with thousands separators. */
  settingCount: (label: string, key: string): Column<Run> => ({ label, num: true, value: (r) => count(setting(r, key)) }),
  /** Any text from the run's kept numbers, typed as the lab's digest. */
  result: <D>(label: string, value: (d: D) => string): Column<Run> => ({ label, num: true, value: (r) => value(r.result as D) }),
  /** Any text. */
  text: (label: string, value: (r: Run) => string): Column<Run> => ({ label, value }),
};

/** The columns every lab's run table starts and ends with: which run, its seed, and how long it took. */
export const runColumns: Record<'name' | 'seed' | 'time', Column<Run>> = {
  name: { label: 'run', value: (r) => r.label, title: (r) => r.id },
  seed: { label: 'seed', num: true, value: (r) => String(r.seed) },
  time: { label: 'time', num: true, wide: true, value: (r) => formatDuration(r.durationMs) },
};

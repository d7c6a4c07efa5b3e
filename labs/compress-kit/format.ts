import { formatBytes } from '../../src/lib/core/format';

/** How the compression labs print numbers. */
export const pct = (x: number, digits = 1) => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : '–');
export const kib = (bytes: number) => formatBytes(bytes);
export const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(x < 1 ? 3 : 2)} ms` : '–');
export const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '–');
/** Difference of two accuracies in percentage points, signed. */
export const points = (a: number, b: number) => `${a - b >= 0 ? '+' : '−'}${Math.abs(100 * (a - b)).toFixed(1)} pts`;

/**
 * Axis and legend helpers for the line chart: tick labels that never repeat, integer steps on
 * integer axes, a colour per series that differs from its neighbours, and a series' latest value
 * for the legend (a legend that shows "--" until hover tells a touch user nothing).
 */

/** The chart palette (theme.css), in the order series take it. */
export const SERIES_COLORS = Array.from({ length: 8 }, (_, i) => `var(--series-${i + 1})`);

/** The i-th distinct series colour, cycling after eight. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[((i % SERIES_COLORS.length) + SERIES_COLORS.length) % SERIES_COLORS.length];
}

/** Tick steps uPlot may choose on an integer axis (epochs, rounds, days): 1, 2, 5, 10, 20, 50, … */
export const INTEGER_STEPS: number[] = Array.from({ length: 10 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** Whether every finite value is a whole number (and there is at least one). */
export function integerValued(values: ArrayLike<number | null>): boolean {
  let any = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) return false;
    any = true;
  }
  return any;
}

/** Axis names that count whole things, so their ticks are whole numbers even when points fall between. */
const COUNT_AXIS = /^(epochs?|steps?|rounds?|days?|updates?|iterations?|trials?|layers?|batch(es)?)\b/i;

/** Whether an axis gets integer ticks: by its name, or because all its values are whole. */
export function integerAxis(label: string, values: ArrayLike<number | null>): boolean {
  return COUNT_AXIS.test(label.trim()) || integerValued(values);
}

/**
 * Labels for tick positions, with the fewest decimals (up to 6) that show each tick's value and keep
 * neighbours distinct, so
 * a narrow range never reads "-0.001, -0.001, 0"; large and tiny magnitudes use exponent form.
 */
export function tickLabels(splits: number[]): string[] {
  const finite = splits.filter((v) => Number.isFinite(v));
  const big = Math.max(0, ...finite.map((v) => Math.abs(v)));
  const expo = big >= 1e6 || (big > 0 && big < 1e-4);
  const fmt = (v: number, d: number) => {
    if (!Number.isFinite(v)) return '';
    const s = expo ? v.toExponential(d) : v.toFixed(d);
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  };
  // Enough decimals that each label is within 1% of a tick gap of its value, and no two neighbours read alike.
  let gap = Infinity;
  for (let i = 1; i < finite.length; i++) gap = Math.min(gap, Math.abs(finite[i] - finite[i - 1]));
  const close = (l: string, v: number) => !Number.isFinite(v) || !Number.isFinite(gap) || Math.abs(Number(l) - v) <= gap * 0.01;
  for (let d = 0; d <= 6; d++) {
    const labels = splits.map((v) => fmt(v, d));
    if (labels.every((l, i) => close(l, splits[i]) && (i === 0 || l !== labels[i - 1]))) return labels;
  }
  // A range far narrower than its magnitude (0.1 to 0.1 + 1e-9): significant digits until distinct.
  for (let p = 7; p <= 15; p++) {
    const labels = splits.map((v) => (Number.isFinite(v) ? String(Number(v.toPrecision(p))) : ''));
    if (labels.every((l, i) => i === 0 || l !== labels[i - 1])) return labels;
  }
  return splits.map((v) => String(v));
}

/** The last finite point of a series, or undefined when it has none. */
export function latest(x: ArrayLike<number>, y: ArrayLike<number>): { x: number; y: number } | undefined {
  for (let i = Math.min(x.length, y.length) - 1; i >= 0; i--) if (Number.isFinite(y[i])) return { x: x[i], y: y[i] };
  return undefined;
}

/** A legend value: 3 significant digits, no exponent for ordinary numbers. */
export function legendValue(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Number(v.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** The lab's settings (cap, observation and label windows) and their check. */
import { DAY_MS, parseDay } from './dates';

export const PIPELINE_DEFAULTS = {
  /** Positive amounts above this quantile of all positive amounts are set to it (outliers stop dominating sums). */
  capPercentile: 0.99,
  /** Features use only rows from this day (inclusive, 'YYYY-MM-DD', UTC)… */
  observationStart: '2025-01-01',
  /** …to this day (exclusive). The cutoff: what a model would know on this day. */
  observationEnd: '2025-10-01',
  /** The label looks at purchases from this day (inclusive)… */
  labelStart: '2025-10-01',
  /** …to this day (exclusive). It must not overlap the observation window, or features see the label. */
  labelEnd: '2026-01-01',
};

export type PipelineOptions = typeof PIPELINE_DEFAULTS;

export interface Windows {
  obsStart: number;
  obsEnd: number;
  labelStart: number;
  labelEnd: number;
  /** Days the label window overlaps the observation window (0 when leakage-safe). */
  overlapDays: number;
}

export function windows(o: PipelineOptions): Windows {
  const w = {
    obsStart: parseDay(o.observationStart, 'observationStart'),
    obsEnd: parseDay(o.observationEnd, 'observationEnd'),
    labelStart: parseDay(o.labelStart, 'labelStart'),
    labelEnd: parseDay(o.labelEnd, 'labelEnd'),
  };
  if (!(w.obsStart < w.obsEnd)) throw new RangeError(`the observation window must end after it starts (${o.observationStart} → ${o.observationEnd})`);
  if (!(w.labelStart < w.labelEnd)) throw new RangeError(`the label window must end after it starts (${o.labelStart} → ${o.labelEnd})`);
  if (!(o.capPercentile >= 0.5 && o.capPercentile <= 1)) throw new RangeError(`capPercentile must lie in [0.5, 1], got ${o.capPercentile}`);
  const overlapDays = Math.max(0, (Math.min(w.obsEnd, w.labelEnd) - Math.max(w.obsStart, w.labelStart)) / DAY_MS);
  return { ...w, overlapDays };
}

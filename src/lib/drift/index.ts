/** Drift statistics and the per-day monitor (see docs/api.md, "Data and drift"). */
export * from './stats.ts';
export * from './detector.ts';

/** Drift statistics, the per-day monitor, and the same report as SQL (see docs/api.md, "Data and drift"). */
export * from './stats.ts';
export * from './detector.ts';
export * from './sql.ts';
export * from './alarms.ts';
export * from './retrain.ts';

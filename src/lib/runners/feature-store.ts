/**
 * Lab "Feature store": its settings, and its two tasks for the sim engine around the page's DuckDB
 * work: the retail year as tables to load (sales as CSV text, customers' signup days and the label
 * events as Arrow IPC), and the leakage measured on the two training sets the page's SQL built (a
 * model per join, scored on a held-out slice and on the later period).
 */
import { tableToIPC } from 'apache-arrow';
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { makeRetail } from '../data/retail';
import { FEATURE_STORE_DEFAULTS, customerDaysArrow, labelEventsArrow, measureLeakage, type LeakageResult, type Rows } from '../data/feature-views';

export interface FsSettings {
  seed: number;
  customers: number;
  snapshotEvery: number;
  onlineLagDays: number;
  onlineWindowDays: number;
  [key: string]: number | string;
}

export const defaults: FsSettings = { seed: 1, customers: 500, snapshotEvery: 7, onlineLagDays: 0, onlineWindowDays: 30 };

export const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 2 ** 31 - 1, step: 1, explain: 'Same seed, same customers and sales: a link reproduces the run.' },
  { key: 'customers', label: 'Customers', kind: 'number', integer: true, min: 100, max: 3000, step: 100, explain: 'Entities of the feature view; more customers, more label rows and steadier AUCs.' },
  { key: 'snapshotEvery', label: 'Snapshot every (days)', kind: 'number', integer: true, min: 1, max: 30, step: 1, explain: 'How often the feature view is materialised into the offline store: the point-in-time join can be no fresher.' },
  { key: 'onlineLagDays', label: 'Online store lag (days)', kind: 'number', integer: true, min: 0, max: 90, step: 1, explain: 'How long ago the online store was last refreshed, at the serving day (300): stale values are serving skew.' },
  { key: 'onlineWindowDays', label: 'Online pipeline window (days)', kind: 'number', integer: true, min: 7, max: 90, step: 1, explain: 'The online pipeline’s window for the recent features. The offline one uses 30: anything else is a skew bug.' },
];

/** The retail data with no dirt: this lab is about joins, not cleaning. */
const CLEAN = { missingCustomerId: 0, negativeAmount: 0, extremeAmount: 0, exactDuplicate: 0, updatedDuplicate: 0, badTimestamp: 0 };

export interface FsTables {
  salesCsv: string;
  customersIpc: Uint8Array;
  labelsIpc: Uint8Array;
  /** Label events, and how many of them are churns. */
  labels: number;
  positives: number;
}

/** The retail year (seeded) as the tables the page loads into DuckDB. */
export function run(ctx: TaskContext, s: FsSettings): FsTables {
  ctx.progress(0, 'generating the retail year and its label events');
  const o = { ...FEATURE_STORE_DEFAULTS, ...s };
  const retail = makeRetail({ seed: s.seed, customers: s.customers, dirt: CLEAN });
  const year = retail.options.year;
  const labels = labelEventsArrow(retail.customers, year, o);
  const churned = labels.getChild('churned')!.toArray() as Int32Array;
  return {
    salesCsv: retail.salesCsv,
    customersIpc: tableToIPC(customerDaysArrow(retail.customers, year), 'stream'),
    labelsIpc: tableToIPC(labels, 'stream'),
    labels: labels.numRows,
    positives: churned.reduce((a, b) => a + b, 0),
  };
}

export interface ScoreInput {
  settings: FsSettings;
  /** Training rows from the naive latest-value join and from the point-in-time ASOF join. */
  naive: Rows;
  pit: Rows;
}

/** The leakage of each join: a model trained on its rows, scored on validation and on the later period (point in time). */
export function score(ctx: TaskContext, input: ScoreInput): { naive: LeakageResult; pit: LeakageResult } {
  ctx.progress(0, 'training a model on each join');
  const o = { ...FEATURE_STORE_DEFAULTS, ...input.settings };
  return { naive: measureLeakage(input.naive, input.pit, o), pit: measureLeakage(input.pit, input.pit, o) };
}

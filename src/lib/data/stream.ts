/**
 * The monitoring lab's production stream: 90 days of a deployed conversion model's inputs,
 * predictions and late-arriving labels, with drift events injected on known days. The events'
 * ground truth comes back with the data so a detector can be scored (delay, false alarms).
 *
 * Generative story, per row: features from fixed distributions (shifted by the active events);
 * the deployed model's prediction p = σ(model logit), fitted to the pre-drift world; the label
 * y ~ Bernoulli(σ(true logit)), where the true logit equals the model's until a concept drift
 * changes the coefficients (P(y|x) moves, P(x) does not). The label arrives 1–14 days later.
 */
import { Table, makeVector, tableToIPC, vectorFromArray, Float64, Utf8 } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import { deriveSeed, mulberry32, type Rng } from '../core/rng.ts';
import { normalSampler, sampleGamma, type NormalSampler } from '../math/random.ts';
import { initParquet } from './parquet.ts';
import { sigmoid } from '../math/sigmoid.ts';

export const NUMERIC_FEATURES = ['age', 'income', 'sessions', 'basket_value', 'tenure_months'] as const;
export const CATEGORICAL_FEATURES = ['channel', 'region'] as const;
export type NumericFeature = (typeof NUMERIC_FEATURES)[number];
export type CategoricalFeature = (typeof CATEGORICAL_FEATURES)[number];
export type StreamFeature = NumericFeature | CategoricalFeature;

/** Category names; codes index these. 'marketplace' appears only through a new-category event. */
export const CATEGORIES: Record<CategoricalFeature, readonly string[]> = {
  channel: ['web', 'app', 'store', 'marketplace'],
  region: ['north', 'south', 'east', 'west'],
};
const CATEGORY_SHARES: Record<CategoricalFeature, readonly number[]> = {
  channel: [0.5, 0.35, 0.15, 0],
  region: [0.3, 0.25, 0.25, 0.2],
};

export type DriftKind = 'gradual-shift' | 'sudden-shift' | 'new-category' | 'missing-spike' | 'concept-drift';

/** One injected event: what changed, from which day, in which features. */
export interface DriftEvent {
  kind: DriftKind;
  /** First day (0-based) the event affects. */
  start: number;
  /** First day it no longer affects (= days for a lasting change). */
  end: number;
  /** Features whose distribution (or, for concept drift, whose effect on y) changes. */
  features: StreamFeature[];
  /**
   * Size: gradual/sudden shift, the shift of the feature's log-scale mean in reference standard
   * deviations (reached after `rampDays` for a gradual one); new category, its share; missing
   * spike, the null rate; concept drift, the new coefficient of the feature in the true logit.
   */
  magnitude: number;
  /** Days a gradual shift takes to reach its full size. */
  rampDays?: number;
  description: string;
}

export const STREAM_DEFAULTS = {
  seed: 7,
  days: 90,
  rowsPerDay: 2000,
  /** Rows of the training-time reference sample (pre-drift distribution, labelled). */
  referenceRows: 5000,
  /** Null rate of `age` when no event is active. */
  baselineNullRate: 0.01,
  /** Labels arrive uniformly 1..maxLabelDelay days after the prediction. */
  maxLabelDelay: 14,
  /** Extra numeric columns extra_01, extra_02, … (stable, standard normal, no event touches them). */
  extraFeatures: 0,
};

export const DEFAULT_EVENTS: readonly DriftEvent[] = [
  { kind: 'gradual-shift', start: 20, end: 90, rampDays: 30, features: ['income'], magnitude: 1, description: 'incomes rise steadily: +1 sd of log income over 30 days' },
  { kind: 'sudden-shift', start: 40, end: 90, features: ['basket_value'], magnitude: 1, description: 'a pricing change: basket values jump by 1 sd (log scale) overnight' },
  { kind: 'new-category', start: 55, end: 90, features: ['channel'], magnitude: 0.12, description: 'a new sales channel, "marketplace", brings 12% of traffic' },
  { kind: 'missing-spike', start: 65, end: 68, features: ['age'], magnitude: 0.3, description: 'a broken form field: 30% of ages missing for 3 days' },
  { kind: 'concept-drift', start: 75, end: 90, features: ['sessions'], magnitude: -0.8, description: 'frequent visitors stop converting: the effect of sessions on conversion flips; their distribution does not change' },
];

export interface StreamOptions {
  /** Seed of every random draw. */
  seed?: number;
  days?: number;
  rowsPerDay?: number;
  referenceRows?: number;
  baselineNullRate?: number;
  maxLabelDelay?: number;
  /**
   * Extra stable numeric columns (extra_01 …), drawn from their own seeded streams so the other
   * columns keep the same numbers; the benchmark widens the stream to 20 features with them.
   */
  extraFeatures?: number;
  /** Events to inject (default DEFAULT_EVENTS). */
  events?: readonly DriftEvent[];
}

/** Rows of the stream or of the reference, column by column. */
export interface StreamTable {
  n: number;
  /** Day of the prediction (−1 for the reference sample). */
  day: Int16Array;
  /** Numeric features; NaN marks a missing value. */
  numeric: Record<NumericFeature, Float64Array>;
  /** Category codes into CATEGORIES[feature]. */
  categorical: Record<CategoricalFeature, Uint8Array>;
  /** The deployed model's predicted conversion probability. */
  prediction: Float64Array;
  /** The true outcome (1 = converted). */
  label: Uint8Array;
  /** Day the label arrives (day + 1..maxLabelDelay); may lie past the last day. */
  labelDay: Int16Array;
  /** Extra numeric columns by name (empty unless StreamOptions.extraFeatures). */
  extra: Record<string, Float64Array>;
}

export interface ProductionStream {
  options: Required<Omit<StreamOptions, 'events'>>;
  events: DriftEvent[];
  reference: StreamTable;
  /** All days' rows, ordered by day; day d is rows [dayStart[d], dayStart[d+1]). */
  stream: StreamTable;
  dayStart: Int32Array;
}

/** Log-scale location and scale of each numeric feature before any event. */
const BASE = {
  age: { mu: 40, sd: 12 },
  income: { mu: Math.log(50_000), sd: 0.5 },
  basket_value: { mu: Math.log(60), sd: 0.6 },
  tenure_months: { mean: 24 },
  sessions: { shape: 2, scale: 1.5 },
};

/** The deployed model: a logistic regression on standardised features (its training-time fit). */
export const MODEL = {
  intercept: -1.2,
  sessions: 0.8,
  tenure: -0.5,
  basket: 0.4,
  income: 0.2,
  age: -0.2,
  app: 0.3,
  store: -0.3,
};
const Z = { sessions: { m: 3, s: 2.1 }, tenure: { m: 24, s: 24 }, basket: { m: Math.log(60), s: 0.6 }, income: { m: Math.log(50_000), s: 0.5 }, age: { m: 40, s: 12 } };

function active(e: DriftEvent, day: number): boolean {
  return day >= e.start && day < e.end;
}

function pick(shares: readonly number[], u: number): number {
  let acc = 0;
  for (let k = 0; k < shares.length; k++) {
    acc += shares[k];
    if (u < acc) return k;
  }
  return shares.length - 1;
}

function emptyTable(n: number): StreamTable {
  const numeric = Object.fromEntries(NUMERIC_FEATURES.map((f) => [f, new Float64Array(n)])) as Record<NumericFeature, Float64Array>;
  const categorical = Object.fromEntries(CATEGORICAL_FEATURES.map((f) => [f, new Uint8Array(n)])) as Record<CategoricalFeature, Uint8Array>;
  return { n, day: new Int16Array(n), numeric, categorical, prediction: new Float64Array(n), label: new Uint8Array(n), labelDay: new Int16Array(n), extra: {} };
}

/** Names of the extra columns: extra_01 … */
export function extraFeatureNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `extra_${String(i + 1).padStart(2, '0')}`);
}

/** Fill the extra columns of rows [from, from+count) from their own stream (rng), N(0, 1) rounded to 3 decimals. */
function fillExtra(t: StreamTable, names: string[], from: number, count: number, normal: NormalSampler): void {
  for (const name of names) {
    const xs = (t.extra[name] ??= new Float64Array(t.n));
    for (let i = from; i < from + count; i++) xs[i] = Math.round(normal() * 1000) / 1000;
  }
}

/** Fill rows [from, from+count) of t for one day (−1: the reference), under the events active that day. */
function fillDay(t: StreamTable, from: number, count: number, day: number, events: readonly DriftEvent[], o: ProductionStream['options'], rng: Rng, normal: NormalSampler): void {
  const on = events.filter((e) => day >= 0 && active(e, day));
  const shift = (f: StreamFeature) => {
    let s = 0;
    for (const e of on) {
      if (!e.features.includes(f)) continue;
      if (e.kind === 'sudden-shift') s += e.magnitude;
      if (e.kind === 'gradual-shift') s += e.magnitude * Math.min(1, (day - e.start + 1) / (e.rampDays ?? 1));
    }
    return s;
  };
  const nullRate = on.find((e) => e.kind === 'missing-spike' && e.features.includes('age'))?.magnitude ?? o.baselineNullRate;
  const newShare = on.find((e) => e.kind === 'new-category' && e.features.includes('channel'))?.magnitude ?? 0;
  const concept = on.find((e) => e.kind === 'concept-drift' && e.features.includes('sessions'));
  const incomeShift = shift('income') * BASE.income.sd;
  const basketShift = shift('basket_value') * BASE.basket_value.sd;
  const channelShares = CATEGORY_SHARES.channel.map((s, k) => (k === 3 ? newShare : s * (1 - newShare)));

  for (let i = from; i < from + count; i++) {
    const age = Math.round(Math.min(90, Math.max(18, BASE.age.mu + BASE.age.sd * normal())));
    const ageMissing = rng() < nullRate;
    const income = Math.round(Math.exp(BASE.income.mu + incomeShift + BASE.income.sd * normal()) / 100) * 100;
    const sessions = Math.round(sampleGamma(BASE.sessions.shape, rng, normal) * BASE.sessions.scale * 10) / 10;
    const basket = Math.round(Math.exp(BASE.basket_value.mu + basketShift + BASE.basket_value.sd * normal()) * 100) / 100;
    const tenure = Math.floor(-BASE.tenure_months.mean * Math.log(1 - rng()));
    const channel = pick(channelShares, rng());
    const region = pick(CATEGORY_SHARES.region, rng());

    // The model imputes a missing age with its training mean and treats an unseen channel as 'web'.
    const zAge = ageMissing ? 0 : (age - Z.age.m) / Z.age.s;
    const zs = (sessions - Z.sessions.m) / Z.sessions.s;
    const zt = (tenure - Z.tenure.m) / Z.tenure.s;
    const zb = (Math.log(basket) - Z.basket.m) / Z.basket.s;
    const zi = (Math.log(income) - Z.income.m) / Z.income.s;
    const rest = MODEL.intercept + MODEL.tenure * zt + MODEL.basket * zb + MODEL.income * zi + MODEL.age * zAge + (channel === 1 ? MODEL.app : 0) + (channel === 2 ? MODEL.store : 0);
    const modelLogit = rest + MODEL.sessions * zs;
    const trueLogit = rest + (concept ? concept.magnitude : MODEL.sessions) * zs;

    t.day[i] = day;
    t.numeric.age[i] = ageMissing ? NaN : age;
    t.numeric.income[i] = income;
    t.numeric.sessions[i] = sessions;
    t.numeric.basket_value[i] = basket;
    t.numeric.tenure_months[i] = tenure;
    t.categorical.channel[i] = channel;
    t.categorical.region[i] = region;
    t.prediction[i] = sigmoid(modelLogit);
    t.label[i] = rng() < sigmoid(trueLogit) ? 1 : 0;
    t.labelDay[i] = day + 1 + Math.floor(rng() * o.maxLabelDelay);
  }
}

function checkEvents(events: readonly DriftEvent[], days: number): void {
  for (const e of events) {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end > e.start && e.end <= days)) {
      throw new RangeError(`event ${e.kind}: days [${e.start}, ${e.end}) must lie within [0, ${days})`);
    }
  }
}

/** Generate the stream and its reference sample. Same options, same numbers, on every engine. */
export function makeStream(opts: StreamOptions = {}): ProductionStream {
  const { events = DEFAULT_EVENTS, ...rest } = opts;
  const o = { ...STREAM_DEFAULTS, ...rest };
  if (!(Number.isInteger(o.days) && o.days > 0 && o.days <= 366)) throw new RangeError(`days must be a whole number in 1..366, got ${o.days}`);
  if (!(Number.isInteger(o.rowsPerDay) && o.rowsPerDay > 0)) throw new RangeError(`rowsPerDay must be a positive whole number, got ${o.rowsPerDay}`);
  if (!(Number.isInteger(o.referenceRows) && o.referenceRows > 0)) throw new RangeError(`referenceRows must be a positive whole number, got ${o.referenceRows}`);
  if (!(Number.isInteger(o.extraFeatures) && o.extraFeatures >= 0 && o.extraFeatures <= 99)) throw new RangeError(`extraFeatures must be a whole number in 0..99, got ${o.extraFeatures}`);
  checkEvents(events, o.days);
  const extra = extraFeatureNames(o.extraFeatures);

  const refRng = mulberry32(deriveSeed(o.seed, 1));
  const reference = emptyTable(o.referenceRows);
  fillDay(reference, 0, o.referenceRows, -1, events, o, refRng, normalSampler(refRng));
  fillExtra(reference, extra, 0, o.referenceRows, normalSampler(mulberry32(deriveSeed(o.seed, 2))));

  const stream = emptyTable(o.days * o.rowsPerDay);
  const dayStart = new Int32Array(o.days + 1);
  for (let d = 0; d < o.days; d++) {
    dayStart[d] = d * o.rowsPerDay;
    const rng = mulberry32(deriveSeed(o.seed, 1000 + d)); // one stream per day: a day does not depend on the others
    fillDay(stream, dayStart[d], o.rowsPerDay, d, events, o, rng, normalSampler(rng));
    fillExtra(stream, extra, dayStart[d], o.rowsPerDay, normalSampler(mulberry32(deriveSeed(o.seed, 5000 + d))));
  }
  dayStart[o.days] = o.days * o.rowsPerDay;
  return { options: o, events: events.map((e) => ({ ...e, features: [...e.features] })), reference, stream, dayStart };
}

/** Rows [from, to) of a table as a copy (a day: rowsOfDay). */
export function sliceTable(t: StreamTable, from: number, to: number): StreamTable {
  const numeric = Object.fromEntries(NUMERIC_FEATURES.map((f) => [f, t.numeric[f].slice(from, to)])) as StreamTable['numeric'];
  const categorical = Object.fromEntries(CATEGORICAL_FEATURES.map((f) => [f, t.categorical[f].slice(from, to)])) as StreamTable['categorical'];
  return {
    n: to - from,
    day: t.day.slice(from, to),
    numeric,
    categorical,
    prediction: t.prediction.slice(from, to),
    label: t.label.slice(from, to),
    labelDay: t.labelDay.slice(from, to),
    extra: Object.fromEntries(Object.entries(t.extra).map(([k, xs]) => [k, xs.slice(from, to)])),
  };
}

/** One day's rows. */
export function dayRows(s: ProductionStream, day: number): StreamTable {
  return sliceTable(s.stream, s.dayStart[day], s.dayStart[day + 1]);
}

/** An Arrow table: numeric features as float64 with nulls, categories as strings. */
export function streamToArrow(t: StreamTable): Table {
  const cols: Record<string, ReturnType<typeof makeVector>> = { day: makeVector(t.day) };
  for (const f of NUMERIC_FEATURES) {
    const xs = t.numeric[f];
    cols[f] = vectorFromArray(Array.from(xs, (x) => (Number.isNaN(x) ? null : x)), new Float64());
  }
  for (const f of CATEGORICAL_FEATURES) {
    cols[f] = vectorFromArray(Array.from(t.categorical[f], (c) => CATEGORIES[f][c]), new Utf8());
  }
  for (const [name, xs] of Object.entries(t.extra)) cols[name] = makeVector(xs);
  cols.prediction = makeVector(t.prediction);
  cols.label = makeVector(t.label);
  cols.label_day = makeVector(t.labelDay);
  return new Table(cols);
}

/** Arrow table → Parquet bytes (parquet-wasm, its default writer settings). */
export async function arrowToParquet(table: Table): Promise<Uint8Array> {
  await initParquet();
  return parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(tableToIPC(table, 'stream')));
}

/** The daily partitions, day_000.parquet … as { name, bytes }, plus reference.parquet first. */
export async function streamToParquet(s: ProductionStream): Promise<{ name: string; bytes: Uint8Array }[]> {
  const files = [{ name: 'reference.parquet', bytes: await arrowToParquet(streamToArrow(s.reference)) }];
  for (let d = 0; d < s.options.days; d++) {
    files.push({ name: `day_${String(d).padStart(3, '0')}.parquet`, bytes: await arrowToParquet(streamToArrow(dayRows(s, d))) });
  }
  return files;
}

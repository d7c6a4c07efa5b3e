/**
 * Continuous training over the drift lab's production stream: the drift monitor (drift/detector's
 * monitorStream) raises alarms day by day; an alarm (after a cool-down) triggers a retrain of the
 * drift lab's logistic model (drift/retrain's fit) on the last `windowDays` of labelled rows, except
 * the newest `holdoutDays`, which both the challenger and the champion are scored on. The challenger
 * is promoted only if it passes every production-readiness gate:
 *
 *   accuracy    challenger ≥ champion + minAccuracyGain (on the same holdout rows)
 *   calibration ECE (10 bins) ≤ maxEce
 *   fairness    largest gap in positive-prediction rate between regions ≤ maxParityGap
 *   latency     scoring time per 1,000 rows ≤ maxLatencyMs (median of 5 timings)
 *   size        bytes of the weights and the scaler ≤ champion's × maxSizeRatio
 *
 * Every step is a registry event (register, challenger alias, champion move, deploy) on the clock of
 * the replay, so the lineage runs dataset (the window's rows, hashed) → retraining run → version →
 * deployment, and the history says which gate refused a challenger.
 */
import { DEFAULT_EVENTS, makeStream, type ProductionStream } from '../data/stream';
import { monitorStream } from '../drift/detector';
import { fit, fitScaler, row, RETRAIN_FEATURES, type Scaler } from '../drift/retrain';
import { expectedCalibrationError } from '../eval/calibration';
import { sigmoid } from '../math/sigmoid';
import type { RunRecord } from '../store/types';
import { fail } from './errors';
import { sha256 } from './hash';
import { layoutGraph, type GraphLayout } from './layout';
import { lineageGraph, lineageOf, versionNode, type LineageGraph } from './lineage';
import { describeEvent, ModelRegistry, type RegistryEvent } from './registry';

export interface Gates {
  /** The challenger's holdout accuracy minus the champion's must be at least this (negative: a small loss is tolerated). */
  minAccuracyGain: number;
  maxEce: number;
  maxParityGap: number;
  maxLatencyMs: number;
  maxSizeRatio: number;
}

export const GATE_DEFAULTS: Gates = { minAccuracyGain: 0.005, maxEce: 0.05, maxParityGap: 0.1, maxLatencyMs: 5, maxSizeRatio: 1.5 };

export interface ContinuousOptions {
  seed: number;
  /** Days of the stream replayed. */
  days: number;
  rowsPerDay: number;
  /** Labelled rows of this many days train a challenger (labels arrive 1–14 days late). */
  windowDays: number;
  /** The newest labelled days of the window are held out: challenger and champion are scored there. */
  holdoutDays: number;
  /** Days after a retrain before an alarm may trigger another. */
  cooldownDays: number;
  gates: Gates;
  /** Model name in the registry. */
  model: string;
}

export const CONTINUOUS_DEFAULTS: ContinuousOptions = { seed: 7, days: 60, rowsPerDay: 1000, windowDays: 21, holdoutDays: 5, cooldownDays: 7, gates: GATE_DEFAULTS, model: 'stream-conversion' };

export interface GateCheck {
  gate: keyof Gates;
  challenger: number;
  champion: number;
  limit: number;
  passed: boolean;
}

export interface Retrain {
  day: number;
  /** What triggered it: the day's alarms, e.g. "income psi 0.31". */
  trigger: string;
  trainRows: number;
  holdoutRows: number;
  dataHash: string;
  version: number;
  gates: GateCheck[];
  promoted: boolean;
}

export interface ContinuousResult {
  days: number;
  /** Days on which the monitor raised any alarm. */
  alarmDays: number[];
  retrains: Retrain[];
  /** Accuracy of the serving model on each day's rows, with continuous training and with the first model kept. */
  accuracy: { withCt: Float64Array; without: Float64Array };
  meanAccuracy: { withCt: number; without: number };
  /** The champion version serving each day. */
  champion: Int16Array;
  history: string[];
  events: RegistryEvent[];
  /** Lineage of the last champion: dataset → run → version → deployment, and where to draw it. */
  lineage: LineageGraph;
  lineageLayout: GraphLayout;
}

const DAY = 24 * 3600_000;
const START = Date.UTC(2025, 2, 3);
const D = RETRAIN_FEATURES.length;

interface Model {
  beta: Float64Array;
  sc: Scaler;
}

function probs(s: ProductionStream, rows: ArrayLike<number>, m: Model): Float64Array {
  const out = new Float64Array(rows.length);
  const r = new Float64Array(D);
  for (let k = 0; k < rows.length; k++) {
    row(s.stream, rows[k], m.sc, r);
    let z = 0;
    for (let j = 0; j < D; j++) z += m.beta[j] * r[j];
    out[k] = sigmoid(z);
  }
  return out;
}

const accuracyOf = (y: ArrayLike<number>, p: ArrayLike<number>) => {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += Number(p[i] >= 0.5) === y[i] ? 1 : 0;
  return y.length ? ok / y.length : NaN;
};

/** Largest difference in positive-prediction rate between two regions. */
function parityGap(s: ProductionStream, rows: ArrayLike<number>, p: ArrayLike<number>): number {
  const pos = new Float64Array(8);
  const n = new Float64Array(8);
  for (let k = 0; k < rows.length; k++) {
    const g = s.stream.categorical.region[rows[k]];
    n[g]++;
    pos[g] += p[k] >= 0.5 ? 1 : 0;
  }
  const rates = [...n.keys()].filter((g) => n[g] > 0).map((g) => pos[g] / n[g]);
  return rates.length ? Math.max(...rates) - Math.min(...rates) : 0;
}

/** Median of 5 timings of scoring the rows, per 1,000 rows. */
function latencyMs(s: ProductionStream, rows: ArrayLike<number>, m: Model): number {
  const t: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    probs(s, rows, m);
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return (t[2] / Math.max(1, rows.length)) * 1000;
}

const sizeOf = (m: Model) => 8 * (m.beta.length + m.sc.m.length + m.sc.s.length);

export function checkContinuous(o: ContinuousOptions): void {
  if (!(Number.isInteger(o.days) && o.days >= 10 && o.days <= 90)) fail('days', `days must be a whole number from 10 to 90; it is ${o.days}.`);
  if (!(o.holdoutDays >= 1 && o.holdoutDays < o.windowDays)) fail('holdoutDays', `The holdout (${o.holdoutDays} days) must be at least 1 day and shorter than the window (${o.windowDays} days).`);
}

/** Replay the stream with the monitor, retrains, gates and promotions. Deterministic but for the measured latency. */
export function continuousTraining(opts: Partial<ContinuousOptions> = {}): ContinuousResult {
  const o: ContinuousOptions = { ...CONTINUOUS_DEFAULTS, ...opts, gates: { ...GATE_DEFAULTS, ...opts.gates } };
  checkContinuous(o);
  // The drift lab's events, cut to the replayed days.
  const events = DEFAULT_EVENTS.filter((e) => e.start < o.days).map((e) => ({ ...e, end: Math.min(e.end, o.days) }));
  const s = makeStream({ seed: o.seed, days: o.days, rowsPerDay: o.rowsPerDay, events });
  const report = monitorStream(s);
  const alarmsOn = new Map<number, string[]>();
  for (const a of report.alarms) alarmsOn.set(a.day, [...(alarmsOn.get(a.day) ?? []), `${a.feature} ${a.check} ${a.value.toFixed(3)}`]);
  const sc = fitScaler(s.reference);
  const first: Model = { beta: fit(s.reference, Array.from({ length: s.reference.n }, (_, i) => i), sc), sc };
  const reg = new ModelRegistry();
  const at = (day: number, hour: number) => START + day * DAY + hour * 3600_000;
  const ct = { actor: 'continuous-training' };
  const runs: Pick<RunRecord, 'id' | 'lab' | 'dataHash' | 'name'>[] = [{ id: 'ct-reference', lab: 'continuous-training', dataHash: sha256(`reference:${o.seed}`), name: 'reference fit' }];
  reg.register(o.model, 'ct-reference', { ...ct, at: at(-1, 0), dataHash: runs[0].dataHash, lab: 'continuous-training' });
  reg.setAlias(o.model, 'champion', 1, { ...ct, at: at(-1, 1), note: 'the first model' });
  reg.deploy(o.model, 1, 'serving', { ...ct, at: at(-1, 2) });

  let champion = first;
  let championVersion = 1;
  let last = -Infinity;
  const withCt = new Float64Array(o.days);
  const without = new Float64Array(o.days);
  const serving = new Int16Array(o.days);
  const retrains: Retrain[] = [];
  for (let d = 0; d < o.days; d++) {
    const rows = Int32Array.from({ length: s.dayStart[d + 1] - s.dayStart[d] }, (_, k) => s.dayStart[d] + k);
    const y = rows.map((i) => s.stream.label[i]);
    withCt[d] = accuracyOf(y, probs(s, rows, champion));
    without[d] = accuracyOf(y, probs(s, rows, first));
    serving[d] = championVersion;
    const alarms = alarmsOn.get(d);
    if (!alarms || d - last < o.cooldownDays || d === o.days - 1) continue;
    // Labelled by day d, predicted in (d − window, d]: the newest holdoutDays score, the rest train.
    const train: number[] = [];
    const hold: number[] = [];
    for (let i = s.dayStart[Math.max(0, d - o.windowDays + 1)]; i < s.dayStart[d + 1]; i++) {
      if (s.stream.labelDay[i] > d) continue;
      (s.stream.day[i] > d - o.holdoutDays ? hold : train).push(i);
    }
    if (train.length < 300 || hold.length < 100) continue;
    last = d;
    const challenger: Model = { beta: fit(s.stream, train, sc), sc };
    const dataHash = sha256(`${o.seed}:${o.rowsPerDay}:${train[0]}-${train[train.length - 1]}:${train.length}`);
    const runId = `ct-retrain-day${d + 1}`;
    runs.push({ id: runId, lab: 'continuous-training', dataHash, name: `retrain after day ${d + 1}` });
    reg.register(o.model, runId, { ...ct, at: at(d, 20), dataHash, lab: 'continuous-training', note: `triggered by ${alarms.slice(0, 2).join(', ')}` });
    const version = reg.model(o.model)!.versions.length;
    const yh = hold.map((i) => s.stream.label[i]);
    const pc = probs(s, hold, challenger);
    const pp = probs(s, hold, champion);
    const g = o.gates;
    const accC = accuracyOf(yh, pc);
    const accP = accuracyOf(yh, pp);
    const gates: GateCheck[] = [
      { gate: 'minAccuracyGain', challenger: accC, champion: accP, limit: accP + g.minAccuracyGain, passed: accC >= accP + g.minAccuracyGain },
      { gate: 'maxEce', challenger: expectedCalibrationError(yh, pc), champion: expectedCalibrationError(yh, pp), limit: g.maxEce, passed: false },
      { gate: 'maxParityGap', challenger: parityGap(s, hold, pc), champion: parityGap(s, hold, pp), limit: g.maxParityGap, passed: false },
      { gate: 'maxLatencyMs', challenger: latencyMs(s, hold, challenger), champion: latencyMs(s, hold, champion), limit: g.maxLatencyMs, passed: false },
      { gate: 'maxSizeRatio', challenger: sizeOf(challenger), champion: sizeOf(champion), limit: sizeOf(champion) * g.maxSizeRatio, passed: false },
    ];
    for (const x of gates.slice(1)) x.passed = x.challenger <= x.limit;
    const failed = gates.filter((x) => !x.passed).map((x) => GATE_NAMES[x.gate]);
    const promoted = failed.length === 0;
    if (promoted) {
      reg.setAlias(o.model, 'champion', version, { ...ct, at: at(d, 21), note: `passes every gate: accuracy ${accC.toFixed(3)} vs ${accP.toFixed(3)}` });
      reg.deploy(o.model, version, 'serving', { ...ct, at: at(d, 22) });
      champion = challenger;
      championVersion = version;
    } else {
      reg.setAlias(o.model, 'challenger', version, { ...ct, at: at(d, 21), note: `not promoted: fails ${failed.join(', ')}` });
    }
    retrains.push({ day: d + 1, trigger: alarms.slice(0, 3).join(', '), trainRows: train.length, holdoutRows: hold.length, dataHash, version, gates, promoted });
  }
  const log = [...reg.events];
  const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const full = lineageGraph(runs as RunRecord[], log);
  const lineage = lineageOf(full, versionNode(o.model, championVersion));
  return {
    days: o.days, alarmDays: [...alarmsOn.keys()].sort((a, b) => a - b).map((d) => d + 1), retrains,
    accuracy: { withCt, without }, meanAccuracy: { withCt: mean(withCt), without: mean(without) }, champion: serving,
    history: log.map(describeEvent), events: log, lineage, lineageLayout: layoutGraph(lineage.nodes.map((n) => ({ id: n.id, width: 170 })), lineage.edges),
  };
}

export const GATE_NAMES: Record<keyof Gates, string> = {
  minAccuracyGain: 'accuracy', maxEce: 'calibration (ECE)', maxParityGap: 'fairness gap', maxLatencyMs: 'latency', maxSizeRatio: 'size',
};

/**
 * Uplift modelling on a simulated campaign. Users have two features x1, x2 ~ U(0, 1). Base
 * conversion p0 = 0.03 + 0.12·x2. Persuadables (x1 above 1 − persuadableShare) convert
 * `persuadableLift` more when treated; sleeping dogs (x2 above 1 − sleepingDogShare, not
 * persuadable) convert `sleepingDogHarm` less. Half the users are treated at random.
 *
 * T-learner: one logistic model per arm, uplift = p̂_T(x) − p̂_C(x). S-learner: one model on the
 * features plus a treatment flag, uplift = p̂(x, 1) − p̂(x, 0); with no feature × treatment terms its
 * uplift can only vary through the curvature of the sigmoid, the classic way an S-learner
 * "regularises away" heterogeneity. Models are fitted on a training half and judged on the other.
 *
 * Qini curve (Radcliffe 2007): target the top share φ by predicted uplift; Q(φ) = Y_T(φ) − Y_C(φ)·N_T(φ)/N_C(φ),
 * Y the conversions and N the users of each arm among those targeted.
 */
import { mulberry32 } from '../core/rng';
import { checkFinite, checkInteger, fail } from './errors';
import { fitLogistic, predictLogistic } from '../math/logistic';
import { quietContext, type TaskContext } from '../core/task';

export const QINI_POINTS = 50;
const D_BASE = 6; // 1, x1, x2, x1², x2², x1·x2

export interface UpliftSettings {
  users: number;
  persuadableShare: number;
  persuadableLift: number;
  sleepingDogShare: number;
  sleepingDogHarm: number;
  /** Cost of treating one user and value of one conversion, for the targeting comparison. */
  costPerContact: number;
  valuePerConversion: number;
  seed: number;
}

export interface UpliftResult {
  /** Targeted share of the test half, 0..1. */
  share: Float64Array;
  /** Qini curves (incremental conversions, in test-half users) for each ordering; random is the straight line. */
  qiniT: Float64Array;
  qiniS: Float64Array;
  qiniOracle: Float64Array;
  qiniRandom: Float64Array;
  /** Area between each curve and the random line, over the share axis. */
  qiniAreaT: number;
  qiniAreaS: number;
  qiniAreaOracle: number;
  /** Expected profit (from the true uplift) of treating the top share by each ordering. */
  profitT: Float64Array;
  profitS: Float64Array;
  profitOracle: Float64Array;
  /** Best share and its profit for the T-learner; treating all and none for comparison. */
  bestShareT: number;
  bestProfitT: number;
  profitTreatAll: number;
  /** Expected incremental conversions from treating everyone in the test half. */
  incrementalTreatAll: number;
  testUsers: number;
}

export function validateUplift(s: UpliftSettings): void {
  checkInteger('users', s.users, 200);
  if (s.users > 200_000) fail(`users must be at most 200,000, got ${s.users}`);
  for (const k of ['persuadableShare', 'sleepingDogShare'] as const) if (!(s[k] >= 0 && s[k] <= 1)) fail(`${k} must lie in [0, 1], got ${s[k]}`);
  if (!(s.persuadableLift >= 0 && s.persuadableLift <= 0.8)) fail(`persuadableLift must lie in [0, 0.8], got ${s.persuadableLift}`);
  if (!(s.sleepingDogHarm >= 0 && s.sleepingDogHarm <= 0.03)) fail(`sleepingDogHarm must lie in [0, 0.03] (base conversion is at least 0.03), got ${s.sleepingDogHarm}`);
  checkFinite('costPerContact', s.costPerContact);
  checkFinite('valuePerConversion', s.valuePerConversion);
  checkFinite('seed', s.seed);
}

/** True conversion probabilities without and with treatment. */
export function upliftTruth(s: Pick<UpliftSettings, 'persuadableShare' | 'persuadableLift' | 'sleepingDogShare' | 'sleepingDogHarm'>, x1: number, x2: number): [number, number] {
  const p0 = 0.03 + 0.12 * x2;
  if (x1 > 1 - s.persuadableShare) return [p0, p0 + s.persuadableLift];
  if (x2 > 1 - s.sleepingDogShare) return [p0, p0 - s.sleepingDogHarm];
  return [p0, p0];
}

function features(x1: number, x2: number, out: Float64Array, at: number): void {
  out[at] = 1;
  out[at + 1] = x1;
  out[at + 2] = x2;
  out[at + 3] = x1 * x1;
  out[at + 4] = x2 * x2;
  out[at + 5] = x1 * x2;
}

/** Qini curve of an ordering (indices, best first) at QINI_POINTS + 1 shares. */
export function qiniCurve(order: ArrayLike<number>, treated: ArrayLike<number>, y: ArrayLike<number>, points = QINI_POINTS): Float64Array {
  const n = order.length;
  const out = new Float64Array(points + 1);
  let yT = 0;
  let yC = 0;
  let nT = 0;
  let nC = 0;
  let i = 0;
  for (let k = 1; k <= points; k++) {
    const upto = Math.round((k * n) / points);
    for (; i < upto; i++) {
      const u = order[i];
      if (treated[u]) {
        nT++;
        yT += y[u];
      } else {
        nC++;
        yC += y[u];
      }
    }
    out[k] = nC > 0 ? yT - (yC * nT) / nC : yT;
  }
  return out;
}

function area(curve: Float64Array, random: Float64Array): number {
  let a = 0;
  for (let k = 1; k < curve.length; k++) a += (curve[k] - random[k] + curve[k - 1] - random[k - 1]) / 2 / (curve.length - 1);
  return a;
}

export async function simulateUplift(s: UpliftSettings, ctx: TaskContext = quietContext): Promise<UpliftResult> {
  validateUplift(s);
  const rng = mulberry32(s.seed);
  const n = s.users;
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const t = new Uint8Array(n);
  const y = new Uint8Array(n);
  const tau = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = rng();
    x2[i] = rng();
    t[i] = rng() < 0.5 ? 1 : 0;
    const [p0, p1] = upliftTruth(s, x1[i], x2[i]);
    tau[i] = p1 - p0;
    y[i] = rng() < (t[i] ? p1 : p0) ? 1 : 0;
  }
  const nTrain = Math.floor(n / 2);
  // T-learner: one model per arm on the training half.
  const fitArm = (arm: number) => {
    const rows = [];
    for (let i = 0; i < nTrain; i++) if (t[i] === arm) rows.push(i);
    const X = new Float64Array(rows.length * D_BASE);
    rows.forEach((r, j) => features(x1[r], x2[r], X, j * D_BASE));
    return fitLogistic(X, rows.map((r) => y[r]), D_BASE);
  };
  const bC = fitArm(0);
  await ctx.tick(0.3);
  const bT = fitArm(1);
  await ctx.tick(0.6);
  // S-learner: one model, treatment as a feature.
  const DS = D_BASE + 1;
  const XS = new Float64Array(nTrain * DS);
  for (let i = 0; i < nTrain; i++) {
    features(x1[i], x2[i], XS, i * DS);
    XS[i * DS + D_BASE] = t[i];
  }
  const bS = fitLogistic(XS, y.subarray(0, nTrain), DS);
  await ctx.tick(0.85);

  const m = n - nTrain;
  const predT = new Float64Array(m);
  const predS = new Float64Array(m);
  const row = new Float64Array(DS);
  for (let j = 0; j < m; j++) {
    const i = nTrain + j;
    features(x1[i], x2[i], row, 0);
    const base = row.subarray(0, D_BASE);
    predT[j] = predictLogistic(bT, base) - predictLogistic(bC, base);
    row[D_BASE] = 1;
    const s1 = predictLogistic(bS, row);
    row[D_BASE] = 0;
    predS[j] = s1 - predictLogistic(bS, row);
  }
  const testT = t.subarray(nTrain);
  const testY = y.subarray(nTrain);
  const testTau = tau.subarray(nTrain);
  const byDesc = (score: Float64Array) => Int32Array.from({ length: m }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  const oT = byDesc(predT);
  const oS = byDesc(predS);
  const oO = byDesc(testTau);
  const qiniT = qiniCurve(oT, testT, testY);
  const qiniS = qiniCurve(oS, testT, testY);
  const qiniOracle = qiniCurve(oO, testT, testY);
  const qiniRandom = Float64Array.from({ length: QINI_POINTS + 1 }, (_, k) => (k / QINI_POINTS) * qiniT[QINI_POINTS]);
  const profit = (order: Int32Array) => {
    const out = new Float64Array(QINI_POINTS + 1);
    let acc = 0;
    let i = 0;
    for (let k = 1; k <= QINI_POINTS; k++) {
      for (const upto = Math.round((k * m) / QINI_POINTS); i < upto; i++) acc += s.valuePerConversion * testTau[order[i]] - s.costPerContact;
      out[k] = acc;
    }
    return out;
  };
  const profitT = profit(oT);
  let best = 0;
  for (let k = 1; k <= QINI_POINTS; k++) if (profitT[k] > profitT[best]) best = k;
  let incrementalTreatAll = 0;
  for (let j = 0; j < m; j++) incrementalTreatAll += testTau[j];
  await ctx.tick(1);
  return {
    share: Float64Array.from({ length: QINI_POINTS + 1 }, (_, k) => k / QINI_POINTS),
    qiniT,
    qiniS,
    qiniOracle,
    qiniRandom,
    qiniAreaT: area(qiniT, qiniRandom),
    qiniAreaS: area(qiniS, qiniRandom),
    qiniAreaOracle: area(qiniOracle, qiniRandom),
    profitT,
    profitS: profit(oS),
    profitOracle: profit(oO),
    bestShareT: best / QINI_POINTS,
    bestProfitT: profitT[best],
    profitTreatAll: profitT[QINI_POINTS],
    incrementalTreatAll,
    testUsers: m,
  };
}

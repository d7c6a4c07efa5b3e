/**
 * The leakage lab's run, for the simulation worker: every leak alone (and none, and all) measured
 * on validation and on the future months, then the detection tools on the learner's own pipeline:
 * permutation importance (validation ROC-AUC drop), a null model trained on shuffled labels, and
 * ablation (refit without each feature).
 */
import type { Field } from '../core/fields';
import { deriveSeed, mulberry32 } from '../core/rng';
import { permutationImportance } from '../eval/importance';
import { rocAuc } from '../eval/curves';
import { makeChurn, CHURN_FEATURES } from '../data/churn';
import { chanceAucBound, importanceSpike, LEAKS, NO_LEAKS, PIPELINE_DEFAULTS, runPipeline, type Leak, type LeakSwitches, type ModelKind, type PipelineOptions } from '../eval/leakage';
import { quietContext, type TaskContext, runStage } from '../core/task';

export interface LeakageSimSettings {
  seed: number;
  customers: number;
  /** 'logistic' or 'knn'. */
  model: string;
  k: number;
  duplicateShare: number;
  /** 0/1 switches of the learner's pipeline (the one the detection tools inspect). */
  leakSplit: number;
  leakPreprocessing: number;
  leakTarget: number;
  leakDuplicates: number;
  /** Shuffles per feature in permutation importance. */
  repeats: number;
}

export const LEAKAGE_SIM_DEFAULTS: LeakageSimSettings = {
  seed: 1, customers: 2500, model: 'logistic', k: 25, duplicateShare: 0.2,
  leakSplit: 0, leakPreprocessing: 0, leakTarget: 1, leakDuplicates: 0, repeats: 3,
};

export const LEAK_CONFIGS: { name: string; leaks: LeakSwitches }[] = [
  { name: 'none', leaks: NO_LEAKS },
  ...LEAKS.map((l) => ({ name: l, leaks: { ...NO_LEAKS, [l]: true } })),
  { name: 'all', leaks: { split: true, preprocessing: true, target: true, duplicates: true } },
];

export interface LeakageSimResult {
  /** Per LEAK_CONFIGS entry. */
  configs: string[];
  configVal: Float64Array;
  configTest: Float64Array;
  /** The learner's pipeline. */
  leaks: LeakSwitches;
  valAuc: number;
  testAuc: number;
  features: string[];
  importanceMean: Float64Array;
  importanceStd: Float64Array;
  /** Standardised coefficients (logistic) or NaN (k-NN). */
  coefficients: Float64Array;
  /** Index into features of the importance spike, or −1. */
  spike: number;
  nullVal: number;
  nullTest: number;
  /** AUC a no-signal model exceeds 2.5% of the time on this validation set. */
  nullBound: number;
  ablationVal: Float64Array;
  ablationTest: Float64Array;
  /** The table, for SQL: one row per customer-month. */
  table: { customerId: Int32Array; month: Int32Array; postcode: Int32Array; features: Float64Array; churnNext: Uint8Array; featureNames: string[]; split: Int8Array };
  rows: { train: number; val: number; test: number; copies: number };
}

export function validateLeakageSim(s: LeakageSimSettings): void {
  const int = (k: keyof LeakageSimSettings, lo: number, hi: number) => {
    const v = s[k] as number;
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new RangeError(`${k} must be a whole number in [${lo}, ${hi.toLocaleString('en')}], got ${v}`);
  };
  int('customers', 200, 10_000);
  int('k', 1, 200);
  int('repeats', 1, 20);
  int('seed', 0, 4294967295);
  for (const k of ['leakSplit', 'leakPreprocessing', 'leakTarget', 'leakDuplicates'] as const) if (s[k] !== 0 && s[k] !== 1) throw new RangeError(`${k} must be 0 (off) or 1 (on), got ${s[k]}`);
  if (!(s.duplicateShare >= 0 && s.duplicateShare <= 1)) throw new RangeError(`duplicateShare must lie in [0, 1], got ${s.duplicateShare}`);
  if (s.model !== 'logistic' && s.model !== 'knn') throw new RangeError(`model must be 'logistic' or 'knn', got '${s.model}'`);
}

export const SPLIT_CODES = { train: 0, val: 1, test: 2, unused: -1 } as const;

export async function simulateLeakage(s: LeakageSimSettings, ctx: TaskContext = quietContext): Promise<LeakageSimResult> {
  validateLeakageSim(s);
  const table = makeChurn({ seed: s.seed, customers: s.customers });
  const o: PipelineOptions = { ...PIPELINE_DEFAULTS, model: s.model as ModelKind, k: s.k, duplicateShare: s.duplicateShare };
  // Every pipeline run draws its split from the same seeded streams, so configurations differ only by their leaks.
  const streams = (k: number) => {
    let n = 0;
    return () => mulberry32(deriveSeed(s.seed, 1000 * k + n++));
  };
  const leaks: LeakSwitches = { split: !!s.leakSplit, preprocessing: !!s.leakPreprocessing, target: !!s.leakTarget, duplicates: !!s.leakDuplicates };
  const names = leaks.target ? 9 : 8;
  const steps = LEAK_CONFIGS.length + 2 + names + 1;
  let done = 0;
  const tick = () => ctx.tick(++done / steps);

  const configVal = new Float64Array(LEAK_CONFIGS.length);
  const configTest = new Float64Array(LEAK_CONFIGS.length);
  for (let c = 0; c < LEAK_CONFIGS.length; c++) {
    const r = runPipeline(table, LEAK_CONFIGS[c].leaks, o, streams(1));
    configVal[c] = r.valAuc;
    configTest[c] = r.testAuc;
    await tick();
  }

  const main = runPipeline(table, leaks, o, streams(1));
  await tick();
  const imp = permutationImportance((X) => main.model.score(X), main.design.Xval, main.yVal, (y, p) => rocAuc(y, p), { repeats: s.repeats, seed: deriveSeed(s.seed, 7) });
  await tick();
  const nul = runPipeline(table, leaks, o, streams(1), { shuffleLabels: true });
  await tick();
  const features = main.design.names;
  const ablationVal = new Float64Array(features.length);
  const ablationTest = new Float64Array(features.length);
  for (let j = 0; j < features.length; j++) {
    const r = runPipeline(table, leaks, o, streams(1), { drop: features[j] });
    ablationVal[j] = r.valAuc;
    ablationTest[j] = r.testAuc;
    await tick();
  }

  const split = new Int8Array(table.rows).fill(SPLIT_CODES.unused);
  for (const i of main.split.train) split[i] = SPLIT_CODES.train;
  for (const i of main.split.val) split[i] = SPLIT_CODES.val;
  for (const i of main.split.test) split[i] = SPLIT_CODES.test;
  return {
    configs: LEAK_CONFIGS.map((c) => c.name),
    configVal,
    configTest,
    leaks,
    valAuc: main.valAuc,
    testAuc: main.testAuc,
    features,
    importanceMean: imp.importancesMean,
    importanceStd: imp.importancesStd,
    coefficients: main.model.coefficients ?? new Float64Array(features.length).fill(NaN),
    spike: importanceSpike(imp.importancesMean),
    nullVal: nul.valAuc,
    nullTest: nul.testAuc,
    nullBound: chanceAucBound(nul.yVal),
    ablationVal,
    ablationTest,
    table: { customerId: table.customerId, month: table.month, postcode: table.postcode, features: table.features, churnNext: table.churnNext, featureNames: [...CHURN_FEATURES], split },
    rows: { train: main.split.train.length, val: main.split.val.length, test: main.split.test.length, copies: main.split.copies.length },
  };
}

export type { Leak };

/** The lab's defaults. */
export const defaults = LEAKAGE_SIM_DEFAULTS;
export const CONFIG_LABELS: Record<string, string> = {
  none: 'no leak', split: 'random split', preprocessing: 'prep. fitted on all', target: 'target-derived feature', duplicates: 'duplicates', all: 'all four',
};

export const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same customers, same split: a run is reproducible from its link.', min: 0, max: 4294967295, integer: true, group: 'Data and model' },
  { key: 'customers', label: 'Customers', kind: 'number', explain: 'Customers in the churn table; each contributes one row per active month.', min: 200, max: 10000, integer: true },
  { key: 'model', label: 'Model (logistic or knn)', kind: 'text', explain: 'knn memorises its training rows, so the null model sees duplicates; it is slower (about half a minute). logistic has coefficients.' },
  { key: 'k', label: 'Neighbours k (knn)', kind: 'number', explain: 'Fewer neighbours memorise more; only used when the model is knn.', min: 1, max: 200, integer: true },
  { key: 'duplicateShare', label: 'Duplicated share', kind: 'number', explain: 'Share of training rows an ETL re-load copies into validation when the duplicates leak is on.', min: 0, max: 1 },
  { key: 'repeats', label: 'Importance shuffles', kind: 'number', explain: 'Shuffles per feature in permutation importance: more gives a steadier bar, costs time.', min: 1, max: 20, integer: true },
  { key: 'leakSplit', label: 'Random split (1 = on)', kind: 'number', explain: 'Validation drawn at random over all past months instead of the latest ones: it shares training’s period.', min: 0, max: 1, integer: true, group: 'Your pipeline: leaks switched on (the detection tools inspect it)' },
  { key: 'leakPreprocessing', label: 'Prep. fitted on all (1 = on)', kind: 'number', explain: 'Postcode churn-rate encoding and scaling fitted on train + validation, so validation labels leak in.', min: 0, max: 1, integer: true },
  { key: 'leakTarget', label: 'Target-derived feature (1 = on)', kind: 'number', explain: 'Use retention_offer, which is recorded after a customer calls to cancel.', min: 0, max: 1, integer: true },
  { key: 'leakDuplicates', label: 'Duplicates (1 = on)', kind: 'number', explain: 'Keep the re-loaded copies of training rows in validation instead of de-duplicating first.', min: 0, max: 1, integer: true },
];

/** Cross-field rules beyond each field's bounds. */
export const validate = (s: LeakageSimSettings): void => validateLeakageSim(s);

export const run = runStage('training a model per pipeline', simulateLeakage);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface LeakageDigest {
  [key: string]: number | string;
  valAuc: number;
  testAuc: number;
  gap: number;
  nullVal: number;
  nullBound: number;
  spike: string;
}

export function digest(r: LeakageSimResult): LeakageDigest {
  const d: LeakageDigest = { valAuc: r.valAuc, testAuc: r.testAuc, gap: r.valAuc - r.testAuc, nullVal: r.nullVal, nullBound: r.nullBound, spike: r.spike >= 0 ? r.features[r.spike] : '' };
  r.configs.forEach((c, i) => {
    d[`val_${c}`] = r.configVal[i];
    d[`test_${c}`] = r.configTest[i];
  });
  r.features.forEach((f, j) => (d[`ablate_${f}`] = r.ablationVal[j]));
  return d;
}

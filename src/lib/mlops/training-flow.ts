/**
 * The steps a model goes through on this site, as one flow for runFlow: extract the credit data,
 * validate it, split it, standardise the features, train a logistic model, then in parallel evaluate
 * it (ROC-AUC, accuracy, calibration), measure its fairness gap and compress it (int8 weights), then
 * export it (a JSON artifact with its SHA-256) and register it if it passes the gates. Every step
 * is real computation on the evaluation labs' seeded credit data; every output is plain data, so
 * the cache can hash it. Durations are the clock time each step is assumed to take in production
 * (minutes, used on a virtual clock), since the real steps here take milliseconds.
 */
import { rocAuc } from '../eval/curves';
import { expectedCalibrationError } from '../eval/calibration';
import { CREDIT_FEATURES, makeCreditData, selectRows, splitIndices, take } from '../eval/credit-data';
import { demographicParityDifference } from '../eval/fairness';
import { fitStandardizer, trainLogistic } from '../math/logistic';
import type { Matrix } from '../eval/matrix';
import type { FlowTask } from './flow';
import { sha256 } from './hash';
import { sigmoid } from '../math/sigmoid';

/** Assumed production durations, minutes. */
export const STEP_MINUTES: Record<string, number> = {
  extract: 4, validate: 1, split: 0.5, features: 2, train: 12, evaluate: 3, fairness: 2, compress: 5, export: 1, register: 0.5,
};

/** What the flow is given: the data source and the training settings (changing either re-runs what reads it). */
export interface TrainingFlowInputs {
  source: { rows: number; seed: number; defaultRate: number };
  settings: { l2: number; minAuc: number; maxParityGap: number };
}

/** The versions of the step code: bumping train's changes its code hash (v2 weights the classes equally). */
export interface TrainingFlowCode {
  train: 1 | 2;
}

/** Every credit column but the protected group, which the model must not see. */
const COLUMNS = CREDIT_FEATURES.map((_, j) => j).filter((j) => CREDIT_FEATURES[j] !== 'group');

interface Model {
  weights: Float64Array;
  intercept: number;
}

function probs(m: Model, X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let z = m.intercept;
    for (let j = 0; j < X.cols; j++) z += m.weights[j] * X.data[i * X.cols + j];
    out[i] = sigmoid(z);
  }
  return out;
}

const accuracy = (y: ArrayLike<number>, p: ArrayLike<number>) => {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += Number(p[i] >= 0.5) === y[i] ? 1 : 0;
  return ok / y.length;
};

export function trainingFlow(code: TrainingFlowCode = { train: 1 }): FlowTask[] {
  const step = (t: Omit<FlowTask, 'durationMs'>): FlowTask => ({ ...t, durationMs: STEP_MINUTES[t.name] * 60_000 });
  const train: FlowTask =
    code.train === 1
      ? step({
          name: 'train', inputs: ['features', 'settings'], outputs: ['model'],
          run: ({ features, settings }) => {
            const f = features as { train: Matrix; yTrain: Uint8Array };
            const m = trainLogistic(f.train, f.yTrain, { l2: (settings as TrainingFlowInputs['settings']).l2 });
            return { model: { weights: m.weights, intercept: m.intercept } };
          },
        })
      : step({
          name: 'train', inputs: ['features', 'settings'], outputs: ['model'],
          run: ({ features, settings }) => {
            // v2: class weights n/(2·n_class), so both classes count equally.
            const f = features as { train: Matrix; yTrain: Uint8Array };
            const pos = f.yTrain.reduce((a, b) => a + b, 0);
            const w = Float64Array.from(f.yTrain, (y) => f.yTrain.length / (2 * (y ? pos : f.yTrain.length - pos)));
            const m = trainLogistic(f.train, f.yTrain, { l2: (settings as TrainingFlowInputs['settings']).l2, sampleWeight: w });
            return { model: { weights: m.weights, intercept: m.intercept } };
          },
        });
  return [
    step({
      name: 'extract', inputs: ['source'], outputs: ['raw'],
      run: ({ source }) => {
        const s = source as TrainingFlowInputs['source'];
        const d = makeCreditData({ n: s.rows, seed: s.seed, defaultRate: s.defaultRate });
        return { raw: { X: selectRows(d.X, Int32Array.from({ length: d.X.rows }, (_, i) => i), COLUMNS), y: d.y, group: d.group } };
      },
    }),
    step({
      name: 'validate', inputs: ['raw'], outputs: ['checked'],
      run: ({ raw }) => {
        const r = raw as { X: Matrix; y: Uint8Array; group: Uint8Array };
        const bad = r.X.data.reduce((n, v) => n + (Number.isFinite(v) ? 0 : 1), 0);
        const rate = r.y.reduce((a, b) => a + b, 0) / r.y.length;
        if (bad > 0) throw new Error(`${bad} missing or infinite feature values`);
        if (rate < 0.01 || rate > 0.6) throw new Error(`the default rate is ${(100 * rate).toFixed(1)}%, outside the expected 1–60%`);
        return { checked: { ...r, defaultRate: rate } };
      },
    }),
    step({
      name: 'split', inputs: ['checked', 'source'], outputs: ['split'],
      run: ({ checked, source }) => {
        const s = splitIndices((checked as { y: Uint8Array }).y.length, (source as TrainingFlowInputs['source']).seed, 0.7, 0);
        return { split: { train: s.train, test: s.test } };
      },
    }),
    step({
      name: 'features', inputs: ['checked', 'split'], outputs: ['features'],
      run: ({ checked, split }) => {
        const c = checked as { X: Matrix; y: Uint8Array; group: Uint8Array };
        const s = split as { train: Int32Array; test: Int32Array };
        const scaler = fitStandardizer(selectRows(c.X, s.train));
        return {
          features: {
            train: scaler.apply(selectRows(c.X, s.train)), test: scaler.apply(selectRows(c.X, s.test)),
            yTrain: take(c.y, s.train), yTest: take(c.y, s.test), groupTest: take(c.group, s.test), mean: scaler.mean, sd: scaler.sd,
          },
        };
      },
    }),
    train,
    step({
      name: 'evaluate', inputs: ['model', 'features'], outputs: ['metrics'],
      run: ({ model, features }) => {
        const f = features as { test: Matrix; yTest: Uint8Array };
        const p = probs(model as Model, f.test);
        return { metrics: { auc: rocAuc(f.yTest, p), accuracy: accuracy(f.yTest, p), ece: expectedCalibrationError(f.yTest, p) } };
      },
    }),
    step({
      name: 'fairness', inputs: ['model', 'features'], outputs: ['fairness'],
      run: ({ model, features }) => {
        const f = features as { test: Matrix; groupTest: Uint8Array };
        const pred = Array.from(probs(model as Model, f.test), (p) => Number(p >= 0.5));
        return { fairness: { parityGap: Math.abs(demographicParityDifference(pred, Array.from(f.groupTest))) } };
      },
    }),
    step({
      name: 'compress', inputs: ['model', 'features'], outputs: ['compressed'],
      run: ({ model, features }) => {
        // Symmetric int8: scale = max|w|/127, q = round(w/scale); the intercept stays float32.
        const m = model as Model;
        const f = features as { test: Matrix; yTest: Uint8Array };
        const scale = Math.max(...Array.from(m.weights, Math.abs)) / 127 || 1;
        const q = Int8Array.from(m.weights, (w) => Math.round(w / scale));
        const deq = { weights: Float64Array.from(q, (v) => v * scale), intercept: m.intercept };
        return { compressed: { q, scale, intercept: m.intercept, bytes: q.length + 8, floatBytes: 4 * (m.weights.length + 1), accuracy: accuracy(f.yTest, probs(deq, f.test)) } };
      },
    }),
    step({
      name: 'export', inputs: ['compressed', 'features'], outputs: ['artifact'],
      run: ({ compressed, features }) => {
        const c = compressed as { q: Int8Array; scale: number; intercept: number };
        const f = features as { mean: Float64Array; sd: Float64Array };
        const json = JSON.stringify({ format: 'prodlab-logistic-int8', weights: Array.from(c.q), scale: c.scale, intercept: c.intercept, mean: Array.from(f.mean), sd: Array.from(f.sd) });
        return { artifact: { bytes: new TextEncoder().encode(json).length, sha256: sha256(json) } };
      },
    }),
    {
      ...step({
        name: 'register', inputs: ['metrics', 'fairness', 'artifact', 'settings'], outputs: ['decision'],
        run: ({ metrics, fairness, artifact, settings }) => {
          const m = metrics as { auc: number };
          const g = (fairness as { parityGap: number }).parityGap;
          const s = settings as TrainingFlowInputs['settings'];
          const failed = [m.auc < s.minAuc ? `ROC-AUC ${m.auc.toFixed(3)} < ${s.minAuc}` : '', g > s.maxParityGap ? `parity gap ${g.toFixed(3)} > ${s.maxParityGap}` : ''].filter(Boolean);
          return { decision: { registered: failed.length === 0, reasons: failed, artifact: (artifact as { sha256: string }).sha256 } };
        },
      }),
      // A side effect (it writes to the registry): never served from the cache.
      cache: false,
    },
  ];
}

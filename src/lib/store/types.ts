/** Records Prodlab keeps in the browser: runs, their checkpoints, and lab progress. */

export type RunStatus = 'running' | 'paused' | 'done' | 'stopped' | 'failed' | 'interrupted';

/** Per-step training curves, as parallel columns (index i is one step). */
export interface RunMetrics {
  step: number[];
  /** Fractional epoch at that step. */
  epoch: number[];
  trainLoss: number[];
  trainAcc: number[];
}

/** One point of RunMetrics, the unit appendMetrics takes. */
export interface MetricPoint {
  step: number;
  epoch: number;
  trainLoss: number;
  trainAcc: number;
}

export interface EpochMetrics {
  epoch: number;
  valLoss: number;
  valAcc: number;
  timeMs: number;
}

export interface FinalMetrics {
  testAcc: number;
  testLoss: number;
  /** 10×10 row-major: true class × predicted class. */
  confusion: number[];
  /** Confidence calibration on the test set, before and after temperature scaling fitted on validation. */
  calibration?: {
    temperature: number;
    eceBefore: number;
    eceAfter: number;
    nllBefore: number;
    nllAfter: number;
    before: { confidence: number[]; accuracy: number[]; count: number[] };
    after: { confidence: number[]; accuracy: number[]; count: number[] };
  };
  /** Test accuracy on clean and on perturbed copies of the test images. */
  robustness?: { clean: number; noise: number; occlusion: number; shift: number };
}

export interface RunRecord {
  id: string;
  lab: string;
  name?: string;
  /** Every hyperparameter: model, optimizer, lr, batchSize, epochs, accumSteps, ... */
  params: Record<string, unknown>;
  seed: number;
  dataHash: string;
  backend: string;
  appVersion: string;
  status: RunStatus;
  statusMessage?: string;
  createdAt: number;
  updatedAt: number;
  durationMs: number;
  epochsDone: number;
  stepsDone: number;
  metrics: RunMetrics;
  epochMetrics: EpochMetrics[];
  final?: FinalMetrics;
}

/** The fields of a run that updateRun may change (metrics grow through appendMetrics). */
export type RunPatch = Partial<Omit<RunRecord, 'id' | 'metrics'>>;

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface Checkpoint {
  runId: string;
  epoch: number;
  step: number;
  createdAt: number;
  weights: NamedTensor[];
  optimizer: NamedTensor[];
  rngState?: number;
  meta?: Record<string, unknown>;
}

export interface ExerciseResult {
  passed: boolean;
  at: number;
  runId?: string;
  answer?: string;
}

export interface LabProgress {
  lab: string;
  exercises: Record<string, ExerciseResult>;
  visited: number;
}

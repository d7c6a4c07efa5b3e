/** Records Prodlab keeps in the browser: runs, their checkpoints, and lab progress. */

/** 'damaged': a stored record that could not be read back (shown so it can be deleted; never written by a lab). */
export type RunStatus = 'running' | 'paused' | 'done' | 'stopped' | 'failed' | 'interrupted' | 'damaged';

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
  /** Set on the runs of the compression labs (issue 4): one model variant, as the trade-off view plots it. */
  variant?: ModelVariant;
}

export type CompressionTechnique = 'baseline' | 'prune' | 'quantize' | 'distill' | 'lowrank';

/**
 * A model variant made by a compression lab. Its weights are the run's last checkpoint; the layers
 * (ml/layers LayerSpec without weights, i.e. className + config) are in params.layers, so any
 * variant can be rebuilt with buildSequential and exported to ONNX.
 */
export interface ModelVariant {
  technique: CompressionTechnique;
  /** One line a learner reads in a table: "global magnitude pruning, 80% sparsity, fine-tuned 1 epoch". */
  description: string;
  /** Test accuracy on the lab's held-out test images, 0..1. */
  accuracy: number;
  /** Bytes of the weights as stored (int8/int4 codes plus scales for quantized variants). */
  bytes: number;
  /** Parameters (nonzero for pruned variants: see nonzero). */
  params: number;
  nonzero?: number;
  /** Median batch-1 inference latency in ms, measured in the browser where the variant was made, and on which backend. */
  latencyMs: number;
  latencyBackend: string;
  /** Weight quantization to apply when exporting (exportOnnx weights option). */
  exportWeights?: 'float32' | 'int8';
  /** The run this variant was made from (the baseline or another variant). */
  parentRunId?: string;
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

/**
 * One change to the model registry (src/lib/mlops/registry.ts defines the kinds): stored as is, in
 * the order made, so the registry is rebuilt by replaying them. The store checks only the fields
 * every kind has.
 */
export interface RegistryEventRecord {
  kind: string;
  model: string;
  /** Clock time of the change (ms since the epoch). */
  at: number;
  actor: string;
  /** The run a version came from (kind 'register') or a deployment served from ('deploy'). */
  runId?: string;
  [field: string]: unknown;
}

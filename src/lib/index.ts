/**
 * Prodlab's public library API: what labs, embedders and tests import. Pure TypeScript; runs in
 * Node, in workers and on the page. Documented in docs/api.md.
 */

// Training (TensorFlow.js): models, gradient accumulation, the trainer and its worker service.
export { DEFAULTS as TRAIN_DEFAULTS, LIMITS as TRAIN_LIMITS, EXPLAIN as TRAIN_EXPLAIN, validateConfig, ConfigError } from './ml/config';
export type { TrainConfig, ModelKind, OptimizerKind, BackendChoice, BackendName } from './ml/config';
export { buildModel, buildOptimizer, inputShape } from './ml/models';
export { accumulatedStep, crossEntropy, evaluate, confusionMatrix } from './ml/step';
export type { MicroBatch, StepResult } from './ml/step';
export { Trainer, DeviceLostError, snapshot, restore, subsetIndices, epochOrder, updatesPerEpoch } from './ml/trainer';
export type { TrainData, RunSink, TrainEvent, Gallery, RunOptions } from './ml/trainer';
export { TrainService } from './ml/service';
export type { TrainServiceApi, DatasetSummary } from './ml/service';
export { encodeTrainConfig, decodeTrainConfig, TRAIN_PARAMS } from './ml/params';
export { registerWasmTrainingKernels } from './runtime/wasm-kernels';

// The lowest layer: one progress report and stop switch for every long task; one field table for every lab's settings.
export { StoppedError, isStopped, Interrupt, taskContext, quietContext, TICK_MS } from './core/task';
export type { Progress, OnProgress, TaskContext } from './core/task';
export { SettingsError, checkFields, fieldError, fieldErrors, fieldSpec, decodeSettings, fieldOfMessage } from './core/fields';
export type { Field, FieldKind, FieldOption } from './core/fields';

// Runtime: backend detection and choice, seeded randomness, settings in the URL.
export { chooseBackend, isSoftwareAdapter, probeCandidates } from './runtime/choose';
export type { Capabilities, AdapterSummary, ProbeResult, BackendDecision } from './runtime/choose';
export { useBackend, detectCapabilities, probeBackend, configureEngine } from './runtime/engine';
export { mulberry32, shuffleInPlace, permutation, deriveSeed } from './core/rng';
export type { Rng } from './core/rng';
export { encodeParams, decodeParams } from './core/url-state';
export type { ParamSpec, Decoded } from './core/url-state';

// Data: Parquet via parquet-wasm and Arrow; the Fashion-MNIST subset.
export { readParquet } from './data/parquet';
export { loadFashion, decodeFashion, splitValidation, sha256Hex, FASHION_CLASSES, DatasetError } from './data/fashion';
export type { ImageSet, FashionData } from './data/fashion';

// Storage: runs, metrics, checkpoints and progress in IndexedDB.
export { openStore, newRunId, StoreError, MemoryRunStore, DB_VERSION, FILE_FORMAT, FILE_VERSION } from './store';
export type { Store, RunRecord, Checkpoint, LabProgress, MetricPoint } from './store';

// Experimentation statistics (issue 5) and evaluation metrics (issue 6).
export * from './stats';
export * from './eval';

// Compression (pruning, quantization, low-rank) and ONNX export (issue 4).
export * from './compress';
export * from './onnx';

// Inference and serving (issue 4): onnxruntime-web sessions, the serving gateway and its parts.
export * from './serve';

// Data engineering and monitoring (issue 3): seeded retail data and production stream, drift statistics.
export { makeRetail, retailFiles, customersToArrow, RETAIL_DEFAULTS } from './data/retail';
export type { RetailData, RetailOptions, DirtKind, DirtyRow, Customers } from './data/retail';
export * from './data/stream';
export * from './drift';
export type { DuckServiceApi } from './data/duck-service';
// The ETL/ELT lab (issue 3): uploads, result views, the pipeline in TS and in SQL.
export * from './data/upload';
export * from './data/result-view';
export * from './data/sql-help';
export * from './data/pipeline';
export * from './data/pipeline-outputs';
export * from './data/elt-sql';
export { runEtlJob, runMetadata, validateEtlSettings, ETL_LAB_DEFAULTS, DIRT_KINDS } from './runners/etl';
export type { EtlJobOutput, EtlLabSettings } from './runners/etl';

// Sampling, class imbalance and leakage (issue 3: the sampling and leakage labs).
export {
  SamplingError, simpleRandomSample, proportionalAllocation, stratifiedSample, inclusionProbabilities, poissonSample, horvitzThompsonTotal,
  reservoirSample, weightedReservoirSample, sampleWithReplacement, importanceEstimate, estimateStats,
} from './data/sampling';
export type { StratifiedSample, ImportanceEstimate, EstimateStats } from './data/sampling';
export { takeRows, randomUndersample, randomOversample, smote, balancedSampleWeights, focalLoss, trainFocalLogistic, linearModel, thresholdMetrics } from './eval/imbalance';
export type { Resampled, SmoteResult, FocalOptions, FocalFitOptions, LinearModel, ThresholdMetrics } from './eval/imbalance';
export { makeChurn, CHURN_DEFAULTS, CHURN_FEATURES } from './data/churn';
export type { ChurnTable, ChurnOptions } from './data/churn';
// Named apart from the ETL pipeline's exports (data/pipeline.ts has its own PipelineOptions).
export { LEAKS, NO_LEAKS, PIPELINE_DEFAULTS as LEAKAGE_PIPELINE_DEFAULTS, featureNames as leakageFeatureNames, splitRows as leakageSplitRows, fitModel as fitLeakageModel, runPipeline as runLeakagePipeline, chanceAucBound, importanceSpike } from './eval/leakage';
export { KnnIndex, knnScores } from './data/knn';
export type { Leak, LeakSwitches, PipelineOptions as LeakagePipelineOptions, Split as LeakageSplit, PipelineRun as LeakagePipelineRun, PipelineRunOptions as LeakagePipelineRunOptions } from './eval/leakage';
export { simulateLeakage, validateLeakageSim, LEAKAGE_SIM_DEFAULTS, LEAK_CONFIGS } from './runners/leakage';
export type { LeakageSimSettings, LeakageSimResult } from './runners/leakage';
export { simulateSampling, validateSamplingSim, makePopulation, SAMPLING_SIM_DEFAULTS, SAMPLERS, METHODS as IMBALANCE_METHODS } from './runners/sampling';
export type { SamplingSimSettings, SamplingSimResult, Population, ImbalanceMethodResult } from './runners/sampling';
// The feature-store lab (issue 3): point-in-time joins and the retail feature view.
export * from './data/feature-store';
export { FEATURE_STORE_DEFAULTS, ACTIVITY_FEATURES, featureViewSql, snapshotDays, labelEventsArrow, customerDaysArrow, trainingSetSql, onlineStoreSql, skewSql, measureLeakage } from './data/feature-views';
export type { FeatureStoreOptions, LeakageResult } from './data/feature-views';

// MLOps (issue 16): hyperparameter search (grid, random, TPE, Hyperband, median stopping, importance),
// pipelines as DAGs (runFlow: retries, caching, schedules), run tracking, the model registry, lineage.
export * from './mlops';

// Distributed training (issue 13): collectives, ZeRO/FSDP ranks, mixed precision, checkpointing, planner, federated learning.
export * from './distributed';

// The lab runners (one per lab: defaults, field table, run(ctx, settings)) and the sim engine that runs them.
export { RUNNERS, TASK_NAMES, isTask } from './runners';
export type { Runner, TaskName, TaskSettings, TaskResult } from './runners';
export { SimEngine, PROGRESS_MS, plainError, transferables } from './engines/sim';
export type { SimEngineApi } from './engines/sim';
// The TensorFlow.js engine (one worker for training, compression, quantization, distillation, ONNX export) and its backend start.
export { TfEngine, TF_SERVICES } from './engines/tf';
export type { TfEngineApi, TfEngineOptions, TfServices, TfServiceName } from './engines/tf';
export { startBackend } from './ml/backend';
export { newestTrainingRun } from './compress/base';
export { simulateCuped, validateCupedSim } from './runners/cuped';
export type { CupedSimSettings, CupedSimResult } from './runners/cuped';
export { simulateBandits, validateBanditSim, parseRates } from './runners/bandits';
export type { BanditSimSettings, BanditSimResult, PolicyStats } from './runners/bandits';
export { DriftService } from './runners/drift';
export type { DriftServiceApi, PartitionsResult } from './runners/drift';

// Earlier names of what the consolidation (issue 10) merged, kept working: the same objects under their old names.
export { quietContext as NO_CONTEXT, StoppedError as SimCancelledError } from './core/task';
export type { TaskContext as SimContext, Progress as SimProgress } from './core/task';
export { SimEngine as SimService } from './engines/sim';
export { RUNNERS as SIMULATIONS } from './runners';
export type { TaskName as SimKind, TaskSettings as SimSettings, TaskResult as SimResult } from './runners';
export type { SimEngineApi as SimServiceApi } from './engines/sim';

// Vector search (src/lib/vector): flat, IVF, HNSW and IVF-PQ indexes; recall, BM25, rank fusion.
export { createIndex, recallAtK, relativeContrast, bm25Scores, reciprocalRankFusion, clustered as clusteredVectors, VectorError } from './vector';
export type { IndexOptions, VectorIndex, SearchParams as VectorSearchParams, SearchResult as VectorSearchResult } from './vector';

// Language models (src/lib/lm, issue 15): closed forms, tokenizers, a small GPT in tfjs, KV cache, speculative decoding, LoRA.
export { kvCacheBytes, speculativeExpectedTokens, applyRope, loraMerge, LmError, CharTokenizer, BpeTokenizer, Gpt, generate, speculative, sample as sampleToken, LmTrainer, bigramLoss } from './lm';
export type { KvCacheShape, RopeOptions, LoraShape, Tokenizer, GptConfig, KvCache, GenerateOptions, SpeculativeResult } from './lm';

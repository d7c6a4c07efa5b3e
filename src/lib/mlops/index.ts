/** MLOps (issue 16): hyperparameter search, pipelines as DAGs, experiment tracking and a model registry. */
export { MlopsInputError, FlowError, type FlowErrorCode } from './errors';
// Hyperparameter search.
export { checkSpace, sampleDimension, sampleParams, toInternal, toUnit, inDimension } from './space';
export type { Choice, Dimension, FloatDimension, IntDimension, CategoricalDimension, SearchSpace, ParamValue, Params } from './space';
export { gridLevels, gridPoints, dimensionLevels } from './grid';
export { TPE_DEFAULTS, defaultWeights, tpePropose, splitObservations, numericParzen, categoricalParzen } from './tpe';
export type { TpeOptions, Observation, Parzen } from './tpe';
export { runStudy, SAMPLERS, MAX_TRIALS } from './study';
export type { SamplerKind, Objective, StudyOptions, StudyResult, Trial, TrialState } from './study';
export { hyperbandBrackets, successiveHalving, hyperband, runBudgetStudy } from './hyperband';
export type { Rung, Bracket, BudgetObjective, BudgetTrial, BudgetResult, Evaluation, SuccessiveHalvingOptions, HyperbandOptions, BudgetStudyOptions, MedianPruner } from './hyperband';
export { paramImportance, treeVariances } from './importance';
export type { ParamImportance } from './importance';
export { fitForest, fitTree, predictForest, predictTree, FOREST_DEFAULTS } from './forest';
export type { ForestOptions, Tree } from './forest';
export { mannWhitneyU, ranks } from './compare';
export type { Alternative, MannWhitney } from './compare';
export { TEST_FUNCTIONS, branin, hartmann6, ishigami, ishigamiSobol } from './testfns';
export type { TestFunction } from './testfns';
export { mlpObjective, mlpData, MLP_SPACE, MLP_TASK_DEFAULTS } from './trainable';
export type { MlpTaskOptions } from './trainable';
// Pipelines.
export { runFlow, taskKey, backoffDelay, MemoryFlowCache } from './flow';
export type { FlowTask, FlowOptions, FlowRun, TaskRun, TaskState, Attempt, FlowEvent, FlowCache, CacheEntry, RetryPolicy, FailurePlan, TaskRunInfo } from './flow';
export { flowGraph, downstream } from './dag';
export type { TaskShape, FlowGraph } from './dag';
export { wallClock, VirtualClock } from './clock';
export type { FlowClock } from './clock';
export { cronTimes, runSchedule } from './schedule';
export type { Trigger, ScheduledEvent, Firing, ScheduleOptions } from './schedule';
export { sha256, hashValue, Sha256 } from './hash';
export { layoutGraph, LAYOUT_DEFAULTS } from './layout';
export type { LayoutNode, LayoutEdge, GraphLayout, LayoutOptions } from './layout';
// Tracking and the registry.
export { runRow, columnValue, runColumns, compareRuns, parallelCoordinates, ATTRIBUTES } from './runs-table';
export type { RunRow, Scalar, ComparedKey, ParallelAxis, Attribute } from './runs-table';
export { searchRuns, parseFilter, FilterError } from './search';
export type { SearchOptions, SearchResult, Clause } from './search';
export { runsToArrow, runsToIpc } from './runs-arrow';
export { ModelRegistry, describeEvent, checkAlias } from './registry';
export type { RegistryEvent, RegistryEventKind, ModelVersion, RegisteredModel } from './registry';
export { lineageGraph, lineageOf, runNode, versionNode, EXPORT_LABS, DEPLOY_LABS } from './lineage';
export type { LineageGraph, LineageNode, LineageEdge, LineageKind } from './lineage';
export { trainingFlow, STEP_MINUTES } from './training-flow';
export type { TrainingFlowInputs, TrainingFlowCode } from './training-flow';

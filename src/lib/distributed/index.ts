/**
 * Distributed training (issue 13): ring collectives over real transports, ZeRO/FSDP sharding on
 * tfjs ranks, exact fp16/bf16 emulation, activation checkpointing, a simulated network and a
 * planner, and federated learning. Documented in docs/api.md ("Distributed training").
 */
export { DistributedError } from './errors';
export { zeroMemoryPerDevice, bytesPerParam } from './memory-model';
export type { ZeroStage, TrainPrecision, OptimizerName, ZeroMemoryOptions, DeviceMemory } from './memory-model';
export { collectiveBytes, ringAllReduce, chunkBounds, chunkSize } from './collectives';
export type { CollectiveOp } from './collectives';
export {
  roundToFloat16, roundToBfloat16, float32ToFloat16Bits, float16BitsToFloat32, float32ToBfloat16Bits, bfloat16BitsToFloat32, toFloat16Bits, fromFloat16Bits, castInPlace,
} from './precision';
export type { ComputePrecision, LowPrecision } from './precision';
export { fedAvg } from './fedavg';
export { dirichletPartition, iidPartition, shardPartition, labelCounts, sampleDirichlet } from './partition';
export type { PartitionKind } from './partition';
export { newCounters, snapshotCounters, diffCounters } from './transport';
export type { Transport, Payload, TrafficCounters } from './transport';
export { PortTransport, portMesh } from './port-transport';
export { SharedTransport, sharedMesh, abortMesh } from './shared-transport';
export type { SharedMesh, SharedMeshOptions } from './shared-transport';
export { allReduce, reduceScatter, allGather } from './ring';
export type { CollectiveOptions } from './ring';
export { runLocalRanks, localTransports, localLauncher } from './launch';
export type { Launcher, TransportKind } from './launch';
export { DistributedSampler, BatchPlan } from './sampler';
export { labNet, deepNet, labInitialParams, glorotParams, forwardLogits } from './net';
export type { Net, Block as NetBlock } from './net';
export { tapeGradients, blockwiseGradients, evaluateNet } from './executor';
export type { BlockHooks, GradResult } from './executor';
export { FlatOptimizer } from './optimizer';
export type { OptimizerConfig } from './optimizer';
export { MemoryLedger } from './ledger';
export type { MemoryKind, MemoryBytes } from './ledger';
export { LossScaler } from './scaler';
export type { LossScaling, ScalerOptions } from './scaler';
export { STRATEGIES, STRATEGY_STAGE, FSDP_NAME, COMM_FACTOR } from './strategy';
export type { Strategy } from './strategy';
export { RankTrainer } from './rank-trainer';
export type { RankTrainerOptions, RankStepReport } from './rank-trainer';
export { runOffloadHost } from './offload';
export { trainSingleWorker, weightDistance } from './single';
export { collectiveTime, NETWORK_DEFAULTS } from './network';
export type { LinkSpec, Topology, CollectiveAlgorithm } from './network';
export { simulateStep, splitCompute } from './timeline';
export type { SimulatedStep, TimelineSegment } from './timeline';
export { planOne, planAll, modelParams, activationBytes, stepFlops, MODEL_PRESETS } from './planner';
export type { PlannerInput, PlanRow, ModelShape, ModelPreset } from './planner';
export { MixedPrecisionTrainer } from './mixed';
export { measureCheckpointing } from './checkpoint';
export type { CheckpointMode, CheckpointMeasurement } from './checkpoint';
export { encodeFixed, decodeFixed, maskVector, unmaskSum, pairMask, modSum } from './secagg';
export { clientUpdate, clipToNorm, clientDrift } from './federated';
export type { FedAlgorithm } from './federated';

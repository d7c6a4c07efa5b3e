export { magnitudePrune, applyMask, prunedCount, pruneModel, applyModelMasks, kernelSparsity, type PruneResult, type PruneModelOptions, type LayerMask } from './prune';
export { unitNorms, selectUnits, compactModel, structuredPrune, type SelectUnitsOptions } from './structured';
export {
  quantize, dequantize, quantParams, codeRange, quantizedBytes, calibrationRange, fakeQuantize,
  type Bits, type Scheme, type QuantizeOptions, type Quantized, type Range, type CalibrationRangeOptions, type FakeQuantOptions,
} from '../ml/quantize';
export { lowRankFactorize, factorizeDense, factorizeDenseLayers, truncateLowRank, type LowRank, type FactorPlan } from './lowrank';
export { cloneModel, buildSequential, specOf, type LayerSpec } from '../ml/layers';
export { CompressKit, StoppedError, rewindToInit, countParams, median, type KitData, type LossFn, type TrainOptions, type TrainReport, type Latency, type LatencyOptions } from './kit';
export { saveVariant, loadVariant, rebuildVariant, variantRecord, weightsCheckpoint, exportVariantOnnx, layerConfigs, type VariantStore, type LayerConfig, type SaveVariantOptions } from './variants';
export { paretoFront, type TradeoffPoint } from './pareto';
export { distillationLoss, validateDistill, type DistillOptions } from './distill';
export { fakeQuantWeights, quantizedApply, activationSamples, type Granularity, type WeightQuantOptions, type ActivationQuantOptions, type QuantPlan } from './qat';

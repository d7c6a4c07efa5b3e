export { magnitudePrune, applyMask, prunedCount, pruneModel, applyModelMasks, kernelSparsity, type PruneResult, type PruneModelOptions, type LayerMask } from './prune';
export { unitNorms, selectUnits, compactModel, structuredPrune, type SelectUnitsOptions } from './structured';
export {
  quantize, dequantize, quantParams, codeRange, quantizedBytes, calibrationRange, fakeQuantize,
  type Bits, type Scheme, type QuantizeOptions, type Quantized, type Range, type CalibrationRangeOptions, type FakeQuantOptions,
} from './quantize';
export { lowRankFactorize, factorizeDense, type LowRank } from './lowrank';
export { cloneModel } from './layers';
export { distillationLoss, validateDistill, type DistillOptions } from './distill';
export { fakeQuantWeights, quantizedApply, activationSamples, type Granularity, type WeightQuantOptions, type ActivationQuantOptions, type QuantPlan } from './qat';

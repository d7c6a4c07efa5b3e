/**
 * The scale planner: memory per GPU by component and the time of one step, for a GPT-style
 * transformer of L layers of width h on N GPUs, under data parallelism and ZeRO-1/2/3, with or
 * without CPU offload of the optimizer and activation checkpointing. Mixed precision with Adam.
 * It uses the formulas the lab's measured bytes are checked against: zeroMemoryPerDevice for the
 * model states, collectiveBytes and the α–β network (network.ts) for the communication.
 *
 *   parameters  Ψ = 12·L·h²·(1 + 13/(12h) + (V + s)/(12·L·h))              (Narayanan et al. 2021, §5.1)
 *   activations per layer, fp16, no tensor parallelism: s·b·h·(34 + 5·a·s/h) bytes
 *               with full checkpointing: 2·s·b·h per layer kept, plus one layer's s·b·h·(34 + 5as/h)
 *               rebuilt during its backward                                (Korthikanti et al. 2022, Eq. 1, §4)
 *   FLOPs per step per GPU, B = b·k sequences: 72·B·s·L·h²·(1 + s/(6h) + V/(12·L·h)),
 *               96·B·s·L·h²·(1 + s/(6h) + V/(16·L·h)) when the forward is recomputed (Narayanan et al. 2021, Eq. 3)
 *   communication per step (fp16 gradients and parameters, 2Ψ bytes): data parallel one all-reduce;
 *               ZeRO-1 a reduce-scatter and an all-gather; ZeRO-2 a reduce-scatter per micro-batch and an
 *               all-gather; ZeRO-3 two all-gathers and a reduce-scatter per micro-batch
 *   offload     per step 2Ψ/N bytes of gradients to the CPU and 2Ψ/N of parameters back over PCIe, and the
 *               CPU's Adam over Ψ/N parameters (Ren et al. 2021)
 */
import { ensure, requireFinite, requireInt } from './errors';
import { zeroMemoryPerDevice, type ZeroStage } from './memory-model';
import { collectiveTime, type CollectiveAlgorithm, type LinkSpec, type Topology } from './network';

export interface ModelShape {
  layers: number;
  hidden: number;
  heads: number;
  vocab: number;
}

export type ModelPreset = '1.3b' | '6.7b' | '13b' | '32b' | '65b';

/**
 * GPT-3 XL and 6.7B (Brown et al. 2020), and the layer × width of LLaMA 13B, 33B and 65B (Touvron
 * et al. 2023) counted as GPT-style layers: Ψ at s = 2048 is 1.32B, 6.66B, 12.8B, 32.1B and 64.7B.
 */
export const MODEL_PRESETS: Record<ModelPreset, ModelShape> = {
  '1.3b': { layers: 24, hidden: 2048, heads: 16, vocab: 50257 },
  '6.7b': { layers: 32, hidden: 4096, heads: 32, vocab: 50257 },
  '13b': { layers: 40, hidden: 5120, heads: 40, vocab: 32000 },
  '32b': { layers: 60, hidden: 6656, heads: 52, vocab: 32000 },
  '65b': { layers: 80, hidden: 8192, heads: 64, vocab: 32000 },
};

export interface PlannerInput {
  model: ModelShape;
  /** Tokens per sequence (s). */
  seqLen: number;
  /** Sequences per GPU per micro-batch (b). */
  microBatch: number;
  /** Micro-batches per optimizer step (k). */
  gradAccum: number;
  gpus: number;
  gpusPerNode: number;
  /** Memory per GPU in GB (1e9 bytes). */
  gpuMemoryGB: number;
  /** Peak dense fp16 throughput per GPU, TFLOP/s. */
  gpuTflops: number;
  /** Fraction of the peak the kernels reach (0-1]. */
  utilization: number;
  intra: LinkSpec;
  inter: LinkSpec;
  algorithm: CollectiveAlgorithm;
  /** Host-device bandwidth for offload, GB/s. */
  pcieGBps: number;
  /** Parameters per second the CPU's Adam updates, per GPU's share of the CPU. */
  cpuAdamParamsPerSec: number;
}

export type PlanStrategy = 'dp' | 'zero1' | 'zero2' | 'zero3';
export const PLAN_STRATEGIES: readonly PlanStrategy[] = ['dp', 'zero1', 'zero2', 'zero3'];
const STAGE: Record<PlanStrategy, ZeroStage> = { dp: 0, zero1: 1, zero2: 2, zero3: 3 };

export interface PlanRow {
  strategy: PlanStrategy;
  offload: boolean;
  checkpointing: boolean;
  /** Bytes per GPU. */
  params: number;
  grads: number;
  optimizer: number;
  activations: number;
  total: number;
  /** Bytes of this GPU's optimizer share kept in CPU memory (offload). */
  cpuBytes: number;
  fits: boolean;
  computeSeconds: number;
  commSeconds: number;
  /** Bytes each GPU sends per step over the network. */
  commBytes: number;
  offloadSeconds: number;
  /** One step with communication after compute, and with communication fully hidden behind it. */
  stepSeconds: number;
  stepSecondsOverlap: number;
  tokensPerSecond: number;
}

/** Ψ for the shape at sequence length s. */
export function modelParams(m: ModelShape, seqLen: number): number {
  const { layers: L, hidden: h, vocab: V } = m;
  return Math.round(12 * L * h * h * (1 + 13 / (12 * h) + (V + seqLen) / (12 * L * h)));
}

/** Activation bytes per GPU for one micro-batch. */
export function activationBytes(m: ModelShape, seqLen: number, microBatch: number, checkpointing: boolean): number {
  const { layers: L, hidden: h, heads: a } = m;
  const sbh = seqLen * microBatch * h;
  const layer = sbh * (34 + (5 * a * seqLen) / h);
  return checkpointing ? L * 2 * sbh + layer : L * layer;
}

/** FLOPs per GPU for one optimizer step (k micro-batches of b sequences). */
export function stepFlops(m: ModelShape, seqLen: number, sequences: number, checkpointing: boolean): number {
  const { layers: L, hidden: h, vocab: V } = m;
  const base = sequences * seqLen * L * h * h;
  return checkpointing ? 96 * base * (1 + seqLen / (6 * h) + V / (16 * L * h)) : 72 * base * (1 + seqLen / (6 * h) + V / (12 * L * h));
}

export function checkPlannerInput(p: PlannerInput): void {
  for (const k of ['layers', 'hidden', 'heads', 'vocab'] as const) requireInt(p.model[k], k, 1);
  ensure(p.model.hidden % p.model.heads === 0, `hidden (${p.model.hidden}) must be a multiple of heads (${p.model.heads}).`);
  requireInt(p.seqLen, 'seqLen', 1);
  requireInt(p.microBatch, 'microBatch', 1);
  requireInt(p.gradAccum, 'gradAccum', 1);
  requireInt(p.gpus, 'gpus', 1);
  requireInt(p.gpusPerNode, 'gpusPerNode', 1);
  ensure(p.gpus % p.gpusPerNode === 0 || p.gpus < p.gpusPerNode, `gpus (${p.gpus}) must be a multiple of GPUs per node (${p.gpusPerNode}).`);
  requireFinite(p.gpuMemoryGB, 'gpuMemoryGB', 0);
  requireFinite(p.gpuTflops, 'gpuTflops', 0);
  ensure(p.gpuTflops > 0, 'gpuTflops must be above 0.');
  ensure(p.utilization > 0 && p.utilization <= 1, `utilization must be in (0, 1]; it is ${p.utilization}.`);
  requireFinite(p.pcieGBps, 'pcieGBps', 0);
  ensure(p.pcieGBps > 0 && p.cpuAdamParamsPerSec > 0, 'pcieGBps and cpuAdamParamsPerSec must be above 0.');
}

/** One configuration's memory and step time. */
export function planOne(p: PlannerInput, strategy: PlanStrategy, offload: boolean, checkpointing: boolean): PlanRow {
  checkPlannerInput(p);
  const psi = modelParams(p.model, p.seqLen);
  const n = p.gpus;
  const states = zeroMemoryPerDevice(psi, { stage: STAGE[strategy], worldSize: n, precision: 'mixed', optimizer: 'adam' });
  const off = offload && strategy !== 'dp';
  const optimizer = off ? 0 : states.optimizer;
  const activations = activationBytes(p.model, p.seqLen, p.microBatch, checkpointing);
  const total = states.params + states.grads + optimizer + activations;
  const compute = stepFlops(p.model, p.seqLen, p.microBatch * p.gradAccum, checkpointing) / (p.gpuTflops * 1e12 * p.utilization);
  const topo: Topology = { ranks: n, ranksPerNode: Math.min(p.gpusPerNode, n), intra: p.intra, inter: p.inter };
  const fp16 = 2 * psi;
  const k = p.gradAccum;
  const ops: [Parameters<typeof collectiveTime>[0], number][] =
    strategy === 'dp' ? [['all-reduce', 1]] : strategy === 'zero1' ? [['reduce-scatter', 1], ['all-gather', 1]] : strategy === 'zero2' ? [['reduce-scatter', k], ['all-gather', 1]] : [['all-gather', 2 * k], ['reduce-scatter', k]];
  let commSeconds = 0;
  let commBytes = 0;
  for (const [op, times] of ops) {
    const c = collectiveTime(op, fp16, topo, p.algorithm);
    commSeconds += times * c.seconds;
    commBytes += times * c.bytesPerRank;
  }
  const offloadSeconds = off ? (2 * fp16) / n / (p.pcieGBps * 1e9) + psi / n / p.cpuAdamParamsPerSec : 0;
  const stepSeconds = compute + commSeconds + offloadSeconds;
  const stepSecondsOverlap = Math.max(compute, commSeconds) + offloadSeconds;
  return {
    strategy, offload: off, checkpointing, params: states.params, grads: states.grads, optimizer, activations, total,
    cpuBytes: off ? states.optimizer : 0, fits: total <= p.gpuMemoryGB * 1e9, computeSeconds: compute, commSeconds, commBytes, offloadSeconds,
    stepSeconds, stepSecondsOverlap, tokensPerSecond: (n * p.microBatch * k * p.seqLen) / stepSecondsOverlap,
  };
}

/** Every strategy, with and without offload (ZeRO only) and checkpointing. */
export function planAll(p: PlannerInput): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const s of PLAN_STRATEGIES) for (const off of s === 'dp' ? [false] : [false, true]) for (const ck of [false, true]) rows.push(planOne(p, s, off, ck));
  return rows;
}

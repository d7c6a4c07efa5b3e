/**
 * The scale planner lab's run: for a GPT-style model of 1B-70B parameters (or layers × width), a
 * cluster and a batch, every strategy (data parallel, ZeRO-1/2/3, with and without CPU offload and
 * activation checkpointing): memory per GPU by component, whether it fits, and the step time from
 * FLOPs and the network; and across cluster sizes, the memory per GPU of each strategy. Pure
 * arithmetic (distributed/planner.ts), the formulas the ZeRO lab's measured bytes are checked against.
 */
import type { TaskContext } from '../core/task';
import { SettingsError, checkFields, type Field } from '../core/fields';
import { MODEL_PRESETS, PLAN_STRATEGIES, modelParams, planAll, planOne, type ModelPreset, type ModelShape, type PlanRow, type PlanStrategy, type PlannerInput } from '../distributed/planner';

/** PlannerInput flattened for the link: the model's shape, the batch and cluster as they are, links and CPU as plain numbers. */
type SameAsInput = 'seqLen' | 'microBatch' | 'gradAccum' | 'gpus' | 'gpusPerNode' | 'gpuMemoryGB' | 'gpuTflops' | 'utilization' | 'algorithm' | 'pcieGBps';

export interface PlannerSettings extends ModelShape, Pick<PlannerInput, SameAsInput> {
  size: ModelPreset | 'custom';
  intraGBps: number;
  intraLatencyUs: number;
  interGBps: number;
  interLatencyUs: number;
  cpuAdamGParamsPerSec: number;
}

export const DEFAULTS: PlannerSettings = {
  size: '6.7b', layers: 32, hidden: 4096, heads: 32, vocab: 50257, seqLen: 2048, microBatch: 1, gradAccum: 8, gpus: 8, gpusPerNode: 8, gpuMemoryGB: 80,
  gpuTflops: 312, utilization: 0.45, intraGBps: 150, intraLatencyUs: 5, interGBps: 25, interLatencyUs: 10, algorithm: 'ring', pcieGBps: 25, cpuAdamGParamsPerSec: 1,
};

export const FIELDS: Field[] = [
  { key: 'size', label: 'Model', kind: 'choice', group: 'Model', options: [
    { value: '1.3b', label: '1.3B (24 × 2048, GPT-3 XL)' }, { value: '6.7b', label: '6.7B (32 × 4096, GPT-3 6.7B)' }, { value: '13b', label: '12.8B (40 × 5120)' },
    { value: '32b', label: '32B (60 × 6656)' }, { value: '65b', label: '65B (80 × 8192)' }, { value: 'custom', label: 'Layers × width below' },
  ], explain: 'A GPT-style stack: Ψ ≈ 12·L·h² parameters plus the embeddings.' },
  { key: 'layers', label: 'Layers', kind: 'number', min: 1, max: 200, step: 1, integer: true, advanced: true, explain: 'Transformer layers (custom model).' },
  { key: 'hidden', label: 'Width', kind: 'number', min: 64, max: 65536, step: 64, integer: true, advanced: true, explain: 'Hidden size h (custom model).' },
  { key: 'heads', label: 'Heads', kind: 'number', min: 1, max: 512, step: 1, integer: true, advanced: true, explain: 'Attention heads; attention scores take 5·a·s/h bytes per token per layer.' },
  { key: 'vocab', label: 'Vocabulary', kind: 'number', min: 2, max: 1000000, step: 1, integer: true, advanced: true, explain: 'Tokens in the vocabulary: the embedding and logits layers.' },
  { key: 'seqLen', label: 'Sequence length', kind: 'number', group: 'Batch', min: 128, max: 131072, step: 128, integer: true, explain: 'Tokens per sequence: activations grow with s (and s² for attention).' },
  { key: 'microBatch', label: 'Micro-batch per GPU', kind: 'number', min: 1, max: 256, step: 1, integer: true, explain: 'Sequences per GPU per forward/backward: what sets activation memory.' },
  { key: 'gradAccum', label: 'Accumulation steps', kind: 'number', min: 1, max: 1024, step: 1, integer: true, explain: 'Micro-batches per optimizer step: more tokens per step, same activation memory.' },
  { key: 'gpus', label: 'GPUs', kind: 'number', group: 'Cluster', min: 1, max: 16384, step: 1, integer: true, explain: 'Data-parallel ranks (N): ZeRO divides model states by N.' },
  { key: 'gpusPerNode', label: 'GPUs per node', kind: 'number', min: 1, max: 16, step: 1, integer: true, explain: 'GPUs sharing the fast intra-node links.' },
  { key: 'gpuMemoryGB', label: 'GPU memory (GB)', kind: 'number', min: 4, max: 512, step: 1, explain: 'Per GPU, decimal GB as the ZeRO paper counts.' },
  { key: 'gpuTflops', label: 'Peak TFLOP/s', kind: 'number', min: 1, max: 10000, step: 1, explain: 'Dense fp16/bf16 peak per GPU (A100: 312, H100 SXM: 989).' },
  { key: 'utilization', label: 'Utilization', kind: 'number', min: 0.01, max: 1, step: 0.01, explain: 'Fraction of the peak the kernels reach; 0.3-0.55 is typical for large transformers.' },
  { key: 'intraGBps', label: 'Intra-node GB/s', kind: 'number', group: 'Network', min: 0.1, max: 10000, step: 0.1, explain: 'Per-link bandwidth inside a node (NVLink-class).' },
  { key: 'intraLatencyUs', label: 'Intra-node latency (µs)', kind: 'number', min: 0, max: 10000, step: 0.1, advanced: true, explain: 'α inside a node.' },
  { key: 'interGBps', label: 'Inter-node GB/s', kind: 'number', min: 0.1, max: 10000, step: 0.1, explain: 'Per-GPU bandwidth between nodes (200 Gb/s InfiniBand is 25 GB/s).' },
  { key: 'interLatencyUs', label: 'Inter-node latency (µs)', kind: 'number', min: 0, max: 10000, step: 0.1, advanced: true, explain: 'α between nodes.' },
  { key: 'algorithm', label: 'All-reduce', kind: 'choice', options: [{ value: 'ring', label: 'Ring' }, { value: 'tree', label: 'Tree' }, { value: 'hierarchical', label: 'Hierarchical' }], advanced: true, explain: 'How the collectives are scheduled on the links.' },
  { key: 'pcieGBps', label: 'PCIe GB/s', kind: 'number', group: 'Offload', min: 0.1, max: 1000, step: 0.1, advanced: true, explain: 'Host-device bandwidth that offloaded optimizer traffic crosses.' },
  { key: 'cpuAdamGParamsPerSec', label: 'CPU Adam (billion params/s)', kind: 'number', min: 0.01, max: 100, step: 0.01, advanced: true, explain: 'How fast the CPU updates its share of the parameters (an assumption to vary).' },
];

export function shapeOf(s: PlannerSettings): ModelShape {
  return s.size === 'custom' ? { layers: s.layers, hidden: s.hidden, heads: s.heads, vocab: s.vocab } : MODEL_PRESETS[s.size];
}

export function inputOf(s: PlannerSettings, gpus = s.gpus): PlannerInput {
  return {
    model: shapeOf(s), seqLen: s.seqLen, microBatch: s.microBatch, gradAccum: s.gradAccum, gpus, gpusPerNode: Math.min(s.gpusPerNode, gpus), gpuMemoryGB: s.gpuMemoryGB,
    gpuTflops: s.gpuTflops, utilization: s.utilization, intra: { latencyUs: s.intraLatencyUs, bandwidthGBps: s.intraGBps }, inter: { latencyUs: s.interLatencyUs, bandwidthGBps: s.interGBps },
    algorithm: s.algorithm, pcieGBps: s.pcieGBps, cpuAdamParamsPerSec: s.cpuAdamGParamsPerSec * 1e9,
  };
}

export function validate(s: PlannerSettings): void {
  checkFields(FIELDS, s);
  const m = shapeOf(s);
  if (m.hidden % m.heads !== 0) throw new SettingsError('heads', `Width (${m.hidden}) must be a multiple of the heads (${m.heads}).`);
  if (s.gpus > s.gpusPerNode && s.gpus % s.gpusPerNode !== 0) throw new SettingsError('gpus', `GPUs (${s.gpus}) must fill whole nodes of ${s.gpusPerNode}.`);
}

export interface PlannerResult {
  settings: PlannerSettings;
  params: number;
  rows: PlanRow[];
  /** Memory per GPU (with checkpointing, no offload) of each strategy for 1, 2, 4, … GPUs. */
  sweep: { gpus: Float64Array; totals: Record<PlanStrategy, Float64Array> };
  /** Fewest GPUs (of the sweep) at which each strategy fits, with checkpointing, without offload; NaN if none. */
  fewestGpus: Record<PlanStrategy, number>;
  summary: Record<string, number | string>;
}

export async function run(ctx: TaskContext, s: PlannerSettings): Promise<PlannerResult> {
  validate(s);
  ctx.checkStop();
  const input = inputOf(s);
  const rows = planAll(input);
  const params = modelParams(input.model, s.seqLen);
  const gpus = Float64Array.from({ length: 15 }, (_, i) => 2 ** i).filter((g) => g <= 16384);
  const totals = Object.fromEntries(PLAN_STRATEGIES.map((st) => [st, gpus.map((g) => planOne(inputOf(s, g), st, false, true).total)])) as Record<PlanStrategy, Float64Array>;
  const fewestGpus = Object.fromEntries(PLAN_STRATEGIES.map((st) => {
    const i = totals[st].findIndex((t) => t <= s.gpuMemoryGB * 1e9);
    return [st, i < 0 ? NaN : gpus[i]];
  })) as Record<PlanStrategy, number>;
  const fitting = rows.filter((r) => r.fits);
  const best = fitting.reduce<PlanRow | undefined>((a, r) => (!a || r.tokensPerSecond > a.tokensPerSecond ? r : a), undefined);
  const row = (st: PlanStrategy, off: boolean, ck: boolean) => rows.find((r) => r.strategy === st && r.offload === off && r.checkpointing === ck)!;
  const summary: Record<string, number | string> = {
    params, gpus: s.gpus, gpuMemoryGB: s.gpuMemoryGB, fitting: fitting.length, fittingNoOffload: fitting.filter((r) => !r.offload).length,
    best: best ? `${best.strategy}${best.offload ? '+offload' : ''}${best.checkpointing ? '+ckpt' : ''}` : '', bestTokensPerSec: best?.tokensPerSecond ?? 0,
    ...Object.fromEntries(PLAN_STRATEGIES.flatMap((st) => [[`${st}Total`, row(st, false, true).total], [`${st}Fits`, row(st, false, true).fits ? 1 : 0], [`${st}Fewest`, fewestGpus[st]]])),
    zero3StepSeconds: row('zero3', false, true).stepSecondsOverlap, dpStepSeconds: row('dp', false, true).stepSecondsOverlap,
  };
  ctx.progress(1, 'planned');
  return { settings: s, params, rows, sweep: { gpus, totals }, fewestGpus, summary };
}

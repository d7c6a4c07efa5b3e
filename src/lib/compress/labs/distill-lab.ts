import * as tfl from '@tensorflow/tfjs-layers';
import type { Bits } from '../../ml/quantize';
import type { QuantPlan } from '../qat';
import { deriveSeed } from '../../core/rng';
import { buildSequential, chain, exampleShape, specOf, WEIGHTED } from '../../ml/layers';
import { accuracy as logitsOn, fakeQuant, teacherOf, type Images, type Meter } from './fit';
import type { Measured } from '../kit';
import { fitEpochs } from '../../ml/loop';
import { quantizeKernelsInPlace } from './weights';
import type { Progress } from './quantize-lab';
import type { DistillSettings } from './defaults';

export { DISTILL_DEFAULTS, type DistillSettings } from './defaults';

export type StudentKind = 'alone' | 'distilled' | 'self' | 'qat';

export interface StudentResult {
  key: string;
  kind: StudentKind;
  description: string;
  temperature: number;
  alpha: number;
  accuracy: number;
  /** Test accuracy after each epoch. */
  curve: number[];
  bytes: number;
  params: number;
  latencyMs: number;
  /** bytes / teacher bytes. */
  sizeFraction: number;
}

export interface DistillResult {
  teacher: { accuracy: number; bytes: number; params: number; latencyMs: number; description: string };
  students: StudentResult[];
  models: Record<string, tfl.LayersModel>;
  /** Every student as the kit measured it (what a saved variant records). */
  measured: Record<string, Measured>;
}

/** The student: 784 → units (ReLU) → 10, weights seeded like the training lab's models. */
export function buildStudent(units: number, seed: number): tfl.Sequential {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: deriveSeed(seed, s) });
  const m = tfl.sequential({ name: `student${units}` });
  m.add(tfl.layers.dense({ inputShape: [784], units, activation: 'relu', kernelInitializer: init(0), name: 'hidden' }));
  m.add(tfl.layers.dense({ units: 10, kernelInitializer: init(1), name: 'logits' }));
  return m;
}

/** A fresh copy of a model's architecture with new seeded weights (for self-distillation). */
function freshLike(model: tfl.LayersModel, seed: number): tfl.Sequential {
  const specs = chain(model).map((l, i) => {
    const s = specOf(l);
    const config = WEIGHTED.has(s.className) ? { ...s.config, kernelInitializer: { className: 'GlorotUniform', config: { seed: deriveSeed(seed, 100 + i) } } } : s.config;
    return { className: s.className, config, weights: [] };
  });
  return buildSequential(`${model.name}_self`, exampleShape(model), specs);
}

/**
 * Students trained with the same seed, data and budget: alone (α = 0, hard labels only), distilled
 * from the teacher at every (T, α), and optionally self-distilled (teacher architecture) and
 * distilled with quantization-aware training. Teacher logits are computed once.
 */
export async function runDistill(teacher: { model: tfl.LayersModel; inputShape: number[]; description: string }, data: Images, meter: Meter, s: DistillSettings, progress: Progress = () => {}): Promise<DistillResult> {
  const train = { ...data, n: Math.min(s.trainSize, data.n) };
  progress({ fraction: 0.01, stage: 'scoring the teacher and computing its logits' });
  const [tm] = await meter.measure([{ model: teacher.model }]);
  const tBytes = tm.bytes;
  const t = { accuracy: tm.accuracy, bytes: tBytes, params: tm.params, latencyMs: tm.latency.batch1Ms, description: teacher.description };
  const logits = (await logitsOn(teacher.model, train, teacher.inputShape)).logits;

  const T0 = s.temperatures[0], A0 = s.alphas[0];
  const jobs: { key: string; kind: StudentKind; T: number; alpha: number }[] = [{ key: 'alone', kind: 'alone', T: 1, alpha: 0 }];
  for (const T of s.temperatures) for (const alpha of s.alphas) jobs.push({ key: `T${T}-a${alpha}`, kind: 'distilled', T, alpha });
  if (s.selfDistill) jobs.push({ key: `self-T${T0}-a${A0}`, kind: 'self', T: T0, alpha: A0 });
  if (s.qatBits) jobs.push({ key: `qat${s.qatBits}-T${T0}-a${A0}`, kind: 'qat', T: T0, alpha: A0 });

  const students: StudentResult[] = [];
  const models: Record<string, tfl.LayersModel> = {};
  const measured: Record<string, Measured> = {};
  for (const [j, job] of jobs.entries()) {
    const self = job.kind === 'self';
    const model = self ? freshLike(teacher.model, s.seed) : buildStudent(s.studentUnits, s.seed);
    const shape = self ? teacher.inputShape : [784];
    const plan: QuantPlan | undefined = job.kind === 'qat' ? { weights: { bits: s.qatBits as Bits, granularity: 'channel' } } : undefined;
    const curve: number[] = [];
    await fitEpochs(model, train, shape, {
      epochs: s.epochs, batchSize: 64, learningRate: s.learningRate, seed: s.seed, forward: fakeQuant(plan), beforeUpdate: () => meter.checkStop(),
      teacher: job.alpha > 0 ? teacherOf(logits, 10, { temperature: job.T, alpha: job.alpha }) : undefined,
      onStep: (p) => progress({ fraction: 0.05 + (0.93 * (j + p.progress)) / jobs.length, stage: `student ${j + 1} of ${jobs.length} (${label(job.kind, job.T, job.alpha, s)}), loss ${p.loss.toFixed(3)}` }),
      onEpoch: async () => { curve.push(await meter.accuracy(model, plan)); },
    });
    if (plan?.weights) quantizeKernelsInPlace(model, plan.weights);
    const [m] = await meter.measure([{ model, scheme: plan?.weights }]);
    students.push({
      key: job.key, kind: job.kind, description: label(job.kind, job.T, job.alpha, s), temperature: job.T, alpha: job.alpha,
      accuracy: m.accuracy, curve, bytes: m.bytes, params: m.params, latencyMs: m.latency.batch1Ms, sizeFraction: m.bytes / tBytes,
    });
    models[job.key] = model;
    measured[job.key] = m;
  }
  return { teacher: t, students, models, measured };
}

function label(kind: StudentKind, T: number, alpha: number, s: DistillSettings): string {
  const mlp = `MLP 784-${s.studentUnits}-10`;
  switch (kind) {
    case 'alone': return `${mlp} trained alone on hard labels`;
    case 'distilled': return `${mlp} distilled, T ${T}, α ${alpha}`;
    case 'self': return `teacher architecture self-distilled, T ${T}, α ${alpha}`;
    case 'qat': return `${mlp} distilled with int${s.qatBits} QAT (per channel), T ${T}, α ${alpha}`;
  }
}

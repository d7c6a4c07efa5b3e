/**
 * The quantization and distillation labs as experiments of the one compression service: they run on
 * the base model the service loaded (the one base-model policy), measure every variant through
 * ctx.measureAll (the one measurement path) and save them with ctx.save (the one tagging scheme:
 * experimentRunId, role, order, base tags).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { exampleShape } from '../../ml/layers';
import type { CompressionTechnique } from '../../store/types';
import type { ExperimentContext, Measured } from '../service';
import type { Meter } from '../labs/fit';
import { DEFAULT_BASE_NAME } from '../base';
import { runQuantize, type QuantizeResult } from '../labs/quantize-lab';
import { runDistill, type DistillResult } from '../labs/distill-lab';
import { toDistillSettings, toQuantizeSettings, type DistillFields, type QuantizeFields } from '../labs/settings';

/** The base a quantization or distillation run compressed, as its results name it (saved too, as params.base: the exercises read it). */
export interface BaseSummary { description: string; runId: string; kind: string }

export interface QuantizeOutcome {
  result: Omit<QuantizeResult, 'models' | 'measured'>;
  /** Saved variant run ids, by variant key (role). */
  runIds: Record<string, string>;
  base: BaseSummary;
  backend: string;
}

export interface DistillOutcome {
  result: Omit<DistillResult, 'models' | 'measured'>;
  runIds: Record<string, string>;
  base: BaseSummary;
  backend: string;
}

function meter(ctx: ExperimentContext): Meter {
  return { measure: (e) => ctx.measureAll(e), accuracy: async (m, plan) => (await ctx.kit.evaluate(m, plan)).accuracy, checkStop: ctx.checkStop };
}

function baseSummary(ctx: ExperimentContext): BaseSummary {
  const b = ctx.base.info;
  const acc = Number.isFinite(b.testAcc) ? `, test accuracy ${(100 * b.testAcc).toFixed(1)}% in the training lab` : '';
  const who = b.trainedNow || b.name === DEFAULT_BASE_NAME ? 'the default base model' : `your training run ${b.name}`;
  return { description: `${who} (${b.model}${acc})`, runId: b.runId, kind: b.model };
}

/** Save made models in order, as variants of this experiment, and dispose them. */
async function saveAll(ctx: ExperimentContext, models: Record<string, tfl.LayersModel | undefined>, measured: Record<string, Measured | undefined>, rows: { key: string; description: string; technique: CompressionTechnique; exportWeights: 'int8' | 'float32'; settings?: Record<string, unknown> }[]): Promise<Record<string, string>> {
  const runIds: Record<string, string> = {};
  for (const [order, r] of rows.entries()) {
    ctx.progress(0.96 + (0.04 * order) / rows.length, 'saving the variants');
    runIds[r.key] = await ctx.save(models[r.key]!, measured[r.key]!, { technique: r.technique, description: r.description, exportWeights: r.exportWeights }, { name: r.description, settings: { role: r.key, order, ...(r.settings ?? {}) } });
  }
  for (const m of Object.values(models)) m?.dispose();
  return runIds;
}

export async function runQuantizeLab(ctx: ExperimentContext, fields: QuantizeFields): Promise<QuantizeOutcome> {
  const s = toQuantizeSettings(fields);
  const base = baseSummary(ctx);
  const { models, measured, ...result } = await runQuantize(ctx.base.model, exampleShape(ctx.base.model), ctx.kit.trainImages(), meter(ctx), s, (p) => ctx.progress(0.95 * p.fraction, p.stage));
  const runIds = await saveAll(ctx, models, measured, result.variants.map((v) => ({
    key: v.key, description: v.description, technique: v.key === 'float32' || v.key === 'float-ft' ? 'baseline' : 'quantize', exportWeights: v.weights?.bits === 8 ? 'int8' : 'float32',
    settings: { base: base.description },
  })));
  return { result, runIds, base, backend: ctx.backend };
}

export async function runDistillLab(ctx: ExperimentContext, fields: DistillFields): Promise<DistillOutcome> {
  const s = toDistillSettings(fields);
  const base = baseSummary(ctx);
  const { models, measured, ...result } = await runDistill({ model: ctx.base.model, inputShape: exampleShape(ctx.base.model), description: base.description }, ctx.kit.trainImages(), meter(ctx), s, (p) => ctx.progress(0.95 * p.fraction, p.stage));
  const runIds = await saveAll(ctx, models, measured, result.students.map((st) => ({
    key: st.key, description: st.description, technique: 'distill', exportWeights: st.kind === 'qat' && fields.qatBits === '8' ? 'int8' : 'float32',
    settings: { kind: st.kind, temperature: st.temperature, alpha: st.alpha, teacherAccuracy: result.teacher.accuracy, teacherBytes: result.teacher.bytes, base: base.description },
  })));
  return { result, runIds, base, backend: ctx.backend };
}

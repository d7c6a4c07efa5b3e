/** Exercise checks of the quantization and distillation labs, fed with variant runs tagged as the compression service saves them (experimentRunId, role, order). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { meta as quantize } from '../../labs/quantize/lab';
import { meta as distill } from '../../labs/distill/lab';
import { groups } from '../../labs/compress-kit/runs';

let n = 0;
function variant(lab: string, group: string, order: number, key: string, accuracy: number, bytes: number, params: Record<string, unknown> = {}): RunRecord {
  n++;
  return {
    id: `run-test-${n}`, lab, params: { experimentRunId: group, order, role: key, seed: 42, ...params }, seed: 42, dataHash: 'h', backend: 'wasm', appVersion: 'test', status: 'done',
    createdAt: 1000 + n, updatedAt: 1000 + n, durationMs: 0, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
    variant: { technique: lab === 'quantize' ? 'quantize' : 'distill', description: key, accuracy, bytes, params: 1, latencyMs: 0.1, latencyBackend: 'tfjs-wasm' },
  };
}
const check = (meta: typeof quantize, id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

function quantGroup(group: string, acc: Record<string, number>, settings: Record<string, unknown> = {}): RunRecord[] {
  const bytes: Record<string, number> = { float32: 940_000, 'int8-tensor': 236_000, 'int8-channel': 238_000, 'static-minmax': 238_000, 'static-percentile': 238_000, 'int4-ptq': 119_000, 'int4-qat': 119_000, 'float-ft': 940_000 };
  return Object.keys(bytes).map((k, i) => variant('quantize', group, i, k, acc[k] ?? acc.float32, bytes[k], { activationBits: '8', int4Granularity: 'tensor', ...settings }));
}

describe('quantization lab exercises read the saved variants', () => {
  it('groups() puts a run\'s variants together in the order they were made, newest run first', () => {
    const a = quantGroup('g1', { float32: 0.85 });
    const b = quantGroup('g2', { float32: 0.85 });
    const gs = groups([...b.reverse(), ...a]);
    expect(gs.map((g) => g.group)).toEqual(['g2', 'g1']);
    expect(gs[1].runs.map((r) => r.params.role)).toEqual(['float32', 'int8-tensor', 'int8-channel', 'static-minmax', 'static-percentile', 'int4-ptq', 'int4-qat', 'float-ft']);
  });

  it('int8-free passes within 1 point at under 30% of the bytes, not 1.5 points below', () => {
    expect(check(quantize, 'int8-free', quantGroup('g', { float32: 0.856, 'int8-channel': 0.85 })).passed).toBe(true);
    expect(check(quantize, 'int8-free', quantGroup('g', { float32: 0.856, 'int8-channel': 0.841 })).passed).toBe(false);
  });

  it('qat-recovers needs PTQ to lose ≥ 0.5 points and QAT to win back half of it', () => {
    expect(check(quantize, 'qat-recovers', quantGroup('g', { float32: 0.856, 'int4-ptq': 0.829, 'int4-qat': 0.86 })).passed).toBe(true);
    expect(check(quantize, 'qat-recovers', quantGroup('g', { float32: 0.856, 'int4-ptq': 0.829, 'int4-qat': 0.835 })).passed).toBe(false);
    expect(check(quantize, 'qat-recovers', quantGroup('g', { float32: 0.856, 'int4-ptq': 0.854, 'int4-qat': 0.86 })).passed).toBe(false);
    expect(check(quantize, 'qat-recovers', []).detail).toMatch(/Run the lab first/);
  });

  it('percentile-4bit needs an int4-activation run and a reasoned answer', () => {
    const runs = quantGroup('g', { float32: 0.85, 'static-minmax': 0.70, 'static-percentile': 0.80 }, { activationBits: '4' });
    expect(check(quantize, 'percentile-4bit', quantGroup('g', { float32: 0.85 })).passed).toBe(false);
    expect(check(quantize, 'percentile-4bit', runs, { 'percentile-4bit': 'ok' }).passed).toBe(false);
    // A generic answer, or one naming the method that lost, does not pass: it must name this run's winner and its accuracy.
    expect(check(quantize, 'percentile-4bit', runs, { 'percentile-4bit': 'Percentile won: rare outliers stretch the min-max range so every step gets coarse.' }).passed).toBe(false);
    expect(check(quantize, 'percentile-4bit', runs, { 'percentile-4bit': 'Min-max won with 80.0%: rare outliers stretch the range so every step gets coarse.' }).passed).toBe(false);
    const r = check(quantize, 'percentile-4bit', runs, { 'percentile-4bit': 'Percentile won with 80.0%: rare outliers stretch the min-max range so every step gets coarse.' });
    expect(r.passed).toBe(true);
    expect(r.detail).toContain('min–max 70.0%, percentile 80.0% (+10.0 pts)');
    const mmWins = quantGroup('g', { float32: 0.85, 'static-minmax': 0.81, 'static-percentile': 0.78 }, { activationBits: '4' });
    expect(check(quantize, 'percentile-4bit', mmWins, { 'percentile-4bit': 'Percentile won with 81.0%: rare outliers stretch the range so every step gets coarse.' }).passed).toBe(false);
    expect(check(quantize, 'percentile-4bit', mmWins, { 'percentile-4bit': 'Min–max won with 81.0%: clipping the tail cost more than the coarser steps.' }).passed).toBe(true);
  });

  it('int4-granularity needs a per-tensor and a per-channel run', () => {
    const t = quantGroup('a', { float32: 0.85 }, { int4Granularity: 'tensor' });
    const c = quantGroup('b', { float32: 0.85 }, { int4Granularity: 'channel' });
    expect(check(quantize, 'int4-granularity', t).passed).toBe(false);
    expect(check(quantize, 'int4-granularity', [...t, ...c]).passed).toBe(true);
    // Two runs that also differ in another setting do not make the comparison.
    const c2 = quantGroup('c', { float32: 0.85 }, { int4Granularity: 'channel', seed: 7 });
    expect(check(quantize, 'int4-granularity', [...t, ...c2]).passed).toBe(false);
    const c3 = quantGroup('d', { float32: 0.85 }, { int4Granularity: 'channel', activationBits: '4' });
    expect(check(quantize, 'int4-granularity', [...t, ...c3]).passed).toBe(false);
  });
});

function distillGroup(group: string, students: [string, string, number, number][], params: Record<string, unknown> = {}): RunRecord[] {
  return students.map(([key, kind, acc, bytes], i) => variant('distill', group, i, key, acc, bytes, { kind, teacherAccuracy: 0.856, teacherBytes: 940_000, base: 'default MLP', trainSize: 9000, epochs: 5, ...params }));
}

describe('distillation lab exercises read the saved students', () => {
  const base: [string, string, number, number][] = [['alone', 'alone', 0.833, 101_800], ['T1-a0.5', 'distilled', 0.829, 101_800]];

  it('small-student: within 5 points at ≤ 15% of the teacher, not 6 points behind', () => {
    expect(check(distill, 'small-student', distillGroup('g', base)).passed).toBe(true);
    expect(check(distill, 'small-student', distillGroup('g', [['alone', 'alone', 0.79, 101_800], ['T1-a0.5', 'distilled', 0.796, 101_800]])).passed).toBe(false);
    // The student trained alone does not count: it is not distilled.
    expect(check(distill, 'small-student', distillGroup('g', [['alone', 'alone', 0.85, 101_800], ['T1-a0.5', 'distilled', 0.79, 101_800]])).passed).toBe(false);
  });

  it('beat-alone passes only when a distilled student beats the student alone of its own run', () => {
    expect(check(distill, 'beat-alone', distillGroup('g', base)).passed).toBe(false);
    expect(check(distill, 'beat-alone', distillGroup('g', [['alone', 'alone', 0.821, 1], ['T1-a0.5', 'distilled', 0.826, 1]])).passed).toBe(true);
  });

  it('self-distill, qat-student and your-teacher read the kind of student and the base', () => {
    expect(check(distill, 'self-distill', distillGroup('g', base)).passed).toBe(false);
    expect(check(distill, 'self-distill', distillGroup('g', [...base, ['self-T1-a0.5', 'self', 0.832, 940_000]])).passed).toBe(true);
    expect(check(distill, 'qat-student', distillGroup('g', [...base, ['qat4-T1-a0.5', 'qat', 0.79, 13_040]])).detail).toContain('1.39% of the teacher');
    expect(check(distill, 'your-teacher', distillGroup('g', base)).passed).toBe(false);
    expect(check(distill, 'your-teacher', distillGroup('g', base, { base: 'your training run abc123 (cnn, test accuracy 89.0% in the training lab)' })).passed).toBe(true);
  });
});

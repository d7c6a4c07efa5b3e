import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '../ml/tf-node.ts';
import { CompressService, BASELINE_LAB } from '../../../src/lib/compress/service.ts';
import { loadTrainData } from '../../../src/lib/ml/service.ts';
import { Trainer } from '../../../src/lib/ml/trainer.ts';
import { DEFAULTS } from '../../../src/lib/ml/config.ts';
import { MemoryRunStore } from '../../../src/lib/store/index.ts';
import { describeOnnx } from '../../../src/lib/onnx/index.ts';
import { loadVariant, CompressKit } from '../../../src/lib/compress/index.ts';
import { PRUNE_DEFAULTS } from '../../../src/lib/compress/experiments/prune-settings.ts';
import { DEFAULT_FIELDS } from '../../../src/lib/compress/labs/settings.ts';

const URL_ = 'http://test.invalid/fashion.parquet';
const bytes = readFileSync(new URL('../../../public/data/fashion-mnist-subset.parquet', import.meta.url));
const realFetch = globalThis.fetch;

describe('CompressService (the compress worker\'s API, called directly)', () => {
  const store = new MemoryRunStore();
  const service = new CompressService({}, 'test', store);
  let baseRunId = '';
  let baseAcc = 0;

  beforeAll(async () => {
    globalThis.fetch = (async (u: string) => (u === URL_ ? new Response(bytes) : new Response('no', { status: 404 }))) as typeof fetch;
    const status = await service.init({ datasetUrl: URL_, backend: 'wasm' });
    expect(status.decision.backend).toBe('wasm');
    expect([status.dataset.train, status.dataset.val, status.dataset.test]).toEqual([9000, 1000, 2000]);
    // A learner's finished training run, small so the test is quick.
    const { data } = await loadTrainData(URL_);
    const trainer = new Trainer(store);
    trainer.setData(data);
    const run = await trainer.run({ ...DEFAULTS, trainSize: 1280, epochs: 1, backend: 'wasm', seed: 3 }, { runId: 'base-run', backend: 'wasm', lab: 'train' }, () => {});
    baseRunId = run.id;
    baseAcc = run.final!.testAcc;
  }, 120_000);
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('bases() lists the finished training run; loadBase() picks it and measures the same test accuracy the trainer recorded', async () => {
    expect((await service.bases()).map((b) => b.runId)).toEqual([baseRunId]);
    const info = await service.loadBase({});
    expect(info.runId).toBe(baseRunId);
    expect(info.trainedNow).toBe(false);
    expect(info.accuracy).toBe(baseAcc);
    expect(info.params).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(info.bytes).toBe(4 * info.params);
    const baseline = await store.getRun(info.variantRunId);
    expect(baseline?.lab).toBe(BASELINE_LAB);
    expect(baseline?.variant?.technique).toBe('baseline');
    // Loading again reuses the baseline record instead of adding another.
    expect((await service.loadBase({ runId: baseRunId })).variantRunId).toBe(info.variantRunId);
  }, 60_000);

  it('loadBase refuses a run that does not exist or is not a finished training run, by name', async () => {
    await expect(service.loadBase({ runId: 'nope' })).rejects.toThrow(/nope is not in this browser/);
    const baseline = (await store.listRuns(BASELINE_LAB))[0];
    await expect(service.loadBase({ runId: baseline.id })).rejects.toThrow(/not a finished training-lab run/);
    await service.loadBase({}); // the base is back for the next tests
  }, 60_000);

  it('run("prune", one-shot): the sweep starts at the base accuracy, the saved variant is as sparse as asked and reloads to the accuracy reported', async () => {
    const out = await service.run('prune', { ...PRUNE_DEFAULTS, sparsity: 0.8, trainSize: 512, epochs: 1 });
    const global = out.curves.find((c) => c.label === 'global threshold')!;
    expect(global.x[0]).toBe(0);
    expect(global.y[0]).toBe(baseAcc);
    expect(global.y[global.y.length - 1]).toBeLessThan(global.y[0]); // 98% pruned hurts
    const saved = out.rows[out.rows.length - 1];
    expect(saved.runId).toBeTruthy();
    const { run, model } = await loadVariant(store, saved.runId!);
    expect(run.variant!.accuracy).toBe(saved.accuracy);
    expect(run.variant!.parentRunId).toBe(baseRunId);
    // 80% of the 235,146 kernel weights are zero; biases are kept (and stay nonzero after fine-tuning).
    const kernels = 784 * 256 + 256 * 128 + 128 * 10;
    expect(saved.params - saved.nonzero).toBeGreaterThanOrEqual(Math.round(0.8 * kernels));
    expect(saved.bytes).toBeLessThan(0.3 * 4 * saved.params);
    const kit = new CompressKit((await loadTrainData(URL_)).data);
    expect((await kit.evaluate(model)).accuracy).toBe(saved.accuracy);
    kit.dispose();
  }, 120_000);

  it('run("prune", structured): the compacted model has fewer parameters, and its control as many nonzero weights', async () => {
    const out = await service.run('prune', { ...PRUNE_DEFAULTS, experiment: 'structured', sparsity: 0.5, trainSize: 256, epochs: 1 });
    const [base, , compact, control] = out.rows;
    // Half of dense1's 256 and dense2's 128 units go: 784·128 + 128 + 128·64 + 64 + 64·10 + 10.
    expect(compact.params).toBe(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
    expect(compact.nonzero).toBeLessThanOrEqual(compact.params);
    expect(control.params).toBe(base.params);
    expect(Math.abs(control.nonzero - compact.params)).toBeLessThan(0.01 * compact.params);
    expect(out.layers.map((l) => l.units)).toEqual(['128 of 256', '64 of 128']);
  }, 120_000);

  it('run("lowrank") with no fine-tuning: accuracy before equals after, parameters follow rank·(in + out) + out', async () => {
    const out = await service.run('lowrank', { target: 'first', ranks: '4,16,1000', epochs: 0, trainSize: 256, seed: 1 });
    expect(out.points.map((p) => p.rank)).toEqual([4, 16]);
    expect(out.skipped.map((s) => s.rank)).toEqual([1000]);
    for (const p of out.points) {
      expect(p.accuracyAfter).toBe(p.accuracyBefore);
      expect(p.params).toBe(p.rank * (784 + 256) + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    }
    expect(out.spectra[0].singularValues.length).toBe(256);
    expect(out.points[0].relError.dense1).toBeGreaterThan(out.points[1].relError.dense1);
  }, 120_000);

  it('run("quantize") and run("distill") go through the same base, measurement and tags as prune: float32 scores the base accuracy, every variant is timed on one backend', async () => {
    const q = await service.run('quantize', { ...DEFAULT_FIELDS.quantize, trainSize: 256, calibrationSize: 32 });
    const float = q.result.variants.find((v) => v.key === 'float32')!;
    // The same fixed test set and the same evaluate as loadBase, so the unchanged copy scores exactly the base.
    expect(float.accuracy).toBe(baseAcc);
    expect(float.bytes).toBe(4 * (784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10));
    expect(q.base.runId).toBe(baseRunId);
    const saved = await Promise.all(Object.values(q.runIds).map((id) => store.getRun(id)));
    expect(saved.map((r) => r!.params.role)).toEqual(q.result.variants.map((v) => v.key));
    for (const r of saved) {
      expect(r!.params.experimentRunId).toBe(saved[0]!.params.experimentRunId);
      expect(r!.params.baseRunId).toBe(baseRunId);
      expect(r!.variant!.latencyBackend).toBe('wasm');
    }
    const d = await service.run('distill', { ...DEFAULT_FIELDS.distill, trainSize: 256, epochs: 1, temperatures: '4', alphas: '0.5', studentUnits: 16 });
    expect(d.result.teacher.accuracy).toBe(baseAcc);
    expect(d.result.students.map((st) => st.key)).toEqual(['alone', 'T4-a0.5']);
    const alone = await store.getRun(d.runIds.alone);
    expect(alone!.variant!.accuracy).toBe(d.result.students[0].accuracy);
    expect(alone!.params.role).toBe('alone');
  }, 180_000);

  it('exportVariant(runId) gives an ONNX file whose parameters are the variant\'s', async () => {
    const [v] = await store.listRuns('lowrank');
    const { bytes: onnxBytes, filename } = await service.exportVariant(v.id);
    expect(filename).toMatch(/^prodlab-lowrank-lowrank-.*\.onnx$/);
    expect(describeOnnx(onnxBytes).parameterCount).toBe(v.variant!.params);
  });

  it('stop() abandons a running experiment with "Stopped by you", and the worker takes the next run', async () => {
    const running = service.run('prune', { ...PRUNE_DEFAULTS, experiment: 'lottery', trainSize: 2048, epochs: 3 });
    await expect(service.run('lowrank', { target: 'first', ranks: '4', epochs: 0, trainSize: 256, seed: 1 })).rejects.toThrow(/busy/);
    setTimeout(() => service.stop(), 300);
    await expect(running).rejects.toThrow(/Stopped by you/);
    const out = await service.run('lowrank', { target: 'first', ranks: '4', epochs: 0, trainSize: 256, seed: 1 });
    expect(out.points).toHaveLength(1);
  }, 120_000);

  it('a CNN base: structured pruning compacts filters through Flatten, low-rank factorizes its dense layer, the ticket rewinds to its seed', async () => {
    const { data } = await loadTrainData(URL_);
    const trainer = new Trainer(store);
    trainer.setData(data);
    await trainer.run({ ...DEFAULTS, model: 'cnn', trainSize: 256, batchSize: 32, epochs: 1, backend: 'wasm', seed: 8 }, { runId: 'cnn-run', backend: 'wasm', lab: 'train' }, () => {});
    const info = await service.loadBase({ runId: 'cnn-run' });
    expect(info.model).toBe('cnn');
    const s = await service.run('prune', { ...PRUNE_DEFAULTS, experiment: 'structured', sparsity: 0.5, epochs: 0, trainSize: 256 });
    // conv1 16 → 8 filters, conv2 32 → 16, dense1 128 → 64; Flatten after two poolings: 7·7·16 inputs.
    const compact = s.rows[1];
    expect(compact.params).toBe(3 * 3 * 1 * 8 + 8 + 3 * 3 * 8 * 16 + 16 + 7 * 7 * 16 * 64 + 64 + 64 * 10 + 10);
    const { model } = await loadVariant(store, compact.runId!);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    const lr = await service.run('lowrank', { target: 'hidden', ranks: '8', epochs: 0, trainSize: 256, seed: 1 });
    expect(lr.spectra.map((x) => [x.layer, x.rows, x.cols])).toEqual([['dense1', 1568, 128]]);
    expect(lr.points[0].params).toBe(info.params - 1568 * 128 + 8 * (1568 + 128));
    const lt = await service.run('prune', { ...PRUNE_DEFAULTS, experiment: 'lottery', sparsity: 0.8, epochs: 1, trainSize: 256 });
    expect(lt.training.map((t) => t.label)).toEqual(['winning ticket', 'random re-init']);
    expect(lt.training[0].losses).toHaveLength(4); // 256 images, batch 64
  }, 240_000);
});

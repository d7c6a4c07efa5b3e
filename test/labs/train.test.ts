import { describe, expect, it } from 'vitest';
import { meta, curveGap, diverged, SAME_CURVE_TOLERANCE } from '../../labs/train/lab.ts';
import { importSentence, summarize, withReadableSettings } from '../../labs/train/summary.ts';
import { DEFAULTS, type TrainConfig } from '../../src/lib/ml/config.ts';
import type { RunRecord } from '../../src/lib/store/types.ts';

let n = 0;
function run(p: Partial<TrainConfig>, extra: Partial<RunRecord> = {}, loss: number[] = [2.3, 1.2, 0.8, 0.6]): RunRecord {
  const params = { ...DEFAULTS, ...p };
  return {
    id: `run-${n++}`, lab: 'train', params: { ...params }, seed: params.seed, dataHash: 'h', backend: 'wasm', appVersion: 't',
    status: 'done', createdAt: n, updatedAt: n, durationMs: 1000, epochsDone: params.epochs, stepsDone: loss.length,
    metrics: { step: loss.map((_, i) => i + 1), epoch: loss.map((_, i) => i + 1), trainLoss: loss, trainAcc: loss.map(() => 0.5) },
    epochMetrics: [], final: { testAcc: 0.8, testLoss: 0.5, confusion: [] }, ...extra,
  };
}
const check = (id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

describe('training lab exercises read the runs', () => {
  it('reach-85 passes only for a finished run with >= 85% test accuracy in at most 3 epochs', () => {
    expect(check('reach-85', [run({ epochs: 3 }, { final: { testAcc: 0.849, testLoss: 0, confusion: [] } })]).passed).toBe(false);
    expect(check('reach-85', [run({ epochs: 4 }, { final: { testAcc: 0.9, testLoss: 0, confusion: [] } })]).passed).toBe(false);
    expect(check('reach-85', [run({ epochs: 3 }, { status: 'stopped', final: { testAcc: 0.9, testLoss: 0, confusion: [] } })]).passed).toBe(false);
    const ok = check('reach-85', [run({ epochs: 3, model: 'cnn' }, { final: { testAcc: 0.851, testLoss: 0, confusion: [] } })]);
    expect(ok).toMatchObject({ passed: true });
    expect(ok.detail).toMatch(/reached 85\.1% in 3 epochs \(cnn/);
  });

  it('accumulation passes for 32 x 4 and 128 x 1 runs with equal settings and matching curves', () => {
    const whole = run({ batchSize: 128, accumSteps: 1 }, {}, [2.3, 1.5, 1.0, 0.7]);
    const acc = run({ batchSize: 32, accumSteps: 4 }, {}, [2.3, 1.5 + 1e-4, 1.0 - 1e-4, 0.7]);
    expect(check('accumulation', [whole, acc]).passed).toBe(true);
    // Different seed: not the same experiment.
    expect(check('accumulation', [whole, run({ batchSize: 32, accumSteps: 4, seed: 1 }, {}, acc.metrics.trainLoss)]).passed).toBe(false);
    // Curves that differ (e.g. batch 32 without accumulation would): not shown equal.
    const off = run({ batchSize: 32, accumSteps: 4 }, {}, [2.3, 1.1, 0.7, 0.5]);
    expect(check('accumulation', [whole, off])).toMatchObject({ passed: false });
    expect(curveGap(whole.metrics.trainLoss, off.metrics.trainLoss)).toBeGreaterThan(SAME_CURVE_TOLERANCE);
  });

  it('diverge needs a diverged run and an explanation in the learner\'s words', () => {
    const nan = run({ learningRate: 5 }, { status: 'failed' }, [2.3, 40, Number.NaN]);
    const rising = run({ learningRate: 0.5 }, {}, [2.3, 2.2, 2.4, 2.6, 3, 3.5, 4, 5, 6, 7, 8]);
    expect(diverged(nan)).toBe(true);
    expect(diverged(rising)).toBe(true);
    expect(diverged(run({}))).toBe(false);
    expect(check('diverge', [run({})]).passed).toBe(false);
    expect(check('diverge', [nan]).passed).toBe(false);
    expect(check('diverge', [nan], { diverge: 'it broke' }).passed).toBe(false);
    expect(check('diverge', [rising], { diverge: 'The steps are too large, so each update overshoots the minimum.' }).passed).toBe(false);
    expect(check('diverge', [rising], { diverge: 'At 0.05 the steps are too large, so each update overshoots the minimum.' }).passed).toBe(false);
    expect(check('diverge', [rising], { diverge: 'At 0.5 the steps are too large, so each update overshoots the minimum.' })).toMatchObject({ passed: true, runId: rising.id });
    expect(check('diverge', [rising, nan], { diverge: 'At lr 5 the steps are too large and explode to NaN.' })).toMatchObject({ passed: true, runId: nan.id });
  });
});

describe('training lab: stored runs whose settings cannot be read', () => {
  it('a run with an object, a string or a NaN where a setting belongs is marked damaged with the settings named; missing settings and good runs stay as they are', () => {
    const good = run({});
    expect(withReadableSettings(good)).toBe(good);
    const older = run({});
    delete (older.params as Record<string, unknown>).trainSize;
    expect(withReadableSettings(older)).toBe(older);
    const bad = run({}, { params: { ...DEFAULTS, epochs: { toString: 'boom' }, model: 7, learningRate: NaN } as unknown as Record<string, unknown> });
    const out = withReadableSettings(bad);
    expect(out.status).toBe('damaged');
    expect(out.statusMessage).toBe('Its settings cannot be read: model should be a string, learningRate should be a number, epochs should be a number.');
    expect(bad.status).toBe('done');
  });

  it('an import is said in one line: runs added, the first three repairs, the refused records', () => {
    expect(importSentence(1, [], [])).toBe('Imported 1 run.');
    expect(importSentence(2, ['a.', 'b.', 'c.', 'd.', 'e.'], ['Run x: not imported.'])).toBe('Imported 2 runs. Repaired: a. b. c. (and 2 more) Run x: not imported.');
  });

  it('the summary says which way temperature scaling moved the calibration error, and "left" when it did not', () => {
    const withCal = (eceBefore: number, eceAfter: number) =>
      run({}, { final: { testAcc: 0.8, testLoss: 0.5, confusion: [], robustness: { clean: 0.8, noise: 0.7, occlusion: 0.6, shift: 0.5 }, calibration: { eceBefore, eceAfter, temperature: 1.1 } as never } });
    expect(summarize([withCal(0.0151, 0.0149)]).join(' ')).toMatch(/left the calibration error at 1\.5%/);
    expect(summarize([withCal(0.05, 0.02)]).join(' ')).toMatch(/lowered the calibration error from 5\.0% to 2\.0%/);
    expect(summarize([withCal(0.02, 0.03)]).join(' ')).toMatch(/raised the calibration error from 2\.0% to 3\.0%/);
  });

  it('the reach-85 hint suggests the CNN only while every run is an MLP, and states no canned accuracy', () => {
    const mlp = run({ epochs: 3, model: 'mlp' }, { final: { testAcc: 0.83, testLoss: 0, confusion: [] } });
    const cnn = run({ epochs: 3, model: 'cnn' }, { final: { testAcc: 0.84, testLoss: 0, confusion: [] } });
    expect(check('reach-85', [mlp]).detail).toMatch(/every run so far is an MLP/);
    expect(check('reach-85', [mlp, cnn]).detail).not.toMatch(/Hint/);
    expect(check('reach-85', [mlp]).detail).not.toMatch(/84%/);
  });
});

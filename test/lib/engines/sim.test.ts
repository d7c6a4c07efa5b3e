import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { SimEngine, transferables, type SimEngineApi } from '../../../src/lib/engines/sim';
import { RUNNERS, TASK_NAMES, type Runner, type TaskName } from '../../../src/lib/runners';
import { decodeSettings, fieldSpec } from '../../../src/lib/core/fields';
import { encodeParams } from '../../../src/lib/core/url-state';
import { quietContext, type Progress } from '../../../src/lib/core/task';
import { simulateBandits } from '../../../src/lib/runners/bandits';
import * as metrics from '../../../src/lib/runners/metrics';
import * as calibration from '../../../src/lib/runners/calibration';
import * as errorAnalysis from '../../../src/lib/runners/error-analysis';
import * as fairness from '../../../src/lib/runners/fairness';
import * as explain from '../../../src/lib/runners/explain';
import * as modelCard from '../../../src/lib/runners/model-card';

const EVAL = { metrics, calibration, 'error-analysis': errorAnalysis, fairness, explain, 'model-card': modelCard } as const;
type EvalTask = keyof typeof EVAL;

/** One suite, run against the engine object and through a MessageChannel as the worker's page sees it. */
function testEngine(label: string, make: () => { api: SimEngineApi; close?: () => void }) {
  describe(`SimEngine (${label})`, () => {
    const { api, close } = make();
    afterAll(() => close?.());
    const progress = (seen: Progress[]) => Comlink.proxy((p: Progress) => void seen.push(p));
    /** Progress crosses on its own port: through a channel it may land just after the result. */
    const settle = async (seen: Progress[]) => {
      for (let t = 0; t < 100 && seen.at(-1)?.fraction !== 1; t++) await new Promise((r) => setTimeout(r, 10));
    };

    it('check() lists every runner task; load() loads one', async () => {
      expect((await api.check()).tasks).toEqual(TASK_NAMES);
      await expect(api.load('metrics')).resolves.toBeUndefined();
    });

    it.each(Object.keys(EVAL) as EvalTask[])('runs the %s default, reports progress to 1, and its digest is plain JSON', async (task) => {
      const seen: Progress[] = [];
      const r = await api.run(task, EVAL[task].defaults as never, progress(seen));
      await settle(seen);
      expect(seen.at(-1)?.fraction).toBe(1);
      expect(seen.every((p, i) => i === 0 || p.fraction >= seen[i - 1].fraction)).toBe(true);
      const d = (EVAL[task].digest as (x: unknown) => object)(r);
      expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    });

    it('metrics: PR-AUC falls with the default rate while ROC-AUC holds', async () => {
      const common = { ...metrics.defaults, labelNoise: 0, n: 20000 };
      const rare = await api.run('metrics', { ...common, defaultRate: 0.03 });
      const often = await api.run('metrics', { ...common, defaultRate: 0.3 });
      expect(Math.abs(rare.auc - often.auc)).toBeLessThan(0.05);
      expect(often.ap - rare.ap).toBeGreaterThan(0.25);
    });

    it('calibration: Platt and isotonic fitted on the calibration split cut the balanced model’s ECE on the test split', async () => {
      const r = await api.run('calibration', calibration.defaults);
      const ece = Object.fromEntries(r.methods.map((m) => [m.method, m.ece]));
      expect(ece.uncalibrated).toBeGreaterThan(0.1);
      expect(ece.platt).toBeLessThan(ece.uncalibrated / 3);
      expect(ece.isotonic).toBeLessThan(ece.uncalibrated / 3);
      // Temperature only rescales the logit; the balanced model's error is a shifted intercept, which it cannot fix.
      expect(ece.temperature).toBeGreaterThan(ece.uncalibrated / 2);
    });

    it('a bad setting is refused before any work as a plain error naming the field; the engine keeps working', async () => {
      const bad = api.run('fairness', { ...fairness.defaults, threshold: 2 });
      await expect(bad).rejects.toMatchObject({ name: 'SettingsError', message: 'Threshold must be between 0.01 and 0.99; it is 2.' });
      await expect(api.run('explain', { ...explain.defaults, row: 900 })).rejects.toThrow(/Applicant to explain must be below 800/);
      await expect(api.run('bandits', { rates: '0.1, 2', horizon: 100, seeds: 2, epsilon: 0.1, seed: 1 })).rejects.toThrow(/rate 2 must lie in \[0, 1\]/);
      await expect(api.run('nope' as TaskName, {} as never)).rejects.toThrow(/no task 'nope'/);
      expect((await api.run('fairness', fairness.defaults)).variants.length).toBeGreaterThan(3);
    });

    it('a simulation reports progress with an ETA, gives the direct call’s numbers, and stops on interrupt() with StoppedError', async () => {
      const s = { rates: '0.05, 0.06', horizon: 20000, seeds: 40, epsilon: 0.1, seed: 1 };
      const seen: Progress[] = [];
      const r = await api.run('bandits', s, progress(seen));
      await settle(seen);
      expect(seen.at(-1)).toMatchObject({ fraction: 1, etaMs: 0 });
      expect(seen.some((p) => p.fraction > 0 && p.fraction < 1 && (p.etaMs ?? -1) > 0)).toBe(true);
      const direct = await simulateBandits(s, quietContext);
      expect(r.policies.map((p) => p.finalRegret[3])).toEqual(direct.policies.map((p) => p.finalRegret[3]));
      const again = api.run('bandits', s);
      setTimeout(() => void api.interrupt(), 60);
      await expect(again).rejects.toMatchObject({ name: 'StoppedError' });
      // The next run is not stopped by the last one's interrupt.
      expect((await api.run('bandits', { ...s, horizon: 200, seeds: 2 })).policies).toHaveLength(4);
    });
  });
}

testEngine('direct', () => ({ api: new SimEngine() }));
testEngine('through a MessageChannel', () => {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(new SimEngine(), port1);
  return { api: Comlink.wrap<SimEngineApi>(port2) as unknown as SimEngineApi, close: () => (port1.close(), port2.close()) };
});

describe('runner settings in the URL', () => {
  const withFields: [TaskName, Runner & { defaults: object }][] = [];
  it('every runner with a field table has defaults that pass it and round-trip through a link', async () => {
    for (const task of TASK_NAMES) {
      const r = (await RUNNERS[task]()) as Runner & { defaults?: object };
      if (r.fields && r.defaults) withFields.push([task, r as Runner & { defaults: object }]);
    }
    expect(withFields.map(([t]) => t)).toEqual(expect.arrayContaining(['metrics', 'ab-test', 'bandits', 'leakage', 'sampling', 'etl', 'feature-store']));
    for (const [task, r] of withFields) {
      const link = encodeParams(r.defaults, fieldSpec(r.fields!));
      const { value, warnings } = decodeSettings(link, r.defaults, r.fields!, r.validate as never);
      expect({ task, value, warnings }).toEqual({ task, value: r.defaults, warnings: [] });
      const bad = decodeSettings('seed=abc', r.defaults, r.fields!, r.validate as never);
      expect({ task, value: bad.value }).toEqual({ task, value: r.defaults });
      expect(bad.warnings.join(' ')).toMatch(/seed=abc/);
    }
  });

  it.each(Object.keys(EVAL) as EvalTask[])('%s: a link with too few applicants falls back with a warning naming the bound', (task) => {
    const { value, warnings } = decodeSettings('n=7&seed=3', EVAL[task].defaults, EVAL[task].fields);
    expect(value).toEqual({ ...EVAL[task].defaults, seed: 3 });
    expect(warnings).toEqual(['Ignored n=7: Applicants must be between 500 and 50,000; it is 7.']);
  });
});

describe('explain lab numbers', () => {
  it('SHAP values add up to f(x) − E f(background), and the model leans on the group when labels are biased', () => {
    const r = explain.run(quietContext, { ...explain.defaults, labelBias: 0.4 });
    const sum = r.local.values.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(r.local.fx - r.local.baseValue, 10);
    const g = r.names.indexOf('group');
    expect(r.coefficients[g]).toBeGreaterThan(0.3);
    expect(r.global.meanAbs[g]).toBeGreaterThan(r.global.meanAbs[r.names.indexOf('creditYears')]);
  });
});

describe('transferables', () => {
  it('finds each typed array buffer of a nested result once', async () => {
    const r = await simulateBandits({ rates: '0.05, 0.06', horizon: 200, seeds: 2, epsilon: 0.1, seed: 1 });
    const bufs = transferables(r);
    expect(bufs.length).toBe(new Set(bufs).size);
    expect(bufs.length).toBe(1 + 2 * r.policies.length);
  });
});

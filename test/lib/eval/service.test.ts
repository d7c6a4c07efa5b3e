import { afterAll, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { EvalService, isFailure, type EvalOutput } from '../../../src/lib/eval/service';
import { DEFAULT_SETTINGS, FIELDS, paramSpec, validateSettings, type EvalLabId } from '../../../src/lib/eval/experiments/settings';
import { decodeParams, encodeParams } from '../../../src/lib/core/url-state';
import type { ExplainResult } from '../../../src/lib/eval/experiments/explain';

type Api = Pick<EvalService, 'run'>;

/** One suite, run against the service object and through a MessageChannel as the worker sees it. */
function testService(label: string, make: () => { api: Api; close?: () => void }) {
  describe(`EvalService (${label})`, () => {
    const { api, close } = make();
    afterAll(() => close?.());
    const run = async <K extends EvalLabId>(lab: K, patch: Partial<(typeof DEFAULT_SETTINGS)[K]> = {}) => {
      const seen: number[] = [];
      const out = await api.run(lab, { ...DEFAULT_SETTINGS[lab], ...patch }, 'run-test', Comlink.proxy((p: { fraction: number }) => void seen.push(p.fraction)));
      return { out, seen };
    };

    it.each(Object.keys(DEFAULT_SETTINGS) as EvalLabId[])('runs the %s default, reports progress to 1 and a JSON-safe summary', async (lab) => {
      const { out, seen } = await run(lab);
      if (isFailure(out)) throw new Error(out.error.message);
      // Progress crosses on its own port: through a channel it may land just after the result.
      for (let t = 0; t < 100 && seen.at(-1) !== 1; t++) await new Promise((r) => setTimeout(r, 10));
      expect(seen.at(-1)).toBe(1);
      expect(out.dataHash).toMatch(/^[0-9a-f]{8}$/);
      expect(JSON.parse(JSON.stringify(out.summary))).toEqual(out.summary);
    });

    it('metrics: PR-AUC falls with the default rate while ROC-AUC holds', async () => {
      const common = { labelNoise: 0, n: 20000 };
      const rare = (await run('metrics', { ...common, defaultRate: 0.03 })).out as EvalOutput<'metrics'>;
      const often = (await run('metrics', { ...common, defaultRate: 0.3 })).out as EvalOutput<'metrics'>;
      expect(Math.abs(rare.result.auc - often.result.auc)).toBeLessThan(0.05);
      expect(often.result.ap - rare.result.ap).toBeGreaterThan(0.25);
    });

    it('calibration: Platt and isotonic fitted on the calibration split cut the balanced model’s ECE on the test split', async () => {
      const { out } = await run('calibration');
      const r = (out as EvalOutput<'calibration'>).result;
      const ece = Object.fromEntries(r.methods.map((m) => [m.method, m.ece]));
      expect(ece.uncalibrated).toBeGreaterThan(0.1);
      expect(ece.platt).toBeLessThan(ece.uncalibrated / 3);
      expect(ece.isotonic).toBeLessThan(ece.uncalibrated / 3);
      // Temperature only rescales the logit; the balanced model's error is a shifted intercept, which it cannot fix.
      expect(ece.temperature).toBeGreaterThan(ece.uncalibrated / 2);
    });

    it('a bad setting comes back as a plain error naming the field, and the service keeps working', async () => {
      const { out } = await run('fairness', { threshold: 2 });
      expect(isFailure(out) && out.error.message).toMatch(/Threshold must be between 0.01 and 0.99/);
      const again = await run('fairness');
      expect(isFailure(again.out)).toBe(false);
    });
  });
}

testService('direct', () => ({ api: new EvalService('test') }));
testService('through a MessageChannel', () => {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(new EvalService('test'), port1);
  return { api: Comlink.wrap<EvalService>(port2) as unknown as Api, close: () => (port1.close(), port2.close()) };
});

describe('settings in the URL', () => {
  it.each(Object.keys(FIELDS) as EvalLabId[])('%s: every field round-trips and a bad value falls back with a warning', (lab) => {
    const spec = paramSpec(lab);
    const v = (q: string) => decodeParams(q, DEFAULT_SETTINGS[lab], spec, (x) => validateSettings(lab, x));
    const enc = encodeParams(DEFAULT_SETTINGS[lab], spec);
    expect(v(enc).value).toEqual(DEFAULT_SETTINGS[lab]);
    const bad = v('seed=abc&n=7');
    expect(bad.value).toEqual(DEFAULT_SETTINGS[lab]);
    expect(bad.warnings.join(' ')).toMatch(/seed=abc/);
    expect(bad.warnings.join(' ')).toMatch(/n=7/);
  });
});

describe('explain lab numbers', () => {
  it('SHAP values add up to f(x) − E f(background), and the model leans on the group when labels are biased', async () => {
    const out = (await new EvalService('t').run('explain', { ...DEFAULT_SETTINGS.explain, labelBias: 0.4 }, 'r')) as EvalOutput<'explain'>;
    const r: ExplainResult = out.result;
    const sum = r.local.values.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(r.local.fx - r.local.baseValue, 10);
    const g = r.names.indexOf('group');
    expect(r.coefficients[g]).toBeGreaterThan(0.3);
    expect(r.global.meanAbs[g]).toBeGreaterThan(r.global.meanAbs[r.names.indexOf('creditYears')]);
  });
});

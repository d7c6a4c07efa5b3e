/** Exercise checks of the experimentation labs, fed with runs built from real simulations (as the page saves them). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { simulatePitfalls, simulateUplift } from '../../src/lib/stats';
import { simulateCuped } from '../../src/lib/runners/cuped';
import * as pitfallsLab from '../../labs/pitfalls/lab';
import * as upliftLab from '../../labs/uplift/lab';
import * as cupedLab from '../../labs/cuped/lab';
import * as pitfallsRunner from '../../src/lib/runners/pitfalls';
import * as upliftRunner from '../../src/lib/runners/uplift';
import * as cupedRunner from '../../src/lib/runners/cuped';
import { labRuns } from '../../labs/kit/runs';

type Settings = Record<string, number | string>;
const pitfalls = { ...pitfallsLab, ...pitfallsRunner };
const uplift = { ...upliftLab, ...upliftRunner };
const cuped = { ...cupedLab, ...cupedRunner };

let n = 0;
/** A run as the kit saves it (params = settings + result); `legacy` as the labs saved them before the kit. */
function record(lab: string, settings: object, result: unknown, status: RunRecord['status'] = 'done', legacy = false): RunRecord {
  n++;
  return {
    id: `run-test-${n.toString().padStart(6, '0')}`, lab, params: legacy ? { settings, result } : { ...settings, result }, seed: Number((settings as Settings).seed), dataHash: 'simulated', backend: 'sim-worker',
    appVersion: 'test', status, createdAt: n, updatedAt: n, durationMs: 10, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const check = (meta: { exercises: { id: string; check: (i: { runs: RunRecord[]; answers: Record<string, string> }) => { passed: boolean } }[] }, id: string, runs: RunRecord[], answers = {}) =>
  meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

describe('experimentation lab exercises read the saved simulation runs', () => {
  it('labRuns keeps finished runs, in either stored shape, and skips others', () => {
    const ok = record('cuped', { seed: 1, correlation: 0.5 }, { x: 1 });
    const old = record('cuped', { seed: 2, correlation: 0.5 }, { x: 2 }, 'done', true);
    const bad = record('cuped', { seed: 1 }, { x: 1 }, 'failed');
    const rs = labRuns([ok, old, bad]);
    expect(rs.map((r) => r.id)).toEqual([ok.id, old.id]);
    expect(rs.map((r) => [r.settings, r.result])).toEqual([[{ seed: 1, correlation: 0.5 }, { x: 1 }], [{ seed: 2, correlation: 0.5 }, { x: 2 }]]);
  });

  it('pitfalls/peeking passes at 10 looks (fixed ≈ 19%, mSPRT ≤ alpha), not at the default 20', async () => {
    const s = { ...pitfalls.defaults, aaRuns: 1000, usersPerArm: 4000 };
    const at20 = record('pitfalls', s, pitfalls.digest(await simulatePitfalls(s as never)));
    expect(check(pitfalls.meta, 'peeking', [at20]).passed).toBe(false);
    const s10 = { ...s, looks: 10 };
    const at10 = record('pitfalls', s10, pitfalls.digest(await simulatePitfalls(s10 as never)));
    expect(check(pitfalls.meta, 'peeking', [at20, at10]).passed).toBe(true);
  });

  it('pitfalls/simpson needs both the paradox and a balanced mix', async () => {
    const d = pitfalls.defaults;
    const paradox = record('pitfalls', d, pitfalls.digest(await simulatePitfalls({ ...d, aaRuns: 50 } as never)));
    expect(check(pitfalls.meta, 'simpson', [paradox]).passed).toBe(false);
    const balanced = { ...d, aaRuns: 50, mobileShareTreatment: 0.3 };
    const fixed = record('pitfalls', balanced, pitfalls.digest(await simulatePitfalls(balanced as never)));
    expect(check(pitfalls.meta, 'simpson', [paradox, fixed]).passed).toBe(true);
  });

  it('uplift/target needs a dearer contact; the default cost does not count', async () => {
    const cheap = record('uplift', uplift.defaults, uplift.digest(await simulateUplift(uplift.defaults as never)));
    expect(check(uplift.meta, 'target', [cheap]).passed).toBe(false);
    const s = { ...uplift.defaults, costPerContact: 2 };
    const dear = record('uplift', s, uplift.digest(await simulateUplift(s as never)));
    expect(check(uplift.meta, 'target', [cheap, dear]).passed).toBe(true);
  });

  it('cuped/rho-squared needs two correlations, one ≥ 0.8, each matching ρ²', async () => {
    const runs: RunRecord[] = [];
    for (const correlation of [0.5, 0.85]) {
      const s = { ...cuped.defaults, correlation, usersPerArm: 500, experiments: 100 };
      runs.push(record('cuped', s, cuped.digest(await simulateCuped(s as never), s)));
      expect(check(cuped.meta, 'rho-squared', runs).passed).toBe(correlation === 0.85);
    }
    expect(cuped.summarize(runs).join(' ')).toMatch(/removed \d+\.\d% of the variance/);
  });
});

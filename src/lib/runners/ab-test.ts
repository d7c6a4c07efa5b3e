/** Lab "Design and read an A/B test": the test sized by the power formula, then simulated as A/A and A/B many times over. */
import type { Field } from '../core/fields';
import { runStage } from '../core/task';
import { simulateAbTest, validateAbTest, type AbTestSettings, type AbTestResult } from '../stats/experiment';

export const defaults: AbTestSettings = {
  baselineRate: 0.1,
  minDetectableEffect: 0.01,
  alpha: 0.05,
  power: 0.8,
  trueEffect: 0.01,
  revenueSigma: 1,
  extraMetrics: 9,
  guardrailHarm: 0.003,
  experiments: 1000,
  seed: 1,
};

export const fields: Field[] = [
  { key: 'baselineRate', label: 'Baseline conversion', kind: 'number', explain: 'Control conversion rate; sample size depends on it through p(1 − p).', min: 0.001, max: 0.999, group: 'Design' },
  { key: 'minDetectableEffect', label: 'Minimum detectable effect', kind: 'number', explain: 'The smallest absolute lift the test is sized to catch (0.01 = one point).', min: -0.5, max: 0.5 },
  { key: 'alpha', label: 'Alpha', kind: 'number', explain: 'False positive rate you accept when there is no effect (two-sided).', min: 0.0001, max: 0.5 },
  { key: 'power', label: 'Power', kind: 'number', explain: 'Chance of detecting an effect of exactly the MDE.', min: 0.05, max: 0.999 },
  { key: 'trueEffect', label: 'True effect', kind: 'number', explain: 'What the treatment really does in the simulation (absolute); 0 makes every A/B an A/A.', min: -0.5, max: 0.5, group: 'World' },
  { key: 'revenueSigma', label: 'Revenue skew (log-normal σ)', kind: 'number', explain: 'Spread of revenue per buyer (mean 1); bigger σ = a few whales dominate.', min: 0, max: 3 },
  { key: 'guardrailHarm', label: 'Guardrail harm', kind: 'number', explain: 'Absolute rise in an error rate (base 2%) the treatment causes.', min: -0.02, max: 0.5 },
  { key: 'extraMetrics', label: 'Extra metrics', kind: 'number', explain: 'Metrics with no real effect read alongside the primary one.', min: 0, max: 50, integer: true, group: 'Simulation' },
  { key: 'experiments', label: 'Simulated experiments', kind: 'number', explain: 'How many times the whole test is re-run (A/A and A/B each).', min: 10, max: 20000, integer: true },
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true },
];

/** Cross-field rules beyond each field's bounds (the library's own check). */
export const validate = (s: AbTestSettings): void => void validateAbTest(s);

export const run = runStage('simulating A/A and A/B experiments', simulateAbTest);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface AbDigest {
  usersPerArm: number;
  aaFpr: number;
  aaBelow20: number;
  conversionPower: number;
  revenuePower: number;
  ciCoverage: number;
  guardrailFlagRate: number;
  metrics: number;
  fwerUncorrected: number;
  fwerBonferroni: number;
  fwerBH: number;
  primaryPowerBonferroni: number;
}

export function digest(r: AbTestResult): AbDigest {
  const M = r.familyErrors.uncorrected.length;
  let below = 0;
  for (const p of r.aaPValues) if (p < 0.2) below++;
  return {
    usersPerArm: r.usersPerArm,
    aaFpr: r.aaFalsePositiveRate,
    aaBelow20: below / r.aaPValues.length,
    conversionPower: r.conversionPower,
    revenuePower: r.revenuePower,
    ciCoverage: r.ciCoverage,
    guardrailFlagRate: r.guardrailFlagRate,
    metrics: M,
    fwerUncorrected: r.familyErrors.uncorrected[M - 1],
    fwerBonferroni: r.familyErrors.bonferroni[M - 1],
    fwerBH: r.familyErrors.benjaminiHochberg[M - 1],
    primaryPowerBonferroni: r.primaryPowerBonferroni,
  };
}

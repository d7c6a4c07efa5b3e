/** Lab "Uplift modelling": a campaign test, T- and S-learners, Qini curves and the most profitable share to contact. */
import type { Field } from '../core/fields';
import { runStage } from '../core/task';
import { simulateUplift, validateUplift, type UpliftSettings, type UpliftResult } from '../stats/uplift';

export const defaults: UpliftSettings = {
  users: 20000,
  persuadableShare: 0.2,
  persuadableLift: 0.1,
  sleepingDogShare: 0.2,
  sleepingDogHarm: 0.02,
  costPerContact: 1,
  valuePerConversion: 30,
  seed: 1,
};

export const fields: Field[] = [
  { key: 'users', label: 'Users in the campaign test', kind: 'number', explain: 'Half are randomly treated; half of all users train the models, half judge them.', min: 200, max: 200000, integer: true },
  { key: 'persuadableShare', label: 'Persuadable share', kind: 'number', explain: 'Users who buy more when contacted (high x1).', min: 0, max: 1 },
  { key: 'persuadableLift', label: 'Persuadable lift', kind: 'number', explain: 'How much more likely a persuadable user converts when treated (absolute).', min: 0, max: 0.8 },
  { key: 'sleepingDogShare', label: 'Sleeping-dog share', kind: 'number', explain: 'Users whom contact annoys (high x2): they convert less when treated.', min: 0, max: 1 },
  { key: 'sleepingDogHarm', label: 'Sleeping-dog harm', kind: 'number', explain: 'How much less likely they convert when treated (absolute, at most 0.03).', min: 0, max: 0.03 },
  { key: 'costPerContact', label: 'Cost per contact', kind: 'number', explain: 'What treating one user costs (a discount, a message).', min: 0, max: 1000 },
  { key: 'valuePerConversion', label: 'Value per conversion', kind: 'number', explain: 'What one extra conversion is worth.', min: 0, max: 100000 },
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true },
];

/** Cross-field rules beyond each field's bounds (the library's own check). */
export const validate = (s: UpliftSettings): void => void validateUplift(s);

export const run = runStage('simulating the campaign and fitting the uplift models', simulateUplift);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface UpliftDigest {
  qiniT: number;
  qiniS: number;
  qiniOracle: number;
  bestShareT: number;
  bestProfitT: number;
  profitTreatAll: number;
  incrementalTreatAll: number;
}

export function digest(r: UpliftResult): UpliftDigest {
  return { qiniT: r.qiniAreaT, qiniS: r.qiniAreaS, qiniOracle: r.qiniAreaOracle, bestShareT: r.bestShareT, bestProfitT: r.bestProfitT, profitTreatAll: r.profitTreatAll, incrementalTreatAll: r.incrementalTreatAll };
}

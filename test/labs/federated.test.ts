import { describe, expect, it } from 'vitest';
import { meta, summarize } from '../../labs/federated/lab';
import { DEFAULTS } from '../../src/lib/runners/federated';
import { check, record } from './dist-records';

const base = { params: 235146, finalAcc: 0.7, bestAcc: 0.72, roundsToTarget: 10, bytesToTarget: 3e7, totalBytes: 6e7, meanDrift: 1.2, droppedClients: 0, maxMaskError: 0, maxQuantError: 0, fixedPointBits: 20, emptyClients: 0, finalNorm: 20 };
const run = (s: object, r: object = {}) => record('federated', { ...DEFAULTS, ...s }, { ...base, ...r });

describe('federated exercises', () => {
  it('non-iid passes when the skewed split drifts more and needs more rounds', () => {
    const iid = run({ partition: 'iid' }, { roundsToTarget: 8, meanDrift: 1.1 });
    expect(check(meta, 'non-iid', [iid, run({ alpha: 0.3 }, { roundsToTarget: NaN, meanDrift: 1.6 })]).passed).toBe(true);
    expect(check(meta, 'non-iid', [iid, run({ alpha: 0.3 }, { roundsToTarget: 7, meanDrift: 1.6 })]).passed).toBe(false);
    expect(check(meta, 'non-iid', [iid, run({ alpha: 1 }, { roundsToTarget: 20, meanDrift: 1.6 })]).passed).toBe(false);
  });

  it('fedavg passes when FedAvg needs fewer rounds than FedSGD on the same split', () => {
    const avg = run({ algorithm: 'fedavg' }, { roundsToTarget: 10 });
    expect(check(meta, 'fedavg', [avg, run({ algorithm: 'fedsgd', learningRate: 0.5 }, { roundsToTarget: NaN })]).passed).toBe(true);
    expect(check(meta, 'fedavg', [avg, run({ algorithm: 'fedsgd' }, { roundsToTarget: 4 })]).passed).toBe(false);
    expect(check(meta, 'fedavg', [avg, run({ algorithm: 'fedsgd', seed: 1 }, { roundsToTarget: NaN })]).passed).toBe(false);
  });

  it('secure passes with drops and exact cancellation only', () => {
    expect(check(meta, 'secure', [run({ secureAgg: true, dropRate: 0.3 }, { droppedClients: 4 })]).passed).toBe(true);
    expect(check(meta, 'secure', [run({ secureAgg: true, dropRate: 0.3 }, { droppedClients: 0 })]).passed).toBe(false);
    expect(check(meta, 'secure', [run({ secureAgg: true, dropRate: 0.3 }, { droppedClients: 2, maxMaskError: 1e-6 })]).passed).toBe(false);
    expect(check(meta, 'secure', [run({ secureAgg: false, dropRate: 0.3 }, { droppedClients: 2 })]).passed).toBe(false);
  });

  it('privacy needs the learner\'s accuracy cost in points', () => {
    const noisy = run({ dpNoise: 1, clipNorm: 0.5 }, { finalAcc: 0.25 });
    const clean = run({ dpNoise: 0 }, { finalAcc: 0.7 });
    expect(check(meta, 'privacy', [noisy, clean], { privacy: 'It cost 45 points: the noise swamps 5 clients\' updates.' }).passed).toBe(true);
    expect(check(meta, 'privacy', [noisy, clean], { privacy: 'It cost 10 points.' }).passed).toBe(false);
    expect(check(meta, 'privacy', [noisy], { privacy: '45' }).passed).toBe(false);
  });

  it('summary counts runs that reached the target', () => {
    expect(summarize([run({}), run({}, { roundsToTarget: NaN })])[0]).toMatch(/2 run\(s\); 1 reached their target accuracy, fastest in 10 rounds/);
  });
});

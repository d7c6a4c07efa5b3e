import { describe, expect, it } from 'vitest';
import { continuousTraining, CONTINUOUS_DEFAULTS } from '../../../src/lib/mlops/continuous';
import { ModelRegistry } from '../../../src/lib/mlops/registry';
import { DEFAULT_EVENTS, makeStream } from '../../../src/lib/data/stream';
import { simulateRetraining } from '../../../src/lib/drift/retrain';

const opts = { seed: 3, days: 60, rowsPerDay: 600 };
const r = continuousTraining(opts);

describe('continuousTraining (drift alarm → retrain → gates → promotion)', () => {
  it('without retraining, its daily accuracy equals the drift lab\'s simulateRetraining with policy "never"', () => {
    const never = simulateRetraining(makeStream({ ...opts, events: DEFAULT_EVENTS.filter((e) => e.start < opts.days).map((e) => ({ ...e, end: Math.min(e.end, opts.days) })) }), { policy: 'never' });
    expect(Array.from(r.accuracy.without)).toEqual(Array.from(never.accuracy));
  });

  it('retrains only on alarm days, at least cooldownDays apart, and promotes exactly the challengers that pass every gate', () => {
    expect(r.retrains.length).toBeGreaterThan(0);
    for (const t of r.retrains) expect(r.alarmDays).toContain(t.day);
    for (let i = 1; i < r.retrains.length; i++) expect(r.retrains[i].day - r.retrains[i - 1].day).toBeGreaterThanOrEqual(CONTINUOUS_DEFAULTS.cooldownDays);
    for (const t of r.retrains) {
      expect(t.promoted).toBe(t.gates.every((g) => g.passed));
      const acc = t.gates.find((g) => g.gate === 'minAccuracyGain')!;
      expect(acc.passed).toBe(acc.challenger >= acc.champion + CONTINUOUS_DEFAULTS.gates.minAccuracyGain);
      for (const g of t.gates.filter((x) => x.gate !== 'minAccuracyGain')) expect(g.passed).toBe(g.challenger <= g.limit);
    }
  });

  it('the registry replays from its events: champion is the last promoted version, and it serves from the day after its retrain', () => {
    const reg = new ModelRegistry(r.events);
    const promoted = r.retrains.filter((t) => t.promoted);
    const champion = promoted.length ? promoted[promoted.length - 1].version : 1;
    expect(reg.model('stream-conversion')!.aliases.champion).toBe(champion);
    expect(r.champion[r.days - 1]).toBe(champion);
    for (const t of promoted) if (t.day < r.days) expect(r.champion[t.day]).toBe(t.version);
    expect(reg.model('stream-conversion')!.versions.length).toBe(r.retrains.length + 1);
  });

  it("the champion's lineage runs from a dataset through its run and version to a deployment", () => {
    const kinds = new Set(r.lineage.nodes.map((n) => n.kind));
    expect([...kinds].sort()).toEqual(['dataset', 'deployment', 'run', 'version']);
  });

  it('names the culprit of bad options', () => {
    expect(() => continuousTraining({ ...opts, holdoutDays: 30, windowDays: 21 })).toThrow(/holdout/);
    expect(() => continuousTraining({ ...opts, days: 5 })).toThrow(/days/);
  });
});

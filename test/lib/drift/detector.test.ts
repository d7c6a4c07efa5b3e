import { describe, expect, it } from 'vitest';
import { makeStream } from '../../../src/lib/data/stream.ts';
import { DETECTOR_DEFAULTS, monitorStream, scoreDetections } from '../../../src/lib/drift/detector.ts';

const byKind = (score: ReturnType<typeof scoreDetections>, kind: string) => score.events.find((e) => e.event.kind === kind)!;

describe('monitorStream + scoreDetections with the defaults', () => {
  // Three seeds, so the claims are about the detector, not one lucky draw.
  for (const seed of [7, 8, 9]) {
    it(`seed ${seed}: catches the sudden shift within 1 day, every other event, and raises no alarm on quiet days`, () => {
      const s = makeStream({ seed });
      const report = monitorStream(s);
      const score = scoreDetections(report, s.events);
      expect(score.quietDays).toEqual(Array.from({ length: 20 }, (_, d) => d)); // days 0..19: no event yet
      expect(score.quietDayAlarms).toEqual([]);
      expect(score.falseAlarms).toEqual([]);
      expect(byKind(score, 'sudden-shift').delay).toBeLessThanOrEqual(1);
      expect(byKind(score, 'new-category').delay).toBe(0);
      expect(byKind(score, 'missing-spike').delay).toBe(0);
      // Concept drift is invisible in the inputs: it shows only as its late labels arrive.
      const concept = byKind(score, 'concept-drift');
      expect(concept.delay).toBeGreaterThanOrEqual(1);
      expect(concept.delay).toBeLessThanOrEqual(7);
      expect(report.alarms.filter((a) => a.feature === 'sessions')).toEqual([]);
      // A gradual shift crosses PSI 0.2 partway up its 30-day ramp.
      const gradual = byKind(score, 'gradual-shift');
      expect(gradual.delay).toBeGreaterThan(3);
      expect(gradual.delay).toBeLessThan(30);
    });
  }

  it('the missing-value spike raises null-rate alarms on exactly its three days', () => {
    const s = makeStream();
    const report = monitorStream(s);
    const nullDays = report.alarms.filter((a) => a.check === 'nulls').map((a) => [a.feature, a.day]);
    expect(nullDays).toEqual([['age', 65], ['age', 66], ['age', 67]]);
  });

  it('a KS rule flags the gradual shift earlier than PSI (it is more sensitive at 2,000 rows a day)', () => {
    const s = makeStream();
    const psiDelay = byKind(scoreDetections(monitorStream(s), s.events), 'gradual-shift').delay!;
    const ksDelay = byKind(scoreDetections(monitorStream(s, { numericRule: 'ks' }), s.events), 'gradual-shift').delay!;
    expect(ksDelay).toBeLessThan(psiDelay);
    expect(DETECTOR_DEFAULTS.numericRule).toBe('psi');
  });
});

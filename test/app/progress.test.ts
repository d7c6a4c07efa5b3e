import { describe, expect, it } from 'vitest';
import { mergeProgress } from '../../src/app/progress.ts';
import type { LabProgress } from '../../src/lib/store/types.ts';

const base: LabProgress = { lab: 'train', exercises: { a: { passed: true, at: 5, runId: 'r1' } }, visited: 1 };

describe('mergeProgress', () => {
  it('records a newly passed exercise with its run and time, and keeps a passed one passed', () => {
    const next = mergeProgress(base, { a: { passed: false, detail: '' }, b: { passed: true, detail: '', runId: 'r2' } }, {}, 100)!;
    expect(next.exercises.a).toEqual({ passed: true, at: 5, runId: 'r1', answer: undefined });
    expect(next.exercises.b).toEqual({ passed: true, at: 100, runId: 'r2', answer: undefined });
  });

  it('returns null when nothing changed, so nothing is written', () => {
    expect(mergeProgress(base, { a: { passed: true, detail: '' } }, {}, 100)).toBeNull();
    const once = mergeProgress(base, { a: { passed: true, detail: '' } }, { a: 'x' }, 100)!;
    expect(mergeProgress(once, { a: { passed: false, detail: '' } }, { a: 'x' }, 200)).toBeNull();
  });

  it('saves a changed written answer', () => {
    const next = mergeProgress(base, { a: { passed: true, detail: '' } }, { a: 'because the step is too large' }, 100)!;
    expect(next.exercises.a.answer).toBe('because the step is too large');
  });
});

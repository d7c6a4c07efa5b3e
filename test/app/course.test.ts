import { describe, expect, it } from 'vitest';
import { buildCourse, DEFAULT_TRACKS, labProgress, parseCourse, trackProgress } from '../../src/app/course';
import { LABS } from '../../labs/index';
import type { LabMeta } from '../../labs/types';

const lab = (id: string, minutes = 10, exercises = 2): LabMeta => ({
  id, title: id, summary: '', learn: [], minutes, exercises: Array.from({ length: exercises }, (_, i) => ({ id: `${id}-e${i}` }) as LabMeta['exercises'][number]),
});
const ALL = [lab('train', 30, 3), lab('metrics', 20), lab('ab-test', 15), lab('bandits', 15), lab('drift', 25), lab('mystery', 5, 1)];
const ids = (ls: { id: string }[]) => ls.map((l) => l.id);

describe('course', () => {
  it('buildCourse(labs) groups every lab into the default tracks, with "More labs" for the rest, and sums minutes', () => {
    const v = buildCourse(ALL);
    expect(v.tracks.map((t) => [t.id, ids(t.labs), t.minutes])).toEqual([
      ['training', ['train'], 30],
      ['evaluation', ['metrics'], 20],
      ['experimentation', ['ab-test', 'bandits'], 30],
      ['data', ['drift'], 25],
      ['more', ['mystery'], 5],
    ]);
    expect(ids(v.start)).toEqual(['train', 'metrics', 'ab-test', 'drift']);
    expect(v.warnings).toEqual([]);
  });

  it('every registered lab sits in a default track (none falls into "More labs")', () => {
    const placed = new Set(DEFAULT_TRACKS.flatMap((t) => t.labs));
    expect(LABS.map((l) => l.id).filter((id) => !placed.has(id))).toEqual([]);
    expect(buildCourse(LABS).tracks.find((t) => t.id === 'more')).toBeUndefined();
  });

  it('a plain labs list still works: only those labs, grouped, tracks ordered by the list, unknown ids named', () => {
    const v = buildCourse(ALL, parseCourse({ title: 'Week 3', labs: ['bandits', 'train', 'ab-test', 'nope'] }));
    expect(v.title).toBe('Week 3');
    expect(v.tracks.map((t) => [t.id, ids(t.labs)])).toEqual([['experimentation', ['bandits', 'ab-test']], ['training', ['train']]]);
    expect(ids(v.start)).toEqual(['train', 'ab-test']);
    expect(v.warnings).toEqual([expect.stringMatching(/lists a lab "nope" that this site does not have/)]);
  });

  it('course.json tracks and start are used as written', () => {
    const v = buildCourse(ALL, parseCourse({ start: ['drift', 'train'], tracks: [{ title: 'Monitoring first!', labs: ['drift', 'metrics'] }, { id: 'b', title: 'Then', labs: ['train', 'gone'] }] }));
    expect(v.tracks.map((t) => [t.id, t.title, ids(t.labs)])).toEqual([['monitoring-first', 'Monitoring first!', ['drift', 'metrics']], ['b', 'Then', ['train']]]);
    expect(ids(v.start)).toEqual(['drift', 'train']);
    expect(v.warnings).toHaveLength(1);
  });

  it('parseCourse rejects files without labs or tracks, or with malformed ones, saying what is wrong', () => {
    expect(() => parseCourse({ title: 'x' })).toThrow(/"labs" or "tracks"/);
    expect(() => parseCourse({ labs: [1] })).toThrow(/"labs" must be an array of lab ids/);
    expect(() => parseCourse({ tracks: [{ labs: ['train'] }] })).toThrow(/track 1 needs a "title"/);
    expect(() => parseCourse({ labs: ['train'], start: 'train' })).toThrow(/"start"/);
    expect(() => parseCourse([])).toThrow(/must be an object/);
  });

  it('labProgress and trackProgress count exercises passed of total', () => {
    const counts = { train: labProgress(ALL[0], { 'train-e0': { passed: true }, 'train-e1': { passed: false } }), metrics: labProgress(ALL[1], undefined) };
    expect(counts.train).toEqual({ passed: 1, total: 3 });
    expect(counts.metrics).toEqual({ passed: 0, total: 2 });
    expect(trackProgress([ALL[0], ALL[1], ALL[2]], counts)).toEqual({ passed: 1, total: 7 });
  });
});

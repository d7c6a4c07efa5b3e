/**
 * The two checks most exercises make, declared rather than written out: "some run meets the bar"
 * (bestRun) and "two runs equal except a few settings show the effect" (runPair). Light on purpose:
 * lab.ts files, loaded eagerly for the course page, import it.
 */
import type { CheckInput, CheckResult, Exercise } from '../types';
import { labRuns, sameExcept, type LabRun, type Summary } from './runs';

/** What every exercise says: its id, title, the task, and the prompt of a written answer if it asks for one. */
export type ExerciseText = Pick<Exercise, 'id' | 'title' | 'task' | 'answerPrompt'>;

export interface BestRun<S, D> {
  /** The runs that count (default: every finished run of the lab). */
  among?: (r: LabRun<S, D>) => boolean;
  /** What the check says while no run counts. */
  none: string;
  /** The run meets the bar. */
  pass: (r: LabRun<S, D>) => boolean;
  /** What the check says about the first passing run, or else the newest run that counts. */
  detail: (r: LabRun<S, D>, passed: boolean) => string;
}

/** Passed by the first (newest) run that counts and meets the bar; otherwise it reports the newest run that counts. */
export function bestRun<S = Record<string, number | string>, D = Summary>(text: ExerciseText, c: BestRun<S, D>): Exercise {
  return {
    ...text,
    check({ runs }: CheckInput): CheckResult {
      const rs = labRuns<S, D>(runs).filter(c.among ?? (() => true));
      if (!rs.length) return { passed: false, detail: c.none };
      const ok = rs.find(c.pass);
      const r = ok ?? rs[0];
      return { passed: !!ok, runId: r.id, detail: c.detail(r, !!ok) };
    },
  };
}

export interface RunPair<S extends object, D> {
  /** The settings b may differ from a in; every other setting must be equal. */
  differIn: string[];
  /** a and b make the pair the exercise asks for (b the changed run). */
  pair: (a: LabRun<S, D>, b: LabRun<S, D>) => boolean;
  /** What the check says while no pair exists. */
  none: string;
  /** The verdict on the first pair found and what it says (about b, unless it names another run). */
  judge: (a: LabRun<S, D>, b: LabRun<S, D>) => { passed: boolean; detail: string; runId?: string };
}

/** Judged on the first pair of runs (a, b) equal except `differIn` that `pair` accepts; b is the run it names. */
export function runPair<S extends object = Record<string, number | string>, D = Summary>(text: ExerciseText, c: RunPair<S, D>): Exercise {
  return {
    ...text,
    check({ runs }: CheckInput): CheckResult {
      const rs = labRuns<S, D>(runs);
      for (const a of rs) for (const b of rs) {
        if (!c.pair(a, b) || !sameExcept(a, b, c.differIn)) continue;
        return { runId: b.id, ...c.judge(a, b) };
      }
      return { passed: false, detail: c.none };
    },
  };
}

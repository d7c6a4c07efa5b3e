import type { Store } from '../lib/store';
import type { LabProgress } from '../lib/store/types';
import type { CheckResult } from '../../labs/types';

/**
 * Exercise progress, shared by every lab: read it (with the learner's saved answers) when a lab
 * opens, and merge each fresh check into it. A passed exercise stays passed.
 */
export async function loadProgress(store: Store, lab: string): Promise<{ record: LabProgress; answers: Record<string, string> }> {
  const record = (await store.getProgress(lab)) ?? { lab, exercises: {}, visited: Date.now() };
  const answers: Record<string, string> = {};
  for (const [id, r] of Object.entries(record.exercises)) if (r.answer) answers[id] = r.answer;
  await store.putProgress({ ...record, visited: Date.now() });
  return { record, answers };
}

/** The progress after these checks and answers, or null when nothing changed (so nothing needs writing). */
export function mergeProgress(prev: LabProgress, checks: Record<string, CheckResult>, answers: Record<string, string>, now = Date.now()): LabProgress | null {
  const exercises = { ...prev.exercises };
  let changed = false;
  for (const [id, r] of Object.entries(checks)) {
    const answer = answers[id];
    const was = prev.exercises[id];
    const passed = r.passed || Boolean(was?.passed);
    if (!was || was.passed !== passed || was.answer !== answer) {
      exercises[id] = { passed, at: passed && !was?.passed ? now : (was?.at ?? now), runId: r.runId ?? was?.runId, answer };
      changed = true;
    }
  }
  return changed ? { ...prev, exercises } : null;
}

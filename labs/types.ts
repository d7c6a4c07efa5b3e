import type { Component } from 'svelte';
import type { LabProgress, RunRecord } from '../src/lib/store/types';

/** What an exercise check sees: the learner's own runs in this lab, and their written answers. */
export interface CheckInput {
  runs: RunRecord[];
  answers: Record<string, string>;
}

export interface CheckResult {
  passed: boolean;
  /** What the check found in the runs: which run passed, or what is still missing. */
  detail: string;
  runId?: string;
}

export interface Exercise {
  id: string;
  title: string;
  /** What to do, in a sentence or two. */
  task: string;
  /** A written answer the learner gives, when the exercise asks for one. */
  answerPrompt?: string;
  check(input: CheckInput): CheckResult;
}

export interface LabMeta {
  id: string;
  title: string;
  summary: string;
  learn: string[];
  minutes: number;
  exercises: Exercise[];
}

export interface LabProps {
  query: URLSearchParams;
  embed: boolean;
  setQuery: (q: URLSearchParams) => void;
}

export interface LabEntry extends LabMeta {
  load: () => Promise<{ default: Component<LabProps> }>;
}

export type LabStatus = 'not started' | 'in progress' | 'done';

export function labStatus(meta: LabMeta, progress: LabProgress | undefined): LabStatus {
  if (!progress) return 'not started';
  const passed = meta.exercises.filter((e) => progress.exercises[e.id]?.passed).length;
  return meta.exercises.length > 0 && passed === meta.exercises.length ? 'done' : 'in progress';
}

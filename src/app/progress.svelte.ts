import type { Store } from '../lib/store';
import type { LabProgress } from '../lib/store/types';
import type { CheckResult } from '../../labs/types';
import { loadProgress, mergeProgress } from './progress';

/**
 * A lab's exercise progress and the learner's written answers, kept in sync with storage. Every lab
 * state holds one; its checks read `answers`, and `save()` records what the checks now say.
 */
export class ExerciseProgress {
  record = $state.raw<LabProgress | null>(null);
  answers = $state<Record<string, string>>({});
  private store?: Store;

  constructor(
    private lab: string,
    private checks: () => Record<string, CheckResult>,
    private onError: (message: string) => void,
  ) {}

  async load(store: Store | undefined): Promise<void> {
    if (!store) return;
    this.store = store;
    try {
      ({ record: this.record, answers: this.answers } = await loadProgress(store, this.lab));
    } catch (e) {
      this.onError(`Progress could not be read: ${(e as Error).message}`);
    }
  }

  /** Save to another store from now on (storage lost, then reopened), keeping what is known. */
  useStore(store: Store | undefined): void {
    if (this.store && store) this.store = store;
  }

  setAnswer(id: string, text: string): void {
    this.answers = { ...this.answers, [id]: text };
    void this.save();
  }

  /** Record the current checks; a passed exercise stays passed. Writes only when something changed. */
  async save(): Promise<void> {
    if (!this.store || !this.record) return;
    const next = mergeProgress(this.record, this.checks(), this.answers);
    if (!next) return;
    this.record = next;
    try {
      await this.store.putProgress($state.snapshot(next) as LabProgress);
    } catch (e) {
      this.onError(`Progress was not saved: ${(e as Error).message}`);
    }
  }

  passed(id: string): boolean {
    return Boolean(this.record?.exercises[id]?.passed);
  }
}

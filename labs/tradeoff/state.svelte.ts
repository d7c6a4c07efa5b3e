import type { CheckResult, LabMeta } from '../types';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { VariantRuns } from '../compress-kit/variants.svelte';

/** The trade-off view: every saved variant of every compression lab, one selected for export. */
export class TradeoffState extends VariantRuns {
  selected = $state('');
  readonly exercises: ExerciseProgress;
  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });

  constructor(readonly meta: LabMeta) {
    super(undefined);
    this.exercises = new ExerciseProgress(meta.id, () => this.checks, (m) => this.note('error', m));
  }

  async init(): Promise<void> {
    await this.openStorage();
    await this.refreshRuns();
    await this.exercises.load(this.store);
    void this.exercises.save();
  }

  select(id: string): void {
    this.selected = id;
  }

  override async deleteRun(id: string): Promise<void> {
    if (this.selected === id) this.selected = '';
    await super.deleteRun(id);
    void this.exercises.save();
  }
}

/**
 * The tracking lab's state: a RunnerLab over the 'tracking' task whose input is every saved run of
 * every lab and the model registry's events, read from the store just before each query. The
 * learner's registry actions (register a version, set or move an alias, archive, deploy) are
 * events appended to the store's registry (so they survive a reload and travel with export/import);
 * the registry on screen is the fold of those events.
 */
import { RunnerLab } from '../kit/runner-lab.svelte';
import type { RegistryEventRecord, RunRecord } from '../../src/lib/store/types';
import { ModelRegistry, type RegistryEvent } from '../../src/lib/mlops/registry';
import { defaults, fields, summary } from '../../src/lib/runners/tracking';
import { importSentence } from '../train/summary';
import { meta } from './lab';

type Action = (reg: ModelRegistry, o: { actor: string; at: number }) => RegistryEvent;

export class TrackingLab extends RunnerLab<'tracking', Record<string, number | string>> {
  /** Every saved run of every lab, and the registry's events, as last read from the store. */
  everything = $state.raw<RunRecord[]>([]);
  events = $state.raw<RegistryEventRecord[]>([]);
  /** The registry folded from `events` (null when a stored event does not apply: its message is in registryError). */
  readonly registry = $derived.by(() => {
    try {
      return new ModelRegistry(this.events as RegistryEvent[]);
    } catch {
      return null;
    }
  });
  private readonly input: { runs: RunRecord[]; registry: RegistryEventRecord[] };

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    const input = { runs: [] as RunRecord[], registry: [] as RegistryEventRecord[] };
    super({ meta, task: 'tracking', fields, defaults, digest: (r, s) => summary(r, s), dataHash: () => 'site-runs', extra: () => ({ ...input }) }, query, setQuery);
    this.input = input;
  }

  protected override async start(): Promise<void> {
    await super.start();
    await this.reload();
  }

  /** Read every run and the registry again. */
  async reload(): Promise<void> {
    if (!this.store) return;
    try {
      const [runs, events] = await Promise.all([this.store.listRuns(), this.store.registryEvents()]);
      this.everything = runs.sort((a, b) => b.createdAt - a.createdAt);
      this.events = events;
      this.input.runs = this.everything;
      this.input.registry = events;
    } catch (e) {
      this.note('error', `The saved runs could not be read: ${(e as Error).message}`);
    }
  }

  override async run(name?: string): Promise<RunRecord | undefined> {
    await this.reload();
    return super.run(name);
  }

  /** Apply one registry change and append it to the store; a refused change or a failed write is told. Returns whether it was saved. */
  async change(action: Action): Promise<boolean> {
    await this.reload();
    const reg = new ModelRegistry(this.events as RegistryEvent[]);
    const last = this.events.reduce((m, e) => Math.max(m, e.at as number), 0);
    let event: RegistryEvent;
    try {
      event = action(reg, { actor: 'you', at: Math.max(Date.now(), last + 1) });
    } catch (e) {
      this.note('error', (e as Error).message);
      return false;
    }
    if (!this.store) {
      this.note('error', 'The registry change was not saved: storage is not available (see the note above).');
      return false;
    }
    try {
      await this.store.appendRegistryEvents([event as RegistryEventRecord]);
    } catch (e) {
      this.note('error', `The registry change was not saved: ${(e as Error).message}`);
      return false;
    }
    await this.reload();
    this.note('info', 'Registry updated. Run the query again to keep the change in a saved query.');
    return true;
  }

  /** Every saved run with the registry history of its models, as one prodlab-runs file (lossless: the store's format). */
  async exportAll(): Promise<{ bytes: Uint8Array; filename: string } | null> {
    await this.reload();
    if (!this.store || this.everything.length === 0) return null;
    try {
      const bytes = await this.store.exportRuns(this.everything.map((r) => r.id), { appVersion: __APP_VERSION__, registry: 'related' });
      return { bytes, filename: `prodlab-all-runs-${new Date().toISOString().slice(0, 10)}.prodlab` };
    } catch (e) {
      this.note('error', `Export failed: ${(e as Error).message}`);
      return null;
    }
  }

  /** Add a prodlab-runs file's runs and registry history; a damaged file or a full disk is told, and nothing is half-imported. */
  async importRuns(bytes: Uint8Array): Promise<void> {
    if (!this.store) {
      this.note('error', 'Import failed: storage is not available (see the note above).');
      return;
    }
    try {
      const { ids, repairs, refused } = await this.store.importFile(bytes);
      this.note(repairs.length || refused.length ? 'warn' : 'ok', importSentence(ids.length, repairs, refused));
    } catch (e) {
      this.note('error', `Import failed: ${(e as Error).message}`);
    }
    await this.reload();
    await this.refreshRuns();
  }
}

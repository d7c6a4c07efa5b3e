/**
 * Where a lab page's runs go, and what happens when that changes under it. Runs are saved in the
 * browser's IndexedDB store; when the browser takes that away (site data cleared under an open
 * lab) the page says so, keeps new runs in memory (exportable to a file), and can reopen the store
 * and save them there again. Other tabs' changes (a run deleted or added there) reach the page
 * through the store's onChange, so its table never lists a run that is gone.
 */
import { MemoryRunStore, openStore, type Store } from '../../src/lib/store';

/** Waits between tries to reopen the store: 0.25 s doubling to 4 s, five tries in about 8 s. */
export const REOPEN_DELAYS_MS = [250, 500, 1000, 2000, 4000];

export interface LabStorageOptions {
  /** Opens the persistent store (default openStore()). */
  open?: () => Promise<Store>;
  /** Called when the runs may have changed: another tab's write, storage lost or back. */
  changed: () => void;
  /** Waits between reopen tries (tests pass a fake clock). */
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class LabStorage {
  /** The store runs are saved in now: IndexedDB, or memory once storage was lost. */
  store = $state.raw<Store | undefined>(undefined);
  /** Why the persistent store is gone, in a sentence; null while it works. */
  lost = $state<string | null>(null);
  /** Runs kept in memory since storage was lost (their ids), for the banner and Export. */
  unsaved = $state.raw<string[]>([]);
  reopening = $state(false);
  private readonly open: () => Promise<Store>;
  private readonly changed: () => void;
  private readonly sleep: (ms: number) => Promise<void>;
  private unsubscribe: (() => void)[] = [];

  constructor(o: LabStorageOptions) {
    this.open = o.open ?? (() => openStore());
    this.changed = o.changed;
    this.sleep = o.sleep ?? sleep;
  }

  /** Open the persistent store and watch it; throws what openStore throws (the page then runs without saving). */
  async start(): Promise<Store> {
    const store = await this.open();
    this.attach(store);
    return store;
  }

  private attach(store: Store): void {
    this.detach();
    this.store = store;
    this.unsubscribe = [
      store.onChange(() => this.changed()),
      store.onLost((message) => this.lose(message)),
    ];
  }

  private detach(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  /** The browser took storage away: new runs go to memory from now on, and the page says so. */
  private lose(message: string): void {
    const gone = this.store;
    this.detach();
    const memory = new MemoryRunStore();
    this.unsubscribe = [memory.onChange(() => void this.countUnsaved(memory))];
    this.store = memory;
    this.lost = message;
    this.unsaved = [];
    try {
      gone?.close();
    } catch {
      /* already closed by the browser */
    }
    this.changed();
  }

  private async countUnsaved(memory: Store): Promise<void> {
    this.unsaved = (await memory.listRuns()).map((r) => r.id);
    this.changed();
  }

  /** The runs kept in memory as a .prodlab file, or null when there are none (or storage works). */
  async exportUnsaved(appVersion: string): Promise<{ bytes: Uint8Array; filename: string } | null> {
    if (!this.lost || !this.store || this.unsaved.length === 0) return null;
    const bytes = await this.store.exportRuns(this.unsaved, { appVersion, checkpoints: 'all' });
    return { bytes, filename: `prodlab-unsaved-${new Date().toISOString().slice(0, 10)}.prodlab` };
  }

  /**
   * Reopen the persistent store (up to five tries, REOPEN_DELAYS_MS apart) and move the runs kept
   * in memory into it, all in one import. Returns what happened, in a sentence.
   */
  async reopen(appVersion: string): Promise<{ ok: boolean; message: string }> {
    if (!this.lost || this.reopening) return { ok: false, message: 'Storage is already in use.' };
    this.reopening = true;
    let last = '';
    try {
      for (const wait of REOPEN_DELAYS_MS) {
        try {
          const store = await this.open();
          const file = await this.exportUnsaved(appVersion);
          if (file) await store.importFile(file.bytes);
          const n = this.unsaved.length;
          this.attach(store);
          this.lost = null;
          this.unsaved = [];
          this.changed();
          return { ok: true, message: n ? `Storage works again: ${n} run${n === 1 ? '' : 's'} kept in memory ${n === 1 ? 'was' : 'were'} saved to it.` : 'Storage works again: new runs are saved.' };
        } catch (e) {
          last = (e as Error).message;
          await this.sleep(wait);
        }
      }
      return { ok: false, message: `Storage could not be reopened after ${REOPEN_DELAYS_MS.length} tries (${last}). Your runs are still kept in memory: export them before closing this page.` };
    } finally {
      this.reopening = false;
    }
  }

  close(): void {
    this.detach();
    this.store?.close();
  }
}

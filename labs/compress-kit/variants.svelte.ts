import { openStore, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import { describeOnnx, type OnnxDescription } from '../../src/lib/onnx/describe';
import { CompressClient, downloadBytes } from './client';
import { withMessage, type Message } from '../../src/app/messages';
import { formatBytes } from '../../src/lib/core/format';

export type { Message };

/** A variant run: a run with `variant` set, as every compression lab saves them. */
export const isVariant = (r: RunRecord): r is RunRecord & { variant: NonNullable<RunRecord['variant']> } => r.status === 'done' && r.variant !== undefined;

/**
 * Saved model variants of some labs (all labs when `labs` is undefined), with delete and ONNX
 * export. The compression labs' states extend it; the trade-off view uses it as it is.
 */
export class VariantRuns {
  runs = $state.raw<RunRecord[]>([]);
  messages = $state<Message[]>([]);
  /** Graph summary of the last exported variant, and which one. */
  exported = $state.raw<{ runId: string; filename: string; description: OnnxDescription } | null>(null);
  exporting = $state('');
  readonly client = new CompressClient();
  protected store?: Store;

  constructor(readonly labs: string[] | undefined) {}

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  async openStorage(): Promise<void> {
    try {
      this.store = await openStore();
    } catch (e) {
      this.note('warn', `Variants cannot be saved in this browser (${(e as Error).message}); they last until this page closes.`);
    }
  }

  async refreshRuns(): Promise<void> {
    if (!this.store) return;
    try {
      const all = this.labs ? (await Promise.all(this.labs.map((l) => this.store!.listRuns(l)))).flat() : await this.store.listRuns();
      this.runs = all.filter(isVariant).sort((a, b) => b.createdAt - a.createdAt);
    } catch (e) {
      this.note('error', (e as Error).message);
    }
  }

  async deleteRun(id: string): Promise<void> {
    try {
      await this.store?.deleteRun(id);
      if (this.exported?.runId === id) this.exported = null;
    } catch (e) {
      this.note('error', `Could not delete: ${(e as Error).message}`);
    }
    await this.refreshRuns();
  }

  /** Rebuild the variant in the worker, export it to ONNX, download the file and describe its graph. */
  async exportVariant(runId: string): Promise<void> {
    this.exporting = runId;
    try {
      const { bytes, filename } = await this.client.exportVariant(runId);
      const description = describeOnnx(bytes);
      downloadBytes(bytes, filename);
      this.exported = { runId, filename, description };
      this.note('ok', `Exported ${filename}: ${description.nodes.length} ONNX nodes, ${formatBytes(description.fileBytes)}.`);
    } catch (e) {
      this.note('error', `Export failed: ${(e as Error).message}`);
    } finally {
      this.exporting = '';
    }
  }

  dispose(): void {
    this.client.dispose();
    this.store?.close();
  }
}

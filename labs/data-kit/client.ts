/**
 * The page's handle on the data worker (workers/data.ts: DuckDB-wasm behind comlink), shared by
 * every data lab.
 *
 * Two kinds of failure, two recoveries:
 * - DuckDB itself traps or a cancelled query will not stop: the worker replaces its DuckDB and
 *   reloads every table from the bytes it was loaded from; a notice says so.
 * - The data worker dies (out of memory, terminated): the kit's EngineClient rejects the calls in
 *   flight with WorkerCrashedError instead of hanging, and its next call starts a fresh worker,
 *   which this client prepares by loading every table again from the copies it keeps of their
 *   sources; notices say both.
 */
import * as Comlink from 'comlink';
import { tableFromIPC, type Table } from 'apache-arrow';
import { EngineClient } from '../kit/client';
import type { CsvOptions, DuckEvent, DuckServiceApi, TableInfo as LoadedTable } from '../../src/lib/data/duck-service';

export type { CsvOptions };

/** A table in DuckDB: loaded from a file ('parquet' | 'arrow' | 'csv', rebuilt after a restart) or made by SQL ('sql', lost on a restart). */
export interface TableInfo extends Omit<LoadedTable, 'source'> {
  source: LoadedTable['source'] | 'sql';
}

export interface DataQueryResult {
  table: Table;
  /** Time DuckDB took, measured in the worker. */
  ms: number;
  rows: number;
}

export interface DataNotice {
  kind: 'restarted' | 'worker-died' | 'worker-restarted' | 'cancelled';
  /** What the learner is told, as is. */
  message: string;
  /** Tables that were loaded again. */
  tables?: string[];
}

export interface DataClient {
  /** Resolves once DuckDB has started (rejects with a clear message if it cannot). */
  ready: Promise<{ bundle: string; version: string }>;
  loadParquet(name: string, bytes: Uint8Array): Promise<TableInfo>;
  loadArrow(name: string, ipc: Uint8Array): Promise<TableInfo>;
  loadCsv(name: string, text: string, opts?: CsvOptions): Promise<TableInfo>;
  tables(): Promise<TableInfo[]>;
  query(sql: string): Promise<DataQueryResult>;
  /** Stop the running query: 'interrupted', 'restarted' (DuckDB replaced, tables reloaded) or null if none ran. */
  cancel(): Promise<'interrupted' | 'restarted' | null>;
  /** Restarts, worker deaths and hard cancels, told in words. Returns an unsubscribe function. */
  onNotice(cb: (n: DataNotice) => void): () => void;
  /** End the worker and start a fresh one with every table loaded again (a drill). */
  restart(): Promise<void>;
  /** Test and drill hook: terminate the worker as the browser would under memory pressure. */
  kill(): void;
  /** Test and drill hook: the next query behaves as if DuckDB had trapped (it is restarted, loaded tables reloaded). */
  simulateTrap(): Promise<void>;
  dispose(): void;
}

export const RESTART_NOTICE = 'DuckDB crashed and was restarted; your tables were reloaded from their Parquet files';

const TABLES_SQL = "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position";
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const quoteId = (s: string) => `"${s.replaceAll('"', '""')}"`;

type Source = { kind: 'parquet' | 'arrow'; bytes: Uint8Array } | { kind: 'csv'; text: string; opts?: CsvOptions };
type Api = Comlink.Remote<DuckServiceApi>;

class WorkerDataClient implements DataClient {
  readonly ready: Promise<{ bundle: string; version: string }>;
  private readonly engine: EngineClient<DuckServiceApi>;
  private readonly listeners = new Set<(n: DataNotice) => void>();
  /** Every table's source, in load order, to rebuild the tables in a fresh worker. */
  private readonly sources = new Map<string, Source>();
  private info?: { bundle: string; version: string };
  private started = false;

  constructor() {
    this.engine = new EngineClient<DuckServiceApi>({
      spawn: () => new Worker(new URL('../../workers/data.ts', import.meta.url), { type: 'module', name: 'prodlab-data' }),
      name: 'data worker',
      onFresh: (api) => this.prepare(api),
      onCrash: (message) => this.emit({ kind: 'worker-died', message: `${message.split('. ')[0]}. The next query starts a fresh data worker and loads your tables again.` }),
    });
    this.ready = this.engine.call(async () => this.info!);
    this.ready.catch(() => {});
  }

  /** A fresh worker: listen to its events, start DuckDB, and (after the first) load every table again. */
  private async prepare(api: Api): Promise<void> {
    void api.onEvent(Comlink.proxy((e: DuckEvent) => this.fromEvent(e)));
    this.info = await api.init();
    if (!this.started) {
      this.started = true;
      return;
    }
    for (const [name, s] of this.sources) await this.send(api, name, s);
    const names = [...this.sources.keys()];
    this.emit({ kind: 'worker-restarted', message: `A fresh data worker started and your tables were loaded again${names.length ? ` (${names.join(', ')})` : ''}.`, tables: names });
  }

  private fromEvent(e: DuckEvent): void {
    if (e.kind === 'restarted') {
      const list = e.tables.length ? ` (${e.tables.join(', ')})` : '';
      this.emit({ kind: 'restarted', message: `${RESTART_NOTICE}${list}. Tables made by SQL statements are not kept: run again what made them. Reason: ${e.reason}.`, tables: e.tables });
    } else if (e.kind === 'cancelled' && e.how === 'restarted') {
      this.emit({ kind: 'cancelled', message: 'The query did not stop in time, so DuckDB was restarted and your loaded tables reloaded (tables made by SQL statements are not kept).' });
    }
  }

  private emit(n: DataNotice): void {
    for (const l of this.listeners) l(n);
  }

  async restart(): Promise<void> {
    this.engine.kill();
    await this.engine.call(async () => undefined);
  }

  private send(api: Api, name: string, s: Source): Promise<TableInfo> {
    // Copies cross the boundary (no transfer): this client keeps its own for restarts.
    if (s.kind === 'csv') return api.loadCsv(name, s.text, s.opts);
    if (s.kind === 'parquet') return api.loadParquet(name, s.bytes);
    return api.loadArrow(name, s.bytes);
  }

  private async load(name: string, s: Source): Promise<TableInfo> {
    const info = await this.engine.call((api) => this.send(api, name, s));
    this.sources.set(name, s);
    return info;
  }

  loadParquet(name: string, bytes: Uint8Array): Promise<TableInfo> {
    return this.load(name, { kind: 'parquet', bytes });
  }

  loadArrow(name: string, ipc: Uint8Array): Promise<TableInfo> {
    return this.load(name, { kind: 'arrow', bytes: ipc });
  }

  loadCsv(name: string, text: string, opts?: CsvOptions): Promise<TableInfo> {
    return this.load(name, { kind: 'csv', text, opts });
  }

  /** The loaded tables, then those made by SQL (CREATE TABLE ... AS), with their row counts. */
  async tables(): Promise<TableInfo[]> {
    const loaded = await this.engine.call((api) => api.tables());
    const known = new Set(loaded.map((t) => t.name));
    try {
      const cols = (await this.engine.call((api) => api.query(TABLES_SQL))).ipc;
      const byName = new Map<string, TableInfo>();
      for (const r of tableFromIPC(cols).toArray()) {
        const { table_name: name, column_name: col, data_type: type } = r.toJSON() as Record<string, string>;
        if (known.has(name) || name.startsWith('__')) continue;
        const t = byName.get(name) ?? { name, source: 'sql' as const, rows: 0, columns: [] };
        t.columns.push({ name: col, type });
        byName.set(name, t);
      }
      const made = [...byName.values()];
      if (made.length) {
        const q = made.map((t) => `SELECT ${sqlString(t.name)} AS name, count(*)::DOUBLE AS n FROM ${quoteId(t.name)}`).join(' UNION ALL ');
        const counts = new Map(tableFromIPC((await this.engine.call((api) => api.query(q))).ipc).toArray().map((r) => [String(r.name), Number(r.n)]));
        for (const t of made) t.rows = counts.get(t.name) ?? 0;
      }
      return [...loaded, ...made];
    } catch {
      return loaded; // a query is running: the loaded tables are still right
    }
  }

  async query(sql: string): Promise<DataQueryResult> {
    const r = await this.engine.call((api) => api.query(sql));
    return { table: tableFromIPC(r.ipc), ms: r.ms, rows: r.rows };
  }

  async cancel(): Promise<'interrupted' | 'restarted' | null> {
    if (this.engine.fresh) return null;
    return this.engine.call((api) => api.cancel());
  }

  onNotice(cb: (n: DataNotice) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  kill(): void {
    this.engine.kill();
  }

  async simulateTrap(): Promise<void> {
    await this.engine.call((api) => api.simulateTrap());
  }

  dispose(): void {
    this.engine.dispose();
    this.listeners.clear();
  }
}

/** Start the data worker (DuckDB-wasm loads on first use, from the site itself). */
export function openData(): DataClient {
  return new WorkerDataClient();
}

/**
 * DuckDB-wasm behind one typed API, for the data worker (workers/data.ts).
 *
 * - Files never go through DuckDB's own Parquet reader: that is an extension DuckDB-wasm would
 *   download at run time (TESTING.md). Parquet is read with parquet-wasm and handed over as
 *   Arrow IPC; CSV reading is built into DuckDB. Extension autoloading and autoinstalling are
 *   off, so a query that needs an extension fails at once instead of reaching the internet.
 * - Query results come back as Arrow IPC stream bytes, straight from DuckDB's result buffers
 *   (no row objects, no second Arrow copy).
 * - A running query can be cancelled; if DuckDB does not stop within `cancelGraceMs`, its worker
 *   is replaced. If DuckDB traps (a wasm RuntimeError), a fresh instance is made and every table
 *   is re-registered from the bytes it was loaded from; `onEvent` says so either way.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import * as parquetWasm from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { initParquet } from './parquet.ts';
import { DatasetError } from './errors.ts';

export const DUCK_DEFAULTS = {
  /** How long cancel() waits for DuckDB to stop a query before replacing its worker. */
  cancelGraceMs: 1500,
  /** Statements run on every new connection. */
  setup: ['SET autoinstall_known_extensions=false', 'SET autoload_known_extensions=false'],
};

export interface DuckServiceOptions {
  /** URLs of DuckDB-wasm's bundles (module + worker script), served with the site. */
  bundles: duckdb.DuckDBBundles;
  /** Starts DuckDB's own worker from a script URL (the page or worker global's `new Worker`). */
  makeWorker: (url: string) => Worker;
  /** See DUCK_DEFAULTS.cancelGraceMs. */
  cancelGraceMs?: number;
}

/** Where a table came from; kept so the table can be rebuilt in a fresh DuckDB. */
export type TableSource = 'parquet' | 'arrow' | 'csv';

export interface TableInfo {
  name: string;
  source: TableSource;
  rows: number;
  columns: { name: string; type: string }[];
}

export interface CsvOptions {
  /** Keep every column as text (VARCHAR), as an ELT "load raw" step does; casting is left to SQL. */
  allVarchar?: boolean;
}

export interface QueryResult {
  /** Arrow IPC stream of the result (transferred across the worker boundary). */
  ipc: Uint8Array;
  rows: number;
  columns: string[];
  ms: number;
}

export type DuckEvent =
  | { kind: 'ready'; bundle: string; version: string }
  | { kind: 'restarted'; reason: string; tables: string[] }
  | { kind: 'cancelled'; how: 'interrupted' | 'restarted' };

export interface DuckServiceApi {
  /** Start DuckDB (idempotent); resolves with the bundle chosen ('eh' where wasm exceptions exist, else 'mvp'). */
  init(): Promise<{ bundle: string; version: string }>;
  /** Replace or create table `name` from a Parquet file (read by parquet-wasm). */
  loadParquet(name: string, bytes: Uint8Array): Promise<TableInfo>;
  /** Replace or create table `name` from an Arrow IPC stream. */
  loadArrow(name: string, ipc: Uint8Array): Promise<TableInfo>;
  /** Replace or create table `name` from CSV text (DuckDB's built-in reader, types inferred unless opts.allVarchar). */
  loadCsv(name: string, text: string, opts?: CsvOptions): Promise<TableInfo>;
  tables(): Promise<TableInfo[]>;
  /** Run SQL; the result as Arrow IPC. Rejects with a DuckQueryError on a SQL error or cancellation. */
  query(sql: string): Promise<QueryResult>;
  /**
   * Stop the running query, if any: DuckDB's own cancel, then, if it has not stopped within
   * graceMs (default cancelGraceMs; 0 = at once), a fresh DuckDB with the tables reloaded.
   * Resolves with how it was stopped, or null if none was running.
   */
  cancel(opts?: { graceMs?: number }): Promise<'interrupted' | 'restarted' | null>;
  /** Receive lifecycle events (restarts after a trap or a hard cancel). */
  onEvent(listener: (e: DuckEvent) => void): void;
  /** Test hook: make the next query behave as if DuckDB had trapped. */
  simulateTrap(): void;
}

export class DuckQueryError extends Error {
  constructor(message: string, readonly reason: 'sql' | 'cancelled' | 'trap') {
    super(message);
    this.name = 'DuckQueryError';
  }
}

interface Instance {
  db: duckdb.AsyncDuckDB;
  worker: Worker;
  conn: duckdb.AsyncDuckDBConnection;
  connId: number;
  bundle: string;
}

interface Registered {
  info: TableInfo;
  /** The bytes the table was loaded from, kept to rebuild it after a restart. */
  bytes: Uint8Array;
  text?: string;
  csv?: CsvOptions;
}

/** wasm traps and aborts leave DuckDB unusable; SQL errors do not. */
function isTrap(e: unknown): boolean {
  const name = (e as Error)?.name ?? '';
  const msg = (e as Error)?.message ?? String(e);
  return name === 'RuntimeError' || /RuntimeError|unreachable|memory access out of bounds|signature mismatch|Aborted\(|out of memory/i.test(msg);
}

/**
 * DuckDB's message for a missing extension ends by suggesting autoinstall, which cannot work
 * here; say what to do instead.
 */
export function explainSqlError(message: string): string {
  const m = /exists in the (\w+) extension/.exec(message);
  if (!m) return message;
  const ext = m[1];
  const head = message.split(/\n\s*\n/)[0];
  const instead = ext === 'parquet' ? ' Load Parquet files as tables instead (they are read with parquet-wasm) and query the tables.' : '';
  return `${head} Prodlab does not load DuckDB extensions: the site runs offline and never downloads code, so "${ext}" is not available.${instead}`;
}

function quoteIdent(name: string): string {
  if (!name || /[\0]/.test(name)) throw new DatasetError(`invalid table name ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

interface Running {
  stop: boolean;
  /** Settles when the query's promise has settled. */
  done: Promise<unknown>;
  /** Reject the query's promise now (its DuckDB is being thrown away). */
  abort: (e: Error) => void;
}

async function parquetToIPC(bytes: Uint8Array): Promise<Uint8Array> {
  const par1 = (at: number) => bytes[at] === 0x50 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x52 && bytes[at + 3] === 0x31;
  if (bytes.byteLength < 12 || !par1(0) || !par1(bytes.byteLength - 4)) {
    throw new DatasetError(`not a Parquet file (${bytes.byteLength} bytes without "PAR1" at both ends)`);
  }
  await initParquet();
  try {
    return parquetWasm.readParquet(bytes).intoIPCStream();
  } catch (e) {
    throw new DatasetError(`corrupt Parquet file: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export class DuckService implements DuckServiceApi {
  private instance?: Promise<Instance>;
  private registered = new Map<string, Registered>();
  private listeners: ((e: DuckEvent) => void)[] = [];
  private running?: Running;
  private trapNext = false;
  private readonly grace: number;

  constructor(private readonly opts: DuckServiceOptions) {
    this.grace = opts.cancelGraceMs ?? DUCK_DEFAULTS.cancelGraceMs;
  }

  onEvent(listener: (e: DuckEvent) => void): void {
    this.listeners.push(listener);
  }

  private emit(e: DuckEvent): void {
    for (const l of this.listeners) l(e);
  }

  private async start(): Promise<Instance> {
    const bundle = await duckdb.selectBundle(this.opts.bundles);
    const worker = this.opts.makeWorker(bundle.mainWorker!);
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
    try {
      await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
      await db.open({});
      const conn = await db.connect();
      for (const s of DUCK_DEFAULTS.setup) await conn.query(s);
      const which = bundle.mainModule === this.opts.bundles.eh?.mainModule ? 'eh' : bundle.mainModule === this.opts.bundles.coi?.mainModule ? 'coi' : 'mvp';
      const connId = (conn as unknown as { _conn: number })._conn;
      return { db, worker, conn, connId, bundle: which };
    } catch (e) {
      worker.terminate();
      throw e;
    }
  }

  private get(): Promise<Instance> {
    this.instance ??= this.start();
    this.instance.catch(() => (this.instance = undefined));
    return this.instance;
  }

  async init(): Promise<{ bundle: string; version: string }> {
    const inst = await this.get();
    const version = await inst.db.getVersion();
    this.emit({ kind: 'ready', bundle: inst.bundle, version });
    return { bundle: inst.bundle, version };
  }

  /** Throw away the current DuckDB and rebuild every table in a fresh one. */
  private async restart(reason: string): Promise<void> {
    const old = this.instance;
    this.instance = undefined;
    if (old) {
      const inst = await old.catch(() => undefined);
      inst?.worker.terminate();
    }
    const inst = await this.get();
    for (const r of this.registered.values()) await this.insert(inst, r);
    this.emit({ kind: 'restarted', reason, tables: [...this.registered.keys()] });
  }

  /** Build the table under a temporary name, then swap it in: a file that fails to load leaves the old table as it was. */
  private async insert(inst: Instance, r: Registered): Promise<void> {
    const name = r.info.name;
    const tmp = quoteIdent(`__loading_${name}`);
    await inst.conn.query(`DROP TABLE IF EXISTS ${tmp}`);
    try {
      if (r.info.source === 'csv') {
        const file = `__csv_${name}.csv`;
        await inst.db.registerFileText(file, r.text ?? '');
        try {
          await inst.conn.query(`CREATE TABLE ${tmp} AS SELECT * FROM read_csv_auto('${file.replaceAll("'", "''")}'${r.csv?.allVarchar ? ', all_varchar = true' : ''})`);
        } finally {
          await inst.db.dropFile(file);
        }
      } else {
        // Parquet is kept as Parquet (smaller than its Arrow form) and decoded again on a restart.
        // insertArrowFromIPCStream transfers its buffer to DuckDB's worker: give it a fresh one.
        const ipc = r.info.source === 'parquet' ? await parquetToIPC(r.bytes) : r.bytes.slice();
        await inst.conn.insertArrowFromIPCStream(ipc, { name: `__loading_${name}`, create: true });
      }
      await inst.conn.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      await inst.conn.query(`ALTER TABLE ${tmp} RENAME TO ${quoteIdent(name)}`);
    } catch (e) {
      await inst.conn.query(`DROP TABLE IF EXISTS ${tmp}`).catch(() => undefined);
      throw e;
    }
  }

  private async describe(inst: Instance, name: string, source: TableSource): Promise<TableInfo> {
    const cols = await inst.conn.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${name.replaceAll("'", "''")}' ORDER BY ordinal_position`);
    const count = await inst.conn.query(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(name)}`);
    return {
      name,
      source,
      rows: Number(count.getChildAt(0)?.get(0)),
      columns: cols.toArray().map((r) => ({ name: String(r.column_name), type: String(r.data_type) })),
    };
  }

  private async register(name: string, source: TableSource, bytes: Uint8Array, text?: string, csv?: CsvOptions): Promise<TableInfo> {
    quoteIdent(name);
    const inst = await this.get();
    const r: Registered = { info: { name, source, rows: 0, columns: [] }, bytes, text, csv };
    await this.insert(inst, r);
    r.info = await this.describe(inst, name, source);
    this.registered.set(name, r);
    return r.info;
  }

  async loadParquet(name: string, bytes: Uint8Array): Promise<TableInfo> {
    return this.register(name, 'parquet', bytes);
  }

  async loadArrow(name: string, ipc: Uint8Array): Promise<TableInfo> {
    return this.register(name, 'arrow', ipc);
  }

  async loadCsv(name: string, text: string, opts?: CsvOptions): Promise<TableInfo> {
    return this.register(name, 'csv', new Uint8Array(0), text, opts);
  }

  async tables(): Promise<TableInfo[]> {
    return [...this.registered.values()].map((r) => r.info);
  }

  simulateTrap(): void {
    this.trapNext = true;
  }

  async query(sql: string): Promise<QueryResult> {
    if (this.running) throw new DuckQueryError('another query is still running; cancel it first', 'sql');
    const flag: Running = { stop: false, done: Promise.resolve(), abort: () => {} };
    const aborted = new Promise<never>((_, reject) => (flag.abort = reject));
    const work = Promise.race([this.run(sql, flag), aborted]);
    flag.done = work.catch(() => undefined);
    this.running = flag;
    try {
      return await work;
    } catch (e) {
      if (flag.stop) throw new DuckQueryError('query cancelled', 'cancelled');
      if (e instanceof DuckQueryError) throw e;
      if (isTrap(e)) {
        const why = e instanceof Error ? e.message : String(e);
        await this.restart(`DuckDB crashed (${why})`);
        throw new DuckQueryError(
          `DuckDB crashed while running this query (${why}). It was restarted and the tables ${[...this.registered.keys()].join(', ') || '(none)'} were loaded again; nothing was lost.`,
          'trap',
        );
      }
      throw new DuckQueryError(explainSqlError(e instanceof Error ? e.message : String(e)), 'sql');
    } finally {
      if (this.running === flag) this.running = undefined;
    }
  }

  private async run(sql: string, flag: { stop: boolean }): Promise<QueryResult> {
    const inst = await this.get();
    const t0 = performance.now();
    if (this.trapNext) {
      this.trapNext = false;
      throw new WebAssembly.RuntimeError('unreachable (simulated trap)');
    }
    // The pending-query protocol: DuckDB runs a slice of work per poll, so cancel can get in between.
    let header = await inst.db.startPendingQuery(inst.connId, sql, false);
    while (header == null) {
      if (flag.stop) throw new DuckQueryError('query cancelled', 'cancelled');
      header = await inst.db.pollPendingQuery(inst.connId);
    }
    const chunks: Uint8Array[] = [header];
    for (;;) {
      const c = await inst.db.fetchQueryResults(inst.connId);
      if (c == null) continue;
      if (c.byteLength === 0) break;
      chunks.push(c);
    }
    chunks.push(EOS);
    const ipc = concat(chunks);
    const table = tableFromIPC(ipc);
    return { ipc, rows: table.numRows, columns: table.schema.fields.map((f) => f.name), ms: performance.now() - t0 };
  }

  async cancel(opts: { graceMs?: number } = {}): Promise<'interrupted' | 'restarted' | null> {
    const running = this.running;
    if (!running) return null;
    running.stop = true;
    const grace = opts.graceMs ?? this.grace;
    let stopped = false;
    if (grace > 0) {
      const inst = await this.get();
      await inst.db.cancelPendingQuery(inst.connId).catch(() => false);
      stopped = await Promise.race([
        running.done.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), grace)),
      ]);
    }
    if (stopped) {
      this.emit({ kind: 'cancelled', how: 'interrupted' });
      return 'interrupted';
    }
    // DuckDB is busy inside one slice of work: replace it.
    running.abort(new DuckQueryError('query cancelled', 'cancelled'));
    if (this.running === running) this.running = undefined;
    await this.restart('a cancelled query did not stop in time');
    this.emit({ kind: 'cancelled', how: 'restarted' });
    return 'restarted';
  }
}

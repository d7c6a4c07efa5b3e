/**
 * The ETL lab's page state: settings (in the URL), one run = the TS ETL in its worker, then the
 * ELT's raw load and SQL steps in the data worker, then the comparison, the QA report and a saved
 * run record.
 */
import * as Comlink from 'comlink';
import { decodeParams, encodeParams, type ParamSpec } from '../../src/lib/core/url-state';
import { ETL_LAB_DEFAULTS, validateEtlSettings, runMetadata, type EtlJobOutput, type EtlLabSettings } from '../../src/lib/data/etl-job';
import { eltSteps, FIXES_SQL, REMOVED_BY_RULE_SQL, type EltStep } from '../../src/lib/data/elt-sql';
import { compareFeatures, dataDictionary, dictionaryMarkdown, featuresFromArrow, qaReport, type Agreement, type QaReport } from '../../src/lib/data/pipeline-outputs';
import { REMOVE_RULES, type RemoveRule } from '../../src/lib/data/pipeline';
import { runSummary } from './summary';
import type { RunRecord } from '../../src/lib/store/types';
import type { LabMeta } from '../types';
import { openData, type DataClient } from '../data-kit/client';
import { DataRuns } from '../data-kit/runs.svelte';
import { downloadBlob } from '../data-kit/download';
import type { EtlWorkerApi } from '../../workers/etl';
import { withMessage, type Message } from '../../src/app/messages';

export type { Message };

export interface EltRun {
  steps: (EltStep & { ms: number; rows: number; edited: boolean })[];
  ms: number;
  removedByRule: Record<RemoveRule, number>;
  fixes: Record<string, number>;
  agreement: Agreement;
  /** Every rule removed as many rows in SQL as in TS. */
  sameRemovals: boolean;
}

const spec: ParamSpec<EtlLabSettings> = Object.fromEntries(
  Object.entries(ETL_LAB_DEFAULTS).map(([k, v]) => [k, { kind: typeof v === 'number' ? 'number' : 'string' }]),
) as ParamSpec<EtlLabSettings>;

export class EtlLab {
  settings = $state({ ...ETL_LAB_DEFAULTS });
  settingsError = $state('');
  phase = $state<'starting' | 'ready' | 'running'>('starting');
  stage = $state('');
  job = $state.raw<EtlJobOutput | null>(null);
  elt = $state.raw<EltRun | null>(null);
  qa = $state.raw<QaReport | null>(null);
  shown = $state.raw<RunRecord | null>(null);
  messages = $state<Message[]>([]);
  /** The learner's edits to ELT steps, by table name. */
  sqlEdits = $state<Record<string, string>>({});
  engine = $state('');

  readonly data: DataClient = openData();
  readonly runs: DataRuns;
  private worker?: Worker;
  private etl?: Comlink.Remote<EtlWorkerApi>;
  private crashed: Promise<never> = new Promise(() => {});
  private stopEtl?: (e: Error) => void;
  private stopping = false;

  constructor(readonly meta: LabMeta, query: URLSearchParams, private readonly setQuery: (q: URLSearchParams) => void) {
    this.runs = new DataRuns(meta, (kind, m) => this.note(kind, m));
    const { value, warnings } = decodeParams(query, ETL_LAB_DEFAULTS, spec, validateEtlSettings);
    this.settings = value;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
  }

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  get steps(): EltStep[] {
    try {
      return eltSteps(this.settings);
    } catch {
      return [];
    }
  }

  async init(): Promise<void> {
    await this.runs.init();
    try {
      const r = await this.data.ready;
      this.engine = `DuckDB ${r.version} (${r.bundle})`;
    } catch (e) {
      this.note('error', `DuckDB could not start: ${(e as Error).message}. The ETL still runs; the ELT and SQL need DuckDB.`);
    }
    this.phase = 'ready';
  }

  update(patch: Partial<EtlLabSettings>): void {
    const next = { ...this.settings, ...patch };
    this.settings = next;
    try {
      validateEtlSettings(next);
      this.settingsError = '';
      this.setQuery(new URLSearchParams(encodeParams(next, spec)));
    } catch (e) {
      this.settingsError = (e as Error).message;
    }
  }

  private etlApi(): Comlink.Remote<EtlWorkerApi> {
    if (this.etl) return this.etl;
    const worker = new Worker(new URL('../../workers/etl.ts', import.meta.url), { type: 'module', name: 'prodlab-etl' });
    this.crashed = new Promise<never>((_, reject) => worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.etl = undefined;
      reject(new Error(`The ETL worker crashed (${e.message || 'unknown error'}). Run again to start a fresh one.`));
    }));
    this.crashed.catch(() => {});
    this.worker = worker;
    const stopped = new Promise<never>((_, reject) => (this.stopEtl = reject));
    stopped.catch(() => {});
    this.crashed = Promise.race([this.crashed, stopped]);
    this.crashed.catch(() => {});
    this.etl = Comlink.wrap<EtlWorkerApi>(worker);
    return this.etl;
  }

  /** The ELT: load raw, run every SQL step (the learner's edits included), read back and compare. */
  private async runElt(job: EtlJobOutput, eventsIpc: Uint8Array): Promise<EltRun> {
    const t0 = performance.now();
    this.stage = 'ELT: loading the raw files into DuckDB';
    await this.data.loadCsv('raw_sales', job.files.salesCsv, { allVarchar: true });
    await this.data.loadArrow('raw_events', eventsIpc);
    await this.data.loadParquet('raw_customers', job.files.customersParquet);
    await this.data.loadParquet('etl_features', job.featuresParquet);
    const steps: EltRun['steps'] = [];
    for (const s of eltSteps(job.settings)) {
      if (this.stopping) throw new Error('Stopped before the ELT finished; nothing was saved.');
      const sql = this.sqlEdits[s.table] ?? s.sql;
      this.stage = `ELT: ${s.table}`;
      try {
        const r = await this.data.query(sql);
        const n = await this.data.query(`SELECT count(*)::INTEGER AS n FROM "${s.table}"`);
        steps.push({ ...s, sql, ms: r.ms, rows: Number(n.table.get(0)?.toJSON().n), edited: sql !== s.sql });
      } catch (e) {
        throw new Error(`ELT step ${s.table} failed: ${(e as Error).message}`, { cause: e });
      }
    }
    const eltFeatures = featuresFromArrow((await this.data.query('SELECT * FROM features ORDER BY customer_id')).table);
    const removed = (await this.data.query(REMOVED_BY_RULE_SQL)).table.toArray().map((r) => r.toJSON() as { rule: string; n: number });
    const removedByRule = Object.fromEntries(REMOVE_RULES.map((k) => [k, Number(removed.find((r) => r.rule === k)?.n ?? 0)])) as Record<RemoveRule, number>;
    const fx = (await this.data.query(FIXES_SQL)).table.get(0)?.toJSON() as Record<string, unknown>;
    const agreement = compareFeatures(job.result.features, eltFeatures);
    return {
      steps, ms: performance.now() - t0, removedByRule, agreement,
      fixes: Object.fromEntries(Object.entries(fx).map(([k, v]) => [k, Number(v)])),
      sameRemovals: REMOVE_RULES.every((k) => removedByRule[k] === job.result.validation.removedByRule[k]),
    };
  }

  async run(): Promise<void> {
    if (this.phase !== 'ready' || this.settingsError) return;
    const settings = $state.snapshot(this.settings) as EtlLabSettings;
    this.phase = 'running';
    this.stopping = false;
    this.stage = 'ETL: generating the files and running the TypeScript pipeline';
    const t0 = performance.now();
    try {
      const { job, eventsIpc } = await Promise.race([this.etlApi().run(settings), this.crashed]);
      this.job = job;
      this.elt = null;
      let elt: EltRun | null = null;
      try {
        elt = await this.runElt(job, eventsIpc);
      } catch (e) {
        if (this.stopping) throw new Error('Stopped during the ELT; nothing was saved.', { cause: e });
        this.note('error', (e as Error).message);
      }
      this.elt = elt;
      this.qa = qaReport(job.result, elt?.agreement, job.dataEnd);
      const result = runSummary(job, elt && { ...elt, edited: elt.steps.some((x) => x.edited) }, this.qa.checks.filter((c) => !c.passed).length);
      this.shown = await this.runs.save({ settings: { ...settings }, result, seed: settings.seed, dataHash: job.dataHash, durationMs: performance.now() - t0, backend: 'js-worker+duckdb-wasm' });
      this.note(elt?.agreement.agree && elt.sameRemovals ? 'ok' : 'warn', `Done in ${((performance.now() - t0) / 1000).toFixed(2)} s: ETL ${job.ms.etl.toFixed(0)} ms, ELT ${elt ? elt.ms.toFixed(0) : '–'} ms; ${elt?.agreement.agree && elt.sameRemovals ? 'ETL and ELT agree' : 'ETL and ELT DISAGREE'}.`);
    } catch (e) {
      this.note('error', (e as Error).message);
    } finally {
      this.phase = 'ready';
      this.stage = '';
    }
  }

  /** Stop the run: the ETL worker is terminated (a fresh one starts next run); a running ELT query is cancelled. */
  async stop(): Promise<void> {
    if (this.phase !== 'running' || this.stopping) return;
    this.stopping = true;
    this.stage = 'stopping';
    this.worker?.terminate();
    this.etl = undefined;
    this.stopEtl?.(new Error('Stopped; nothing was saved.'));
    await this.data.cancel().catch(() => null);
  }

  editStep(table: string, sql: string | null): void {
    const next = { ...this.sqlEdits };
    if (sql === null) delete next[table];
    else next[table] = sql;
    this.sqlEdits = next;
  }

  download(what: 'features' | 'dictionary-json' | 'dictionary-md' | 'metadata' | 'qa'): void {
    const job = this.job;
    if (!job) return;
    const json = (x: unknown) => JSON.stringify(x, null, 2);
    const dict = dataDictionary(job.settings);
    if (what === 'features') downloadBlob(job.featuresParquet, 'features.parquet', 'application/vnd.apache.parquet');
    else if (what === 'dictionary-json') downloadBlob(json(dict), 'data_dictionary.json', 'application/json');
    else if (what === 'dictionary-md') downloadBlob(dictionaryMarkdown(dict, job.settings), 'data_dictionary.md', 'text/markdown');
    else if (what === 'qa' && this.qa) downloadBlob(json(this.qa), 'qa_report.json', 'application/json');
    else if (what === 'metadata') {
      const elt = this.elt ? { ms: this.elt.ms, featureRows: this.elt.agreement.eltRows, agree: this.elt.agreement.agree && this.elt.sameRemovals } : undefined;
      downloadBlob(json(runMetadata(job, { runId: this.shown?.id ?? '', appVersion: __APP_VERSION__, elt })), 'run_metadata.json', 'application/json');
    }
  }

  dispose(): void {
    this.worker?.terminate();
    this.data.dispose();
    this.runs.dispose();
  }
}


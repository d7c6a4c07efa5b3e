/**
 * The ETL lab's page state. One run: the TypeScript ETL in the sim engine (runners/etl.ts), then
 * the ELT's raw load and SQL steps in the data worker's DuckDB, then the comparison, the QA report
 * and a saved run record. The ETL still runs when DuckDB cannot start; the ELT and SQL need it.
 */
import { StoppedError } from '../../src/lib/core/task';
import { formatDuration } from '../../src/lib/core/format';
import { defaults, fields, runMetadata, validate, type EtlJobOutput, type EtlLabSettings } from '../../src/lib/runners/etl';
import { eltSteps, FIXES_SQL, REMOVED_BY_RULE_SQL, type EltStep } from '../../src/lib/data/elt-sql';
import { compareFeatures, dataDictionary, dictionaryMarkdown, featuresFromArrow, qaReport, type Agreement, type QaReport } from '../../src/lib/data/pipeline-outputs';
import { REMOVE_RULES, type RemoveRule } from '../../src/lib/data/pipeline';
import { runTask } from '../kit/engines';
import { SimDataLab } from '../data-kit/sim-data-lab.svelte';
import { downloadBlob } from '../data-kit/download';
import { runSummary } from './summary';
import { meta } from './lab';

export interface EltRun {
  steps: (EltStep & { ms: number; rows: number; edited: boolean })[];
  ms: number;
  removedByRule: Record<RemoveRule, number>;
  fixes: Record<string, number>;
  agreement: Agreement;
  /** Every rule removed as many rows in SQL as in TS. */
  sameRemovals: boolean;
}

export class EtlLab extends SimDataLab<EtlLabSettings> {
  job = $state.raw<EtlJobOutput | null>(null);
  elt = $state.raw<EltRun | null>(null);
  qa = $state.raw<QaReport | null>(null);
  /** The learner's edits to ELT steps, by table name. */
  sqlEdits = $state<Record<string, string>>({});
  engine = $state('');

  private stopping = false;

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super({ meta, fields, defaults, validate }, query, setQuery);
  }

  get steps(): EltStep[] {
    try {
      return eltSteps(this.settings);
    } catch {
      return [];
    }
  }

  protected override async start(): Promise<void> {
    try {
      const r = await this.data.ready;
      this.engine = `DuckDB ${r.version} (${r.bundle})`;
    } catch (e) {
      this.note('error', `DuckDB could not start: ${(e as Error).message}. The ETL still runs; the ELT and SQL need DuckDB.`);
    }
  }

  /** The ELT: load raw, run every SQL step (the learner's edits included), read back and compare. */
  private async runElt(job: EtlJobOutput, eventsIpc: Uint8Array, onStage: (stage: string, fraction: number) => void): Promise<EltRun> {
    const t0 = performance.now();
    onStage('ELT: loading the raw files into DuckDB', 0.55);
    await this.data.loadCsv('raw_sales', job.files.salesCsv, { allVarchar: true });
    await this.data.loadArrow('raw_events', eventsIpc);
    await this.data.loadParquet('raw_customers', job.files.customersParquet);
    await this.data.loadParquet('etl_features', job.featuresParquet);
    const steps: EltRun['steps'] = [];
    const all = eltSteps(job.settings);
    for (const [i, s] of all.entries()) {
      if (this.stopping) throw new StoppedError();
      const sql = this.sqlEdits[s.table] ?? s.sql;
      onStage(`ELT: ${s.table}`, 0.6 + (0.35 * i) / all.length);
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

  /** The ETL in the sim engine, then the ELT in DuckDB; an ELT that fails (not stopped) is told and the ETL is still saved. */
  async run(name?: string): Promise<void> {
    const settings = this.plainSettings();
    this.stopping = false;
    const out = await this.task('ETL: generating the files and running the TypeScript pipeline', async (onProgress) => {
      const { job, eventsIpc } = await runTask(this.sim, 'etl', settings, (p) => onProgress({ fraction: 0.5 * p.fraction, stage: p.stage }));
      this.job = job;
      this.elt = null;
      let elt: EltRun | null = null;
      try {
        elt = await this.runElt(job, eventsIpc, (stage, fraction) => onProgress({ fraction, stage }));
      } catch (e) {
        if (this.stopping) throw new StoppedError('Stopped during the ELT; nothing was saved.');
        this.note('error', (e as Error).message);
      }
      return { job, elt };
    });
    if (!out) return;
    const { job, elt } = out;
    this.elt = elt;
    this.qa = qaReport(job.result, elt?.agreement, job.dataEnd);
    const result = runSummary(job, elt && { ...elt, edited: elt.steps.some((x) => x.edited) }, this.qa.checks.filter((c) => !c.passed).length);
    await this.saveResult({ name, settings: { ...settings }, result, dataHash: job.dataHash, backend: 'sim-worker+duckdb-wasm' });
    const agree = !!elt?.agreement.agree && !!elt?.sameRemovals;
    this.note(agree ? 'ok' : 'warn', `Done in ${formatDuration(this.lastDurationMs)}: ETL ${formatDuration(job.ms.etl)}, ELT ${elt ? formatDuration(elt.ms) : '–'}; ${agree ? 'ETL and ELT agree' : 'ETL and ELT DISAGREE'}.`);
  }

  /** Stop: the ETL stops in the sim engine (or its worker is ended); a running ELT query is cancelled. */
  protected override onStop(): void {
    this.stopping = true;
    super.onStop();
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
}

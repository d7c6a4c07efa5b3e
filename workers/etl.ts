/// <reference lib="webworker" />
// The ETL lab's TypeScript pipeline (src/lib/data/etl-job.ts) off the page's main thread, plus the
// ELT's raw events table (all text, Arrow IPC) so the page only forwards bytes to the data worker.
import * as Comlink from 'comlink';
import { tableToIPC } from 'apache-arrow';
import { runEtlJob, type EtlJobOutput, type EtlLabSettings } from '../src/lib/data/etl-job';
import { rawEventsArrow } from '../src/lib/data/elt-sql';

export interface EtlWorkerApi {
  run(settings: EtlLabSettings): Promise<{ job: EtlJobOutput; eventsIpc: Uint8Array }>;
}

const api: EtlWorkerApi = {
  async run(settings) {
    const job = await runEtlJob(settings);
    const eventsIpc = tableToIPC(rawEventsArrow(job.files.eventsJson), 'stream');
    const buffers = [job.featuresParquet, job.files.customersParquet, eventsIpc].map((b) => b.buffer as ArrayBuffer);
    return Comlink.transfer({ job, eventsIpc }, [...new Set(buffers)]);
  },
};

Comlink.expose(api);

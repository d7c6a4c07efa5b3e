/// <reference lib="webworker" />
// The ETL lab's TypeScript pipeline (src/lib/data/etl-job.ts) off the page's main thread.
import * as Comlink from 'comlink';
import { runEtlJob, type EtlJobOutput, type EtlLabSettings } from '../src/lib/data/etl-job';

export interface EtlWorkerApi {
  run(settings: EtlLabSettings): Promise<EtlJobOutput>;
}

const api: EtlWorkerApi = {
  async run(settings) {
    const out = await runEtlJob(settings);
    return Comlink.transfer(out, [out.featuresParquet.buffer as ArrayBuffer, out.files.customersParquet.buffer as ArrayBuffer]);
  },
};

Comlink.expose(api);

/// <reference lib="webworker" />
// The data worker: DuckDB-wasm (its own nested worker) behind a comlink API (DuckServiceApi).
// The bundles are served from the site itself (Vite `?url` assets), never from a CDN.
import * as Comlink from 'comlink';
import { DuckService, type DuckServiceApi, type QueryResult } from '../src/lib/data/duck-service';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';

const service = new DuckService({
  bundles: { mvp: { mainModule: mvpWasm, mainWorker: mvpWorker }, eh: { mainModule: ehWasm, mainWorker: ehWorker } },
  makeWorker: (url) => new Worker(url),
});

const api: DuckServiceApi = {
  init: () => service.init(),
  loadParquet: (name, bytes) => service.loadParquet(name, bytes),
  loadArrow: (name, ipc) => service.loadArrow(name, ipc),
  loadCsv: (name, text, opts) => service.loadCsv(name, text, opts),
  tables: () => service.tables(),
  async query(sql): Promise<QueryResult> {
    const r = await service.query(sql);
    return Comlink.transfer(r, [r.ipc.buffer]);
  },
  cancel: (opts) => service.cancel(opts),
  onEvent: (listener) => service.onEvent(listener),
  simulateTrap: () => service.simulateTrap(),
};

Comlink.expose(api);

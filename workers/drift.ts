/// <reference lib="webworker" />
// The drift lab's worker: the production stream as Parquet partitions, and the retraining
// simulator (DriftServiceApi). Parquet bytes and accuracy curves are transferred, not copied.
import * as Comlink from 'comlink';
import { DriftService, type DriftServiceApi } from '../src/lib/drift/stream-service';

const service = new DriftService();

const api: DriftServiceApi = {
  async partitions(opts) {
    const r = await service.partitions(opts);
    return Comlink.transfer(r, r.files.map((f) => f.bytes.buffer as ArrayBuffer));
  },
  async retrain(opts, policies) {
    const r = await service.retrain(opts, policies);
    return Comlink.transfer(r, r.flatMap((x) => [x.accuracy.buffer as ArrayBuffer, x.logLoss.buffer as ArrayBuffer]));
  },
};

Comlink.expose(api);

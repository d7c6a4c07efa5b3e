/// <reference lib="webworker" />
// The simulation worker: A/B tests, pitfalls, CUPED, bandits, interleaving and uplift behind a
// comlink API (SimServiceApi). Results carry typed arrays; their buffers are transferred, not copied.
import * as Comlink from 'comlink';
import { SimService, transferables, type SimKind, type SimResult, type SimServiceApi, type SimSettings } from '../src/lib/stats/sim-service';

const service = new SimService();

const api: SimServiceApi = {
  async run<K extends SimKind>(kind: K, settings: SimSettings<K>, onProgress?: Parameters<SimServiceApi['run']>[2]): Promise<SimResult<K>> {
    const result = await service.run(kind, settings, onProgress);
    return Comlink.transfer(result, transferables(result));
  },
  interrupt: () => service.interrupt(),
};

Comlink.expose(api);

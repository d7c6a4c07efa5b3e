import * as Comlink from 'comlink';
import type { SimServiceApi } from '../../src/lib/stats/sim-service';

/** The page's handle on the simulation worker; a crash rejects the call in flight instead of hanging it. */
export class SimClient {
  readonly api: Comlink.Remote<SimServiceApi>;
  private worker: Worker;
  private crashed: Promise<never>;

  constructor() {
    this.worker = new Worker(new URL('../../workers/sim.ts', import.meta.url), { type: 'module', name: 'prodlab-sim' });
    let crash!: (e: Error) => void;
    this.crashed = new Promise<never>((_, reject) => (crash = reject));
    this.crashed.catch(() => {});
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      crash(new Error(`The simulation worker crashed: ${e.message || 'unknown error'}.`));
    });
    this.api = Comlink.wrap<SimServiceApi>(this.worker);
  }

  call<T>(f: (api: Comlink.Remote<SimServiceApi>) => Promise<T>): Promise<T> {
    return Promise.race([f(this.api), this.crashed]);
  }

  dispose(): void {
    this.worker.terminate();
  }
}

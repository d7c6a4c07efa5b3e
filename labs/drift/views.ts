import type { DataClient } from '../data-kit/client';

/**
 * The data client as the drift lab's SQL panel sees it: its views (stream, ref, monitored) are
 * made by SQL, so a restarted DuckDB has lost them; a query that fails on a missing table makes
 * them again (once the reloaded tables are back) and is retried. Everything else passes through;
 * closing the panel does not close the lab's client.
 */
export function viewsClient(d: DataClient, createViews: () => Promise<void>, hasViews: () => boolean): DataClient {
  return {
    get ready() {
      return d.ready;
    },
    loadParquet: (name, bytes) => d.loadParquet(name, bytes),
    loadArrow: (name, ipc) => d.loadArrow(name, ipc),
    loadCsv: (name, text, opts) => d.loadCsv(name, text, opts),
    tables: () => d.tables(),
    query: async (sql) => {
      try {
        return await d.query(sql);
      } catch (e) {
        if (!hasViews() || !/does not exist/i.test((e as Error).message)) throw e;
        for (let i = 0; ; i++) {
          try {
            await createViews();
            break;
          } catch (err) {
            if (i >= 40) throw err;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
        return d.query(sql);
      }
    },
    cancel: () => d.cancel(),
    onNotice: (cb) => d.onNotice(cb),
    restart: () => d.restart(),
    kill: () => d.kill(),
    simulateTrap: () => d.simulateTrap(),
    dispose: () => undefined,
  };
}

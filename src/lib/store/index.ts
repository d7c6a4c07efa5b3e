/** Browser persistence for runs, checkpoints and lab progress. */
export type * from './types.ts';
export { StoreError, isQuotaError, type StoreErrorCode } from './errors.ts';
export { DB_NAME, DB_VERSION } from './schema.ts';
export { FILE_FORMAT, FILE_VERSION } from './format.ts';
export { openStore, newRunId, KEEP_CHECKPOINTS, type Store, type StoreOptions, type ExportOptions } from './runs.ts';
export { MemoryRunStore } from './memory.ts';

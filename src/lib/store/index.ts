/** Browser persistence for runs, checkpoints and lab progress. */
export type * from './types.ts';
export { StoreError, isQuotaError, type StoreErrorCode } from './errors.ts';
export { DB_NAME, DB_VERSION } from './schema.ts';
export { FILE_FORMAT, FILE_VERSION } from './format.ts';
export { openStore, newRunId, KEEP_CHECKPOINTS, LOST_MESSAGE, type Store, type StoreOptions, type ExportOptions, type ImportReport, type Commit, type StoreChange } from './runs.ts';
export { checkRun, readableRun, damagedRun } from './validate.ts';
export { MemoryRunStore } from './memory.ts';
export { RunWriter, type CommitSink, type RunWriterOptions } from './run-writer.ts';

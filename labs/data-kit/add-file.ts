/**
 * A learner's file → a DuckDB table, through the checks in src/lib/data/upload.ts. Every failure is
 * an UploadError naming the file and the stage; a failed load leaves every existing table as it
 * was (the worker builds a table under a temporary name and swaps it in only once it loaded).
 */
import type { DataClient, TableInfo } from './client';
import { csvLoadMessage, prepareCsv } from '../../src/lib/data/csv-text';
import { checkColumns, checkMagic, checkUploadFile, csvHeader, decodeCsv, describeAllocationFailure, numericTextSql, numericTextWarnings, tableNameFor, UploadError, UPLOAD_LIMITS, type UploadLimits } from '../../src/lib/data/upload';

export interface AddedFile {
  info: TableInfo;
  /** What was added, in a sentence. */
  message: string;
  /** Things the learner should know that did not stop the load. */
  warnings: string[];
}

async function readBytes(file: File): Promise<Uint8Array> {
  try {
    return new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    throw new UploadError(describeAllocationFailure(e, file.name, file.size) ?? `${file.name} could not be read: ${(e as Error).message}`, 'read', { cause: e });
  }
}

export async function addFile(client: DataClient, file: File, limits: UploadLimits = UPLOAD_LIMITS): Promise<AddedFile> {
  const kind = checkUploadFile(file, limits);
  const existing = (await client.tables()).map((t) => t.name);
  const name = tableNameFor(file.name, existing, limits);
  const bytes = await readBytes(file);
  checkMagic(file.name, kind, bytes);
  const warnings: string[] = [];
  let text = '';
  if (kind === 'csv') {
    // What a spreadsheet or pandas writes (mixed line ends, quoted newlines) made one dialect for DuckDB's sniffer.
    const prepared = prepareCsv(file.name, decodeCsv(file.name, bytes));
    text = prepared.text;
    if (prepared.changes.length) warnings.push(`${file.name}: ${prepared.changes.join('; ')}.`);
    // Refuse 10,000 columns before DuckDB spends memory sniffing them.
    warnings.push(...checkColumns(file.name, csvHeader(text), limits));
  }
  let info: TableInfo;
  try {
    info = kind === 'csv' ? await client.loadCsv(name, text) : await client.loadParquet(name, bytes);
  } catch (e) {
    const oom = describeAllocationFailure(e, file.name, file.size);
    const why = (e as Error).message.replace(/^(DatasetError|Error): /, '');
    const told = kind === 'csv' ? csvLoadMessage(file.name, name, e) : `${file.name} could not be loaded as table "${name}": ${why}. Your other tables are unchanged.`;
    throw new UploadError(oom ?? told, 'load', { cause: e });
  }
  if (kind === 'parquet') warnings.push(...checkColumns(file.name, info.columns.map((c) => c.name), limits));
  const textCols = info.columns.filter((c) => c.type === 'VARCHAR').map((c) => c.name);
  if (textCols.length && textCols.length <= 200) {
    const r = await client.query(numericTextSql(name, textCols));
    const row = r.table.get(0)?.toJSON() as Record<string, unknown> | undefined;
    if (row) warnings.push(...numericTextWarnings(textCols, textCols.map((_c, i) => ({ n: Number(row[`n${i}`]), k: Number(row[`k${i}`]), bad: row[`bad${i}`] == null ? null : String(row[`bad${i}`]) }))));
  }
  return { info, message: `Added ${file.name} as table "${name}" (${info.rows.toLocaleString('en')} rows, ${info.columns.length} columns).`, warnings };
}

import { describe, expect, it } from 'vitest';
import { runEtlJob, runMetadata, ETL_LAB_DEFAULTS, validateEtlSettings } from '../../../src/lib/runners/etl';
import { readParquet } from '../../../src/lib/data/parquet';
import { compareFeatures, dataDictionary, dictionaryMarkdown, featuresFromArrow, qaReport, FEATURE_COLUMNS } from '../../../src/lib/data/pipeline-outputs';
import { makeRetail } from '../../../src/lib/data/retail';

describe('runEtlJob and the outputs', () => {
  it('features.parquet reads back to the same features; a changed value is caught by compareFeatures', async () => {
    const job = await runEtlJob({ ...ETL_LAB_DEFAULTS, customers: 200, seed: 3 });
    const t = await readParquet(job.featuresParquet);
    expect(t.schema.fields.map((f) => f.name)).toEqual([...FEATURE_COLUMNS]);
    const back = featuresFromArrow(t);
    const a = compareFeatures(job.result.features, back);
    expect(a.agree).toBe(true);
    expect(a.etlRows).toBe(job.result.counts.featureRows);
    const bent = featuresFromArrow(t);
    bent.monetary[3] += 0.01;
    bent.avgGapDays[0] = bent.frequency[0] > 1 ? NaN : 1;
    const b = compareFeatures(job.result.features, bent);
    expect(b.agree).toBe(false);
    expect(b.columns.find((c) => c.column === 'monetary')).toMatchObject({ mismatches: 1, example: { customerId: back.customerId[3] } });
    expect(b.columns.find((c) => c.column === 'avg_gap_days')?.mismatches).toBe(1);
    expect(b.columns.find((c) => c.column === 'frequency')?.mismatches).toBe(0);
  });

  it('the same settings give the same data hash; the metadata counts add up', async () => {
    const s = { ...ETL_LAB_DEFAULTS, customers: 100 };
    const [x, y] = [await runEtlJob(s), await runEtlJob(s)];
    expect(x.dataHash).toBe(y.dataHash);
    expect(x.dataHash).not.toBe((await runEtlJob({ ...s, seed: 2 })).dataHash);
    const m = runMetadata(x, { runId: 'r1', appVersion: 't' }) as { row_counts: Record<string, number>; seed: number };
    expect(m.seed).toBe(1);
    expect(m.row_counts.sales_rows_extracted - m.row_counts.sales_removed).toBe(m.row_counts.clean_sales);
    expect(m.row_counts.sales_rows_extracted).toBe(makeRetail({ customers: 100 }).counts.salesRows);
  });

  it('the QA report fails the leakage check when the windows overlap, and lists every removed row', async () => {
    const safe = await runEtlJob({ ...ETL_LAB_DEFAULTS, customers: 150 });
    const leaky = await runEtlJob({ ...ETL_LAB_DEFAULTS, customers: 150, labelStart: '2025-08-01' });
    const check = (j: typeof safe) => qaReport(j.result, undefined, j.dataEnd).checks.find((c) => c.name.startsWith('label window after'))!;
    expect(check(safe).passed).toBe(true);
    expect(check(leaky).passed).toBe(false);
    expect(check(leaky).detail).toMatch(/overlap by 61 days/);
    const q = qaReport(safe.result);
    expect(q.removed.length).toBe(Object.values(q.removedByRule).reduce((a, b) => a + b, 0));
  });

  it('the data dictionary describes every column with the windows in words', () => {
    const d = dataDictionary(ETL_LAB_DEFAULTS);
    expect(d.map((e) => e.name)).toEqual([...FEATURE_COLUMNS]);
    expect(dictionaryMarkdown(d, ETL_LAB_DEFAULTS)).toContain('| `churned` | INTEGER | 0/1 | The label: 1 if the customer made no purchase from 2025-10-01 to 2026-01-01');
  });

  it('validateEtlSettings names the bad knob, in the field table\'s wording', () => {
    expect(() => validateEtlSettings({ ...ETL_LAB_DEFAULTS, customers: 10 })).toThrow('Customers must be between 20 and 5000; it is 10.');
    expect(() => validateEtlSettings({ ...ETL_LAB_DEFAULTS, badTimestamp: 0.5 })).toThrow('badTimestamp must be between 0 and 0.1; it is 0.5.');
    expect(() => validateEtlSettings({ ...ETL_LAB_DEFAULTS, labelStart: '2025-02-30' })).toThrow('Label start must be a date written YYYY-MM-DD; it is "2025-02-30".');
    expect(() => validateEtlSettings({ ...ETL_LAB_DEFAULTS, labelEnd: '2025-09-01' })).toThrow(/label window/);
  });
});

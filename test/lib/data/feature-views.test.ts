/**
 * The feature-store pipeline on native DuckDB: the naive latest-value join leaks (features written
 * after the label time), which shows as a validation AUC far above the AUC on a later period; the
 * point-in-time join does not leak. The online store agrees with the offline store when both
 * pipelines are the same and fresh, and the skew check counts the differences when they are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_FEATURES, FEATURE_STORE_DEFAULTS, measureLeakage, onlineStoreSql, skewSql, trainingSetSql, type Rows } from '../../../src/lib/data/feature-views.ts';
import { nativeFeatureStore } from './fs-native.ts';

const o = FEATURE_STORE_DEFAULTS;

describe('feature store on native DuckDB', () => {
  let store: Awaited<ReturnType<typeof nativeFeatureStore>>;
  const cols = (sql: string): Promise<Rows> => store.cols(sql);
  beforeAll(async () => {
    store = await nativeFeatureStore(o);
  });
  afterAll(() => store?.close());

  it('the naive join leaks; the point-in-time join does not', async () => {
    const pit = await cols(trainingSetSql.pointInTime());
    const naive = await cols(trainingSetSql.naive());
    const a = measureLeakage(pit, pit, o);
    const b = measureLeakage(naive, pit, o);
    expect(a.futureRowsShare).toBe(0);
    expect(b.futureRowsShare).toBeGreaterThan(0.9);
    expect(b.validationAuc - b.futureAuc).toBeGreaterThan(0.1);
    expect(Math.abs(a.validationAuc - a.futureAuc)).toBeLessThan(b.validationAuc - b.futureAuc);
  });

  it('the skew check: none with the same fresh pipeline, some with a stale or different one', async () => {
    const skew = async (p: Partial<typeof o>) => {
      await store.conn.run(onlineStoreSql({ ...o, ...p }));
      const r = await cols(skewSql({ ...o, ...p }));
      return Object.fromEntries(['customers', 'online_rows', ...ACTIVITY_FEATURES].map((k) => [k, Number(r[k][0])]));
    };
    const same = await skew({});
    expect(same.customers).toBeGreaterThan(300);
    expect(ACTIVITY_FEATURES.map((f) => same[f])).toEqual([0, 0, 0, 0]);
    const window = await skew({ onlineWindowDays: 28 });
    expect(window.purchases_total).toBe(0);
    expect(window.spend_recent).toBeGreaterThan(0);
    const stale = await skew({ onlineLagDays: 21 });
    expect(stale.days_since_purchase).toBeGreaterThan(same.customers / 2);
  });
});

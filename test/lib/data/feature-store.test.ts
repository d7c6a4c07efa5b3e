/**
 * DuckDB's ASOF JOIN (native, @duckdb/node-api) against the point-in-time join written by hand in
 * TypeScript, on the same rows: small integer times so that label and feature times tie often,
 * duplicate (key, time) feature rows told apart by ingestion order, labels earlier than any feature
 * of their key, and keys with no feature rows at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mulberry32 } from '../../../src/lib/core/rng.ts';
import { asofJoinSql, latestJoinSql, pointInTimeJoin, type JoinColumns } from '../../../src/lib/data/feature-store.ts';

const rng = mulberry32(11);
const N_FEAT = 3000;
const N_LAB = 2000;
const feat = { key: new Int32Array(N_FEAT), ts: new Int32Array(N_FEAT), seq: new Int32Array(N_FEAT), value: new Float64Array(N_FEAT) };
for (let i = 0; i < N_FEAT; i++) {
  feat.key[i] = Math.floor(rng() * 100); // keys 0..99 have features
  feat.ts[i] = 10 + Math.floor(rng() * 50); // times 10..59: many ties
  feat.seq[i] = i;
  feat.value[i] = Math.round(rng() * 1e6) / 100;
}
const lab = { key: new Int32Array(N_LAB), ts: new Int32Array(N_LAB) };
for (let i = 0; i < N_LAB; i++) {
  lab.key[i] = Math.floor(rng() * 110); // keys 100..109 have none
  lab.ts[i] = Math.floor(rng() * 70); // times 0..9 precede every feature
}
const cols: JoinColumns = { key: 'customer_id', labelTs: 'label_ts', featureTs: 'ts', seq: 'seq', features: ['value'] };

describe('ASOF JOIN (DuckDB) = the hand-written point-in-time join', () => {
  let conn: DuckDBConnection;
  let db: DuckDBInstance;
  const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    await conn.run('CREATE TABLE features (customer_id INT, ts INT, seq INT, value DOUBLE)');
    await conn.run(`INSERT INTO features VALUES ${Array.from(feat.key, (k, i) => `(${k}, ${feat.ts[i]}, ${feat.seq[i]}, ${feat.value[i]})`).join(', ')}`);
    await conn.run('CREATE TABLE labels (rid INT, customer_id INT, label_ts INT)');
    await conn.run(`INSERT INTO labels VALUES ${Array.from(lab.key, (k, i) => `(${i}, ${k}, ${lab.ts[i]})`).join(', ')}`);
  });
  afterAll(() => {
    conn?.closeSync();
    db?.closeSync();
  });

  it('matches row for row, ties and keys without an earlier value included', async () => {
    const want = pointInTimeJoin(lab, feat);
    const got = await rows(`SELECT * FROM (${asofJoinSql('labels', 'features', cols)}) ORDER BY rid`);
    expect(got.length).toBe(N_LAB);
    let ties = 0;
    let none = 0;
    for (let r = 0; r < N_LAB; r++) {
      const i = want[r];
      if (i < 0) {
        none++;
        expect(got[r].value).toBeNull();
        continue;
      }
      if (feat.ts[i] === lab.ts[r]) ties++;
      expect(got[r].feature_ts).toBe(feat.ts[i]);
      expect(got[r].value).toBe(feat.value[i]);
    }
    // The data really exercise the edge cases.
    expect(ties).toBeGreaterThan(20);
    expect(none).toBeGreaterThan(200);
    expect(Array.from(want).filter((i, r) => i < 0 && lab.key[r] >= 100).length).toBeGreaterThan(100);
  });

  it('the reference itself: equal times count as known, the last-ingested duplicate wins', () => {
    const f = { key: [1, 1, 1, 2], ts: [5, 5, 3, 9], seq: [0, 1, 2, 3] };
    expect(Array.from(pointInTimeJoin({ key: [1, 1, 1, 2, 3], ts: [5, 4, 2, 9, 9] }, f))).toEqual([1, 2, -1, 3, -1]);
  });

  it('the naive latest-value join takes rows from after the label time', async () => {
    const got = await rows(`SELECT * FROM (${latestJoinSql('labels', 'features', cols)}) ORDER BY rid`);
    const future = got.filter((r) => r.feature_ts !== null && (r.feature_ts as number) > (r.label_ts as number)).length;
    expect(future).toBeGreaterThan(N_LAB / 2);
  });
});

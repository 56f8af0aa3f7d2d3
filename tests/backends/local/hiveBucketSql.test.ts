import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketColumnHiveType, hiveBucketSql, hiveTypeOfDuckType, registerHiveHashFunctions } from '../../../src/backends/local/hiveBucketSql.js';
import { UnsupportedBucketTypeError, type HiveBucketType } from '../../../src/domain/hiveBucketing.js';
import { randomStrings, referenceStringHash } from '../../support/oracles/hiveV1Oracle.js';

/**
 * The SQL bucket expressions against an oracle that shares no code with them (the BigInt closed form
 * for strings; plain BigInt/Date arithmetic for the rest), over values DuckDB stores both inline
 * (≤ 12 bytes) and out of line.
 */
let db: DuckDBInstance;
let conn: DuckDBConnection;
let dir: string;

beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:', { threads: '2' });
  conn = await db.connect();
  registerHiveHashFunctions(conn);
  dir = await mkdtemp(path.join(tmpdir(), 'flywheel-hive-sql-'));
});
afterAll(async () => {
  conn?.closeSync();
  db?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

const COUNTS = [1, 4, 256, 997];
const bucketOf = (hash: number, n: number) => (hash & 0x7fffffff) % n;

/** Buckets computed by DuckDB for `values` (a SQL VALUES list of one typed column `k`), one row per value. */
async function duckBuckets(valuesSql: string, type: HiveBucketType): Promise<{ k: unknown; b: number[] }[]> {
  const columns = COUNTS.map((n) => `${hiveBucketSql('k', type, n)} AS b${n}`).join(', ');
  const rows = (await conn.runAndReadAll(`SELECT k::VARCHAR AS k, ${columns} FROM (${valuesSql}) ORDER BY ord`)).getRowObjectsJson();
  return rows.map((r) => ({ k: r.k, b: COUNTS.map((n) => Number(r[`b${n}`])) }));
}

describe('Hive v1 bucket SQL in DuckDB', () => {
  it('strings: random, non-ASCII, long (out-of-line) and NULL agree with the BigInt oracle', async () => {
    const strings = [...randomStrings(4000, 7), 'Trino rocks', '', 'CU00000001', 'x'.repeat(12), 'y'.repeat(13), 'z'.repeat(5000)];
    await conn.run('CREATE OR REPLACE TEMP TABLE s (ord INTEGER, k VARCHAR)');
    const appender = await conn.createAppender('s');
    strings.forEach((value, ord) => {
      appender.appendInteger(ord);
      appender.appendVarchar(value);
      appender.endRow();
    });
    appender.appendInteger(strings.length);
    appender.appendNull();
    appender.endRow();
    appender.closeSync();
    const got = await duckBuckets('SELECT ord, k FROM s', 'string');
    const expected = [...strings.map(referenceStringHash), 0].map((h) => COUNTS.map((n) => bucketOf(h, n)));
    const wrong = got.filter((g, i) => JSON.stringify(g.b) !== JSON.stringify(expected[i]));
    expect(wrong).toEqual([]);
    expect(got[strings.indexOf('Trino rocks')]!.b[1]).toBe(2);
    expect(got[strings.indexOf('CU00000001')]!.b[2]).toBe(115);
  });

  it('bigint, int, smallint, tinyint, date and boolean agree with plain arithmetic', async () => {
    const longHash = (v: bigint) => Number(BigInt.asIntN(32, BigInt.asUintN(64, v) ^ (BigInt.asUintN(64, v) >> 32n)));
    const cases: { type: HiveBucketType; duck: string; values: string[]; hash: (v: string) => number }[] = [
      { type: 'bigint', duck: 'BIGINT', values: ['300000000000', '-300000000000', '-9223372036854775808', '9223372036854775807', '-1', '0', '4294967296', '123456789012345'], hash: (v) => longHash(BigInt(v)) },
      { type: 'int', duck: 'INTEGER', values: ['300000', '-2147483648', '2147483647', '-5', '0'], hash: Number },
      { type: 'smallint', duck: 'SMALLINT', values: ['300', '-32768', '32767'], hash: Number },
      { type: 'tinyint', duck: 'TINYINT', values: ['5', '-128', '127'], hash: Number },
      { type: 'date', duck: 'DATE', values: ['1970-01-01', '2015-11-19', '1950-11-19', '2026-10-01'], hash: (v) => Date.parse(`${v}T00:00:00Z`) / 86_400_000 },
      { type: 'boolean', duck: 'BOOLEAN', values: ['true', 'false'], hash: (v) => (v === 'true' ? 1 : 0) },
    ];
    for (const c of cases) {
      const values = [...c.values.map((v, i) => `(${i}, '${v}'::${c.duck})`), `(${c.values.length}, NULL::${c.duck})`].join(', ');
      const got = await duckBuckets(`SELECT * FROM (VALUES ${values}) t(ord, k)`, c.type);
      const expected = [...c.values.map(c.hash), 0].map((h) => COUNTS.map((n) => bucketOf(h, n)));
      expect(got.map((g) => g.b), c.type).toEqual(expected);
    }
  });

  it('maps Parquet column types to Hive types and refuses the others by name', async () => {
    const file = path.join(dir, 'types.parquet');
    await conn.run(`COPY (SELECT 'a' AS s, 1::BIGINT AS b, 1.5::DOUBLE AS d, TIMESTAMP '2026-01-01' AS ts, 1::UINTEGER AS u) TO '${file}' (FORMAT parquet)`);
    expect(await bucketColumnHiveType(conn, [file], 's')).toBe('string');
    expect(await bucketColumnHiveType(conn, [file], 'b')).toBe('bigint');
    for (const column of ['d', 'ts', 'u']) {
      await expect(bucketColumnHiveType(conn, [file], column)).rejects.toThrow(UnsupportedBucketTypeError);
    }
    await expect(bucketColumnHiveType(conn, [file], 'd')).rejects.toThrow(/d has type DOUBLE: Hive bucketing v1 is only reproduced for string/);
    await expect(bucketColumnHiveType(conn, [file], 'missing')).rejects.toThrow(/bucket column missing is not a column of the staged data/);
    expect(hiveTypeOfDuckType('integer', 'x')).toBe('int');
  });
});

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDatabasePath, createLocalBackend, seedLake } from '../../../src/backends/local/index.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
import type { SourceTable } from '../../../src/domain/tables.js';
import type { Backend } from '../../../src/ports/backend.js';
import { NO_CONTEXT, type OperationContext } from '../../../src/ports/context.js';
import { ctasSql } from '../../../src/backends/aws/athenaBucketed.js';
import { bucketingAlgorithmOf } from '../../../src/domain/ctasBucketing.js';
import { UnsupportedBucketTypeError } from '../../../src/domain/hiveBucketing.js';
import { referenceStringHash } from '../../support/oracles/hiveV1Oracle.js';
import { ADDRESSABLE, ibe, SNAPSHOT, splitArgs, tempHome, testConfig, waitForRun } from './helpers.js';

const config = testConfig(['IBE_01', 'MIACS_01']);
const IBE = ibe('IBE_01');
const bucketRequest = (table: SourceTable, requestToken = 'wf/run/bucket') => ({
  table,
  snapshotDt: SNAPSHOT,
  bucketColumn: 'customer_user_id',
  bucketCount: 256,
  requestToken,
});

async function withDuck<T>(database: string, work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(database);
  const conn = await db.connect();
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const rowsOf = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();

/** Bucket file of bucket N in a build folder (Trino-style `0000NN_0_<buildId>.parquet`). */
async function bucketFile(location: string, bucket: number): Promise<string> {
  const name = (await readdir(location)).find((n) => n.startsWith(`${String(bucket).padStart(6, '0')}_0_`));
  if (!name) throw new Error(`no file for bucket ${bucket} in ${location}`);
  return path.join(location, name);
}

/**
 * Rows whose file is not the one of their customer's Hive v1 bucket, recomputed here by the BigInt
 * oracle (shares no code with the engine's SQL/UDF), with the bucket read from the file name.
 */
export async function misplacedRows(location: string, bucketCount: number): Promise<{ id: string; file: string }[]> {
  const rows = await withDuck(':memory:', (conn) =>
    rowsOf(conn, `SELECT customer_user_id AS id, filename AS file FROM read_parquet('${location}/*.parquet', filename = true, hive_partitioning = false)`),
  );
  return (rows as { id: string; file: string }[]).filter(({ id, file }) => {
    const expected = (referenceStringHash(id) & 0x7fffffff) % bucketCount;
    return !path.basename(file).startsWith(`${String(expected).padStart(6, '0')}_0_`);
  });
}

/** Seeds, runs the split job for every configured table and returns a fresh backend. */
async function prepared(home: string, rows: number): Promise<Backend> {
  await seedLake({ config, home, rows, snapshots: [SNAPSHOT] });
  const backend = await createLocalBackend(config, home);
  const infobase = await backend.jobs.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: 'split', arguments: splitArgs(['IBE_01', 'MIACS_01'], { IBE_01: 3, MIACS_01: 2 }), runTag: 'a' });
  const addressable = await backend.jobs.startJobRun({ jobKey: 'addressableBucket', jobName: 'addr', arguments: splitArgs(['addressable_ids'], { addressable_ids: 2 }), runTag: 'b' });
  expect((await waitForRun(backend.jobs, 'split', infobase.runId)).state).toBe('SUCCEEDED');
  expect((await waitForRun(backend.jobs, 'addr', addressable.runId)).state).toBe('SUCCEEDED');
  return backend;
}

describe('LocalStagedCatalog + LocalBucketedTables', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let backend: Backend;
  let paths: LakePaths;

  beforeAll(async () => {
    ({ home, cleanup } = await tempHome());
    backend = await prepared(home, 3000);
    paths = new LakePaths(config, home);
  });
  afterAll(async () => {
    await backend?.close();
    await cleanup?.();
  });

  it('registers a staged table idempotently, with Parquet columns and footer row counts', async () => {
    const first = await backend.catalog.registerStagedTable({ table: IBE, snapshotDt: SNAPSHOT });
    const again = await backend.catalog.registerStagedTable({ table: IBE, snapshotDt: SNAPSHOT });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ database: 'flywheel_test', tableName: 'ibe_01_staged', files: 3, rows: 3000, sourceRows: 3000 });
    expect(first.location).toBe(paths.stagedPartition(IBE, SNAPSHOT));
    expect(first.columns[0]).toEqual({ name: 'customer_user_id', type: 'VARCHAR' });
    expect(first.columns.map((c) => c.type)).toEqual(expect.arrayContaining(['INTEGER', 'BIGINT', 'DOUBLE', 'DATE', 'BOOLEAN']));
    expect(first.columns.some((c) => c.name === 'snapshot_dt')).toBe(false);
    const addressable = await backend.catalog.registerStagedTable({ table: ADDRESSABLE, snapshotDt: SNAPSHOT });
    expect(addressable).toMatchObject({ tableName: 'addressable_ids_staged', rows: 9000, files: 2 });
  });

  it('refuses to register a partition without staged data, naming the path', async () => {
    const missing = paths.stagedPartition(IBE, '2026-09-01');
    await expect(backend.catalog.registerStagedTable({ table: IBE, snapshotDt: '2026-09-01' })).rejects.toThrow(missing);
  });

  it('builds exactly 256 bucket files; counts match and every customer is in one bucket', async () => {
    const built = await backend.bucketed.createBucketedTable(bucketRequest(IBE), NO_CONTEXT);
    const location = paths.bucketedPartition(IBE, SNAPSHOT);
    expect(built).toMatchObject({ database: 'flywheel_test', tableName: 'ibe_01_bucketed', location, bucketFiles: 256, rows: 3000 });
    expect(built.sql).toMatch(/^COPY \(SELECT \*, \(\(flywheel_hive_v1_string_hash\("customer_user_id"\) & 2147483647\) % 256\)/);
    expect(built.bucketing).toBe('hive-v1');
    const names = (await readdir(location)).filter((n) => n.endsWith('.parquet')).sort();
    expect(names).toHaveLength(256);
    names.forEach((name, k) => expect(name).toMatch(new RegExp(`^${String(k).padStart(6, '0')}_0_[0-9a-f]{12}\\.parquet$`)));
    expect(await misplacedRows(location, 256)).toEqual([]);
    expect((await readdir(path.dirname(location))).filter((n) => n.startsWith('_tmp'))).toEqual([]);

    const [stats] = await withDuck(':memory:', (conn) =>
      rowsOf(conn, `SELECT count(*) AS n, count(DISTINCT customer_user_id) AS c, count(DISTINCT (customer_user_id, filename)) AS pairs
        FROM read_parquet('${location}/*.parquet', filename = true, hive_partitioning = false)`),
    );
    expect(stats).toEqual({ n: '3000', c: '3000', pairs: '3000' });

    const validation = await backend.bucketed.validateBucketedTable(bucketRequest(IBE), NO_CONTEXT);
    expect(validation).toMatchObject({ sourceRows: 3000, stagedRows: 3000, bucketedRows: 3000, bucketFiles: 256, customersInSeveralBuckets: 0, problems: [] });
    expect(validation.checks).toEqual(
      expect.arrayContaining(['customer_in_one_bucket', 'rows_in_hive_bucket', 'staged_rows_equal_bucketed_rows', 'bucket_file_count', 'bucket_skew']),
    );
    // Skew from the footers, checked against the oracle's own count per bucket.
    const perBucket = new Array<number>(256).fill(0);
    for (let i = 0; i < 3000; i++) perBucket[(referenceStringHash(`CU${String(i).padStart(8, '0')}`) & 0x7fffffff) % 256]! += 1;
    const sorted = [...perBucket].sort((a, b) => a - b);
    expect(validation.bucketSkew).toEqual({
      bucketCount: 256,
      minRows: sorted[0],
      medianRows: (sorted[127]! + sorted[128]!) / 2,
      maxRows: sorted[255],
      maxOverMedian: Math.round((sorted[255]! / ((sorted[127]! + sorted[128]!) / 2)) * 1000) / 1000,
      emptyBuckets: perBucket.filter((n) => n === 0).length,
      largestBucket: perBucket.indexOf(sorted[255]!),
    });
  });

  it('uses the algorithm the Athena CTAS SQL states: its WITH clause, read back, means Hive v1', async () => {
    const sql = ctasSql({
      database: 'db', snapshotTable: 'ibe_01_bucketed_20261001', stagedTable: 'ibe_01_staged', location: 's3://b/p/',
      snapshotDt: SNAPSHOT, bucketColumn: 'customer_user_id', bucketCount: 256,
    });
    const withClause = /WITH \(([\s\S]*?)\)\nAS SELECT/.exec(sql)![1]!;
    const property = (name: string) => new RegExp(`\\b${name} = ([^,]+?)(?:,|$)`).exec(withClause.replace(/\n\s*/g, ' '))?.[1];
    const fromSql = {
      bucketedBy: [...(property('bucketed_by') ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1]!),
      bucketCount: Number(property('bucket_count')),
      bucketingFormat: property('bucketing_format')?.replace(/'/g, ''),
    };
    expect(fromSql).toEqual({ bucketedBy: ['customer_user_id'], bucketCount: 256, bucketingFormat: undefined });
    expect(sql.split('\n').at(-1)).toBe("-- bucketing: Hive bucketing v1 (Athena's default for bucketed_by without bucketing_format)");
    const local = await backend.bucketed.createBucketedTable(bucketRequest(IBE), NO_CONTEXT);
    expect(local.bucketing).toBe(bucketingAlgorithmOf(fromSql));
    expect(local.bucketing).toBe('hive-v1');
    expect(() => bucketingAlgorithmOf({ ...fromSql, bucketingFormat: 'spark' })).toThrow(/bucketing_format 'spark' is not reproduced/);
    expect(bucketingAlgorithmOf({ ...fromSql, bucketingFormat: 'HIVE' })).toBe('hive-v1');
  });

  it('reuses a finished build for a retried request token, rebuilds for a new one', async () => {
    const steps: unknown[] = [];
    const ctx: OperationContext = { heartbeat: (d) => steps.push(d), signal: new AbortController().signal };
    await backend.bucketed.createBucketedTable(bucketRequest(IBE), ctx);
    expect(steps[0]).toMatchObject({ step: 'reused' });
    steps.length = 0;
    const rebuilt = await backend.bucketed.createBucketedTable(bucketRequest(IBE, 'another-token'), ctx);
    expect(steps.map((s) => (s as { step: string }).step)).toEqual(['writing', 'written', 'swapped', 'view']);
    expect(rebuilt.rows).toBe(3000);
  });

  it('stops on abort, cleans its temp folder and leaves the previous build in place', async () => {
    const controller = new AbortController();
    const ctx: OperationContext = {
      heartbeat: (d) => (d as { step: string }).step === 'writing' && controller.abort(new Error('activity cancelled')),
      signal: controller.signal,
    };
    await expect(backend.bucketed.createBucketedTable(bucketRequest(IBE, 'aborted-token'), ctx)).rejects.toThrow('activity cancelled');
    const location = paths.bucketedPartition(IBE, SNAPSHOT);
    expect((await readdir(path.dirname(location))).filter((n) => n.startsWith('_tmp'))).toEqual([]);
    const marker = JSON.parse(await readFile(path.join(location, '_flywheel_build.json'), 'utf8'));
    expect(marker.requestToken).toBe('another-token');
  });

  it('a crashed attempt’s build folder (deterministic name per table and snapshot) is removed by the next build', async () => {
    const location = paths.bucketedPartition(IBE, SNAPSHOT);
    const leftovers = [path.join(path.dirname(location), `_tmp-ctas-${path.basename(location)}`), path.join(path.dirname(location), `_tmp-old-${path.basename(location)}`)];
    for (const dir of leftovers) {
      await mkdir(path.join(dir, '_parts', '__flywheel_slice=3'), { recursive: true });
      await writeFile(path.join(dir, 'bucket-00000.parquet'), 'half-written by a killed worker');
    }
    const built = await backend.bucketed.createBucketedTable(bucketRequest(IBE, 'after-crash-token'), NO_CONTEXT);
    expect(built).toMatchObject({ bucketFiles: 256, rows: 3000 });
    expect((await readdir(path.dirname(location))).filter((n) => n.startsWith('_tmp'))).toEqual([]);
  });

  it('a retried attempt that reuses the finished build also removes what the attempt that died after its swap left', async () => {
    const location = paths.bucketedPartition(IBE, SNAPSHOT);
    // The worker died after swapping the new build in, before deleting the previous one it had moved aside.
    const aside = path.join(path.dirname(location), `_tmp-old-${path.basename(location)}`);
    const half = path.join(path.dirname(location), `_tmp-ctas-${path.basename(location)}`);
    for (const dir of [aside, half]) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, '000000_0_0123456789ab.parquet'), 'the previous build');
    }
    const steps: unknown[] = [];
    const ctx: OperationContext = { heartbeat: (d) => steps.push(d), signal: new AbortController().signal };
    const retried = await backend.bucketed.createBucketedTable(bucketRequest(IBE, 'after-crash-token'), ctx);
    expect(steps[0]).toMatchObject({ step: 'reused' });
    expect(retried).toMatchObject({ bucketFiles: 256, rows: 3000 });
    expect((await readdir(path.dirname(location))).filter((n) => n.startsWith('_tmp'))).toEqual([]);
  });

  it('validation detects a tampered bucket (a row duplicated into another bucket file)', async () => {
    const table = ibe('MIACS_01');
    await backend.bucketed.createBucketedTable(bucketRequest(table), NO_CONTEXT);
    const location = paths.bucketedPartition(table, SNAPSHOT);
    // Sequential ids leave some Hive buckets empty at this size: take the row from the largest one.
    const { largestBucket } = (await backend.bucketed.validateBucketedTable(bucketRequest(table), NO_CONTEXT)).bucketSkew!;
    const donor = await bucketFile(location, largestBucket);
    const victim = await bucketFile(location, (largestBucket + 1) % 256);
    await withDuck(':memory:', async (conn) => {
      await conn.run(
        `COPY (SELECT * FROM read_parquet('${victim}') UNION ALL
               (SELECT * FROM read_parquet('${donor}') LIMIT 1))
         TO '${victim}.new' (FORMAT parquet, COMPRESSION snappy)`,
      );
    });
    await import('node:fs/promises').then((fs) => fs.rename(`${victim}.new`, victim));
    const validation = await backend.bucketed.validateBucketedTable(bucketRequest(table), NO_CONTEXT);
    expect(validation.customersInSeveralBuckets).toBe(1);
    expect(validation.bucketedRows).toBe(3001);
    expect(validation.problems.join('\n')).toMatch(/row count mismatch: staged 3000, bucketed 3001/);
    expect(validation.problems.join('\n')).toMatch(/1 customer_user_id value\(s\) appear in more than one bucket file/);
    expect(validation.problems.join('\n')).toMatch(/1 row\(s\) are not in the file of their customer_user_id's Hive bucket/);
  });

  it('buckets on a BIGINT column by its Hive v1 hash, and refuses a column type Athena cannot reproduce', async () => {
    const table = ibe('MIACS_01');
    const byBigint = { ...bucketRequest(table, 'bigint-token'), bucketColumn: 'spend_cents', bucketCount: 16 };
    const built = await backend.bucketed.createBucketedTable(byBigint, NO_CONTEXT);
    expect(built.sql).toContain('((coalesce(xor("spend_cents", "spend_cents" >> 32), 0) & 2147483647) % 16)');
    const location = paths.bucketedPartition(table, SNAPSHOT);
    const rows = await withDuck(':memory:', (conn) =>
      rowsOf(conn, `SELECT spend_cents::VARCHAR AS v, filename AS f FROM read_parquet('${location}/*.parquet', filename = true, hive_partitioning = false)`),
    );
    const javaLongHash = (v: bigint) => Number(BigInt.asIntN(32, BigInt.asUintN(64, v) ^ (BigInt.asUintN(64, v) >> 32n)));
    const wrong = (rows as { v: string; f: string }[]).filter(({ v, f }) => !path.basename(f).startsWith(`${String((javaLongHash(BigInt(v)) & 0x7fffffff) % 16).padStart(6, '0')}_0_`));
    expect(wrong).toEqual([]);
    expect((await backend.bucketed.validateBucketedTable(byBigint, NO_CONTEXT)).problems).toEqual([]);

    const byDouble = { ...bucketRequest(table, 'double-token'), bucketColumn: 'interest_score' };
    await expect(backend.bucketed.createBucketedTable(byDouble, NO_CONTEXT)).rejects.toThrow(UnsupportedBucketTypeError);
    await expect(backend.bucketed.createBucketedTable(byDouble, NO_CONTEXT)).rejects.toThrow(/interest_score has type DOUBLE/);
    // The refused build left the bigint build in place; restore the table for the tests below.
    await backend.bucketed.createBucketedTable(bucketRequest(table), NO_CONTEXT);
  });

  it('buckets addressable ids (several rows per customer) without splitting a customer', async () => {
    const built = await backend.bucketed.createBucketedTable(bucketRequest(ADDRESSABLE), NO_CONTEXT);
    expect(built).toMatchObject({ tableName: 'addressable_ids_bucketed', rows: 9000, bucketFiles: 256 });
    const validation = await backend.bucketed.validateBucketedTable(bucketRequest(ADDRESSABLE), NO_CONTEXT);
    expect(validation.problems).toEqual([]);
  });

  it('persists views and partition metadata in <home>/catalog/<environment>.duckdb', async () => {
    await backend.close();
    const file = catalogDatabasePath(config, home);
    expect(file).toBe(path.join(home, 'catalog', 'test.duckdb'));
    await withDuck(file, async (conn) => {
      expect(await rowsOf(conn, 'SELECT count(*) AS n FROM flywheel_test.ibe_01_staged')).toEqual([{ n: '3000' }]);
      expect(await rowsOf(conn, 'SELECT count(*) AS n FROM flywheel_test.ibe_01_bucketed')).toEqual([{ n: '3000' }]);
      const meta = await rowsOf(conn, `SELECT table_name, layer, snapshot_dt::VARCHAR AS dt, row_count FROM flywheel_test.flywheel_partitions ORDER BY 1`);
      expect(meta).toEqual([
        { table_name: 'addressable_ids_bucketed', layer: 'bucketed', dt: SNAPSHOT, row_count: '9000' },
        { table_name: 'addressable_ids_staged', layer: 'staged', dt: SNAPSHOT, row_count: '9000' },
        { table_name: 'ibe_01_bucketed', layer: 'bucketed', dt: SNAPSHOT, row_count: '3000' },
        { table_name: 'ibe_01_staged', layer: 'staged', dt: SNAPSHOT, row_count: '3000' },
        { table_name: 'miacs_01_bucketed', layer: 'bucketed', dt: SNAPSHOT, row_count: '3000' },
      ]);
    });
    backend = await createLocalBackend(config, home);
  });

  it('views read their location by a glob (constant size per table), or the exact list when the folder holds a placeholder', async () => {
    await backend.close();
    const file = catalogDatabasePath(config, home);
    const viewSql = (conn: DuckDBConnection, view: string) =>
      rowsOf(conn, `SELECT sql FROM duckdb_views() WHERE schema_name = 'flywheel_test' AND view_name = '${view}'`).then((r) => String(r[0]?.sql));
    await withDuck(file, async (conn) => {
      const bucketed = await viewSql(conn, 'ibe_01_bucketed');
      expect(bucketed).toContain(`${paths.bucketedPartition(IBE, SNAPSHOT)}/[!._]*.parquet`);
      expect(bucketed).not.toContain('000000_0_');
      expect(await viewSql(conn, 'ibe_01_staged')).toContain(`${paths.stagedPartition(IBE, SNAPSHOT)}/[!._]*.parquet`);
    });
    backend = await createLocalBackend(config, home);
    // Files Athena hides (`_`/`.` names) are not read; a zero-byte placeholder, which the glob would read, means the list.
    const staged = paths.stagedPartition(IBE, SNAPSHOT);
    await writeFile(path.join(staged, '_hidden.parquet'), 'not parquet');
    await writeFile(path.join(staged, 'placeholder.parquet'), '');
    const registered = await backend.catalog.registerStagedTable({ table: IBE, snapshotDt: SNAPSHOT });
    expect(registered).toMatchObject({ files: 3, rows: 3000 });
    await backend.close();
    await withDuck(file, async (conn) => {
      expect(await viewSql(conn, 'ibe_01_staged')).not.toContain('*.parquet');
      expect(await rowsOf(conn, 'SELECT count(*) AS n FROM flywheel_test.ibe_01_staged')).toEqual([{ n: '3000' }]);
    });
    await rm(path.join(staged, 'placeholder.parquet'));
    backend = await createLocalBackend(config, home);
    await backend.catalog.registerStagedTable({ table: IBE, snapshotDt: SNAPSHOT });
  });

  it('writes zero-row files with the same schema for empty buckets (tiny data)', async () => {
    const tiny = await tempHome();
    const local = await prepared(tiny.home, 10);
    try {
      const built = await local.bucketed.createBucketedTable(bucketRequest(IBE), NO_CONTEXT);
      expect(built).toMatchObject({ bucketFiles: 256, rows: 10 });
      const location = new LakePaths(config, tiny.home).bucketedPartition(IBE, SNAPSHOT);
      const files = await withDuck(':memory:', (conn) =>
        rowsOf(conn, `SELECT file_name, num_rows FROM parquet_file_metadata('${location}/*.parquet')`),
      );
      expect(files).toHaveLength(256);
      expect(files.filter((f) => f.num_rows === '0').length).toBeGreaterThanOrEqual(246);
      const schemas = await withDuck(':memory:', (conn) =>
        rowsOf(conn, `SELECT count(DISTINCT cols) AS n FROM (SELECT file_name, string_agg(name || ':' || type, ',' ORDER BY name) AS cols
          FROM parquet_schema('${location}/*.parquet') GROUP BY file_name)`),
      );
      expect(schemas).toEqual([{ n: '1' }]);
      const validation = await local.bucketed.validateBucketedTable(bucketRequest(IBE), NO_CONTEXT);
      expect(validation.problems).toEqual([]);
    } finally {
      await local.close();
      await tiny.cleanup();
    }
  });
});

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDatabasePath, createLocalBackend, seedLake } from '../../../src/backends/local/index.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
import type { SourceTable } from '../../../src/domain/tables.js';
import type { Backend } from '../../../src/ports/backend.js';
import { NO_CONTEXT, type OperationContext } from '../../../src/ports/context.js';
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
    expect(built.sql).toMatch(/^COPY \(SELECT \*, \(hash\("customer_user_id"\) % 256\)/);
    const names = (await readdir(location)).filter((n) => n.endsWith('.parquet')).sort();
    expect(names).toEqual(Array.from({ length: 256 }, (_, k) => `bucket-${String(k).padStart(5, '0')}.parquet`));
    expect((await readdir(path.dirname(location))).filter((n) => n.startsWith('_tmp'))).toEqual([]);

    const [stats] = await withDuck(':memory:', (conn) =>
      rowsOf(conn, `SELECT count(*) AS n, count(DISTINCT customer_user_id) AS c, count(DISTINCT (customer_user_id, filename)) AS pairs
        FROM read_parquet('${location}/*.parquet', filename = true, hive_partitioning = false)`),
    );
    expect(stats).toEqual({ n: '3000', c: '3000', pairs: '3000' });

    const validation = await backend.bucketed.validateBucketedTable(bucketRequest(IBE), NO_CONTEXT);
    expect(validation).toMatchObject({ sourceRows: 3000, stagedRows: 3000, bucketedRows: 3000, bucketFiles: 256, customersInSeveralBuckets: 0, problems: [] });
    expect(validation.checks).toEqual(expect.arrayContaining(['customer_in_one_bucket', 'staged_rows_equal_bucketed_rows', 'bucket_file_count']));
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

  it('validation detects a tampered bucket (a row duplicated into another bucket file)', async () => {
    const table = ibe('MIACS_01');
    await backend.bucketed.createBucketedTable(bucketRequest(table), NO_CONTEXT);
    const location = paths.bucketedPartition(table, SNAPSHOT);
    const victim = path.join(location, 'bucket-00007.parquet');
    await withDuck(':memory:', async (conn) => {
      await conn.run(
        `COPY (SELECT * FROM read_parquet('${victim}') UNION ALL
               (SELECT * FROM read_parquet('${location}/bucket-00003.parquet') LIMIT 1))
         TO '${victim}.new' (FORMAT parquet, COMPRESSION snappy)`,
      );
    });
    await import('node:fs/promises').then((fs) => fs.rename(`${victim}.new`, victim));
    const validation = await backend.bucketed.validateBucketedTable(bucketRequest(table), NO_CONTEXT);
    expect(validation.customersInSeveralBuckets).toBe(1);
    expect(validation.bucketedRows).toBe(3001);
    expect(validation.problems.join('\n')).toMatch(/row count mismatch: staged 3000, bucketed 3001/);
    expect(validation.problems.join('\n')).toMatch(/1 customer_user_id value\(s\) appear in more than one bucket file/);
    expect(validation.problems.join('\n')).toMatch(/1 row\(s\) are not in the bucket file/);
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

import { beforeEach, describe, expect, it } from 'vitest';
import { validationSql } from '../../../src/backends/aws/bucketedValidation.js';
import { createAwsBackend, createAwsClients, parseAwsConfig, type AwsClients } from '../../../src/backends/aws/index.js';
import type { Backend } from '../../../src/ports/backend.js';
import { NO_CONTEXT } from '../../../src/ports/context.js';
import { emulateAthenaCtas } from './athenaCtasEmulation.js';
import { recordInputs } from './faultInjection.js';
import { BUCKET, createDatabase, DATABASE, parquetBytes, put, testConfig, useMoto } from './helpers.js';

const env = useMoto();
let clients: AwsClients;
let backend: Backend;

const ibe01 = { name: 'IBE_01', kind: 'infobase' } as const;
const validateRequest = { table: ibe01, snapshotDt: '2026-10-01', bucketColumn: 'customer_user_id', bucketCount: 256 };

beforeEach(async () => {
  await createDatabase(env.arrange.glue);
  const config = testConfig();
  clients = createAwsClients(parseAwsConfig(config));
  emulateAthenaCtas(clients.athena, { glue: env.arrange.glue, s3: env.arrange.s3, database: DATABASE }, { files: 4 });
  backend = await createAwsBackend(config, { clients });
  await put(env.arrange.s3, 'omc_cleanroom_data/split/IBE_01/snapshot_dt=2026-10-01/part-0.parquet', await parquetBytes(`SELECT 'c1' AS customer_user_id`));
  await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-10-01' });
  await backend.bucketed.createBucketedTable({ ...validateRequest, requestToken: 'wf/run/ctas/IBE_01' }, NO_CONTEXT);
});

const fileOf = (bucket: number) => `s3://${BUCKET}/omc_cleanroom_data/bucketed/ibe_01/snapshot_dt=2026-10-01/${String(bucket).padStart(6, '0')}_0_3f2a9c1e-8d1b-4c55-9a37-0c1d2e3f4a5b_20261002_010203_00042_abcde`;

/**
 * moto serves queued result sets to the next queries, in order: staged count, bucketed count, layout
 * check, rows per "$path" (default: 250 rows in each of the 4 files, buckets 0…3).
 */
async function queueCounts(staged: number, bucketed: number, customersInSeveralBuckets: number, perFile: [string, number][] = [0, 1, 2, 3].map((b) => [fileOf(b), 250])) {
  for (const n of [staged, bucketed, customersInSeveralBuckets]) await env.moto.queueAthenaResult([['_col0'], [String(n)]]);
  await env.moto.queueAthenaResult([['_col0', '_col1'], ...perFile.map(([file, n]) => [file, String(n)])]);
}

describe('bucketed table validation (Athena counts via moto static results)', () => {
  it('passes when counts match, files fit the bucket count and every customer is in one file', async () => {
    const starts = recordInputs(clients.athena, 'StartQueryExecutionCommand');
    await queueCounts(1000, 1000, 0);
    const result = await backend.bucketed.validateBucketedTable(validateRequest, NO_CONTEXT);
    expect(result).toEqual({
      stagedRows: 1000,
      bucketedRows: 1000,
      bucketFiles: 4,
      customersInSeveralBuckets: 0,
      // 4 of 256 buckets hold rows: Athena writes no file for an empty bucket, they count as 0.
      bucketSkew: { bucketCount: 256, minRows: 0, medianRows: 0, maxRows: 250, maxOverMedian: null, emptyBuckets: 252, largestBucket: 0 },
      checks: ['row-count', 'bucket-files', 'customer-in-one-bucket', 'bucket-skew', 'stable-table-serves-snapshot'],
      problems: [],
    });
    const sql = validationSql(DATABASE, validateRequest);
    expect(starts.map((s) => s.QueryString)).toEqual([sql.stagedRows, sql.bucketedRows, sql.customersInSeveralBuckets, sql.rowsPerFile]);
    expect(sql.rowsPerFile).toBe(`SELECT "$path", count(*) FROM "${DATABASE}"."ibe_01_bucketed_20261001" GROUP BY "$path"`);
    expect(sql.stagedRows).toBe(`SELECT count(*) FROM "${DATABASE}"."ibe_01_staged" WHERE "snapshot_dt" = '2026-10-01'`);
    expect(sql.bucketedRows).toBe(`SELECT count(*) FROM "${DATABASE}"."ibe_01_bucketed_20261001"`);
  });

  it('reports a row-count mismatch, split customers and too many bucket files', async () => {
    await queueCounts(1000, 998, 7, [[fileOf(0), 500], [fileOf(1), 498]]);
    const result = await backend.bucketed.validateBucketedTable({ ...validateRequest, bucketCount: 2 }, NO_CONTEXT);
    expect(result.problems).toEqual([
      'row count mismatch: staged 1000, bucketed 998',
      '4 bucket files, more than the 2 buckets',
      '7 customer_user_id value(s) found in more than one bucket file',
    ]);
  });

  it('rows per bucket from one "$path" query: files of a bucket add up, Hive and legacy Presto names both read', async () => {
    const legacy = `s3://${BUCKET}/omc_cleanroom_data/bucketed/ibe_01/snapshot_dt=2026-10-01/20261002_010203_00042_abcde_bucket-00002`;
    await queueCounts(1000, 1000, 0, [[fileOf(0), 300], [fileOf(1), 150], [legacy, 100], [fileOf(3), 200], [fileOf(3), 250]]);
    const result = await backend.bucketed.validateBucketedTable({ ...validateRequest, bucketCount: 4 }, NO_CONTEXT);
    expect(result.bucketSkew).toEqual({ bucketCount: 4, minRows: 100, medianRows: 225, maxRows: 450, maxOverMedian: 2, emptyBuckets: 0, largestBucket: 3 });
    expect(result.problems).toEqual([]);
  });

  it('a file whose name encodes no bucket (or one past the count) is a problem, not a guess', async () => {
    await queueCounts(1000, 1000, 0, [[fileOf(0), 500], [`s3://${BUCKET}/x/part-00000.parquet`, 400], [fileOf(9), 100]]);
    const result = await backend.bucketed.validateBucketedTable({ ...validateRequest, bucketCount: 4 }, NO_CONTEXT);
    expect(result.bucketSkew).toBeUndefined();
    expect(result.problems).toContain(`2 file(s) do not name a bucket 0…3: s3://${BUCKET}/x/part-00000.parquet, ${fileOf(9)}`);
  });

  it('fails loudly when Athena does not return a count', async () => {
    await env.moto.queueAthenaResult([['_col0'], ['not-a-number']]);
    await expect(backend.bucketed.validateBucketedTable(validateRequest, NO_CONTEXT)).rejects.toThrow(/expected a count/);
  });
});

import type { S3Client } from '@aws-sdk/client-s3';
import { bucketOfFileName } from '../../domain/bucketFiles.js';
import { bucketSkewOf, rowsPerBucket, type BucketSkew } from '../../domain/bucketSkew.js';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { bucketedTableName, stagedTableName } from '../../domain/tables.js';
import type { TableValidation, ValidateTableRequest } from '../../ports/bucketedTables.js';
import type { OperationContext } from '../../ports/context.js';
import type { AthenaQueryRunner } from './athenaQueries.js';
import { snapshotTableName, type AwsLayout } from './layout.js';
import { isDataObject, listAllObjects } from './s3Objects.js';
import type { SnapshotTables } from './snapshotTables.js';

export interface ValidationDeps {
  s3: S3Client;
  queries: AthenaQueryRunner;
  tables: SnapshotTables;
  layout: AwsLayout;
  database: string;
}

/** Validation queries, exported so tests can see exactly what runs against Athena. */
export function validationSql(database: string, request: ValidateTableRequest) {
  const db = quoteIdent(database, 'database');
  const staged = `${db}.${quoteIdent(stagedTableName(request.table), 'table')}`;
  const built = `${db}.${quoteIdent(snapshotTableName(request.table, request.snapshotDt), 'table')}`;
  const column = quoteIdent(request.bucketColumn, 'bucket column');
  return {
    stagedRows: `SELECT count(*) FROM ${staged} WHERE "snapshot_dt" = ${quoteLiteral(assertSnapshotDt(request.snapshotDt))}`,
    bucketedRows: `SELECT count(*) FROM ${built}`,
    // "$path" is the file a row came from: a correctly bucketed customer lives in exactly one file.
    customersInSeveralBuckets: `SELECT count(*) FROM (SELECT ${column} FROM ${built} GROUP BY ${column} HAVING count(DISTINCT "$path") > 1)`,
    // Rows per bucket file; the bucket number is in the file name (Trino: 0000NN_0_<uuid>_<queryId>).
    rowsPerFile: `SELECT "$path", count(*) FROM ${built} GROUP BY "$path"`,
  };
}

/** Rows per bucket from the per-file counts, or the problem that prevents it (a file naming no bucket). */
function skewFromFileCounts(rows: (string | undefined)[][], bucketCount: number): { skew?: BucketSkew; problem?: string } {
  const pairs: [number, number][] = [];
  const unnamed: string[] = [];
  for (const [file, count] of rows) {
    const bucket = file === undefined ? undefined : bucketOfFileName(file);
    const n = Number(count);
    if (bucket === undefined || bucket >= bucketCount || !Number.isSafeInteger(n)) unnamed.push(String(file));
    else pairs.push([bucket, n]);
  }
  if (unnamed.length > 0) {
    return { problem: `${unnamed.length} file(s) do not name a bucket 0…${bucketCount - 1}: ${unnamed.slice(0, 3).join(', ')}` };
  }
  return { skew: bucketSkewOf(rowsPerBucket(pairs, bucketCount)) };
}

/**
 * Checks the table built for this snapshot: staged rows = bucketed rows, bucket files within the
 * bucket count, each customer in one bucket file, and the stable name serving this snapshot.
 * Problems are returned, not thrown; the activity decides what a problem means.
 */
export async function validateBucketed(
  request: ValidateTableRequest,
  ctx: OperationContext,
  deps: ValidationDeps,
): Promise<TableValidation> {
  const sql = validationSql(deps.database, request);
  const what = `validate ${request.table.name}`;
  const problems: string[] = [];
  const checks: string[] = [];

  // Sequential on purpose: four small queries, and the DML quota is shared with other tables' CTAS.
  const stagedRows = await deps.queries.count(sql.stagedRows, ctx, `${what}: staged rows`);
  const bucketedRows = await deps.queries.count(sql.bucketedRows, ctx, `${what}: bucketed rows`);
  checks.push('row-count');
  if (stagedRows !== bucketedRows) problems.push(`row count mismatch: staged ${stagedRows}, bucketed ${bucketedRows}`);

  const target = deps.layout.bucketedSnapshot(request.table, request.snapshotDt);
  const bucketFiles = (await listAllObjects(deps.s3, target.bucket, target.prefix)).filter(isDataObject).length;
  checks.push('bucket-files');
  if (bucketFiles > request.bucketCount) problems.push(`${bucketFiles} bucket files, more than the ${request.bucketCount} buckets`);
  if (bucketFiles === 0 && bucketedRows > 0) problems.push(`no bucket files at ${deps.layout.uri(target)}`);

  const customersInSeveralBuckets = await deps.queries.count(sql.customersInSeveralBuckets, ctx, `${what}: bucket layout`);
  checks.push('customer-in-one-bucket');
  if (customersInSeveralBuckets > 0) {
    problems.push(`${customersInSeveralBuckets} ${request.bucketColumn} value(s) found in more than one bucket file`);
  }

  // One query for the whole table: rows per "$path", mapped to buckets by file name here.
  const perFile = await deps.queries.rows(sql.rowsPerFile, ctx, `${what}: rows per bucket`);
  const { skew: bucketSkew, problem: skewProblem } = skewFromFileCounts(perFile, request.bucketCount);
  checks.push('bucket-skew');
  if (skewProblem) problems.push(skewProblem);

  const stable = await deps.tables.get(bucketedTableName(request.table));
  checks.push('stable-table-serves-snapshot');
  const served = stable?.StorageDescriptor?.Location?.replace(/\/?$/, '/');
  if (served !== deps.layout.uri(target)) {
    problems.push(`${deps.database}.${bucketedTableName(request.table)} serves ${served ?? 'nothing'}, not ${deps.layout.uri(target)}`);
  }

  return { stagedRows, bucketedRows, bucketFiles, customersInSeveralBuckets, bucketSkew, checks, problems };
}

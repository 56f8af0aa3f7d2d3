import path from 'node:path';
import { bucketOfFileName } from '../../domain/bucketFiles.js';
import { bucketSkewOf, rowsPerBucket, type BucketSkew } from '../../domain/bucketSkew.js';
import type { HiveBucketType } from '../../domain/hiveBucketing.js';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import type { TableValidation } from '../../ports/bucketedTables.js';
import type { OperationContext } from '../../ports/context.js';
import { parquetRowCount, queryRows, readParquetSql, type DuckEngine } from './duck.js';
import { bucketColumnHiveType, hiveBucketSql, registerHiveHashFunctions } from './hiveBucketSql.js';
import { holdPoint } from './testHolds.js';

export interface BucketedFiles {
  sourceFiles: string[];
  stagedFiles: string[];
  bucketFiles: string[];
  location: string;
  /** Named point for the crash tests' hold layer (testHolds.ts). */
  holdPoint?: string;
  bucketColumn: string;
  bucketCount: number;
}

/**
 * One scan for both layout checks: per customer, the lowest and highest bucket file it appears in
 * (`several`: customers in more than one file) and rows whose Hive bucket is not their file's (`misplaced`).
 */
export function bucketLayoutSql(
  fileBuckets: readonly (readonly [string, number | undefined])[],
  bucketColumn: string,
  type: HiveBucketType,
  bucketCount: number,
): string {
  const key = quoteIdent(bucketColumn, 'bucket column');
  const fileBucketValues = fileBuckets.map(([f, b]) => `(${quoteLiteral(f)}, ${b ?? 'NULL'})`).join(', ');
  const files = fileBuckets.map(([f]) => f);
  return `SELECT count(*) FILTER (WHERE lo <> hi) AS several, coalesce(sum(misplaced), 0) AS misplaced FROM (
         SELECT min(b) AS lo, max(b) AS hi, count(*) FILTER (WHERE b IS DISTINCT FROM h) AS misplaced
         FROM (SELECT ${key}, f.b, ${hiveBucketSql(bucketColumn, type, bucketCount)} AS h
               FROM ${readParquetSql(files, 'filename = true')} JOIN (VALUES ${fileBucketValues}) f(filename, b) USING (filename))
         GROUP BY ${key})`;
}

/** Rows per file by a scan that decodes no column (parquet_file_metadata() over 256 files costs ~40 MB more RSS). */
export function rowsPerFileSql(files: readonly string[]): string {
  return `SELECT filename, count(*) AS n FROM ${readParquetSql(files, 'filename = true')} GROUP BY filename`;
}

/**
 * Checks a bucketed table against its staged input: row counts (source and staged from Parquet footers,
 * bucketed from a scan of the bucket files), the number of
 * bucket files, that no customer appears in two bucket files, that every row sits in the file of its
 * Hive v1 bucket, and the rows per bucket (skew). Problems are returned, not
 * thrown: the caller decides what a failure (or a skew) means.
 */
export async function validateBucketed(engine: DuckEngine, input: BucketedFiles, ctx: OperationContext): Promise<TableValidation> {
  const { stagedFiles, bucketFiles, sourceFiles, bucketColumn, bucketCount } = input;
  const checks: string[] = [];
  const problems: string[] = [];
  // Reads only: no write slot (a read of 256 files holds no writers open), so a validation never queues
  // behind another table's write inside its activity.
  const result = await engine.withConnection(async (conn) => {
    const stagedRows = await parquetRowCount(conn, stagedFiles);
    // Rows per bucket file, by a scan that decodes no column; their sum is the bucketed row count.
    const perFile = bucketFiles.length > 0 ? await queryRows(conn, rowsPerFileSql(bucketFiles)) : [];
    const bucketedRows = perFile.reduce((sum, r) => sum + Number(r.n), 0);
    const sourceRows = sourceFiles.length > 0 ? await parquetRowCount(conn, sourceFiles) : undefined;
    ctx.heartbeat({ step: 'counted' });
    if (input.holdPoint) await holdPoint(input.holdPoint, ctx.signal);

    if (stagedFiles.length === 0) problems.push('no staged data files found');
    if (bucketFiles.length === 0) {
      problems.push(`no bucket files found in ${input.location}`);
      return { sourceRows, stagedRows, bucketedRows, customersInSeveralBuckets: 0 };
    }

    checks.push('staged_rows_equal_bucketed_rows');
    if (stagedRows !== bucketedRows) problems.push(`row count mismatch: staged ${stagedRows}, bucketed ${bucketedRows}`);
    if (sourceRows !== undefined) {
      checks.push('source_rows_equal_staged_rows');
      if (sourceRows !== stagedRows) problems.push(`row count mismatch: source ${sourceRows}, staged ${stagedRows}`);
    }
    checks.push('bucket_file_count');
    if (bucketFiles.length !== bucketCount) {
      problems.push(`expected ${bucketCount} bucket files, found ${bucketFiles.length}`);
    }
    const fileBuckets = bucketFiles.map((file) => [file, bucketOfFileName(file)] as const);
    const outside = fileBuckets.filter(([, b]) => b === undefined || b >= bucketCount).map(([f]) => path.basename(f));
    if (outside.length > 0) problems.push(`bucket files not naming a bucket 0…${bucketCount - 1}: ${outside.join(', ')}`);

    // One scan answers both layout checks: per customer, the lowest and highest bucket file it
    // appears in (differ = split across buckets), and rows whose Hive bucket is not their file's.
    registerHiveHashFunctions(conn);
    const type = await bucketColumnHiveType(conn, bucketFiles, bucketColumn);
    const [layout] = await queryRows(conn, bucketLayoutSql(fileBuckets, bucketColumn, type, bucketCount));
    ctx.heartbeat({ step: 'layout' });
    checks.push('customer_in_one_bucket', 'rows_in_hive_bucket');
    const customersInSeveralBuckets = Number(layout?.several ?? 0);
    if (customersInSeveralBuckets > 0) {
      problems.push(`${customersInSeveralBuckets} ${bucketColumn} value(s) appear in more than one bucket file`);
    }
    const misplacedRows = Number(layout?.misplaced ?? 0);
    if (misplacedRows > 0) problems.push(`${misplacedRows} row(s) are not in the file of their ${bucketColumn}'s Hive bucket`);

    let bucketSkew: BucketSkew | undefined;
    if (outside.length === 0) {
      const bucketOf = new Map(fileBuckets);
      bucketSkew = bucketSkewOf(rowsPerBucket(perFile.map((r) => [bucketOf.get(String(r.filename))!, Number(r.n)] as const), bucketCount));
      checks.push('bucket_skew');
    }
    return { sourceRows, stagedRows, bucketedRows, customersInSeveralBuckets, bucketSkew };
  }, ctx.signal);
  return { ...result, bucketFiles: bucketFiles.length, checks, problems };
}

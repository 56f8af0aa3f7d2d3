import type { TableValidation } from '../../ports/bucketedTables.js';
import type { OperationContext } from '../../ports/context.js';
import { quoteIdent } from '../../domain/identifiers.js';
import { parquetRowCount, queryRows, readParquetSql, type DuckEngine } from './duck.js';
import { sliceExpression } from './hashSlices.js';
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
 * Checks a bucketed table against its staged input: row counts (from Parquet footers), the number of
 * bucket files, that no customer appears in two bucket files, and that every row sits in the bucket
 * its hash names. Problems are returned, not thrown: the caller decides what a failure means.
 */
export async function validateBucketed(engine: DuckEngine, input: BucketedFiles, ctx: OperationContext): Promise<TableValidation> {
  const { stagedFiles, bucketFiles, sourceFiles, bucketColumn, bucketCount } = input;
  const checks: string[] = [];
  const problems: string[] = [];
  const scan = () => engine.withConnection(async (conn) => {
    const stagedRows = await parquetRowCount(conn, stagedFiles);
    const bucketedRows = await parquetRowCount(conn, bucketFiles);
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

    // One scan answers both layout checks: per customer, the lowest and highest bucket file it
    // appears in (differ = split across buckets), and rows whose hash names another bucket.
    const key = quoteIdent(bucketColumn, 'bucket column');
    const fileBucket = `TRY_CAST(regexp_extract(filename, 'bucket-([0-9]+)\\.parquet$', 1) AS BIGINT)`;
    const [layout] = await queryRows(
      conn,
      `SELECT count(*) FILTER (WHERE lo <> hi) AS several, coalesce(sum(misplaced), 0) AS misplaced FROM (
         SELECT min(b) AS lo, max(b) AS hi, count(*) FILTER (WHERE b IS DISTINCT FROM h) AS misplaced
         FROM (SELECT ${key}, ${fileBucket} AS b, ${sliceExpression(bucketColumn, bucketCount)} AS h
               FROM ${readParquetSql(bucketFiles, 'filename = true')})
         GROUP BY ${key})`,
    );
    ctx.heartbeat({ step: 'layout' });
    checks.push('customer_in_one_bucket', 'rows_in_hashed_bucket');
    const customersInSeveralBuckets = Number(layout?.several ?? 0);
    if (customersInSeveralBuckets > 0) {
      problems.push(`${customersInSeveralBuckets} ${bucketColumn} value(s) appear in more than one bucket file`);
    }
    const misplacedRows = Number(layout?.misplaced ?? 0);
    if (misplacedRows > 0) problems.push(`${misplacedRows} row(s) are not in the bucket file their ${bucketColumn} hashes to`);
    return { sourceRows, stagedRows, bucketedRows, customersInSeveralBuckets };
  }, ctx.signal);
  // Reading 256 files at once is as heavy as writing them: share the write slots.
  const result = await engine.writes.run(scan, ctx.signal, () => ctx.heartbeat({ step: 'queued' }));
  return { ...result, bucketFiles: bucketFiles.length, checks, problems };
}

import type { TableValidation } from '../../ports/bucketedTables.js';
import type { OperationContext } from '../../ports/context.js';
import { quoteIdent } from '../../domain/identifiers.js';
import { parquetRowCount, queryRows, readParquetSql, type DuckEngine } from './duck.js';
import { sliceExpression } from './hashSlices.js';

export interface BucketedFiles {
  sourceFiles: string[];
  stagedFiles: string[];
  bucketFiles: string[];
  location: string;
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
  const result = await engine.withConnection(async (conn) => {
    const stagedRows = await parquetRowCount(conn, stagedFiles);
    const bucketedRows = await parquetRowCount(conn, bucketFiles);
    const sourceRows = sourceFiles.length > 0 ? await parquetRowCount(conn, sourceFiles) : undefined;
    ctx.heartbeat({ step: 'counted' });

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

    const key = quoteIdent(bucketColumn, 'bucket column');
    const scan = readParquetSql(bucketFiles, 'filename = true');
    checks.push('customer_in_one_bucket');
    const [several] = await queryRows(
      conn,
      `SELECT count(*) AS n FROM (SELECT ${key} FROM ${scan} GROUP BY ${key} HAVING count(DISTINCT filename) > 1)`,
    );
    const customersInSeveralBuckets = Number(several?.n ?? 0);
    if (customersInSeveralBuckets > 0) {
      problems.push(`${customersInSeveralBuckets} ${bucketColumn} value(s) appear in more than one bucket file`);
    }
    ctx.heartbeat({ step: 'customers' });

    checks.push('rows_in_hashed_bucket');
    const [misplaced] = await queryRows(
      conn,
      `SELECT count(*) AS n FROM ${scan} WHERE ${sliceExpression(bucketColumn, bucketCount)} <> ` +
        `TRY_CAST(regexp_extract(filename, 'bucket-([0-9]+)\\.parquet$', 1) AS BIGINT)`,
    );
    const misplacedRows = Number(misplaced?.n ?? 0);
    if (misplacedRows > 0) problems.push(`${misplacedRows} row(s) are not in the bucket file their ${bucketColumn} hashes to`);
    return { sourceRows, stagedRows, bucketedRows, customersInSeveralBuckets };
  }, ctx.signal);
  return { ...result, bucketFiles: bucketFiles.length, checks, problems };
}

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../../domain/errors.js';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import { readParquetSql } from './duck.js';
import { listDataFiles } from './files.js';

/** Internal partition column; never reaches the output files (PARTITION_BY drops it). */
const SLICE = '__flywheel_slice';

export interface SliceWrite {
  /** A query producing the rows to write. */
  selectSql: string;
  /** SQL giving each row's slice, 0 … count-1 (e.g. duckHashSlice, or hiveBucketSql for Athena's buckets). */
  slice: string;
  /** Exact number of files to produce. */
  count: number;
  /** Directory to create; must not exist yet (callers build in a temp dir and swap). */
  outDir: string;
  fileName: (index: number) => string;
}

/**
 * DuckDB's 64-bit `hash()` of the key modulo the count: how the split job spreads rows over its
 * files (any even spread will do there; the bucketed CTAS uses Hive's hash, see hiveBucketSql.ts).
 */
export function duckHashSlice(keyColumn: string, count: number): string {
  return `(hash(${quoteIdent(keyColumn, 'bucket column')}) % ${count})`;
}

/** The single statement that does the heavy lifting; also what lineage shows as the "CTAS". */
export function sliceCopySql(write: SliceWrite, partsDir: string): string {
  return (
    `COPY (SELECT *, ${write.slice} AS ${SLICE} FROM (${write.selectSql})) ` +
    `TO ${quoteLiteral(partsDir)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${SLICE}))`
  );
}

/**
 * Writes exactly `count` snappy Parquet files, one per slice. One partitioned COPY
 * does the work; its `slice=N/` folders are then flattened to `fileName(N)`. Slices without rows get
 * a zero-row file with the same schema, as Hive bucketing writes empty buckets.
 */
export async function writeHashSlices(conn: DuckDBConnection, write: SliceWrite): Promise<{ files: string[]; sql: string }> {
  if (!Number.isInteger(write.count) || write.count < 1 || write.count > 10_000) {
    throw new InvalidInputError(`file count must be an integer from 1 to 10000, got ${write.count}`);
  }
  await fs.mkdir(write.outDir, { recursive: false });
  const partsDir = path.join(write.outDir, '_parts');
  const sql = sliceCopySql(write, partsDir);
  await conn.run(sql);

  // Flatten `slice=N/data_0.parquet` → fileName(N); file-system calls run concurrently (libuv pool).
  const files = Array.from({ length: write.count }, (_, index) => path.join(write.outDir, write.fileName(index)));
  const parts = await Promise.all(files.map((_, index) => listDataFiles(path.join(partsDir, `${SLICE}=${index}`))));
  await Promise.all(parts.map((p, index) => (p.length === 1 ? fs.rename(p[0]!.path, files[index]!) : undefined)));
  let emptyTemplate: string | undefined;
  for (const [index, p] of parts.entries()) {
    const target = files[index]!;
    if (p.length > 1) {
      // Only if DuckDB ever splits a partition: merge so the file count stays exact.
      await conn.run(
        `COPY (SELECT * FROM ${readParquetSql(p.map((f) => f.path))}) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION snappy)`,
      );
    } else if (p.length === 0 && !emptyTemplate) {
      await conn.run(`COPY (SELECT * FROM (${write.selectSql}) LIMIT 0) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION snappy)`);
      emptyTemplate = target;
    }
  }
  const template = emptyTemplate;
  if (template) await Promise.all(parts.map((p, index) => (p.length === 0 && files[index] !== template ? fs.copyFile(template, files[index]!) : undefined)));
  await fs.rm(partsDir, { recursive: true, force: true });
  return { files, sql };
}

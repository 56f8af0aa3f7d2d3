import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../../domain/errors.js';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import { readParquetSql } from './duck.js';

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
export function sliceCopySql(write: SliceWrite, partsDir: string, options: { returnFiles?: boolean } = {}): string {
  return (
    `COPY (SELECT *, ${write.slice} AS ${SLICE} FROM (${write.selectSql})) ` +
    `TO ${quoteLiteral(partsDir)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (${SLICE})${options.returnFiles ? ', RETURN_FILES' : ''})`
  );
}

export interface SlicesWritten {
  /** `fileName(0 … count-1)` in `outDir`, in slice order. */
  files: string[];
  /** Rows written, as the COPY reported them (no footer re-read). */
  rows: number;
  sql: string;
}

/** The slice a partitioned COPY's file belongs to, from its `__flywheel_slice=N` folder. */
function sliceOf(file: string): number {
  const match = new RegExp(`${SLICE}=(\\d+)$`).exec(path.basename(path.dirname(file)));
  if (!match) throw new Error(`unexpected file ${file} from a partitioned COPY`);
  return Number(match[1]);
}

/**
 * Writes exactly `count` snappy Parquet files, one per slice. One partitioned COPY does the work and
 * reports its row count and files (RETURN_FILES: no folder listing, no footer read); its
 * `slice=N/data_0.parquet` files are then renamed to `fileName(N)`. Slices without rows get a zero-row
 * file with the same schema, as Hive bucketing writes empty buckets.
 */
export async function writeHashSlices(conn: DuckDBConnection, write: SliceWrite): Promise<SlicesWritten> {
  if (!Number.isInteger(write.count) || write.count < 1 || write.count > 10_000) {
    throw new InvalidInputError(`file count must be an integer from 1 to 10000, got ${write.count}`);
  }
  await fs.mkdir(write.outDir, { recursive: false });
  const partsDir = path.join(write.outDir, '_parts');
  const sql = sliceCopySql(write, partsDir);
  const result = await conn.run(sliceCopySql(write, partsDir, { returnFiles: true }));
  const [copied] = (await result.getRowObjectsJson()) as { Count?: string; Files?: string[] }[];
  const rows = Number(copied?.Count ?? 0);
  const parts: string[][] = Array.from({ length: write.count }, () => []);
  for (const file of copied?.Files ?? []) parts[sliceOf(file)]!.push(file);

  // Flatten; file-system calls run concurrently (libuv pool).
  const files = Array.from({ length: write.count }, (_, index) => path.join(write.outDir, write.fileName(index)));
  await Promise.all(parts.map((p, index) => (p.length === 1 ? fs.rename(p[0]!, files[index]!) : undefined)));
  let emptyTemplate: string | undefined;
  for (const [index, p] of parts.entries()) {
    const target = files[index]!;
    if (p.length > 1) {
      // Only if DuckDB ever splits a partition: merge so the file count stays exact.
      await conn.run(`COPY (SELECT * FROM ${readParquetSql(p)}) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION snappy)`);
    } else if (p.length === 0 && !emptyTemplate) {
      await conn.run(`COPY (SELECT * FROM (${write.selectSql}) LIMIT 0) TO ${quoteLiteral(target)} (FORMAT parquet, COMPRESSION snappy)`);
      emptyTemplate = target;
    }
  }
  const template = emptyTemplate;
  if (template) await Promise.all(parts.map((p, index) => (p.length === 0 && files[index] !== template ? fs.copyFile(template, files[index]!) : undefined)));
  // The slice folders are empty now (or hold a split partition's pieces): remove them side by side.
  const folders = [...new Set((copied?.Files ?? []).map((f) => path.dirname(f)))];
  await Promise.all(folders.map((dir) => fs.rmdir(dir).catch(() => fs.rm(dir, { recursive: true, force: true }))));
  await fs.rm(partsDir, { recursive: true, force: true });
  return { files, rows, sql };
}

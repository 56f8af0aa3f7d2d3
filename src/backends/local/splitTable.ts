import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SourceTable } from '../../domain/tables.js';
import { parquetRowCount, readParquetSql, type DuckEngine } from './duck.js';
import { listDataFiles, removeQuietly, freshBuildLocation, swapDirectory } from './files.js';
import { duckHashSlice, writeHashSlices } from './hashSlices.js';
import { stagedFileName, type LakePaths } from './paths.js';
import { holdPoint } from './testHolds.js';

export interface SplitResult {
  stagedFiles: number;
  stagedRows: number;
  sourceRows: number;
  sourceFiles: number;
}

/** A per-table failure whose message already names the table, the file (when known) and the reason. */
export class TableSplitError extends Error {
  override readonly name = 'TableSplitError';
}

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0]!;

/** Finds which source file is unreadable: DuckDB usually names it; otherwise read each one alone. */
async function blameFile(conn: DuckDBConnection, files: string[], error: unknown): Promise<string | undefined> {
  const message = String((error as Error)?.message ?? '');
  const named = files.find((f) => message.includes(f));
  if (named) return named;
  for (const file of files) {
    try {
      await conn.run(`SELECT count(*), min(hash(COLUMNS(*))) FROM ${readParquetSql([file])}`);
    } catch {
      return file;
    }
  }
  return undefined;
}

/**
 * The local equivalent of the Glue split job for one table: reads the source partition and writes
 * exactly `fileCount` staged files (rows sliced by hash of the key column), built in a temp folder
 * and swapped in so a rerun replaces the previous output cleanly.
 */
export async function splitTable(
  engine: DuckEngine,
  paths: LakePaths,
  request: { table: SourceTable; snapshotDt: string; fileCount: number; keyColumn: string },
  signal: AbortSignal,
): Promise<SplitResult> {
  const { table, snapshotDt, fileCount, keyColumn } = request;
  const sourceDir = paths.sourcePartition(table, snapshotDt);
  const sources = (await listDataFiles(sourceDir)).map((f) => f.path);
  if (sources.length === 0) throw new TableSplitError(`table ${table.name}: no source data files in ${sourceDir}`);

  const target = paths.stagedPartition(table, snapshotDt);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = await freshBuildLocation(target, 'split');
  try {
    const counts = await engine.withConnection(async (conn) => {
      let written;
      try {
        // Only the partitioned write takes a write slot; the COPY reports its rows and files itself.
        const write = () =>
          writeHashSlices(conn, {
            selectSql: `SELECT * FROM ${readParquetSql(sources)}`,
            slice: duckHashSlice(keyColumn, fileCount),
            count: fileCount,
            outDir: temp,
            fileName: stagedFileName,
          });
        written = await engine.writes.run(write, signal);
      } catch (error) {
        if (signal.aborted) throw error;
        const file = await blameFile(conn, sources, error);
        throw new TableSplitError(`table ${table.name}: ${file ? `source file ${file}: ` : ''}${firstLine(error)}`);
      }
      // The source's footers (a few files) stay an independent count: validation compares it with the staged rows.
      return { stagedFiles: written.files.length, stagedRows: written.rows, sourceRows: await parquetRowCount(conn, sources) };
    }, signal);
    await holdPoint(`split-${table.name}`, signal);
    await swapDirectory(temp, target);
    return { ...counts, sourceFiles: sources.length };
  } finally {
    await removeQuietly(temp);
  }
}

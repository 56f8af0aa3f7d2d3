import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteLiteral } from '../../domain/identifiers.js';
import { abortError, Semaphore } from './semaphore.js';

export interface DuckOptions {
  /** Database file, or `:memory:`. */
  database: string;
  threads?: number;
  memoryLimit: string;
  /** Where DuckDB may spill when a query outgrows the memory limit. */
  tempDirectory?: string;
}

export { abortError };

/**
 * One DuckDB instance per backend, opened lazily (so listing the lake or polling a job never locks the
 * catalog file), with one short-lived connection per operation. DuckDB runs queries on its own threads,
 * so awaiting a query keeps the Node event loop (Temporal heartbeats, polls) free.
 */
export class DuckEngine {
  private instance?: Promise<DuckDBInstance>;
  private readonly open = new Set<DuckDBConnection>();
  private closed = false;
  private catalogQueue: Promise<unknown> = Promise.resolve();

  /** Big partitioned writes, one per two threads (see Semaphore). */
  readonly writes: Semaphore;

  constructor(private readonly options: DuckOptions) {
    this.writes = new Semaphore(Math.max(1, Math.floor((options.threads ?? os.availableParallelism()) / 2)));
  }

  private async getInstance(): Promise<DuckDBInstance> {
    if (this.closed) throw new Error('the local DuckDB engine is closed');
    this.instance ??= (async () => {
      const { database, tempDirectory } = this.options;
      if (database !== ':memory:') await fs.mkdir(path.dirname(database), { recursive: true });
      if (tempDirectory) await fs.mkdir(tempDirectory, { recursive: true });
      const settings: Record<string, string> = {
        threads: String(this.options.threads ?? os.availableParallelism()),
        memory_limit: this.options.memoryLimit,
        // DuckDB's bundled jemalloc otherwise keeps freed pages: RSS would creep up table after table
        // (~+10 MB each with 256-file writes) although DuckDB's own accounting stays near zero.
        allocator_background_threads: 'true',
        // The external file cache keeps blocks of every Parquet file read (~+110 MB after a few
        // 256-file tables); local files are already in the OS page cache.
        enable_external_file_cache: 'false',
        // Nothing the engine writes or reads depends on row order (bucket files, counts, catalog views;
        // queries that need an order say ORDER BY): lets DuckDB write and scan without re-ordering buffers.
        preserve_insertion_order: 'false',
      };
      if (tempDirectory) settings.temp_directory = tempDirectory;
      return DuckDBInstance.create(database, settings);
    })();
    return this.instance;
  }

  /**
   * Runs `work` on a fresh connection. An abort interrupts the running query; the operation then
   * fails with the signal's reason.
   */
  async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortError(signal);
    const conn = await (await this.getInstance()).connect();
    this.open.add(conn);
    const onAbort = () => conn.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // More than 100 partitions would otherwise spill into several files per bucket.
      await conn.run('SET partitioned_write_max_open_files = 512');
      const result = await work(conn);
      if (signal?.aborted) throw abortError(signal);
      return result;
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.open.delete(conn);
      conn.closeSync();
    }
  }

  /**
   * Runs catalog changes (schema, views, metadata) one at a time: concurrent DDL on the same schema
   * would otherwise hit DuckDB write-write conflicts when several tables register at once.
   */
  async catalogWrite<T>(work: (conn: DuckDBConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // One transaction per change: one commit (one WAL sync) instead of one per statement, and all or nothing.
    const transaction = (conn: DuckDBConnection) => inTransaction(conn, () => work(conn));
    const run = this.catalogQueue.then(() => this.withConnection(transaction, signal));
    this.catalogQueue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const conn of this.open) conn.interrupt();
    const instance = this.instance ? await this.instance.catch(() => undefined) : undefined;
    // Connections still unwinding close themselves in withConnection's finally.
    instance?.closeSync();
  }
}

async function inTransaction<T>(conn: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await conn.run('COMMIT');
    return result;
  } catch (error) {
    await conn.run('ROLLBACK').catch(() => {}); // an interrupted or failed transaction may be gone already
    throw error;
  }
}

/** All rows of a query as JSON-safe objects (BIGINTs become strings; convert with Number()). */
export async function queryRows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** A SQL list literal of file paths, for `read_parquet([...])` over an exact set of files. */
export function fileListSql(files: readonly string[]): string {
  return `[${files.map(quoteLiteral).join(', ')}]`;
}

/**
 * Reads an exact file list. `hive_partitioning = false` because our paths contain `snapshot_dt=…` and
 * DuckDB would otherwise add it as a column, changing the schema between source, staged and bucketed.
 */
export function readParquetSql(files: readonly string[], extra = ''): string {
  return `read_parquet(${fileListSql(files)}, hive_partitioning = false${extra ? `, ${extra}` : ''})`;
}

/** Sum of row counts from Parquet footers (no data pages read). */
export async function parquetRowCount(conn: DuckDBConnection, files: readonly string[]): Promise<number> {
  if (files.length === 0) return 0;
  const rows = await queryRows(conn, `SELECT coalesce(sum(num_rows), 0) AS n FROM parquet_file_metadata(${fileListSql(files)})`);
  return Number(rows[0]?.n ?? 0);
}

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import type { ColumnSpec } from '../../ports/catalog.js';
import { queryRows, readParquetSql } from './duck.js';

/** Metadata table (in the catalog schema) recording every partition registered or built. */
export const PARTITIONS_TABLE = 'flywheel_partitions';
/** Table properties (the local Glue table Parameters): e.g. the quality baseline of each published snapshot table. */
export const TABLE_PROPERTIES_TABLE = 'flywheel_table_properties';

export async function ensureCatalogSchema(conn: DuckDBConnection, database: string): Promise<void> {
  const db = quoteIdent(database, 'catalog database');
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${db}`);
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${db}.${quoteIdent(PARTITIONS_TABLE)} (
      table_name VARCHAR NOT NULL, layer VARCHAR NOT NULL, snapshot_dt DATE NOT NULL, location VARCHAR NOT NULL,
      files INTEGER NOT NULL, row_count BIGINT, registered_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (table_name, layer, snapshot_dt))`,
  );
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${db}.${quoteIdent(TABLE_PROPERTIES_TABLE)} (
      table_name VARCHAR NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (table_name, key))`,
  );
}

/**
 * Replaces the properties of `table` whose keys start with `prefix` by `properties`. All at once because
 * callers run it inside `DuckEngine.catalogWrite`, which wraps every catalog change in one transaction.
 */
export async function replaceTableProperties(
  conn: DuckDBConnection,
  database: string,
  table: string,
  prefix: string,
  properties: Record<string, string>,
): Promise<void> {
  const target = `${quoteIdent(database)}.${quoteIdent(TABLE_PROPERTIES_TABLE)}`;
  await conn.run(`DELETE FROM ${target} WHERE table_name = ${quoteLiteral(table)} AND starts_with(key, ${quoteLiteral(prefix)})`);
  for (const [key, value] of Object.entries(properties)) {
    await conn.run(`INSERT INTO ${target} VALUES (${quoteLiteral(table)}, ${quoteLiteral(key)}, ${quoteLiteral(value)})`);
  }
}

/** Properties of every table whose name starts with `tablePrefix`, by table. */
export async function tablePropertiesByPrefix(conn: DuckDBConnection, database: string, tablePrefix: string): Promise<Map<string, Record<string, string>>> {
  const rows = await queryRows(
    conn,
    `SELECT table_name, key, value FROM ${quoteIdent(database)}.${quoteIdent(TABLE_PROPERTIES_TABLE)} WHERE starts_with(table_name, ${quoteLiteral(tablePrefix)})`,
  );
  const byTable = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const name = String(r.table_name);
    byTable.set(name, { ...byTable.get(name), [String(r.key)]: String(r.value) });
  }
  return byTable;
}

/** Characters DuckDB's glob gives a meaning to: a location holding one is listed file by file instead. */
const GLOB_CHARACTERS = /[*?[\]{}]/;
/** What the glob matches: Parquet files not hidden the way Athena hides them (names starting with `_` or `.`). */
const VISIBLE_PARQUET = '[!._]*.parquet';

/** Whether the glob over `location` reads exactly `files` (not, say, a zero-byte placeholder the listing skipped). */
async function globReadsExactly(location: string, files: readonly string[]): Promise<boolean> {
  if (GLOB_CHARACTERS.test(location) || files.some((f) => path.dirname(f) !== location)) return false;
  const names = await readdir(location).catch(() => undefined);
  if (!names) return false;
  const matched = names.filter((n) => n.endsWith('.parquet') && !/^[._]/.test(n));
  const wanted = new Set(files.map((f) => path.basename(f)));
  return matched.length === wanted.size && matched.every((n) => wanted.has(n));
}

/**
 * Create-or-replace a view over the Parquet files of a location (what Athena reads for a table or partition
 * location); its SQL is returned for lineage. A glob where it reads exactly `files`, else the list: DuckDB keeps
 * every view's SQL in memory, and a list of 256 bucket files costs ~10 KB per view, growing the worker with the
 * number of tables (a glob costs the same for every table). Writers swap whole folders in, so the glob never
 * sees a half-written table.
 */
export async function replaceLocationView(conn: DuckDBConnection, database: string, view: string, location: string, files: readonly string[]): Promise<string> {
  const source = (await globReadsExactly(location, files))
    ? `read_parquet(${quoteLiteral(path.join(location, VISIBLE_PARQUET))}, hive_partitioning = false)`
    : readParquetSql(files);
  const sql = `CREATE OR REPLACE VIEW ${quoteIdent(database)}.${quoteIdent(view)} AS SELECT * FROM ${source}`;
  await conn.run(sql);
  return sql;
}

export async function viewColumns(conn: DuckDBConnection, database: string, view: string): Promise<ColumnSpec[]> {
  const rows = await queryRows(conn, `DESCRIBE SELECT * FROM ${quoteIdent(database)}.${quoteIdent(view)}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

export async function recordPartition(
  conn: DuckDBConnection,
  database: string,
  entry: { table: string; layer: 'staged' | 'bucketed'; snapshotDt: string; location: string; files: number; rows?: number },
): Promise<void> {
  await conn.run(
    `INSERT OR REPLACE INTO ${quoteIdent(database)}.${quoteIdent(PARTITIONS_TABLE)} VALUES (` +
      [
        quoteLiteral(entry.table),
        quoteLiteral(entry.layer),
        `DATE ${quoteLiteral(entry.snapshotDt)}`,
        quoteLiteral(entry.location),
        String(Math.trunc(entry.files)),
        entry.rows === undefined ? 'NULL' : String(Math.trunc(entry.rows)),
        'now()',
      ].join(', ') +
      ')',
  );
}

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

/** Create-or-replace a view over an exact list of Parquet files; its SQL is returned for lineage. */
export async function replaceParquetView(
  conn: DuckDBConnection,
  database: string,
  view: string,
  files: readonly string[],
): Promise<string> {
  const sql = `CREATE OR REPLACE VIEW ${quoteIdent(database)}.${quoteIdent(view)} AS SELECT * FROM ${readParquetSql(files)}`;
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

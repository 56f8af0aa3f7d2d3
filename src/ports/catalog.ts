import type { SourceTable } from '../domain/tables.js';

export interface ColumnSpec {
  name: string;
  /** Engine type as written in the data (e.g. `VARCHAR`, `BIGINT`, Glue `string`). */
  type: string;
}

export interface RegisterStagedTableRequest {
  table: SourceTable;
  snapshotDt: string;
}

export interface RegisteredTable {
  database: string;
  tableName: string;
  location: string;
  columns: ColumnSpec[];
  /** Rows in the staged data, when the backend can count them cheaply; otherwise validation counts. */
  rows?: number;
  files: number;
  /** Rows in the source partition, when known. */
  sourceRows?: number;
}

/** The Glue Data Catalog (or the local DuckDB catalog): registers the staged data as a table + partition. */
export interface StagedTableCatalog {
  registerStagedTable(request: RegisterStagedTableRequest): Promise<RegisteredTable>;
}

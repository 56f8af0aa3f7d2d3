import type { SourceTable } from '../domain/tables.js';
import type { OperationContext } from './context.js';

export interface ColumnSpec {
  name: string;
  /** Engine type as written in the data (e.g. `VARCHAR`, `BIGINT`, Glue `string`). */
  type: string;
}

export interface RegisterStagedTableRequest {
  table: SourceTable;
  snapshotDt: string;
  /**
   * Same for every retry of one registration, different for the next one (the activity builds it from
   * the workflow run and activity id). A backend that starts work elsewhere (the register Glue job)
   * tags it with this, so a retry re-attaches to that work instead of starting it again.
   */
  requestToken?: string;
  /** The split/bucket job run that should have written the staged data (named when it is missing). */
  producedBy?: { jobName: string; runId: string };
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
  /** `ctx`: heartbeat and abort for backends whose registration takes a while (the Glue-job mode). */
  registerStagedTable(request: RegisterStagedTableRequest, ctx?: OperationContext): Promise<RegisteredTable>;
}

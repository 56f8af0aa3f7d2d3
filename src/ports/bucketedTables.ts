import type { BucketSkew } from '../domain/bucketSkew.js';
import type { BucketingAlgorithm } from '../domain/hiveBucketing.js';
import type { SourceTable } from '../domain/tables.js';
import type { OperationContext } from './context.js';

export interface CreateBucketedTableRequest {
  table: SourceTable;
  snapshotDt: string;
  bucketColumn: string;
  bucketCount: number;
  /** Derived from workflow run + table: a retried activity must not run the CTAS twice. */
  requestToken: string;
}

export interface BucketedTable {
  database: string;
  /** The stable name consumers query. */
  tableName: string;
  /** Where the bucket files are: a local path or an `s3://` URI. */
  location: string;
  bucketFiles: number;
  rows?: number;
  dataScannedBytes?: number;
  engineExecutionMs?: number;
  /** The CTAS statement (or its local equivalent), for lineage's SQL facet. */
  sql: string;
  /** How rows were assigned to buckets (both backends: Athena's Hive bucketing v1). */
  bucketing?: BucketingAlgorithm;
}

export interface ValidateTableRequest {
  table: SourceTable;
  snapshotDt: string;
  bucketColumn: string;
  bucketCount: number;
}

export interface TableValidation {
  /** Rows in the source partition, when the backend can count them. */
  sourceRows?: number;
  stagedRows: number;
  bucketedRows: number;
  bucketFiles: number;
  /** Customers found in more than one bucket file (0 when the backend cannot tell, see `checks`). */
  customersInSeveralBuckets: number;
  /** Rows per bucket (min/median/max) over all buckets, when the bucket files could be counted. */
  bucketSkew?: BucketSkew;
  /** Names of the checks actually performed. */
  checks: string[];
  problems: string[];
}

/** Athena CTAS (or DuckDB): builds the bucketed table from the staged one and checks it. */
export interface BucketedTableBuilder {
  createBucketedTable(request: CreateBucketedTableRequest, ctx: OperationContext): Promise<BucketedTable>;
  validateBucketedTable(request: ValidateTableRequest, ctx: OperationContext): Promise<TableValidation>;
}

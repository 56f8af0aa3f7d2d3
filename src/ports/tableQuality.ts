import type { TableQualityResult } from '../domain/qualityResult.js';
import type { SourceTable } from '../domain/tables.js';
import type { OperationContext } from './context.js';

export interface CheckTableQualityRequest {
  table: SourceTable;
  snapshotDt: string;
  bucketColumn: string;
}

/** A validated table's snapshot, recorded as the next run's baseline. */
export interface RecordPublishedProfileRequest {
  table: SourceTable;
  snapshotDt: string;
  /** Rows validation counted in the staged (= bucketed) table. */
  rows: number;
}

/**
 * The quality gate's checks of one staged table against what the last successful run published
 * (read from the catalog, so any worker on any machine gets the same baseline). Locally DuckDB,
 * on AWS one Athena query per table.
 */
export interface TableQualityChecker {
  checkStagedTable(request: CheckTableQualityRequest, ctx: OperationContext): Promise<TableQualityResult>;
  /**
   * Records the staged schema and row count of a table that validated, as catalog table properties of its
   * snapshot table (`<table>_bucketed_<yyyymmdd>`): the baseline later snapshots are checked against.
   */
  recordPublishedProfile(request: RecordPublishedProfileRequest, ctx: OperationContext): Promise<void>;
}

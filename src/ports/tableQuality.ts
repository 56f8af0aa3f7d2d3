import type { TableQualityResult } from '../domain/qualityResult.js';
import type { SourceTable } from '../domain/tables.js';
import type { OperationContext } from './context.js';

export interface CheckTableQualityRequest {
  table: SourceTable;
  snapshotDt: string;
  bucketColumn: string;
}

/**
 * The quality gate's checks of one staged table against what the last successful run published
 * (read from the catalog, so any worker on any machine gets the same baseline). Locally DuckDB,
 * on AWS one Athena query per table.
 */
export interface TableQualityChecker {
  checkStagedTable(request: CheckTableQualityRequest, ctx: OperationContext): Promise<TableQualityResult>;
}

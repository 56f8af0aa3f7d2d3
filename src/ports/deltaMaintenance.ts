import type { OperationContext } from './context.js';

/** One Delta table as the maintenance planner resolved it from config. */
export interface MaintenanceTarget {
  name: string;
  /** `s3://bucket/prefix/` of the table folder, when configured by location. */
  location?: string;
  /** `table` or `database.table`, when configured by catalog name. */
  catalogTable?: string;
  /** Canonical WHERE text rebuilt from the restricted grammar (see workflows/maintenanceInput.ts). */
  where?: string;
  zorderBy: string[];
}

export interface MaintainTableRequest {
  target: MaintenanceTarget;
  retainHours: number;
  /** ISO instant retention is measured from (the workflow's start time: same on every retry/replay). */
  asOf: string;
  /** Idempotency tag (workflow run + table): a retried activity finds the run it started. */
  runTag: string;
}

export interface MaintainTableResult {
  filesCompacted: number | null;
  filesWritten: number | null;
  filesRemoved: number | null;
  partitionsRemoved: number | null;
  rowsBefore?: number;
  rowsAfter?: number;
  jobRunId?: string;
  notes: string[];
}

/**
 * OPTIMIZE (optional WHERE, ZORDER BY) then VACUUM RETAIN n HOURS for one table. AWS: a Glue Spark
 * job; local: compaction of small Parquet files and removal of expired `snapshot_dt=` partitions.
 */
export interface DeltaMaintenance {
  /** Backend-specific checks of a target before anything runs (throws InvalidInputError). */
  check(target: MaintenanceTarget): void;
  maintainTable(request: MaintainTableRequest, ctx: OperationContext): Promise<MaintainTableResult>;
}

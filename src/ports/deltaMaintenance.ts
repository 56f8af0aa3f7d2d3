import type { OperationContext } from './context.js';

/** One Delta table as the maintenance planner resolved it from config. */
export interface MaintenanceTarget {
  name: string;
  /** `s3://bucket/prefix/` of the table folder, when configured by location. */
  location?: string;
  /** `table` or `database.table`, when configured by catalog name. */
  catalogTable?: string;
  /** Canonical WHERE text rebuilt from the restricted grammar (see domain/maintenanceWhere.ts). */
  where?: string;
  zorderBy: string[];
}

export interface MaintainTableRequest {
  target: MaintenanceTarget;
  retainHours: number;
  /** The workflow's start (ISO), for the report; VACUUM measures the retention on the engine's clock. */
  asOf: string;
  /** Idempotency tag (workflow run + table): a retried activity finds the run it started. */
  runTag: string;
}

/** A version the maintenance job committed to the table's log. */
export interface CommittedVersion {
  version: number;
  /** `OPTIMIZE`, `VACUUM START`, `VACUUM END`. */
  operation: string;
}

/** What one table's OPTIMIZE + VACUUM did, as the job measured it through the table's log. */
export interface MaintainTableResult {
  versionBefore: number;
  versionAfter: number;
  versionsCommitted: CommittedVersion[];
  /** Files and bytes of the table's current version, before OPTIMIZE and after VACUUM. */
  filesBefore: number;
  filesAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  /** OPTIMIZE: files rewritten → files written. */
  filesCompacted: number;
  filesWritten: number;
  /** VACUUM: unreferenced files deleted from storage, and their bytes. */
  filesRemoved: number;
  bytesRemoved: number;
  optimizeMs: number;
  vacuumMs: number;
  durationMs: number;
  jobRunId: string;
  notes: string[];
}

/**
 * OPTIMIZE (optional WHERE, ZORDER BY) then VACUUM RETAIN n HOURS for one Delta table, by the job
 * jobs/delta_maintenance.py: a Glue job on AWS, a local process on the local backend.
 */
export interface DeltaMaintenance {
  /**
   * Checks a target before any job starts: the table exists, is a Delta table, and has the Z-order and
   * WHERE columns (WHERE on partition columns). Throws InvalidInputError naming what is wrong.
   */
  check(target: MaintenanceTarget): Promise<void>;
  maintainTable(request: MaintainTableRequest, ctx: OperationContext): Promise<MaintainTableResult>;
}

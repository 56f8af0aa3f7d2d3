import type { AssessedBucketSkew } from './bucketSkew.js';
import type { RunCost } from './cost.js';
import type { QualityApproval, TableQualityResult } from './qualityResult.js';
import type { Stage } from './tables.js';

/** `awaiting-approval`: the table failed the quality gate and waits (before its CTAS) for `approve`, `reprocess` or `abandon`. */
export type TableState = 'pending' | 'running' | 'awaiting-approval' | 'succeeded' | 'failed';

export interface TableReport {
  name: string;
  kind: 'infobase' | 'addressable';
  stage: Stage;
  state: TableState;
  attempts: number;
  lastError?: string;
  rowsSource?: number;
  rowsStaged?: number;
  rowsBucketed?: number;
  stagedFiles?: number;
  bucketFiles?: number;
  stagedTable?: string;
  bucketedTable?: string;
  stagedLocation?: string;
  bucketedLocation?: string;
  /** Rows per bucket of the validated table and the verdict against `validation.maxBucketSkew`. */
  bucketSkew?: AssessedBucketSkew;
  /** Validation findings that did not fail the table (e.g. bucket skew with `onBucketSkew: warn`). */
  warnings?: string[];
  /** The quality gate's checks of the staged table (issue 15): expected, observed, pass/warn/fail per check. */
  quality?: TableQualityResult;
  /** The operator's approval of a table that failed the gate (reason kept here and in lineage). */
  approval?: QualityApproval;
  durationMs?: number;
}

export interface StageTiming {
  stage: Stage;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
}

export interface JobRunReport {
  jobKey: string;
  jobName: string;
  runId: string;
  state: string;
  executionTimeSeconds?: number;
  dpuSeconds?: number;
  errorMessage?: string;
  /** The tables this run processed. */
  tables?: string[];
  /** Set on a run that did not succeed once a later run of the same job redid its tables (a reprocess). */
  supersededBy?: string;
}

export type LineageStatus = 'published' | 'pending' | 'failed' | 'disabled';

export interface RunReport {
  workflowId: string;
  runId: string;
  environment: string;
  status: 'succeeded' | 'failed';
  snapshotDt: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  tables: TableReport[];
  stages: StageTiming[];
  jobs: JobRunReport[];
  lineage: { status: LineageStatus; reason?: string; events?: number };
  /** Estimated at list price (Glue DPU-seconds, Athena bytes scanned); zero on the local backend. */
  cost?: RunCost;
  error?: string;
  /** Tables in the run; `tables` lists at most 200 of them (failed first) when there are more. */
  tableCount?: number;
  /** Job runs of the run; the workflow's result lists the newest 50 in `jobs` (the full report up to 200). */
  jobCount?: number;
  /** The complete report (every table) in the run's manifest: a path or `s3://` URI. */
  reportLocation?: string;
}

import type { Pricing } from './cost.js';
import type { JobKey } from './jobRuns.js';
import type { SourceTable } from './tables.js';

/** One table as discovery found it, with the output sizing decided for it. */
export interface PlannedTable extends SourceTable {
  sourceBytes: number;
  sourceFiles: number;
  /** Staged output files for the split/bucket job (2 per GiB, clamped). */
  stagedFileCount: number;
  /** Where discovery found the partition (`s3://…/snapshot_dt=…/` or a local path). */
  sourceLocation: string;
}

export interface PlannedJob {
  jobKey: JobKey;
  /** Job name on the backend (Glue job name, or the local job's name). */
  jobName: string;
  tables: string[];
  arguments: Record<string, string>;
}

/** What discovery hands the workflow: everything it needs to decide, nothing it must look up. */
export interface RefreshPlan {
  environment: string;
  snapshotDt: string;
  tables: PlannedTable[];
  jobs: PlannedJob[];
  bucketColumn: string;
  bucketCount: number;
  /** How many tables go through register → bucket → validate at once. */
  tableConcurrency: number;
  /** How long a run with failed tables waits for a `reprocess` signal before failing (0: fail at once). */
  reprocessWaitSeconds: number;
  /** List prices for the run's cost estimate. */
  pricing: Pricing;
  /**
   * How long the workflow waits for a silent activity before retrying it elsewhere (worker liveness:
   * activities heartbeat on a timer). Absent in plans recorded before it existed.
   */
  heartbeatTimeoutSeconds?: number;
}

/**
 * The same job restricted to some of its tables (reprocessing): the table filter and file counts
 * are rewritten, every other argument is kept.
 */
export function restrictJob(job: PlannedJob, tables: readonly PlannedTable[]): PlannedJob {
  const names = tables.map((t) => t.name).filter((name) => job.tables.includes(name));
  return {
    ...job,
    tables: names,
    arguments: {
      ...job.arguments,
      '--TABLES_FILTER': names.join(','),
      '--FILE_COUNTS': JSON.stringify(Object.fromEntries(tables.filter((t) => names.includes(t.name)).map((t) => [t.name, t.stagedFileCount]))),
    },
  };
}

/** How a refresh is split into child workflows (config `scale`). */
export interface RefreshScale {
  batchSize: number;
  batchConcurrency: number;
  progressSeconds: number;
  continueAsNewAfterEvents: number;
  /** Absent in plans recorded before it existed (then 4 MB). */
  continueAsNewAfterBytes?: number;
}

/**
 * What the refresh workflow keeps of its plan: names and settings. The full plan (sizes, locations,
 * job arguments) is the `plan` document of the run's manifest, read by the activities that need it.
 */
export interface PlanSummary extends Omit<RefreshPlan, 'tables' | 'jobs'> {
  tables: SourceTable[];
  /** Manifest key of this refresh (`<workflowId>/<firstRunId>`) and where its documents are. */
  runKey: string;
  manifest: string;
  scale: RefreshScale;
  /** Where lineage goes, for the lineage activity's summary: `OpenMetadata`, `OpenLineage file`… */
  lineageSink: string;
}

/** Groups tables into batches of at most `size`, in plan order. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

import type { AssessedBucketSkew } from '../domain/bucketSkew.js';
import type { BucketingAlgorithm } from '../domain/hiveBucketing.js';
import type { QualityApproval, TableQualityResult } from '../domain/qualityResult.js';
import type { LineageStatus } from '../domain/report.js';
import type { ColumnSpec } from './catalog.js';
import type { OperationContext } from './context.js';

/** One dataset in the lineage graph. */
export interface LineageDataset {
  /** Catalog database (Glue database / DuckDB schema); absent for raw source files. */
  database?: string;
  /** Table name (catalog name, or the source table name for raw files). */
  name: string;
  /** Physical location: `s3://bucket/prefix/` or a local path. */
  location: string;
  columns: ColumnSpec[];
}

/** source → staged → bucketed for one table, with what the run did to it. */
export interface LineageTable {
  name: string;
  kind: 'infobase' | 'addressable';
  state: 'succeeded' | 'failed';
  error?: string;
  source: LineageDataset;
  staged?: LineageDataset;
  bucketed?: LineageDataset & { sql?: string; bucketColumn: string; bucketCount: number; bucketing?: BucketingAlgorithm };
  /** Job that produced the staged data (Glue job name + run id). */
  job?: { name: string; runId: string };
  rowsStaged?: number;
  rowsBucketed?: number;
  /** Rows per bucket as validation measured them (absent when validation did not get that far). */
  bucketSkew?: AssessedBucketSkew;
  /** The quality gate's result on the staged table (OpenLineage DataQuality facets, OpenMetadata test cases). */
  quality?: TableQualityResult;
  /** An operator's approval of a table that failed the gate. */
  approval?: QualityApproval;
}

/** Everything a lineage sink needs about one finished workflow run; no secrets, no clients. */
export interface LineageRun {
  environment: string;
  workflowId: string;
  runId: string;
  snapshotDt: string;
  status: 'succeeded' | 'failed';
  startedAt: string;
  endedAt: string;
  stages: { stage: string; startedAt?: string; endedAt?: string; state: 'succeeded' | 'failed' | 'skipped' }[];
  tables: LineageTable[];
  /** Set when the run is published in parts (too many tables for one document); absent: the whole run. */
  part?: LineagePart;
}

/**
 * One part of a run published in parts of a bounded number of tables (src/activities/runLineage.ts). The
 * run's own START goes out with the first part; its COMPLETE/FAIL and pipeline status with the last, which
 * also names the failed tables of every part.
 */
export interface LineagePart {
  /** 0-based. */
  index: number;
  count: number;
  /** Last part only: failed tables of the whole run (the first names and how many in all). */
  failedTables?: { names: string[]; total: number };
}

export interface LineageOutcome {
  status: LineageStatus;
  reason?: string;
  /** Events / requests written. */
  events?: number;
}

/** Publishes a run's lineage (OpenLineage file/HTTP, OpenMetadata). Must never throw for sink outages: report them. */
export interface LineagePublisher {
  publish(run: LineageRun, ctx: OperationContext): Promise<LineageOutcome>;
}

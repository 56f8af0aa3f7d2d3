import type { PlannedTable, RefreshPlan } from '../domain/plan.js';
import type { BucketedTable } from '../ports/bucketedTables.js';
import type { RegisteredTable } from '../ports/catalog.js';
import type { LineageRun, LineageTable } from '../ports/lineage.js';
import type { RefreshTracker } from './refreshTracker.js';

/** What each table's stages produced, kept by the workflow for the lineage stage. */
export interface TableOutputs {
  staged?: RegisteredTable;
  bucketed?: BucketedTable;
  job?: { name: string; runId: string };
}

function lineageTable(plan: RefreshPlan, table: PlannedTable, tracker: RefreshTracker, out: TableOutputs): LineageTable {
  const report = tracker.table(table.name);
  const columns = out.staged?.columns ?? [];
  return {
    name: table.name,
    kind: table.kind,
    state: report.state === 'succeeded' ? 'succeeded' : 'failed',
    error: report.lastError,
    source: { name: table.name, location: table.sourceLocation, columns },
    staged: out.staged && {
      database: out.staged.database,
      name: out.staged.tableName,
      location: out.staged.location,
      columns,
    },
    bucketed: out.bucketed && {
      database: out.bucketed.database,
      name: out.bucketed.tableName,
      location: out.bucketed.location,
      columns,
      sql: out.bucketed.sql,
      bucketColumn: plan.bucketColumn,
      bucketCount: plan.bucketCount,
      bucketing: out.bucketed.bucketing,
    },
    job: out.job,
    rowsStaged: report.rowsStaged,
    rowsBucketed: report.rowsBucketed,
    bucketSkew: report.bucketSkew,
  };
}

export function buildLineageRun(
  plan: RefreshPlan,
  tracker: RefreshTracker,
  outputs: ReadonlyMap<string, TableOutputs>,
): LineageRun {
  const failedTables = tracker.failedTables();
  const failed = failedTables.length > 0;
  const failedStages = new Set(failedTables.map((t) => t.stage));
  return {
    environment: plan.environment,
    workflowId: tracker.workflowId,
    runId: tracker.runId,
    snapshotDt: plan.snapshotDt,
    status: failed ? 'failed' : 'succeeded',
    startedAt: tracker.startedAt,
    endedAt: new Date().toISOString(),
    stages: tracker.stageTimings().map((s) => ({
      stage: s.stage,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      state: failedStages.has(s.stage) ? 'failed' : 'succeeded',
    })),
    tables: plan.tables.map((t) => lineageTable(plan, t, tracker, outputs.get(t.name) ?? {})),
  };
}

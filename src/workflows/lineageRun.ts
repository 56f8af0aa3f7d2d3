import type { RefreshPlan } from '../domain/plan.js';
import { lineageTable, type TableOutputs } from '../lineage/runTables.js';
import type { LineageRun } from '../ports/lineage.js';
import type { RefreshTracker } from './refreshTracker.js';

export type { TableOutputs } from '../lineage/runTables.js';

/** Everything lineage says about the run except its tables (those come from the run's outputs). */
export type LineageRunHeader = Omit<LineageRun, 'tables'>;

export function lineageHeader(tracker: RefreshTracker, environment: string, snapshotDt: string): LineageRunHeader {
  const failedTables = tracker.failedTables();
  const failedStages = new Set(failedTables.map((t) => t.stage));
  return {
    environment,
    workflowId: tracker.workflowId,
    runId: tracker.runId,
    snapshotDt,
    status: failedTables.length > 0 ? 'failed' : 'succeeded',
    startedAt: tracker.startedAt,
    endedAt: new Date().toISOString(),
    stages: tracker.stageTimings().map((s) => ({
      stage: s.stage,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      state: failedStages.has(s.stage) ? 'failed' : 'succeeded',
    })),
  };
}

/** The whole lineage run, built in the workflow (runs before batched refreshes; see monthlyRefreshV1). */
export function buildLineageRun(
  plan: RefreshPlan,
  tracker: RefreshTracker,
  outputs: ReadonlyMap<string, TableOutputs>,
): LineageRun {
  return {
    ...lineageHeader(tracker, plan.environment, plan.snapshotDt),
    tables: plan.tables.map((t) => lineageTable(plan, t, tracker.table(t.name), outputs.get(t.name) ?? {})),
  };
}

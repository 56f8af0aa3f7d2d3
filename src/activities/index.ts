import type { FlywheelConfig } from '../config/schema.js';
import type { Backend } from '../ports/backend.js';
import type { LineagePublisher, LineageRun } from '../ports/lineage.js';
import type { RunReport } from '../domain/report.js';
import { activityRequestToken, withFailureTypes, withOperationContext } from './context.js';
import { discoverSnapshot, type DiscoverSnapshotInput } from './discoverSnapshot.js';
import { describeWorkflowRun, maintainDeltaTable, planMaintenance, type MaintainDeltaTableInput } from './maintenance.js';
import { runGlueJob, type RunGlueJobInput } from './runGlueJob.js';
import { publishRunLineage, type PublishRunLineageInput } from './runLineage.js';
import {
  loadTableReports,
  planRefreshRun,
  prepareBatch,
  recordTables,
  writeRunReport,
  type PlanRefreshRunInput,
  type PrepareBatchInput,
  type TableRecord,
} from './runManifest.js';
import type { DeltaMaintenanceInput } from '../workflows/maintenanceInput.js';
import { checkTableQuality, type CheckTableQualityInput } from './quality.js';
import { createBucketedTable, registerStagedTable, validateBucketedTable, type RegisterStageInput, type TableStageInput } from './tableStages.js';

export interface ActivityDependencies {
  config: FlywheelConfig;
  backend: Backend;
  lineage: LineagePublisher;
}

/**
 * The activities the workflows call, bound to one environment's backend. Each is a thin shell: the
 * work is in the port implementations, the rules in src/domain.
 */
/** What a table stage's heartbeats say it works on. */
const about = (input: TableStageInput, stage: string) => ({ table: input.table.name, stage });

export function createActivities({ config, backend, lineage }: ActivityDependencies) {
  const polling = {
    pollMinMs: config.jobs.pollMinSeconds * 1000,
    pollMaxMs: config.jobs.pollMaxSeconds * 1000,
    stopWaitMs: 5 * 60_000,
  };
  const skewPolicy = {
    maxBucketSkew: config.validation.maxBucketSkew,
    onBucketSkew: config.validation.onBucketSkew,
    minMedianRows: config.validation.bucketSkewMinMedianRows,
  };
  /** A stage's output, also kept in the run's manifest when the workflow names one (batched refreshes). */
  const persisted = async <T>(input: TableStageInput, document: 'staged' | 'bucketed', output: Promise<T>): Promise<T> => {
    const value = await output;
    if (input.runKey) await backend.manifests.write(input.runKey, `tables/${input.table.name}/${document}`, value);
    return value;
  };
  return {
    discoverSnapshot: (input: DiscoverSnapshotInput) =>
      withFailureTypes(() => withOperationContext(() => discoverSnapshot(config, backend, input))),

    /** The snapshot a refresh would take and how many tables it has, without the plan itself. */
    findSnapshot: (input: DiscoverSnapshotInput) =>
      withFailureTypes(() =>
        withOperationContext(async () => {
          const plan = await discoverSnapshot(config, backend, input);
          return { snapshotDt: plan.snapshotDt, tables: plan.tables.length };
        }),
      ),

    runGlueJob: (input: RunGlueJobInput) => withFailureTypes(() => runGlueJob(backend.jobs, polling, input)),

    registerStagedTable: (input: RegisterStageInput) =>
      withFailureTypes(() =>
        withOperationContext(
          (ctx) => persisted(input, 'staged', registerStagedTable(backend.catalog, ctx, { ...input, requestToken: activityRequestToken() })),
          about(input, 'register'),
        ),
      ),

    createBucketedTable: (input: TableStageInput & { requestToken: string }) =>
      withFailureTypes(() =>
        withOperationContext((ctx) => persisted(input, 'bucketed', createBucketedTable(backend.bucketed, ctx, input)), about(input, 'bucket')),
      ),

    validateBucketedTable: (input: TableStageInput) =>
      withFailureTypes(() =>
        withOperationContext((ctx) => validateBucketedTable(backend.bucketed, ctx, input, skewPolicy, backend.quality), about(input, 'validate')),
      ),

    /** The quality gate (issue 15): schema drift, row change, null/distinct bounds of the staged table vs the last published snapshot. */
    checkTableQuality: (input: CheckTableQualityInput) =>
      withFailureTypes(() =>
        withOperationContext(
          (ctx) => checkTableQuality(backend.quality, ctx, input, { includeBucketSkew: config.quality.bucketSkew }),
          about(input, 'check'),
        ),
      ),

    publishLineage: (run: LineageRun) => withOperationContext((ctx) => lineage.publish(run, ctx)),

    // Batched refreshes: plan, batches and results travel by manifest key (src/activities/runManifest.ts).
    // Like every activity with a heartbeat timeout, these heartbeat on a timer while they work.
    planRefreshRun: (input: PlanRefreshRunInput) => withFailureTypes(() => withOperationContext(() => planRefreshRun(config, backend, input))),
    prepareBatch: (input: PrepareBatchInput) => withFailureTypes(() => withOperationContext(() => prepareBatch(config, backend, input))),
    recordTables: (input: { runKey: string; tables: TableRecord[] }) => withOperationContext(() => recordTables(backend.manifests, input)),
    loadTableReports: (input: { runKey: string; offset: number; limit: number }) =>
      withOperationContext(() => loadTableReports(backend.manifests, input)),
    publishRunLineage: (input: PublishRunLineageInput) => withOperationContext((ctx) => publishRunLineage(backend.manifests, lineage, input, ctx)),
    writeRunReport: (input: { runKey: string; report: Omit<RunReport, 'tables'> }) => withOperationContext(() => writeRunReport(backend.manifests, input)),

    planMaintenance: (input: DeltaMaintenanceInput) => withFailureTypes(() => withOperationContext(() => planMaintenance(config, backend, input))),
    maintainDeltaTable: (input: MaintainDeltaTableInput) => withFailureTypes(() => maintainDeltaTable(backend, input)),
    describeWorkflowRun: (workflowId: string) => withOperationContext(() => describeWorkflowRun(workflowId)),
  };
}

export type Activities = ReturnType<typeof createActivities>;

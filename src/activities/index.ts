import type { FlywheelConfig } from '../config/schema.js';
import type { Backend } from '../ports/backend.js';
import type { LineagePublisher, LineageRun } from '../ports/lineage.js';
import { activityRequestToken, withFailureTypes, withOperationContext } from './context.js';
import { discoverSnapshot, type DiscoverSnapshotInput } from './discoverSnapshot.js';
import { describeWorkflowRun, maintainDeltaTable, planMaintenance, type MaintainDeltaTableInput } from './maintenance.js';
import { runGlueJob, type RunGlueJobInput } from './runGlueJob.js';
import type { DeltaMaintenanceInput } from '../workflows/maintenanceInput.js';
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
  return {
    discoverSnapshot: (input: DiscoverSnapshotInput) =>
      withFailureTypes(() => withOperationContext(() => discoverSnapshot(config, backend, input))),

    runGlueJob: (input: RunGlueJobInput) => withFailureTypes(() => runGlueJob(backend.jobs, polling, input)),

    registerStagedTable: (input: RegisterStageInput) =>
      withFailureTypes(() => withOperationContext((ctx) => registerStagedTable(backend.catalog, ctx, { ...input, requestToken: activityRequestToken() }))),

    createBucketedTable: (input: TableStageInput & { requestToken: string }) =>
      withFailureTypes(() => withOperationContext((ctx) => createBucketedTable(backend.bucketed, ctx, input))),

    validateBucketedTable: (input: TableStageInput) =>
      withFailureTypes(() => withOperationContext((ctx) => validateBucketedTable(backend.bucketed, ctx, input, skewPolicy))),

    publishLineage: (run: LineageRun) => withOperationContext((ctx) => lineage.publish(run, ctx)),

    planMaintenance: (input: DeltaMaintenanceInput) => withFailureTypes(() => planMaintenance(config, backend, input)),
    maintainDeltaTable: (input: MaintainDeltaTableInput) => withFailureTypes(() => maintainDeltaTable(backend, input)),
    describeWorkflowRun: (workflowId: string) => describeWorkflowRun(workflowId),
  };
}

export type Activities = ReturnType<typeof createActivities>;

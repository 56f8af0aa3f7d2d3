import type { FlywheelConfig } from '../config/schema.js';
import type { Backend } from '../ports/backend.js';
import type { LineagePublisher, LineageRun } from '../ports/lineage.js';
import { activityRequestToken, operationContext, withFailureTypes } from './context.js';
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
  return {
    discoverSnapshot: (input: DiscoverSnapshotInput) =>
      withFailureTypes(() => discoverSnapshot(config, backend, input)),

    runGlueJob: (input: RunGlueJobInput) => withFailureTypes(() => runGlueJob(backend.jobs, polling, input)),

    registerStagedTable: (input: RegisterStageInput) =>
      withFailureTypes(() => registerStagedTable(backend.catalog, operationContext(), { ...input, requestToken: activityRequestToken() })),

    createBucketedTable: (input: TableStageInput & { requestToken: string }) =>
      withFailureTypes(() => createBucketedTable(backend.bucketed, operationContext(), input)),

    validateBucketedTable: (input: TableStageInput) =>
      withFailureTypes(() => validateBucketedTable(backend.bucketed, operationContext(), input)),

    publishLineage: (run: LineageRun) => lineage.publish(run, operationContext()),

    planMaintenance: (input: DeltaMaintenanceInput) => withFailureTypes(() => planMaintenance(config, backend, input)),
    maintainDeltaTable: (input: MaintainDeltaTableInput) => withFailureTypes(() => maintainDeltaTable(backend, input)),
    describeWorkflowRun: (workflowId: string) => describeWorkflowRun(workflowId),
  };
}

export type Activities = ReturnType<typeof createActivities>;

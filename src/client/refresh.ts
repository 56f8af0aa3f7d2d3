import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { taskQueueFor, type FlywheelConfig } from '../config/schema.js';
import type { RefreshPlan } from '../domain/plan.js';
import type { RunReport } from '../domain/report.js';
import { refreshWorkflowId } from '../domain/workflowIds.js';
import { planUpdate, statusQuery } from '../workflows/definitions.js';
import type { RefreshStatus } from '../workflows/refreshTracker.js';
import { FlywheelEnvironment, FlywheelSnapshotDt, FlywheelStatus } from '../workflows/searchAttributes.js';
import { explainFailure } from './failures.js';

export interface RefreshRequest {
  snapshotDt?: string;
  tables?: string[];
}

/**
 * Runs discovery on the worker (workflow `planRefresh`): the snapshot and sizing a refresh would use.
 * Started with update-with-start (update `plan`), so the answer comes back while the execution is
 * still open; it is then deleted at once, and dry runs and `flywheel run` leave no rows in the
 * workflow list (deleting a closed run took 30–60 s to leave the list). Best effort: a cluster that
 * refuses deletion keeps it until retention.
 */
export async function planRefresh(client: Client, config: FlywheelConfig, request: RefreshRequest): Promise<RefreshPlan> {
  const workflowId = `flywheel-${config.environment}-plan-${randomUUID()}`;
  const startWorkflowOperation = new WithStartWorkflowOperation('planRefresh', {
    taskQueue: taskQueueFor(config),
    workflowId,
    workflowIdConflictPolicy: 'FAIL',
    args: [{ environment: config.environment, snapshotDt: request.snapshotDt, tables: request.tables }],
    workflowExecutionTimeout: '10m',
    staticSummary: `Plan a refresh of ${config.environment} (deleted once answered)`,
  });
  try {
    return await client.workflow.executeUpdateWithStart(planUpdate, { startWorkflowOperation });
  } finally {
    await client.workflowService
      .deleteWorkflowExecution({ namespace: config.temporal.namespace, workflowExecution: { workflowId } })
      .catch(() => undefined);
  }
}

export interface StartedRefresh {
  handle: WorkflowHandle;
  /** True when a refresh for this snapshot was already running and we attached to it. */
  attached: boolean;
}

/** Starts `monthlyRefresh` as `flywheel-<env>-refresh-<snapshotDt>`, or attaches to the one running. */
export async function startRefresh(
  client: Client,
  config: FlywheelConfig,
  request: RefreshRequest & { snapshotDt: string },
): Promise<StartedRefresh> {
  const workflowId = refreshWorkflowId(config.environment, request.snapshotDt);
  try {
    const handle = await client.workflow.start('monthlyRefresh', {
      taskQueue: taskQueueFor(config),
      workflowId,
      args: [{ environment: config.environment, snapshotDt: request.snapshotDt, tables: request.tables }],
      typedSearchAttributes: [
        { key: FlywheelEnvironment, value: config.environment },
        { key: FlywheelSnapshotDt, value: request.snapshotDt },
        { key: FlywheelStatus, value: 'running' },
      ],
      staticSummary: `Monthly refresh ${config.environment} · snapshot ${request.snapshotDt}`,
      staticDetails:
        `Tables: ${request.tables?.join(', ') ?? 'all configured'}\n\n` +
        `Backend: ${config.backend} · bucketed on ${config.bucketing.column} into ${config.bucketing.count} buckets`,
    });
    return { handle, attached: false };
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle(workflowId), attached: true };
    }
    throw error;
  }
}

export interface RefreshOutcome {
  ok: boolean;
  report?: RunReport;
  /** Failure type when the run did not produce a report (e.g. `InvalidInput`). */
  failureType?: string;
  message?: string;
  /** Set when the wait stopped early (`until`): the status that matched; the run goes on. */
  stoppedAt?: RefreshStatus;
}

/**
 * Waits for a refresh, calling `onStatus` with the `status` query while it runs. A failed refresh
 * still yields its report (carried in the failure details). With `until`, stops following as soon as
 * a status matches (e.g. the run waits at the quality gate) and returns that status; the run goes on.
 */
export async function awaitRefresh(
  handle: WorkflowHandle,
  onStatus?: (status: RefreshStatus) => void,
  intervalMs = 400,
  until?: (status: RefreshStatus) => boolean,
): Promise<RefreshOutcome> {
  if (until) {
    // No long-poll on the result while the run may stop being ours to follow: it would outlive the connection.
    const stoppedAt = await pollUntil(handle, until, onStatus, intervalMs);
    if (stoppedAt) return { ok: true, stoppedAt };
  }
  let done = false;
  const result = handle.result().finally(() => {
    done = true;
  });
  const poll = (async () => {
    while (!done && onStatus) {
      try {
        onStatus(await handle.query(statusQuery));
      } catch {
        // The first workflow task may not have run yet; the next poll will tell.
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  try {
    const report = (await result) as RunReport;
    return { ok: true, report };
  } catch (error) {
    const failure = explainFailure(error);
    const detail = failure.details?.[0];
    const report = detail && typeof detail === 'object' && 'tables' in detail ? (detail as RunReport) : undefined;
    return { ok: false, report, failureType: failure.type, message: failure.message };
  } finally {
    await poll;
  }
}

/** Polls `status` until it matches `until` (returned) or the run ends (undefined: read its result). */
async function pollUntil(
  handle: WorkflowHandle,
  until: (status: RefreshStatus) => boolean,
  onStatus: ((status: RefreshStatus) => void) | undefined,
  intervalMs: number,
): Promise<RefreshStatus | undefined> {
  for (;;) {
    try {
      const status = await handle.query(statusQuery);
      onStatus?.(status);
      if (until(status)) return status;
      if (status.state === 'succeeded' || status.state === 'failed') return undefined;
    } catch {
      // Not queryable yet (first workflow task pending), or already closed: the description tells.
      if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

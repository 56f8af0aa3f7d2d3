import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  ParentClosePolicy,
  patched,
  proxyActivities,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  type ActivityOptions,
} from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities/index.js';
import { ENVIRONMENT_PATTERN } from '../domain/identifiers.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { RunReport } from '../domain/report.js';
import { deltaMaintenanceScheduleId, refreshWorkflowId } from '../domain/workflowIds.js';
import { sizedHeartbeat } from './activityProxies.js';
import { deltaMaintenance } from './deltaMaintenance.js';
import { describeIssues, tableNameSchema } from './input.js';
import type { MaintenanceReport } from './maintenanceInput.js';
import { monthlyRefresh } from './monthlyRefresh.js';
import { failureMessage } from './refreshPipeline.js';
import { FlywheelEnvironment, FlywheelSnapshotDt } from './searchAttributes.js';

export const ScheduledRefreshInputSchema = z
  .object({
    environment: z.string().regex(ENVIRONMENT_PATTERN),
    tables: z.array(tableNameSchema).min(1).max(1000).optional(),
    /** From config `maintenance.afterRefresh` when the schedule was applied. */
    maintenanceAfterRefresh: z.boolean().optional(),
  })
  .strict();
export type ScheduledRefreshInput = z.infer<typeof ScheduledRefreshInputSchema>;

export interface ScheduledRefreshResult {
  /** `refreshed`: this run started the refresh and it succeeded. `skipped`: see `reason`. */
  outcome: 'refreshed' | 'skipped';
  reason?: 'already-succeeded' | 'already-running' | 'already-exists';
  snapshotDt: string;
  refreshWorkflowId: string;
  /** The refresh's report (for `already-succeeded`: the earlier run's report). */
  report?: RunReport;
  maintenance?: { workflowId: string; status: 'succeeded' | 'failed'; report?: MaintenanceReport; error?: string };
}

const retry = { initialInterval: '5s', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES };
const findOptions: ActivityOptions = { startToCloseTimeout: '15m', retry };
const describeOptions: ActivityOptions = { startToCloseTimeout: '1m', retry };
const { discoverSnapshot, findSnapshot } = proxyActivities<Activities>(findOptions);
const { describeWorkflowRun } = proxyActivities<Activities>(describeOptions);

/**
 * What the monthly schedule starts. The snapshot comes from discovery (what has landed), never from
 * the clock, so a late delivery or a backfill refreshes the right data. The refresh itself runs as
 * the child `flywheel-<env>-refresh-<dt>`: the same id `flywheel run` uses, so an operator finds one
 * run per snapshot whichever way it was started.
 *
 * Decisions:
 * - ParentClosePolicy ABANDON: the refresh is the unit operators act on (reprocess signals, up to
 *   `reprocess.waitHours` of waiting, Glue jobs in flight). Terminating or timing out this thin
 *   wrapper must not kill a half-done refresh; it stays reachable by its own id.
 * - WorkflowIdReusePolicy ALLOW_DUPLICATE_FAILED_ONLY: a snapshot whose refresh failed is refreshed
 *   again; one that succeeded (or is running) is not. Then this run completes as `skipped` with the
 *   reason (and the earlier report) instead of failing, so a trigger/backfill after a manual run is
 *   harmless and `pauseOnFailure` only reacts to real failures.
 */
export async function scheduledRefresh(rawInput: ScheduledRefreshInput): Promise<ScheduledRefreshResult> {
  const parsed = ScheduledRefreshInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid scheduledRefresh input: ${describeIssues(parsed.error)}` });
  }
  const { environment, tables, maintenanceAfterRefresh } = parsed.data;
  // Only the date is needed here; the full plan (large for thousands of tables) stays with the refresh.
  const { snapshotDt } = patched('flywheel-schedule-finds-snapshot-only')
    ? await findSnapshot.executeWithOptions(sizedHeartbeat(findOptions), [{ environment, tables }])
    : await discoverSnapshot({ environment, tables });
  // The wrapper is found by its snapshot too (`FlywheelSnapshotDt = "…"` lists both runs); new runs only.
  if (patched('flywheel-schedule-search-attributes')) upsertSearchAttributes([{ key: FlywheelSnapshotDt, value: snapshotDt }]);
  const childId = refreshWorkflowId(environment, snapshotDt);
  const base = { snapshotDt, refreshWorkflowId: childId };

  let report: RunReport;
  try {
    report = await executeChild(monthlyRefresh, {
      workflowId: childId,
      args: [{ environment, snapshotDt, tables }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      typedSearchAttributes: [
        { key: FlywheelEnvironment, value: environment },
        { key: FlywheelSnapshotDt, value: snapshotDt },
      ],
      staticSummary: `Monthly refresh ${environment} · snapshot ${snapshotDt} (scheduled)`,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      const existing = await describeWorkflowRun.executeWithOptions(sizedHeartbeat(describeOptions), [childId]);
      if (existing.state === 'succeeded') return { outcome: 'skipped', reason: 'already-succeeded', ...base, report: existing.result as RunReport };
      if (existing.state === 'running') return { outcome: 'skipped', reason: 'already-running', ...base };
      return { outcome: 'skipped', reason: 'already-exists', ...base };
    }
    if (error instanceof ChildWorkflowFailure) {
      const cause = error.cause instanceof ApplicationFailure ? error.cause : undefined;
      throw ApplicationFailure.create({
        type: cause?.type ?? 'RefreshFailed',
        nonRetryable: true,
        message: `refresh ${childId} failed: ${cause?.message ?? error.message}`,
        details: cause?.details ? [...cause.details] : [],
      });
    }
    throw error;
  }

  const result: ScheduledRefreshResult = { outcome: 'refreshed', ...base, report };
  if (maintenanceAfterRefresh) {
    const workflowId = `${deltaMaintenanceScheduleId(environment)}-after-${snapshotDt}`;
    try {
      const maintenance = await executeChild(deltaMaintenance, { workflowId, args: [{ environment }], parentClosePolicy: ParentClosePolicy.ABANDON });
      result.maintenance = { workflowId, status: 'succeeded', report: maintenance };
    } catch (error) {
      // The refresh succeeded and its data is served; a maintenance failure is reported, not fatal.
      result.maintenance = { workflowId, status: 'failed', error: failureMessage(error instanceof ChildWorkflowFailure && error.cause ? error.cause : error) };
    }
  }
  return result;
}

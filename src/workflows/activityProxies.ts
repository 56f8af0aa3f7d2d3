import { ActivityCancellationType, patched, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';

/** Activity handles with their timeouts and retries, kept together so the policy reads in one place. */
const retry = {
  initialInterval: '5s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
};

/**
 * Every long activity heartbeats on a timer while it works (activities/context.ts), so the heartbeat
 * timeout only measures whether its worker is alive: a killed worker's activity is retried on another
 * worker that much later. The plan carries the environment's figure (seconds locally, see
 * `temporal.heartbeatTimeoutSeconds`); this one serves discovery and plans recorded before it had one.
 */
export const DEFAULT_HEARTBEAT_TIMEOUT = '30s';

/** `options` with the plan's heartbeat timeout, when it has one. */
export function withHeartbeatTimeout(options: ActivityOptions, plan: { heartbeatTimeoutSeconds?: number }): ActivityOptions {
  return plan.heartbeatTimeoutSeconds ? { ...options, heartbeatTimeout: `${plan.heartbeatTimeoutSeconds}s` } : options;
}

/**
 * Patch: every activity has a heartbeat timeout (planning, manifest, lineage, describe), and a batch
 * child gets the plan's figure. Before it, those activities had none (a dead worker's planning was
 * retried only after its start-to-close timeout, up to 15 min) and the batch's table stages used 30 s.
 */
export const SIZED_HEARTBEATS_PATCH = 'flywheel-sized-heartbeats';

/**
 * Heartbeat timeout of the activities that run before a plan exists or outside one (discovery,
 * planning, describing a workflow): they heartbeat on a timer (activities/context.ts) or are quick.
 */
export const PLANNING_HEARTBEAT_TIMEOUT = '10s';

/** Whether this run sizes every activity's heartbeat timeout (see {@link SIZED_HEARTBEATS_PATCH}). */
export function sizedHeartbeats(): boolean {
  return patched(SIZED_HEARTBEATS_PATCH);
}

/**
 * `options` with a heartbeat timeout — the plan's figure when given one, else
 * {@link PLANNING_HEARTBEAT_TIMEOUT} — in runs that took {@link SIZED_HEARTBEATS_PATCH}; histories
 * recorded before it replay with `options` unchanged.
 */
export function sizedHeartbeat(options: ActivityOptions, plan?: { heartbeatTimeoutSeconds?: number }): ActivityOptions {
  if (!sizedHeartbeats()) return options;
  const seconds = plan?.heartbeatTimeoutSeconds;
  return { ...options, heartbeatTimeout: seconds ? `${seconds}s` : plan ? DEFAULT_HEARTBEAT_TIMEOUT : PLANNING_HEARTBEAT_TIMEOUT };
}

export const tableStageOptions: ActivityOptions = {
  startToCloseTimeout: '15m',
  heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT,
  retry: { ...retry, maximumAttempts: 5 },
};
export const { discoverSnapshot, registerStagedTable, validateBucketedTable } = proxyActivities<Activities>(tableStageOptions);

/** The quality gate's checks (issue 15): one query per table over the staged table, like validation. */
export const { checkTableQuality } = proxyActivities<Activities>(tableStageOptions);

// Glue runs take minutes to hours: the job's own timeout bounds them; heartbeats prove the worker is
// alive. On cancellation the activity stops the run and the workflow waits for that.
export const jobRunOptions: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 10 },
};
export const { runGlueJob } = proxyActivities<Activities>(jobRunOptions);

export const bucketOptions: ActivityOptions = {
  startToCloseTimeout: '4h',
  heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 5 },
};
export const { createBucketedTable } = proxyActivities<Activities>(bucketOptions);

// Lineage must never hold up or fail the data run: few attempts, and failures are only reported.
// (Only runs from before batching call this one: see legacy/monthlyRefreshV1.ts.)
export const { publishLineage } = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  retry: { ...retry, maximumAttempts: 3 },
});

// Batched refreshes: documents of the run's manifest (plan, per-table records, report). Short I/O that
// heartbeats on a timer; callers add the heartbeat timeout with sizedHeartbeat().
export const manifestOptions: ActivityOptions = {
  startToCloseTimeout: '15m',
  retry: { ...retry, maximumAttempts: 5 },
};
export const { planRefreshRun, prepareBatch, recordTables, loadTableReports, writeRunReport } = proxyActivities<Activities>(manifestOptions);

// Like publishLineage: never holds up or fails the data run.
export const lineageOptions: ActivityOptions = {
  startToCloseTimeout: '10m',
  retry: { ...retry, maximumAttempts: 3 },
};
export const { publishRunLineage } = proxyActivities<Activities>(lineageOptions);

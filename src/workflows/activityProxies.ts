import { ActivityCancellationType, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';

/** Activity handles with their timeouts and retries, kept together so the policy reads in one place. */
const retry = {
  initialInterval: '5s',
  backoffCoefficient: 2,
  maximumInterval: '2m',
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
};

export const stageOptions: ActivityOptions = {
  startToCloseTimeout: '15m',
  heartbeatTimeout: '2m',
  retry: { ...retry, maximumAttempts: 5 },
};
export const { discoverSnapshot, registerStagedTable, validateBucketedTable } = proxyActivities<Activities>(stageOptions);

// Glue runs take minutes to hours: the job's own timeout bounds them; heartbeats (every poll) prove
// the worker is alive. On cancellation the activity stops the run and the workflow waits for that.
export const jobRunOptions: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: '2m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 10 },
};
export const { runGlueJob } = proxyActivities<Activities>(jobRunOptions);

export const bucketOptions: ActivityOptions = {
  startToCloseTimeout: '4h',
  heartbeatTimeout: '2m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 5 },
};
export const { createBucketedTable } = proxyActivities<Activities>(bucketOptions);

// Lineage must never hold up or fail the data run: few attempts, and failures are only reported.
export const { publishLineage } = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  retry: { ...retry, maximumAttempts: 3 },
});

// Batched refreshes: documents of the run's manifest (plan, per-table records, report). Short I/O.
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

import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { DEFAULT_HEARTBEAT_TIMEOUT, withHeartbeatTimeout } from './activityProxies.js';
import { describeIssues } from './input.js';
import {
  DeltaMaintenanceInputSchema,
  type DeltaMaintenanceInput,
  type MaintenanceReport,
  type TableMaintenanceReport,
} from './maintenanceInput.js';
import { failureMessage } from './refreshPipeline.js';
import { FlywheelEnvironment, FlywheelStatus } from './searchAttributes.js';
import { Semaphore } from './semaphore.js';

const retry = { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES };

const { planMaintenance } = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { ...retry, maximumAttempts: 3 } });

// One table's OPTIMIZE + VACUUM: a Glue run or a local rewrite, minutes to hours. Heartbeats (on a
// timer) prove the worker is alive; on cancellation the activity stops its Glue run and the workflow waits.
const maintainOptions = {
  startToCloseTimeout: '12h',
  heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 5 },
};
const { maintainDeltaTable } = proxyActivities<Activities>(maintainOptions);

/** The failure type a planning error carries (InvalidInput for refusals), for the caller's exit code. */
function failureType(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type ? cause.type : 'MaintenanceFailed';
}

function markdown(report: MaintenanceReport): string {
  const rows = report.tables.map(
    (t) => `| ${t.table} | ${t.state} | ${t.filesCompacted ?? '?'} → ${t.filesWritten ?? '?'} | ${t.filesRemoved ?? '?'} | ${t.error ?? t.notes.join('; ')} |`,
  );
  return [
    `**Delta maintenance** ${report.environment} · retain ${report.retainHours} h from ${report.asOf} · ${report.status}`,
    '',
    '| table | state | compacted → written | removed | notes |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * OPTIMIZE then VACUUM every configured Delta table (or the `tables` given), a few at a time. A table
 * that fails does not stop the others; the workflow fails at the end, carrying the full report.
 * Retention is measured from the workflow's start time, so replays and retries see the same instant.
 */
export async function deltaMaintenance(rawInput: DeltaMaintenanceInput): Promise<MaintenanceReport> {
  const parsed = DeltaMaintenanceInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid deltaMaintenance input: ${describeIssues(parsed.error)}` });
  }
  const input = parsed.data;
  const info = workflowInfo();
  upsertSearchAttributes([
    { key: FlywheelEnvironment, value: input.environment },
    { key: FlywheelStatus, value: 'running' },
  ]);

  let plan;
  try {
    plan = await planMaintenance(input);
  } catch (error) {
    upsertSearchAttributes([{ key: FlywheelStatus, value: 'failed' }]);
    throw ApplicationFailure.create({ type: failureType(error), nonRetryable: true, message: failureMessage(error) });
  }

  const report: MaintenanceReport = {
    workflowId: info.workflowId,
    environment: input.environment,
    retainHours: plan.retainHours,
    asOf: info.runStartTime.toISOString(),
    status: 'succeeded',
    tables: [],
  };
  const semaphore = new Semaphore(plan.concurrency);
  const results = await Promise.all(
    plan.targets.map((target) =>
      semaphore.run(async (): Promise<TableMaintenanceReport> => {
        try {
          const result = await maintainDeltaTable.executeWithOptions(withHeartbeatTimeout(maintainOptions, plan), [
            { target, retainHours: plan.retainHours, asOf: report.asOf },
          ]);
          return { table: target.name, state: 'succeeded', ...result };
        } catch (error) {
          return {
            table: target.name,
            state: 'failed',
            filesCompacted: null,
            filesWritten: null,
            filesRemoved: null,
            partitionsRemoved: null,
            notes: [],
            error: failureMessage(error),
          };
        }
      }),
    ),
  );
  report.tables = results;
  const failed = results.filter((t) => t.state === 'failed');
  report.status = failed.length > 0 ? 'failed' : 'succeeded';
  upsertSearchAttributes([{ key: FlywheelStatus, value: report.status }]);
  setCurrentDetails(markdown(report));
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      type: 'MaintenanceFailed',
      nonRetryable: true,
      message: `${failed.length} of ${results.length} table(s) failed: ${failed.map((t) => `${t.table}: ${t.error}`).join('; ')}`,
      details: [report],
    });
  }
  return report;
}

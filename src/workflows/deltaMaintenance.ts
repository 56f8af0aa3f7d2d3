import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  type ActivityOptions,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import { sizedHeartbeat, sizedHeartbeats } from './activityProxies.js';
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

const v1 = {
  plan: proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { ...retry, maximumAttempts: 3 } }).planMaintenance,
  maintain: proxyActivities<Activities>({
    startToCloseTimeout: '12h',
    heartbeatTimeout: '2m',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { ...retry, maximumAttempts: 5 },
  }).maintainDeltaTable,
};

// Planning reads every table's Delta log (up to 500 tables). One table's OPTIMIZE + VACUUM is a Glue run or
// a local process, minutes to hours: heartbeats (every 2 s, sent at most every ~8 s) prove the worker is alive,
// so a dead worker's activity is retried — and re-attaches to its run — after 10 s, and a cancellation reaches
// the activity within seconds; the activity then stops the run and the workflow waits for that.
const v2Options = {
  plan: { startToCloseTimeout: '10m', retry: { ...retry, maximumAttempts: 3 } },
  maintain: {
    startToCloseTimeout: '12h',
    heartbeatTimeout: '10s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { ...retry, maximumAttempts: 5 },
  },
} satisfies Record<string, ActivityOptions>;
const v2 = {
  plan: proxyActivities<Activities>(v2Options.plan).planMaintenance,
  maintain: proxyActivities<Activities>(v2Options.maintain).maintainDeltaTable,
};

/** The failure type a planning error carries (InvalidInput for refusals), for the caller's exit code. */
function failureType(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type ? cause.type : 'MaintenanceFailed';
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '?' : `${(bytes / 1e6).toFixed(1)} MB`);
const arrow = (a: number | undefined, b: number | undefined) => `${a ?? '?'} → ${b ?? '?'}`;

function tableRow(t: TableMaintenanceReport): string {
  const versions = t.versionsCommitted?.length ? `${t.versionsCommitted.map((v) => `${v.version} ${v.operation}`).join(', ')}` : '–';
  const time = t.durationMs === undefined ? '' : `${(t.durationMs / 1000).toFixed(1)} s`;
  const removed = t.filesRemoved === undefined ? '' : `${t.filesRemoved} (${mb(t.bytesRemoved)})`;
  const optimized = t.filesCompacted === undefined ? '' : arrow(t.filesCompacted, t.filesWritten);
  const files = t.filesBefore === undefined ? '' : `${arrow(t.filesBefore, t.filesAfter)} (${mb(t.bytesBefore)} → ${mb(t.bytesAfter)})`;
  return `| ${t.table} | ${t.state} | ${files} | ${optimized} | ${removed} | ${versions} | ${time} | ${(t.error ?? t.notes.join('; ')).replace(/\|/g, '\\|')} |`;
}

/** The UI's current details: one row per table, filled in as tables finish. */
function markdown(report: MaintenanceReport, pending: string[] = []): string {
  return [
    `**Delta maintenance** ${report.environment} · VACUUM RETAIN ${report.retainHours} HOURS · started ${report.asOf} · ${report.status}`,
    '',
    '| table | state | files (bytes) before → after | OPTIMIZE compacted → written | VACUUM removed | versions committed | time | notes |',
    '|---|---|---|---|---|---|---|---|',
    ...report.tables.map(tableRow),
    ...pending.map((table) => `| ${table} | pending | | | | | | |`),
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

  const deltaRs = patched('maintenance-delta-rs');
  const current = deltaRs ? v2 : v1;
  let plan;
  try {
    // Since SIZED_HEARTBEATS_PATCH, planning has a heartbeat timeout too (it heartbeats on a timer).
    plan = deltaRs ? await v2.plan.executeWithOptions(sizedHeartbeat(v2Options.plan), [input]) : await v1.plan(input);
  } catch (error) {
    upsertSearchAttributes([{ key: FlywheelStatus, value: 'failed' }]);
    throw ApplicationFailure.create({ type: failureType(error), nonRetryable: true, message: failureMessage(error) });
  }

  const report: MaintenanceReport = {
    workflowId: info.workflowId,
    environment: input.environment,
    retainHours: plan.retainHours,
    asOf: info.runStartTime.toISOString(),
    status: 'running',
    // Tables that failed their checks fail here, before any job starts; the others go on.
    tables: (plan.refused ?? []).map(({ table, error }) => ({ table, state: 'failed', notes: [], error })),
  };
  const pending = new Set(plan.targets.map((t) => t.name));
  const show = () => setCurrentDetails(markdown(report, [...pending]));
  show();
  // Since SIZED_HEARTBEATS_PATCH, a table's activity uses the plan's heartbeat timeout (10 s locally, 30 s on AWS).
  const { heartbeatTimeoutSeconds } = plan;
  const maintain =
    deltaRs && heartbeatTimeoutSeconds && sizedHeartbeats()
      ? (args: Parameters<typeof v2.maintain>[0]) => v2.maintain.executeWithOptions({ ...v2Options.maintain, heartbeatTimeout: `${heartbeatTimeoutSeconds}s` }, [args])
      : current.maintain;
  const semaphore = new Semaphore(plan.concurrency);
  await Promise.all(
    plan.targets.map((target) =>
      semaphore.run(async (): Promise<void> => {
        let entry: TableMaintenanceReport;
        try {
          const result = await maintain({ target, retainHours: plan.retainHours, asOf: report.asOf });
          entry = { table: target.name, state: 'succeeded', ...result };
        } catch (error) {
          if (deltaRs && isCancellation(error)) throw error; // the workflow was cancelled: end cancelled, not failed
          entry = { table: target.name, state: 'failed', notes: [], error: failureMessage(error) };
        }
        pending.delete(target.name);
        report.tables.push(entry);
        show();
      }),
    ),
  );
  const order = new Map(plan.targets.map((t, i) => [t.name, i]));
  report.tables.sort((a, b) => (order.get(a.table) ?? -1) - (order.get(b.table) ?? -1));
  const failed = report.tables.filter((t) => t.state === 'failed');
  report.status = failed.length > 0 ? 'failed' : 'succeeded';
  upsertSearchAttributes([{ key: FlywheelStatus, value: report.status }]);
  show();
  if (failed.length > 0) {
    throw ApplicationFailure.create({
      type: 'MaintenanceFailed',
      nonRetryable: true,
      message: `${failed.length} of ${report.tables.length} table(s) failed: ${failed.map((t) => `${t.table}: ${t.error}`).join('; ')}`,
      details: [report],
    });
  }
  return report;
}

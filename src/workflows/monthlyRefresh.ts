import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  type ActivityOptions,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { NON_RETRYABLE_ERROR_TYPES } from '../domain/errors.js';
import type { PlannedJob, PlannedTable, RefreshPlan } from '../domain/plan.js';
import type { RunReport } from '../domain/report.js';
import { statusQuery } from './definitions.js';
import { describeIssues, MonthlyRefreshInputSchema, type MonthlyRefreshInput } from './input.js';
import { buildLineageRun, type TableOutputs } from './lineageRun.js';
import { RefreshTracker } from './refreshTracker.js';
import { FlywheelEnvironment, FlywheelSnapshotDt, FlywheelStatus } from './searchAttributes.js';
import { Semaphore } from './semaphore.js';

const retry = { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES };

const { discoverSnapshot, registerStagedTable, validateBucketedTable } = proxyActivities<Activities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '2m',
  retry: { ...retry, maximumAttempts: 5 },
});

// Glue runs take minutes to hours: the job's own timeout bounds them; heartbeats (every poll) prove
// the worker is alive. On cancellation the activity stops the run and the workflow waits for that.
const jobRunOptions: ActivityOptions = {
  startToCloseTimeout: '24h',
  heartbeatTimeout: '2m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 10 },
};
const { runGlueJob } = proxyActivities<Activities>(jobRunOptions);

const { createBucketedTable } = proxyActivities<Activities>({
  startToCloseTimeout: '4h',
  heartbeatTimeout: '2m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...retry, maximumAttempts: 5 },
});

// Lineage must never hold up or fail the data run: few attempts, and failures are only reported.
const { publishLineage } = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  retry: { ...retry, maximumAttempts: 3 },
});

/** The root cause's message of an activity failure, which is what an operator needs to read. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}

function failedTablesOf(error: unknown): { table: string; error: string }[] | null {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'JobRunFailed') return null;
  const detail = cause.details?.[0] as { failedTables?: { table: string; error: string }[] | null } | undefined;
  return detail?.failedTables ?? null;
}

/**
 * The monthly cleanroom refresh: discover → split/bucket jobs (in parallel) → per table register →
 * bucketed CTAS → validate (bounded concurrency) → lineage. Knows nothing about AWS or DuckDB.
 */
export async function monthlyRefresh(rawInput: MonthlyRefreshInput): Promise<RunReport> {
  const parsed = MonthlyRefreshInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid monthlyRefresh input: ${describeIssues(parsed.error)}` });
  }
  const input = parsed.data;
  const info = workflowInfo();
  const tracker = new RefreshTracker(info.workflowId, info.runId, input.environment);
  const outputs = new Map<string, TableOutputs>();
  setHandler(statusQuery, () => tracker.status());
  const publish = () => setCurrentDetails(tracker.markdown());
  upsertSearchAttributes([
    { key: FlywheelEnvironment, value: input.environment },
    { key: FlywheelStatus, value: 'running' },
  ]);

  tracker.beginStage('discover');
  let plan: RefreshPlan;
  try {
    plan = await discoverSnapshot({ environment: input.environment, snapshotDt: input.snapshotDt, tables: input.tables });
  } catch (error) {
    return finish(tracker, `discovery failed: ${failureMessage(error)}`);
  }
  tracker.endStage('discover');
  tracker.snapshotDt = plan.snapshotDt;
  tracker.addTables(plan.tables);
  upsertSearchAttributes([{ key: FlywheelSnapshotDt, value: plan.snapshotDt }]);
  publish();

  const tableSlots = new Semaphore(plan.tableConcurrency);
  const stageInput = (table: PlannedTable) => ({
    table,
    snapshotDt: plan.snapshotDt,
    bucketColumn: plan.bucketColumn,
    bucketCount: plan.bucketCount,
  });

  async function processTable(table: PlannedTable): Promise<void> {
    const out = outputs.get(table.name) ?? {};
    outputs.set(table.name, out);
    try {
      tracker.enter(table.name, 'register');
      publish();
      out.staged = await registerStagedTable(stageInput(table));
      tracker.update(table.name, {
        stagedTable: `${out.staged.database}.${out.staged.tableName}`,
        stagedLocation: out.staged.location,
        stagedFiles: out.staged.files,
        rowsStaged: out.staged.rows,
        rowsSource: out.staged.sourceRows,
      });

      tracker.enter(table.name, 'bucket');
      publish();
      const attempt = tracker.table(table.name).attempts;
      out.bucketed = await createBucketedTable({ ...stageInput(table), requestToken: `${info.runId}:${table.name}:${attempt}` });
      tracker.update(table.name, {
        bucketedTable: `${out.bucketed.database}.${out.bucketed.tableName}`,
        bucketedLocation: out.bucketed.location,
        bucketFiles: out.bucketed.bucketFiles,
        rowsBucketed: out.bucketed.rows,
      });

      tracker.enter(table.name, 'validate');
      publish();
      const checked = await validateBucketedTable(stageInput(table));
      tracker.update(table.name, {
        rowsStaged: checked.stagedRows,
        rowsBucketed: checked.bucketedRows,
        bucketFiles: checked.bucketFiles,
        rowsSource: checked.sourceRows ?? tracker.table(table.name).rowsSource,
      });
      tracker.succeed(table.name);
    } catch (error) {
      tracker.fail(table.name, failureMessage(error));
      log.warn('table failed', { table: table.name, stage: tracker.table(table.name).stage, error: failureMessage(error) });
    }
    publish();
  }

  async function runJobThenTables(job: PlannedJob, tables: PlannedTable[]): Promise<void> {
    for (const t of tables) {
      tracker.startAttempt(t.name);
      tracker.enter(t.name, 'split');
    }
    publish();
    let failed = new Map<string, string>();
    try {
      const attempt = Math.max(...tables.map((t) => tracker.table(t.name).attempts));
      const report = await runGlueJob.executeWithOptions(
        { ...jobRunOptions, summary: `${job.jobName}: ${tables.length} table(s)` },
        [{ job, attempt }],
      );
      tracker.addJob(report);
      for (const t of tables) outputs.set(t.name, { ...outputs.get(t.name), job: { name: job.jobName, runId: report.runId } });
    } catch (error) {
      const perTable = failedTablesOf(error);
      const message = failureMessage(error);
      failed = new Map(perTable ? perTable.map((f) => [f.table, f.error]) : tables.map((t) => [t.name, message]));
    }
    tracker.endStage('split');
    await Promise.all(
      tables.map((t) => {
        if (failed.has(t.name)) {
          tracker.fail(t.name, failed.get(t.name)!);
          return Promise.resolve();
        }
        return tableSlots.run(() => processTable(t));
      }),
    );
  }

  await Promise.all(
    plan.jobs.map((job) => runJobThenTables(job, plan.tables.filter((t) => job.tables.includes(t.name)))),
  );

  tracker.beginStage('lineage');
  try {
    tracker.lineage = await publishLineage(buildLineageRun(plan, tracker, outputs));
  } catch (error) {
    tracker.lineage = { status: 'failed', reason: failureMessage(error) };
  }
  tracker.endStage('lineage');

  const failedTables = tracker.failedTables();
  return finish(
    tracker,
    failedTables.length === 0
      ? undefined
      : `${failedTables.length} of ${plan.tables.length} table(s) failed: ${failedTables.map((t) => `${t.name} at ${t.stage}: ${t.lastError}`).join('; ')}`,
  );
}

/** Final bookkeeping. A failed run fails the workflow (red in the UI) and carries the report as details. */
function finish(tracker: RefreshTracker, error?: string): RunReport {
  tracker.state = error ? 'failed' : 'succeeded';
  tracker.error = error;
  upsertSearchAttributes([{ key: FlywheelStatus, value: tracker.state }]);
  setCurrentDetails(tracker.markdown());
  const report = tracker.report();
  if (error) throw ApplicationFailure.create({ type: 'RefreshFailed', nonRetryable: true, message: error, details: [report] });
  return report;
}

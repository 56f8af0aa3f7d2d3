import { ActivityFailure, ApplicationFailure, patched, setCurrentDetails, upsertMemo, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RefreshPlan } from '../../domain/plan.js';
import type { RunReport } from '../../domain/report.js';
import { discoverSnapshot, publishLineage } from '../activityProxies.js';
import type { MonthlyRefreshInput } from '../input.js';
import { buildLineageRun } from '../lineageRun.js';
import { installRefreshHandlers } from '../refreshHandlers.js';
import { RefreshPipeline, failureMessage } from '../refreshPipeline.js';
import { RefreshTracker, type RunState } from '../refreshTracker.js';
import { reprocessLoop } from '../reprocessLoop.js';
import { RequestRejected, resolveReprocess, type ReprocessRequest, type ReprocessWork } from '../reprocessRequests.js';
import { FlywheelEnvironment, FlywheelSnapshotDt, FlywheelStatus } from '../searchAttributes.js';

/**
 * The refresh as it ran before batching (one workflow does every table): kept so runs started
 * before `patched('flywheel-batched-refresh')` replay and finish on the code they started with.
 * Change nothing here that alters its commands.
 */
export async function monthlyRefreshV1(input: MonthlyRefreshInput): Promise<RunReport> {
  const info = workflowInfo();
  // Runs started before this change keep their old timers on replay; new runs fix the wait's deadline
  // when they park and record rejected signals without waking (and so without restarting) the wait.
  const fixedDeadline = patched('flywheel-fixed-reprocess-deadline');
  const tracker = new RefreshTracker(info.workflowId, info.runId, input.environment);
  let plan: RefreshPlan | undefined;
  const setState = (state: RunState) => {
    tracker.state = state;
    upsertSearchAttributes([{ key: FlywheelStatus, value: state }]);
    setCurrentDetails(tracker.markdown());
  };
  /** Rejects what cannot apply to this run now; used by the update's validator and the queue. */
  const workFor = (request: ReprocessRequest): ReprocessWork => {
    if (tracker.state === 'succeeded' || tracker.state === 'failed') throw new RequestRejected(`the run has already ${tracker.state}`);
    if (!plan) throw new RequestRejected('the run is still discovering its snapshot; try again in a moment');
    return resolveReprocess(request, { snapshotDt: plan.snapshotDt, tables: plan.tables, reports: tracker.tableReports() });
  };
  const control = installRefreshHandlers(tracker, { workFor, rejectWhenParked: fixedDeadline });
  upsertSearchAttributes([
    { key: FlywheelEnvironment, value: input.environment },
    { key: FlywheelStatus, value: 'running' },
  ]);

  tracker.beginStage('discover');
  try {
    plan = await discoverSnapshot({ environment: input.environment, snapshotDt: input.snapshotDt, tables: input.tables });
  } catch (error) {
    // A snapshot or table that does not exist is the caller's mistake (CLI exit 2), not a failed run.
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    const type = cause instanceof ApplicationFailure && cause.type === 'InvalidInput' ? 'InvalidInput' : 'RefreshFailed';
    return finish(tracker, `discovery failed: ${failureMessage(error)}`, type);
  }
  tracker.endStage('discover');
  tracker.snapshotDt = plan.snapshotDt;
  tracker.pricing = plan.pricing;
  tracker.addTables(plan.tables);
  upsertSearchAttributes([{ key: FlywheelSnapshotDt, value: plan.snapshotDt }]);

  const pipeline = new RefreshPipeline(plan, tracker, () => setCurrentDetails(tracker.markdown()));
  await pipeline.run(new Map(plan.tables.map((t) => [t.name, 'split'])));

  const { timedOut } = await reprocessLoop({
    tracker,
    control,
    reprocessWaitSeconds: plan.reprocessWaitSeconds,
    workFor,
    setState,
    runPass: (work) => pipeline.run(work),
    fixedDeadline,
  });
  const abandonedBecause = control.abandonedBecause;

  tracker.beginStage('lineage');
  try {
    tracker.lineage = await publishLineage(buildLineageRun(plan, tracker, pipeline.outputs));
  } catch (error) {
    tracker.lineage = { status: 'failed', reason: failureMessage(error) };
  }
  tracker.endStage('lineage');

  const failed = tracker.failedTables();
  if (failed.length === 0 && !abandonedBecause) return finish(tracker);
  const summary = failed.map((t) => `${t.name} at ${t.stage}: ${t.lastError}`).join('; ');
  const why = abandonedBecause
    ? `abandoned: ${abandonedBecause}`
    : timedOut
      ? `no reprocess request within ${plan.reprocessWaitSeconds}s`
      : 'failed';
  return finish(tracker, `${failed.length} of ${plan.tables.length} table(s) ${why}${summary ? ` — ${summary}` : ''}`);
}

/** Final bookkeeping. A failed run fails the workflow (red in the UI) and carries the report as details. */
function finish(tracker: RefreshTracker, error?: string, type = 'RefreshFailed'): RunReport {
  tracker.state = error ? 'failed' : 'succeeded';
  tracker.error = error;
  upsertSearchAttributes([{ key: FlywheelStatus, value: tracker.state }]);
  setCurrentDetails(tracker.markdown());
  const report = tracker.report();
  // The memo shows in the UI's run list and describe(): what the run cost, without opening it.
  upsertMemo({ cost: report.cost ?? null, tables: report.tables.length, failedTables: tracker.failedTables().length });
  if (error) throw ApplicationFailure.create({ type, nonRetryable: true, message: error, details: [report] });
  return report;
}

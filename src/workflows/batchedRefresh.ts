import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PlanSummary } from '../domain/plan.js';
import type { RunReport } from '../domain/report.js';
import { listSome } from '../domain/summarize.js';
import type { Stage } from '../domain/tables.js';
import { runKeyOf } from '../ports/runManifests.js';
import { lineageOptions, loadTableReports, manifestOptions, planRefreshRun, publishRunLineage, sizedHeartbeat, writeRunReport } from './activityProxies.js';
import { BatchRunner } from './batchRunner.js';
import { batchProgressSignal } from './definitions.js';
import { firstPassHistoryIsLong, firstPassHistoryIsLongV1, parkedHistoryIsLong, type HistoryMark } from './historyBudget.js';
import type { MonthlyRefreshInput } from './input.js';
import { lineageHeader } from './lineageRun.js';
import type { monthlyRefresh } from './monthlyRefresh.js';
import { installRefreshHandlers } from './refreshHandlers.js';
import { failureMessage } from './refreshPipeline.js';
import { isParked, RefreshTracker, type CarriedTracker, type RunState } from './refreshTracker.js';
import { resolveApproval, type AcceptedApproval } from './approvalRequests.js';
import { reprocessLoop } from './reprocessLoop.js';
import { parseReprocessRequest, RequestRejected, resolveReprocess, type ReprocessRequest, type ReprocessWork } from './reprocessRequests.js';
import { failedTablesValue, FlywheelEnvironment, FlywheelFailedTables, FlywheelSnapshotDt, FlywheelStatus } from './searchAttributes.js';
import { fromWorkRanges, toWorkRanges, type WorkRange } from './workRanges.js';

/** Tables listed in the workflow's own result; all of them are in the report in the manifest. */
export const REPORT_TABLES_MAX = 200;
/** Job runs in the workflow's result (the newest; 5,000 tables run 200 jobs, ~50 KB of the result). */
export const REPORT_JOBS_MAX = 50;
/** Tables per activity when a continued run reloads their reports from the manifest. */
const RELOAD_PAGE = 200;

type Continued = NonNullable<MonthlyRefreshInput['continued']>;

/**
 * The refresh since batching: discovery writes the plan to the run's manifest, the tables run as
 * `refreshBatch` children, and this workflow keeps only per-table reports — so its history and
 * payloads stay bounded whatever the table count. A parked run continues as new when its history
 * grows (signals), carrying its state; lineage and the full report are built from the manifest.
 */
export async function batchedRefresh(input: MonthlyRefreshInput): Promise<RunReport> {
  const info = workflowInfo();
  const continued = input.continued as (Continued & { summary: PlanSummary; tracker: CarriedTracker }) | undefined;
  const tracker = new RefreshTracker(info.workflowId, info.runId, input.environment, continued?.tracker);
  let summary: PlanSummary | undefined = continued?.summary;
  let runner: BatchRunner | undefined;

  const live = liveMemo(tracker);
  const onChange = () => {
    setCurrentDetails(tracker.markdown());
    live();
  };
  const setState = (state: RunState) => {
    tracker.state = state;
    upsertSearchAttributes([{ key: FlywheelStatus, value: state }]);
    onChange();
  };
  const workFor = (request: ReprocessRequest): ReprocessWork => {
    if (tracker.state === 'succeeded' || tracker.state === 'failed') throw new RequestRejected(`the run has already ${tracker.state}`);
    if (!summary) throw new RequestRejected('the run is still discovering its snapshot; try again in a moment');
    return resolveReprocess(request, { snapshotDt: summary.snapshotDt, tables: summary.tables, reports: tracker.tableReports() });
  };
  const tablesToApprove = (tables: string[], reason: string): string[] => {
    if (tracker.state === 'succeeded' || tracker.state === 'failed') throw new RequestRejected(`the run has already ${tracker.state}`);
    if (!summary) throw new RequestRejected('the run is still discovering its snapshot: no table is awaiting approval yet');
    return resolveApproval({ tables, reason }, tracker.tableReports());
  };
  let loading = continued !== undefined;
  const control = installRefreshHandlers(tracker, {
    workFor,
    rejectWhenParked: true,
    isReady: () => !loading,
    tablesToApprove: (request) => tablesToApprove(request.tables, request.reason),
  });
  setHandler(batchProgressSignal, (payload) => {
    const refused = runner ? runner.applyProgress(payload) : 'batchProgress while no batch is running';
    if (refused) control.reject('batchProgress', refused);
  });
  upsertSearchAttributes([
    { key: FlywheelEnvironment, value: input.environment },
    { key: FlywheelStatus, value: 'running' },
  ]);

  if (!summary) {
    tracker.beginStage('discover');
    try {
      summary = await planRefreshRun.executeWithOptions(
        { ...sizedHeartbeat(manifestOptions), summary: `discover snapshot for ${input.environment}${input.snapshotDt ? ` (${input.snapshotDt})` : ''}` },
        [{ environment: input.environment, snapshotDt: input.snapshotDt, tables: input.tables, runKey: runKeyOf(info.workflowId, info.runId) }],
      );
    } catch (error) {
      // A snapshot or table that does not exist is the caller's mistake (CLI exit 2), not a failed run.
      const cause = error instanceof ActivityFailure ? error.cause : undefined;
      const type = cause instanceof ApplicationFailure && cause.type === 'InvalidInput' ? 'InvalidInput' : 'RefreshFailed';
      return finish(tracker, live, undefined, `discovery failed: ${failureMessage(error)}`, type);
    }
    tracker.endStage('discover');
  }
  tracker.snapshotDt = summary.snapshotDt;
  tracker.pricing = summary.pricing;
  tracker.addTables(summary.tables);
  upsertSearchAttributes([{ key: FlywheelSnapshotDt, value: summary.snapshotDt }]);
  const plan = summary;
  runner = new BatchRunner(plan, tracker, onChange, continued?.pass ?? 0);

  // Runs begun before this (patch) ran their first pass in one history, however many tables.
  const firstPassContinues = patched('flywheel-first-pass-continue-as-new');
  // Runs begun before this one counted the whole history, reload of the tables' reports included (historyBudget.ts).
  const countsGrowth = firstPassContinues && patched('flywheel-first-pass-grown-bytes');
  const limitBytes = plan.scale.continueAsNewAfterBytes ?? 4_000_000;
  const planNames = plan.tables.map((t) => t.name);
  // Runs begun before this one went by the whole history and the server's suggestion when parked (historyBudget.ts).
  const parkedCountsGrowth = patched('flywheel-parked-history-growth');
  /** Where the history stood once this run's state was ready: a continued run moves it past its reload. */
  let readyAt: HistoryMark = { size: 0, length: 0 };
  const historyIsLong = () => {
    const now = workflowInfo();
    return parkedCountsGrowth
      ? parkedHistoryIsLong(now, readyAt, { events: plan.scale.continueAsNewAfterEvents, bytes: limitBytes })
      : now.continueAsNewSuggested || now.historyLength >= plan.scale.continueAsNewAfterEvents;
  };
  /** The first pass, batch after batch; when the history is big, it goes on in a new run (continue-as-new). */
  const firstPass = async (work: Map<string, Stage>) => {
    const startedAt = workflowInfo().historySize;
    const pauseFirstPass = !firstPassContinues
      ? undefined
      : countsGrowth
        ? () => firstPassHistoryIsLong(workflowInfo(), startedAt, limitBytes)
        : () => firstPassHistoryIsLongV1(workflowInfo(), limitBytes);
    const notStarted = await runner!.run(work, new Map(), pauseFirstPass);
    if (notStarted.size === 0) return;
    const next: Continued = {
      summary: plan as unknown as Record<string, unknown>,
      tracker: tracker.carry() as unknown as Record<string, unknown>,
      pass: runner!.pass,
      requests: control.requests.splice(0),
      ...(control.approvals.length ? { approvals: control.approvals.splice(0) } : {}),
      runs: (continued?.runs ?? 0) + 1,
      // Runs begun before this (patch) carried the table names.
      ...(patched('flywheel-first-pass-ranges')
        ? { firstPassRanges: toWorkRanges(notStarted, planNames) as Continued['firstPassRanges'] }
        : { firstPass: [...notStarted] as Continued['firstPass'] }),
    };
    await continueAsNew<typeof monthlyRefresh>({ environment: input.environment, snapshotDt: input.snapshotDt, tables: input.tables, continued: next });
  };

  if (continued) {
    // The tables' reports live in the manifest, not in the continue-as-new input (which stays small).
    for (let offset = 0; offset < plan.tables.length; offset += RELOAD_PAGE) {
      const page = await loadTableReports.executeWithOptions(
        { ...sizedHeartbeat(manifestOptions, plan), summary: `reload table reports ${offset + 1}–${Math.min(offset + RELOAD_PAGE, plan.tables.length)}` },
        [{ runKey: plan.runKey, offset, limit: RELOAD_PAGE }],
      );
      tracker.putReports(page.tables);
    }
    for (const request of continued.requests) control.requests.push(parseReprocessRequest(request));
    control.approvals.push(...((continued.approvals ?? []) as AcceptedApproval[]));
    loading = false;
    const ready = workflowInfo();
    readyAt = { size: ready.historySize, length: ready.historyLength };
    setCurrentDetails(tracker.markdown());
    const carried = continued.firstPassRanges
      ? fromWorkRanges(continued.firstPassRanges as WorkRange[], planNames)
      : new Map(continued.firstPass as [string, Stage][] | undefined);
    if (carried.size) await firstPass(carried);
  } else {
    await firstPass(new Map(plan.tables.map((t) => [t.name, 'split'])));
  }
  const { timedOut } = await reprocessLoop({
    tracker,
    control,
    reprocessWaitSeconds: plan.reprocessWaitSeconds,
    workFor,
    tablesToApprove,
    setState,
    runPass: async (work, approvals) => {
      await runner!.run(work, approvals);
    },
    fixedDeadline: true,
    deadline: continued?.deadline,
    wakeWhen: historyIsLong,
    whileParked: async (deadline) => {
      if (!historyIsLong()) return;
      const next: Continued = {
        summary: plan as unknown as Record<string, unknown>,
        tracker: tracker.carry() as unknown as Record<string, unknown>,
        pass: runner!.pass,
        deadline,
        requests: control.requests.splice(0),
        ...(control.approvals.length ? { approvals: control.approvals.splice(0) } : {}),
        runs: (continued?.runs ?? 0) + 1,
      };
      await continueAsNew<typeof monthlyRefresh>({ environment: input.environment, snapshotDt: input.snapshotDt, tables: input.tables, continued: next });
    },
  });

  tracker.beginStage('lineage');
  try {
    tracker.lineage = await publishRunLineage.executeWithOptions({ ...sizedHeartbeat(lineageOptions, plan), summary: `lineage → ${plan.lineageSink}` }, [
      { runKey: plan.runKey, header: lineageHeader(tracker, plan.environment, plan.snapshotDt) },
    ]);
  } catch (error) {
    tracker.lineage = { status: 'failed', reason: failureMessage(error) };
  }
  tracker.endStage('lineage');

  const abandonedBecause = control.abandonedBecause;
  // Held tables that were never approved are not published: they fail at the gate, with their violations.
  if (tracker.awaitingApproval().length > 0) {
    tracker.failHeldTables(abandonedBecause ? 'abandoned' : timedOut ? `not approved within ${plan.reprocessWaitSeconds}s` : 'not approved');
  }
  const failed = tracker.failedTables();
  if (failed.length === 0 && !abandonedBecause) return finish(tracker, live, plan);
  const causes = listSome(failed.map((t) => `${t.name} at ${t.stage}: ${t.lastError}`), 5, 600);
  const why = abandonedBecause
    ? `abandoned: ${abandonedBecause}`
    : timedOut
      ? `no reprocess request within ${plan.reprocessWaitSeconds}s`
      : 'failed';
  return finish(tracker, live, plan, `${failed.length} of ${plan.tables.length} table(s) ${why}${causes ? ` — ${causes}` : ''}`);
}

/**
 * Final bookkeeping: the complete report goes to the manifest, the workflow's result lists at most
 * {@link REPORT_TABLES_MAX} tables (failed first) and the newest {@link REPORT_JOBS_MAX} job runs. A failed run fails the workflow with that report as details.
 */
async function finish(tracker: RefreshTracker, live: () => void, plan: PlanSummary | undefined, error?: string, type = 'RefreshFailed'): Promise<RunReport> {
  tracker.state = error ? 'failed' : 'succeeded';
  tracker.error = error;
  upsertSearchAttributes([{ key: FlywheelStatus, value: tracker.state }]);
  setCurrentDetails(tracker.markdown());
  const report: RunReport = { ...tracker.report(REPORT_TABLES_MAX), tableCount: tracker.tableCount };
  if (plan) {
    const { tables: _all, ...header } = report;
    try {
      const written = await writeRunReport.executeWithOptions({ ...sizedHeartbeat(manifestOptions, plan), summary: `write the full report (${tracker.tableCount} tables)` }, [
        { runKey: plan.runKey, report: header },
      ]);
      report.reportLocation = written.location;
    } catch (writeError) {
      report.error = `${report.error ? `${report.error}; ` : ''}the full report could not be written: ${failureMessage(writeError)}`;
    }
  }
  live();
  const result: RunReport = { ...report, jobs: report.jobs.slice(-REPORT_JOBS_MAX) };
  if (error) throw ApplicationFailure.create({ type, nonRetryable: true, message: error, details: [result] });
  return result;
}

/**
 * Keeps the memo (state, failed-table count, cost, deadline: shown in the UI and `describe()`) and
 * the `FlywheelFailedTables` search attribute current while the run runs or is parked. Upserts only
 * when something changed, so the history grows with failures and batches, not with progress.
 */
function liveMemo(tracker: RefreshTracker): () => void {
  let memoKey = '';
  let failedKey = '[]';
  return () => {
    const failed = tracker.failedTables().map((t) => t.name);
    const cost = tracker.cost() ?? null;
    const deadline = isParked(tracker.state) ? (tracker.reprocessDeadline ?? null) : null;
    const memo = { state: tracker.state, tables: tracker.tableCount, failedTables: failed.length, cost, reprocessDeadline: deadline };
    const key = JSON.stringify(memo);
    if (key !== memoKey) {
      memoKey = key;
      upsertMemo(memo);
    }
    const value = failedTablesValue(failed);
    if (JSON.stringify(value) !== failedKey) {
      failedKey = JSON.stringify(value);
      upsertSearchAttributes([{ key: FlywheelFailedTables, value }]);
    }
  };
}

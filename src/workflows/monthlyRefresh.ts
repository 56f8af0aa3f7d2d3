import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  patched,
  setCurrentDetails,
  setDefaultSignalHandler,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RefreshPlan } from '../domain/plan.js';
import type { RunReport } from '../domain/report.js';
import { discoverSnapshot, publishLineage } from './activityProxies.js';
import { abandonSignal, reprocessSignal, reprocessUpdate, statusQuery } from './definitions.js';
import { describeIssues, MonthlyRefreshInputSchema, type MonthlyRefreshInput } from './input.js';
import { buildLineageRun } from './lineageRun.js';
import { RefreshPipeline, failureMessage } from './refreshPipeline.js';
import { RefreshTracker, type RunState } from './refreshTracker.js';
import { unknownSignalReason } from './rejections.js';
import {
  parseAbandonReason,
  parseReprocessRequest,
  RequestRejected,
  resolveReprocess,
  type ReprocessRequest,
  type ReprocessWork,
} from './reprocessRequests.js';
import { FlywheelEnvironment, FlywheelSnapshotDt, FlywheelStatus } from './searchAttributes.js';


/**
 * The monthly cleanroom refresh: discover → split/bucket jobs (in parallel) → per table register →
 * bucketed CTAS → validate (bounded concurrency) → lineage. When tables fail, what succeeded is
 * kept and the run waits in `awaiting-reprocess` for a `reprocess` signal/update or `abandon`.
 * Knows nothing about AWS or DuckDB.
 */
export async function monthlyRefresh(rawInput: MonthlyRefreshInput): Promise<RunReport> {
  const parsed = MonthlyRefreshInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid monthlyRefresh input: ${describeIssues(parsed.error)}` });
  }
  const input = parsed.data;
  const info = workflowInfo();
  // Runs started before this change keep their old timers on replay; new runs fix the wait's deadline
  // when they park and record rejected signals without waking (and so without restarting) the wait.
  const fixedDeadline = patched('flywheel-fixed-reprocess-deadline');
  const tracker = new RefreshTracker(info.workflowId, info.runId, input.environment);
  const requests: ReprocessRequest[] = [];
  let abandonedBecause: string | undefined;
  let plan: RefreshPlan | undefined;

  const reject = (name: string, reason: string) => {
    tracker.rejections.record(name, reason);
    setCurrentDetails(tracker.markdown());
  };
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

  setHandler(statusQuery, () => tracker.status());
  setHandler(reprocessSignal, (payload) => {
    try {
      const request = parseReprocessRequest(payload);
      // While parked, a request that cannot apply is refused at once and never wakes the wait.
      if (fixedDeadline && tracker.state === 'awaiting-reprocess') workFor(request);
      requests.push(request);
    } catch (error) {
      reject('reprocess', (error as Error).message);
    }
  });
  // A typo'd signal name (`reprocesss`, `Reprocess`, `cancel`) is recorded, not silently dropped.
  setDefaultSignalHandler((name) => reject(name, unknownSignalReason(name)));
  setHandler(abandonSignal, (payload) => {
    try {
      abandonedBecause = parseAbandonReason(payload);
    } catch (error) {
      reject('abandon', (error as Error).message);
    }
  });
  setHandler(
    reprocessUpdate,
    (payload) => {
      const request = parseReprocessRequest(payload);
      const work = workFor(request);
      requests.push(request);
      return { accepted: true as const, tables: [...work.keys()], fromStage: request.fromStage ?? 'where each table failed' };
    },
    { validator: (payload) => void workFor(parseReprocessRequest(payload)) },
  );
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

  // Reprocess loop: apply queued requests; with failures left, wait (bounded) for the operator.
  let timedOut = false;
  let deadline: number | undefined;
  for (;;) {
    const work: ReprocessWork = new Map();
    for (const request of requests.splice(0)) {
      try {
        for (const [table, stage] of workFor(request)) work.set(table, stage);
      } catch (error) {
        reject('reprocess', (error as Error).message);
      }
    }
    if (abandonedBecause) break;
    if (work.size > 0) {
      deadline = undefined;
      setState('running');
      await pipeline.run(work);
      continue;
    }
    if (tracker.failedTables().length === 0 || plan.reprocessWaitSeconds === 0) break;
    const waitMs = plan.reprocessWaitSeconds * 1000;
    if (deadline === undefined || !fixedDeadline) deadline = Date.now() + waitMs;
    tracker.reprocessDeadline = new Date(deadline).toISOString();
    setState('awaiting-reprocess');
    const remainingMs = fixedDeadline ? deadline - Date.now() : waitMs;
    if (remainingMs <= 0 || !(await condition(() => requests.length > 0 || abandonedBecause !== undefined, remainingMs))) {
      timedOut = true;
      break;
    }
  }

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

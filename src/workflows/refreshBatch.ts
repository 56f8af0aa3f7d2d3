import { ApplicationFailure, patched, setCurrentDetails, setDefaultSignalHandler, setHandler, workflowInfo } from '@temporalio/workflow';
import { compactReport } from '../domain/qualityResult.js';
import { ADDRESSABLE_TABLE_NAME } from '../domain/tables.js';
import { listSome } from '../domain/summarize.js';
import { manifestOptions, prepareBatch, recordTables, sizedHeartbeat } from './activityProxies.js';
import { RefreshBatchInputSchema, type BatchResult, type RefreshBatchInput } from './batchInput.js';
import { BatchProgressReporter } from './batchProgress.js';
import { statusQuery } from './definitions.js';
import { describeIssues } from './input.js';
import { RefreshPipeline, failureMessage } from './refreshPipeline.js';
import { RefreshTracker } from './refreshTracker.js';

/**
 * One batch of a refresh (a child of `monthlyRefresh`): prepares its tables from the run's manifest
 * (re-listing the sources of tables that restart from split), runs its job(s) restricted to them,
 * then register → check (the quality gate) → bucket → validate per table. Its history and payloads are bounded by the batch
 * size; stage outputs and final reports go to the manifest, the parent gets the reports.
 */
export async function refreshBatch(rawInput: RefreshBatchInput): Promise<BatchResult> {
  const parsed = RefreshBatchInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.create({ type: 'InvalidInput', nonRetryable: true, message: `invalid refreshBatch input: ${describeIssues(parsed.error)}` });
  }
  const input = parsed.data;
  const info = workflowInfo();
  const tracker = new RefreshTracker(info.workflowId, info.runId, input.environment);
  tracker.snapshotDt = input.snapshotDt;
  const parentId = info.parent?.workflowId ?? 'its refresh';
  setHandler(statusQuery, () => tracker.status());
  setDefaultSignalHandler((name) =>
    tracker.rejections.record(name, `this is batch ${input.batch} of ${parentId}: send signals and updates to the refresh itself`),
  );
  const names = input.work.map((w) => w.table);
  // Batches recorded before the quality gate replay without it (no check activity).
  const gate = patched('quality-gate')
    ? { approvals: new Map(input.work.flatMap((w) => (w.approval ? [[w.table, w.approval] as const] : []))) }
    : undefined;
  const reporter = new BatchProgressReporter(tracker, info.workflowId, input.progressSeconds * 1000);
  const onChange = () => {
    setCurrentDetails(tracker.markdown());
    reporter.changed();
  };

  let pipeline: RefreshPipeline | undefined;
  try {
    // The first pass uses discovery's sizes; a reprocess re-lists what may have been re-delivered.
    const rediscover = input.pass > 1 ? input.work.filter((w) => w.from === 'split').map((w) => w.table) : [];
    const prepared = await prepareBatch.executeWithOptions(
      { ...sizedHeartbeat(manifestOptions, input), summary: `prepare batch ${input.batch}/${input.batches}: ${names.length} table(s)${rediscover.length ? `, re-discover ${listSome(rediscover, 3, 128)}` : ''}` },
      [{ runKey: input.runKey, environment: input.environment, snapshotDt: input.snapshotDt, tables: names, rediscover }],
    );
    tracker.addTables(prepared.tables);
    for (const w of input.work) tracker.update(w.table, { attempts: w.attempts });
    pipeline = new RefreshPipeline(
      { ...input, tables: prepared.tables, jobs: prepared.jobs },
      tracker,
      onChange,
      prepared.built,
      gate,
    );
    await pipeline.run(new Map(input.work.map((w) => [w.table, w.from])));
  } catch (error) {
    // Preparing failed (e.g. a re-discovered source is gone): every table of the batch fails with the cause.
    for (const w of input.work) {
      if (!tracker.has(w.table)) tracker.addTables([{ name: w.table, kind: w.table === ADDRESSABLE_TABLE_NAME ? 'addressable' : 'infobase' }]);
      tracker.update(w.table, { attempts: w.attempts + 1, stage: w.from });
      tracker.fail(w.table, `could not prepare the batch: ${failureMessage(error)}`);
    }
  }
  await reporter.stop();
  setCurrentDetails(tracker.markdown());
  const tables = tracker.tableReports();
  await recordTables.executeWithOptions({ ...sizedHeartbeat(manifestOptions, input), summary: `record ${tables.length} table report(s)` }, [
    { runKey: input.runKey, tables: tables.map((report) => ({ report, job: pipeline?.outputs.get(report.name)?.job })) },
  ]);
  // The manifest has every check; the refresh keeps the compact result of each table (bounded state and payloads).
  return { tables: tables.map(compactReport), jobs: tracker.jobRuns(), athena: tracker.athenaUsage(), stages: tracker.stageTimings() };
}

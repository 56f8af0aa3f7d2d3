import { executeChild, workflowInfo } from '@temporalio/workflow';
import { batchesOf, type PlanSummary } from '../domain/plan.js';
import { listSome } from '../domain/summarize.js';
import type { QualityApproval } from '../domain/qualityResult.js';
import type { Stage } from '../domain/tables.js';
import { sizedHeartbeats } from './activityProxies.js';
import { BatchProgressSchema, type RefreshBatchInput } from './batchInput.js';
import { describeIssues } from './input.js';
import { refreshBatch } from './refreshBatch.js';
import { failureMessage } from './refreshPipeline.js';
import type { RefreshTracker } from './refreshTracker.js';
import { FlywheelEnvironment, FlywheelSnapshotDt } from './searchAttributes.js';
import { Semaphore } from './semaphore.js';

/**
 * Runs a refresh's tables as `refreshBatch` children, `scale.batchSize` tables each and
 * `scale.batchConcurrency` at once. The refresh keeps only per-table reports; the children's
 * progress signals keep them live while a batch runs.
 */
export class BatchRunner {
  /** Batch workflow id → its tables, while it runs. */
  private readonly running = new Map<string, Set<string>>();

  constructor(
    private readonly summary: PlanSummary,
    private readonly tracker: RefreshTracker,
    private readonly onChange: () => void,
    /** Passes already run (carried across continue-as-new): child ids stay unique. */
    public pass = 0,
  ) {}

  /** Applies a `batchProgress` signal; returns why it was refused, if it was. */
  applyProgress(payload: unknown): string | undefined {
    const parsed = BatchProgressSchema.safeParse(payload);
    if (!parsed.success) return `malformed batchProgress payload: ${describeIssues(parsed.error)}`;
    const members = this.running.get(parsed.data.batchId);
    if (!members) return `batchProgress from ${parsed.data.batchId}, which is not a running batch of this refresh`;
    for (const p of parsed.data.tables) if (members.has(p.name)) this.tracker.update(p.name, p);
    this.onChange();
    return undefined;
  }

  /**
   * One pass over `work` (table → stage to start from), in plan order; approved tables carry their approval.
   * With `pauseWhen`, batches not yet started when it says so (checked before each batch but the first) are
   * not run: they are returned, for the refresh to run after it continues as new.
   */
  async run(
    work: ReadonlyMap<string, Stage>,
    approvals: ReadonlyMap<string, QualityApproval> = new Map(),
    pauseWhen?: () => boolean,
  ): Promise<Map<string, Stage>> {
    const pass = ++this.pass;
    const entries = this.summary.tables
      .filter((t) => work.has(t.name))
      .map((t) => {
        const approval = approvals.get(t.name);
        return { table: t.name, from: work.get(t.name)!, ...(approval ? { approval } : {}) };
      });
    const batches = batchesOf(entries, this.summary.scale.batchSize);
    const slots = new Semaphore(this.summary.scale.batchConcurrency);
    const notStarted = new Map<string, Stage>();
    let started = 0;
    await Promise.all(
      batches.map((batch, i) =>
        slots.run(async () => {
          if (notStarted.size > 0 || (started > 0 && pauseWhen?.())) {
            for (const w of batch) notStarted.set(w.table, w.from);
            return;
          }
          started += 1;
          await this.runBatch(pass, i + 1, batches.length, batch);
        }),
      ),
    );
    return notStarted;
  }

  private async runBatch(pass: number, batch: number, batches: number, work: { table: string; from: Stage; approval?: QualityApproval }[]): Promise<void> {
    const { summary, tracker } = this;
    const workflowId = `${workflowInfo().workflowId}-pass${pass}-batch${batch}`;
    const names = work.map((w) => w.table);
    const input: RefreshBatchInput = {
      runKey: summary.runKey,
      environment: summary.environment,
      snapshotDt: summary.snapshotDt,
      pass,
      batch,
      batches,
      work: work.map((w) => ({ ...w, attempts: tracker.table(w.table).attempts })),
      bucketColumn: summary.bucketColumn,
      bucketCount: summary.bucketCount,
      tableConcurrency: summary.tableConcurrency,
      progressSeconds: summary.scale.progressSeconds,
      ...(summary.heartbeatTimeoutSeconds && sizedHeartbeats() ? { heartbeatTimeoutSeconds: summary.heartbeatTimeoutSeconds } : {}),
    };
    for (const w of work) tracker.update(w.table, { stage: w.from, state: 'running', lastError: undefined });
    this.running.set(workflowId, new Set(names));
    this.onChange();
    try {
      const result = await executeChild(refreshBatch, {
        workflowId,
        args: [input],
        staticSummary: `Refresh batch ${batch}/${batches} (pass ${pass}) · ${names.length} table(s): ${listSome(names, 3)}`,
        typedSearchAttributes: [
          { key: FlywheelEnvironment, value: summary.environment },
          { key: FlywheelSnapshotDt, value: summary.snapshotDt },
        ],
      });
      tracker.putReports(result.tables);
      for (const job of result.jobs) tracker.addJob(job);
      tracker.addAthenaUsage(result.athena);
      for (const stage of result.stages) tracker.mergeStage(stage);
    } catch (error) {
      // The batch itself failed (terminated, or a bug): its tables fail with the reason and can be reprocessed.
      for (const w of input.work) {
        tracker.update(w.table, { attempts: w.attempts + 1 });
        tracker.fail(w.table, `batch ${workflowId} failed: ${failureMessage(error)}`);
      }
    } finally {
      this.running.delete(workflowId);
      this.onChange();
    }
  }
}

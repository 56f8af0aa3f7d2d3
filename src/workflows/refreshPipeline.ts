import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, log } from '@temporalio/workflow';
import { restrictJob, type PlannedJob, type PlannedTable, type RefreshPlan } from '../domain/plan.js';
import type { QualityApproval } from '../domain/qualityResult.js';
import type { JobRunReport } from '../domain/report.js';
import { STAGES, type Stage } from '../domain/tables.js';
import { listSome } from '../domain/summarize.js';
import {
  bucketOptions,
  checkTableQuality,
  createBucketedTable,
  jobRunOptions,
  registerStagedTable,
  runGlueJob,
  tableStageOptions,
  validateBucketedTable,
  withHeartbeatTimeout,
} from './activityProxies.js';
import type { TableOutputs } from '../lineage/runTables.js';
import type { RefreshTracker } from './refreshTracker.js';
import { Semaphore } from './semaphore.js';

/** The root cause's message of an activity (or child workflow) failure, which is what an operator needs to read. */
export function failureMessage(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  if (error instanceof ChildWorkflowFailure && error.cause) return failureMessage(error.cause);
  return error instanceof Error ? error.message : String(error);
}

interface JobFailureDetail {
  report?: JobRunReport;
  failedTables?: { table: string; error: string }[] | null;
}

/** What a `JobRunFailed` failure carries: the run's report and, when known, which tables failed. */
function jobFailureOf(error: unknown): JobFailureDetail {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'JobRunFailed') return {};
  return (cause.details?.[0] as JobFailureDetail | undefined) ?? {};
}

const at = (stage: Stage) => STAGES.indexOf(stage);

/**
 * Validation's warnings; with the gate, after the gate's (which are already on the table). Without
 * the gate exactly validation's, as runs recorded before it reported them.
 */
function mergeWarnings(earlier: string[] | undefined, validation: string[] | undefined, gated: boolean): string[] | undefined {
  const all = [...(gated ? (earlier ?? []) : []), ...(validation ?? [])];
  return all.length ? [...new Set(all)] : undefined;
}

/** `etl-…-split-and-bucket: 26 tables — IBE_01, IBE_02, IBE_03 and 23 more` (never a name cut in half). */
export function jobSummary(job: PlannedJob): string {
  return `${job.jobName}: ${job.tables.length} table(s) — ${listSome(job.tables, 3, 128)}`;
}

/** What the pipeline needs of a plan: a whole refresh's (before batching) or one batch's. */
export type PipelinePlan = Pick<RefreshPlan, 'snapshotDt' | 'tables' | 'jobs' | 'bucketColumn' | 'bucketCount' | 'tableConcurrency' | 'heartbeatTimeoutSeconds'> & {
  /** The refresh's manifest: stage activities keep their outputs there (batched refreshes). */
  runKey?: string;
};

/** The quality gate of a pipeline (absent in runs recorded before it): tables an operator approved, with the approval. */
export interface QualityGate {
  approvals: ReadonlyMap<string, QualityApproval>;
}

/** Outputs earlier attempts left in the manifest (a batch does not hold them in memory). */
export type BuiltOutputs = Readonly<Record<string, { staged: boolean; bucketed: boolean }>>;

/**
 * Runs tables through split → register → check → bucket → validate. Each job's tables enter the per-table
 * stages as soon as their job is done; a shared semaphore bounds how many tables run at once.
 * Used for the first pass and for every reprocess pass (tables restarting at any stage).
 */
export class RefreshPipeline {
  readonly outputs = new Map<string, TableOutputs>();
  private readonly slots: Semaphore;
  private jobAttempts = 0;

  constructor(
    private readonly plan: PipelinePlan,
    private readonly tracker: RefreshTracker,
    private readonly onChange: () => void,
    private readonly built: BuiltOutputs = {},
    private readonly gate?: QualityGate,
  ) {
    this.slots = new Semaphore(plan.tableConcurrency);
  }

  /** Processes `work` (table → stage to start from) and resolves when every table has finished. */
  async run(work: ReadonlyMap<string, Stage>): Promise<void> {
    const tables = this.plan.tables.filter((t) => work.has(t.name));
    for (const t of tables) this.tracker.startAttempt(t.name);
    const fromSplit = tables.filter((t) => work.get(t.name) === 'split');
    const later = tables.filter((t) => work.get(t.name) !== 'split');
    await Promise.all([
      ...this.plan.jobs.map((job) => {
        const members = fromSplit.filter((t) => job.tables.includes(t.name));
        return members.length ? this.runJobThenTables(restrictJob(job, members), members) : Promise.resolve();
      }),
      ...later.map((t) => this.slots.run(() => this.processTable(t, work.get(t.name)!))),
    ]);
  }

  private async runJobThenTables(job: PlannedJob, tables: PlannedTable[]): Promise<void> {
    for (const t of tables) this.tracker.enter(t.name, 'split');
    this.onChange();
    let failed = new Map<string, string>();
    try {
      const report = await runGlueJob.executeWithOptions(
        { ...withHeartbeatTimeout(jobRunOptions, this.plan), summary: jobSummary(job) },
        [{ job, attempt: ++this.jobAttempts }],
      );
      this.tracker.addJob(report);
      this.tracker.endStage('split');
      for (const t of tables) this.outputFor(t.name).job = { name: job.jobName, runId: report.runId };
    } catch (error) {
      const { report, failedTables: perTable } = jobFailureOf(error);
      if (report) this.tracker.addJob(report);
      this.tracker.endStage('split');
      failed = new Map(perTable ? perTable.map((f) => [f.table, f.error]) : tables.map((t) => [t.name, failureMessage(error)]));
    }
    await Promise.all(
      tables.map((t) => {
        if (!failed.has(t.name)) return this.slots.run(() => this.processTable(t, 'register'));
        this.tracker.fail(t.name, failed.get(t.name)!);
        this.onChange();
        return Promise.resolve();
      }),
    );
  }

  private outputFor(name: string): TableOutputs {
    let out = this.outputs.get(name);
    if (!out) this.outputs.set(name, (out = {}));
    return out;
  }

  private stageInput(table: PlannedTable) {
    const { snapshotDt, bucketColumn, bucketCount, runKey } = this.plan;
    return { table, snapshotDt, bucketColumn, bucketCount, ...(runKey ? { runKey } : {}) };
  }

  /**
   * The quality gate: checks the staged table against the last published snapshot. `fail` holds the
   * table (its staged table is kept, its stable table is not repointed) unless an operator approved
   * it; `warn` continues with the findings as warnings. Returns whether the table may go on.
   */
  private async passesGate(table: PlannedTable): Promise<boolean> {
    const tracker = this.tracker;
    tracker.enter(table.name, 'check');
    this.onChange();
    const quality = await checkTableQuality.executeWithOptions(
      { ...withHeartbeatTimeout(tableStageOptions, this.plan), summary: `check ${table.name} (quality gate)` },
      [this.stageInput(table)],
    );
    tracker.endStage('check');
    tracker.addScan(quality.dataScannedBytes);
    const warnings = quality.checks.filter((c) => c.status === 'warn').map((c) => c.message);
    const approval = this.gate?.approvals.get(table.name);
    tracker.update(table.name, { quality, ...(warnings.length ? { warnings } : {}), ...(approval ? { approval } : {}) });
    if (quality.verdict !== 'fail' || approval) return true;
    tracker.holdAtGate(table.name);
    log.info('table held at the quality gate', { table: table.name, failed: quality.checks.filter((c) => c.status === 'fail').map((c) => c.message) });
    return false;
  }

  /** register → check → bucket → validate, starting at `from` (earlier when what it needs was never built). */
  private async processTable(table: PlannedTable, from: Stage): Promise<void> {
    const out = this.outputFor(table.name);
    const tracker = this.tracker;
    let start = from;
    const built = this.built[table.name];
    if (at(start) > at('register') && !out.staged && !built?.staged) start = 'register';
    if (at(start) > at('bucket') && !out.bucketed && !built?.bucketed) start = 'bucket';
    try {
      if (at(start) <= at('register')) {
        tracker.enter(table.name, 'register');
        this.onChange();
        const producedBy = out.job && { jobName: out.job.name, runId: out.job.runId };
        out.staged = await registerStagedTable.executeWithOptions(
          { ...withHeartbeatTimeout(tableStageOptions, this.plan), summary: `register ${table.name}` },
          [{ ...this.stageInput(table), producedBy }],
        );
        tracker.endStage('register');
        tracker.update(table.name, {
          stagedTable: `${out.staged.database}.${out.staged.tableName}`,
          stagedLocation: out.staged.location,
          stagedFiles: out.staged.files,
          rowsStaged: out.staged.rows,
          rowsSource: out.staged.sourceRows,
        });
      }
      if (this.gate && at(start) <= at('check') && !(await this.passesGate(table))) {
        this.onChange();
        return;
      }
      if (at(start) <= at('bucket')) {
        tracker.enter(table.name, 'bucket');
        this.onChange();
        const requestToken = `${tracker.runId}:${table.name}:${tracker.table(table.name).attempts}`;
        out.bucketed = await createBucketedTable.executeWithOptions(
          { ...withHeartbeatTimeout(bucketOptions, this.plan), summary: `bucket ${table.name} → ${this.plan.bucketCount} buckets (CTAS)` },
          [{ ...this.stageInput(table), requestToken }],
        );
        tracker.endStage('bucket');
        tracker.addScan(out.bucketed.dataScannedBytes);
        tracker.update(table.name, {
          bucketedTable: `${out.bucketed.database}.${out.bucketed.tableName}`,
          bucketedLocation: out.bucketed.location,
          bucketFiles: out.bucketed.bucketFiles,
          rowsBucketed: out.bucketed.rows,
        });
      }
      tracker.enter(table.name, 'validate');
      this.onChange();
      const checked = await validateBucketedTable.executeWithOptions(
        { ...withHeartbeatTimeout(tableStageOptions, this.plan), summary: `validate ${table.name}` },
        [this.stageInput(table)],
      );
      tracker.update(table.name, {
        rowsStaged: checked.stagedRows,
        rowsBucketed: checked.bucketedRows,
        bucketFiles: checked.bucketFiles,
        rowsSource: checked.sourceRows ?? tracker.table(table.name).rowsSource,
        // Absent in results recorded before skew was measured (old histories replay with undefined).
        bucketSkew: checked.bucketSkew,
        warnings: mergeWarnings(tracker.table(table.name).warnings, checked.warnings, this.gate !== undefined),
      });
      tracker.succeed(table.name);
    } catch (error) {
      tracker.fail(table.name, failureMessage(error));
      log.warn('table failed', { table: table.name, stage: tracker.table(table.name).stage, error: failureMessage(error) });
    }
    this.onChange();
  }
}

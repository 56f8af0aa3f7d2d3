import { estimateCost, type Pricing, type RunCost } from '../domain/cost.js';
import type { PlannedTable } from '../domain/plan.js';
import type { JobRunReport, LineageStatus, RunReport, StageTiming, TableReport } from '../domain/report.js';
import { STAGES, type Stage } from '../domain/tables.js';
import { RejectionLog, type RejectedRequest } from './rejections.js';

export type RunState = 'running' | 'awaiting-reprocess' | 'succeeded' | 'failed';

export type { RejectedRequest } from './rejections.js';

/** What the `status` query answers. Stable: the CLI and operators' scripts read it. */
export interface RefreshStatus {
  workflowId: string;
  runId: string;
  environment: string;
  state: RunState;
  snapshotDt?: string;
  stage: Stage;
  tables: TableReport[];
  stages: StageTiming[];
  jobs: JobRunReport[];
  /** The newest rejected signals (at most 20), oldest first; `rejectedSignalCount` counts them all. */
  rejectedSignals: RejectedRequest[];
  rejectedSignalCount: number;
  /** While `awaiting-reprocess`: when the wait ends (fixed when the run parked; signals never extend it). */
  reprocessDeadline?: string;
  lineage: { status: LineageStatus; reason?: string; events?: number };
  cost?: RunCost;
  error?: string;
}

const nowIso = () => new Date().toISOString(); // deterministic inside the workflow sandbox

/**
 * The run's bookkeeping: per-table stage/state/attempts, stage timings and job runs. The workflow
 * calls it as things happen; queries, the Web UI details and the final report all read from it.
 */
export class RefreshTracker {
  readonly startedAt = nowIso();
  private readonly tables = new Map<string, TableReport>();
  private readonly tableStartedAt = new Map<string, number>();
  private readonly stageTimes = new Map<Stage, { start: number; end?: number }>();
  private readonly jobs: JobRunReport[] = [];
  private readonly bytesScanned: number[] = [];
  pricing?: Pricing;
  readonly rejections = new RejectionLog();
  reprocessDeadline?: string;
  state: RunState = 'running';
  stage: Stage = 'discover';
  snapshotDt?: string;
  lineage: RefreshStatus['lineage'] = { status: 'pending' };
  error?: string;

  constructor(
    readonly workflowId: string,
    readonly runId: string,
    readonly environment: string,
  ) {}

  beginStage(stage: Stage): void {
    if (!this.stageTimes.has(stage)) this.stageTimes.set(stage, { start: Date.now() });
    if (STAGES.indexOf(stage) > STAGES.indexOf(this.stage)) this.stage = stage;
  }

  /** Some work of `stage` completed now (the stage ends when its last piece of work does). */
  endStage(stage: Stage): void {
    const timing = this.stageTimes.get(stage);
    if (timing) timing.end = Math.max(timing.end ?? 0, Date.now());
  }

  addTables(planned: PlannedTable[]): void {
    for (const t of planned) {
      this.tables.set(t.name, { name: t.name, kind: t.kind, stage: 'split', state: 'pending', attempts: 0 });
    }
  }

  table(name: string): TableReport {
    const report = this.tables.get(name);
    if (!report) throw new Error(`unknown table ${name}`);
    return report;
  }

  /** A table (re)enters the pipeline: counts an attempt and clears the last error. */
  startAttempt(name: string): void {
    const t = this.table(name);
    t.attempts += 1;
    t.state = 'running';
    delete t.lastError;
    this.tableStartedAt.set(name, Date.now());
  }

  /** The table starts `stage`. A stage's timing spans its first start to its last completion. */
  enter(name: string, stage: Stage): void {
    this.beginStage(stage);
    Object.assign(this.table(name), { stage, state: 'running' });
  }

  /** Records results on the table (rows, files, locations…). */
  update(name: string, fields: Partial<TableReport>): void {
    Object.assign(this.table(name), fields);
  }

  fail(name: string, error: string): void {
    this.finishTable(name, { state: 'failed', lastError: error });
  }

  succeed(name: string): void {
    this.finishTable(name, { state: 'succeeded' });
  }

  private finishTable(name: string, fields: Partial<TableReport>): void {
    const started = this.tableStartedAt.get(name);
    this.update(name, { ...fields, durationMs: started === undefined ? undefined : Date.now() - started });
    this.endStage(this.table(name).stage);
  }

  addJob(job: JobRunReport): void {
    this.jobs.push(job);
  }

  /** An Athena query's scanned bytes, for the cost estimate. */
  addScan(bytes: number | undefined): void {
    if (bytes !== undefined) this.bytesScanned.push(bytes);
  }

  cost(): RunCost | undefined {
    if (!this.pricing) return undefined;
    return estimateCost(this.jobs.map((j) => j.dpuSeconds ?? 0), this.bytesScanned, this.pricing);
  }

  tableReports(): TableReport[] {
    return [...this.tables.values()].map((t) => ({ ...t }));
  }

  failedTables(): TableReport[] {
    return this.tableReports().filter((t) => t.state === 'failed');
  }

  stageTimings(): StageTiming[] {
    return STAGES.filter((s) => this.stageTimes.has(s)).map((stage) => {
      const { start, end } = this.stageTimes.get(stage)!;
      return {
        stage,
        startedAt: new Date(start).toISOString(),
        endedAt: end === undefined ? undefined : new Date(end).toISOString(),
        durationMs: end === undefined ? undefined : end - start,
      };
    });
  }

  status(): RefreshStatus {
    return {
      workflowId: this.workflowId,
      runId: this.runId,
      environment: this.environment,
      state: this.state,
      snapshotDt: this.snapshotDt,
      stage: this.stage,
      tables: this.tableReports(),
      stages: this.stageTimings(),
      jobs: [...this.jobs],
      rejectedSignals: this.rejections.list(),
      rejectedSignalCount: this.rejections.total,
      reprocessDeadline: this.state === 'awaiting-reprocess' ? this.reprocessDeadline : undefined,
      lineage: { ...this.lineage },
      cost: this.cost(),
      error: this.error,
    };
  }

  report(): RunReport {
    const endedAt = nowIso();
    return {
      workflowId: this.workflowId,
      runId: this.runId,
      environment: this.environment,
      status: this.state === 'succeeded' ? 'succeeded' : 'failed',
      snapshotDt: this.snapshotDt ?? '',
      startedAt: this.startedAt,
      endedAt,
      durationMs: Date.parse(endedAt) - Date.parse(this.startedAt),
      tables: this.tableReports(),
      stages: this.stageTimings(),
      jobs: [...this.jobs],
      lineage: { ...this.lineage },
      cost: this.cost(),
      error: this.error,
    };
  }

  /** Markdown progress table for the Web UI's "current details". */
  markdown(): string {
    const lineage = `lineage ${this.lineage.status}${this.lineage.reason ? ` (${this.lineage.reason.slice(0, 80)})` : ''}`;
    const shown = this.rejections.list().slice(-5);
    const rejected = shown.length
      ? `\n\nRejected requests (${this.rejections.total}, newest ${shown.length}):\n${shown.map((r) => `- ${r.receivedAt} ${r.name}: ${r.reason.replaceAll('|', '\\|')}`).join('\n')}`
      : '';
    const header = `**${this.state}** · snapshot ${this.snapshotDt ?? '(discovering)'} · stage ${this.stage} · ${lineage}\n\n`;
    const rows = this.tableReports().map(
      (t) =>
        `| ${t.name} | ${t.stage} | ${t.state} | ${t.attempts} | ${t.rowsBucketed ?? ''} | ${t.bucketFiles ?? ''} | ${(t.lastError ?? '').replaceAll('|', '\\|').slice(0, 120)} |`,
    );
    return `${header}| table | stage | state | attempts | rows | buckets | last error |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}${rejected}`;
  }
}

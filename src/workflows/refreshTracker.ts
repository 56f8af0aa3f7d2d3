import { athenaBilledBytes, costOfUsage, type Pricing, type RunCost, type UsageTotals } from '../domain/cost.js';
import { nextCommands } from '../domain/operatorCommands.js';
import type { JobRunReport, LineageStatus, RunReport, StageTiming, TableReport, TableState } from '../domain/report.js';
import { currentStage, stageProgress, type StageProgress } from '../domain/progress.js';
import { STAGES, type SourceTable, type Stage } from '../domain/tables.js';
import { RejectionLog, type RejectedRequest } from './rejections.js';
import { markdownDetails } from './refreshMarkdown.js';

/** `awaiting-approval`: parked with at least one table held at the quality gate (and maybe failed ones too). */
export type RunState = 'running' | 'awaiting-reprocess' | 'awaiting-approval' | 'succeeded' | 'failed';

/** The run waits for an operator. */
export const isParked = (state: RunState) => state === 'awaiting-reprocess' || state === 'awaiting-approval';

export type { RejectedRequest } from './rejections.js';

/** What the `status` query answers. Stable: the CLI and operators' scripts read it. */
export interface RefreshStatus {
  workflowId: string;
  runId: string;
  environment: string;
  state: RunState;
  snapshotDt?: string;
  /** When the refresh started (its first run, across continue-as-new). */
  startedAt: string;
  /** The least advanced stage of a running table; otherwise the furthest stage reached. */
  stage: Stage;
  /** Tables per state, over all tables. */
  counts: Record<TableState, number>;
  /** `split 26/26 · register 25/26 · …` as data, over all tables. */
  stageProgress: StageProgress[];
  /** Failed tables first; at most {@link STATUS_TABLES_MAX} (`tableCount` counts them all). */
  tables: TableReport[];
  tableCount: number;
  stages: StageTiming[];
  /** The newest {@link JOBS_KEPT} job runs; `jobCount` counts them all. */
  jobs: JobRunReport[];
  jobCount: number;
  /** The newest rejected signals (at most 20), oldest first; `rejectedSignalCount` counts them all. */
  rejectedSignals: RejectedRequest[];
  rejectedSignalCount: number;
  /** While parked (`awaiting-reprocess`/`awaiting-approval`): when the wait ends (fixed when the run parked; signals never extend it). */
  reprocessDeadline?: string;
  /** While parked: what to type next (approve or reprocess via CLI, update, signal; abandon). */
  nextCommands?: string[];
  lineage: { status: LineageStatus; reason?: string; events?: number };
  cost?: RunCost;
  error?: string;
}

/** Bounds that keep the status query, the report and a continue-as-new far below Temporal's payload limits. */
export const STATUS_TABLES_MAX = 500;
export const JOBS_KEPT = 200;

/** What a refresh carries into its next run when it continues as new (its tables are reloaded from the manifest). */
export interface CarriedTracker {
  startedAt: string;
  stages: StageTiming[];
  jobs: JobRunReport[];
  jobCount: number;
  usage: UsageTotals;
  rejections: { recent: RejectedRequest[]; total: number };
  lineage: RefreshStatus['lineage'];
}

const nowIso = () => new Date().toISOString(); // deterministic inside the workflow sandbox

/** Failed tables first, then those held at the quality gate, then running, then the rest, each group in plan order. */
function operatorOrder(tables: TableReport[]): TableReport[] {
  const rank = { failed: 0, 'awaiting-approval': 1, running: 2, pending: 3, succeeded: 4 } as const;
  return tables.map((t, i) => ({ t, i })).sort((a, b) => rank[a.t.state] - rank[b.t.state] || a.i - b.i).map(({ t }) => t);
}

/**
 * The run's bookkeeping: per-table stage/state/attempts, stage timings and job runs. The workflow
 * calls it as things happen; queries, the Web UI details and the final report all read from it.
 */
export class RefreshTracker {
  readonly startedAt: string;
  private readonly tables = new Map<string, TableReport>();
  private readonly tableStartedAt = new Map<string, number>();
  private readonly stageTimes = new Map<Stage, { start: number; end?: number }>();
  private readonly jobs: JobRunReport[] = [];
  private jobCount = 0;
  private readonly usage: UsageTotals = { glueDpuSeconds: 0, athenaBytesScanned: 0, athenaBytesBilled: 0 };
  pricing?: Pricing;
  readonly rejections: RejectionLog;
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
    carried?: CarriedTracker,
  ) {
    this.startedAt = carried?.startedAt ?? nowIso();
    this.rejections = new RejectionLog(carried?.rejections);
    if (carried) {
      for (const s of carried.stages) this.mergeStage(s);
      this.jobs.push(...carried.jobs);
      this.jobCount = carried.jobCount;
      Object.assign(this.usage, carried.usage);
      this.lineage = carried.lineage;
    }
  }

  beginStage(stage: Stage): void {
    if (!this.stageTimes.has(stage)) this.stageTimes.set(stage, { start: Date.now() });
    if (STAGES.indexOf(stage) > STAGES.indexOf(this.stage)) this.stage = stage;
  }

  /** Some work of `stage` completed now (the stage ends when its last piece of work does). */
  endStage(stage: Stage): void {
    const timing = this.stageTimes.get(stage);
    if (timing) timing.end = Math.max(timing.end ?? 0, Date.now());
  }

  /** A stage timing measured elsewhere (a batch): the stage spans the earliest start to the latest end. */
  mergeStage(timing: StageTiming): void {
    if (!timing.startedAt) return;
    const start = Date.parse(timing.startedAt);
    const end = timing.endedAt ? Date.parse(timing.endedAt) : undefined;
    const known = this.stageTimes.get(timing.stage);
    if (!known) this.stageTimes.set(timing.stage, { start, end });
    else {
      known.start = Math.min(known.start, start);
      if (end !== undefined) known.end = Math.max(known.end ?? 0, end);
    }
    if (STAGES.indexOf(timing.stage) > STAGES.indexOf(this.stage)) this.stage = timing.stage;
  }

  addTables(planned: readonly SourceTable[]): void {
    for (const t of planned) {
      this.tables.set(t.name, { name: t.name, kind: t.kind, stage: 'split', state: 'pending', attempts: 0 });
    }
  }

  /** Replaces what is known of tables with reports from elsewhere (a batch's result, a reload). */
  putReports(reports: readonly TableReport[]): void {
    for (const r of reports) this.tables.set(r.name, { ...r });
  }

  has(name: string): boolean {
    return this.tables.has(name);
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

  /** The table failed the quality gate: it keeps what it built and waits for `approve`, `reprocess` or `abandon`. */
  holdAtGate(name: string): void {
    this.finishTable(name, { state: 'awaiting-approval', stage: 'check' });
  }

  /** Tables held at the quality gate. */
  awaitingApproval(): TableReport[] {
    return this.tableReports().filter((t) => t.state === 'awaiting-approval');
  }

  /**
   * The wait ended without an approval (timed out, abandoned): each held table fails at `check`
   * with its violations, so the report says why it was not published.
   */
  failHeldTables(why: string): void {
    for (const t of this.awaitingApproval()) {
      const violations = (t.quality?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.message);
      this.update(t.name, { state: 'failed', lastError: `${why} at the quality gate${violations.length ? `: ${violations.join('; ')}` : ''}` });
    }
  }

  private finishTable(name: string, fields: Partial<TableReport>): void {
    const started = this.tableStartedAt.get(name);
    this.update(name, { ...fields, durationMs: started === undefined ? undefined : Date.now() - started });
    this.endStage(this.table(name).stage);
  }

  addJob(job: JobRunReport): void {
    // A failed run stays in the report, marked as superseded once a later run of that job redoes its tables.
    const redone = new Set(job.tables ?? []);
    for (const earlier of this.jobs) {
      if (earlier.jobKey !== job.jobKey || earlier.state === 'SUCCEEDED' || earlier.supersededBy) continue;
      if ((earlier.tables ?? []).some((t) => redone.has(t))) earlier.supersededBy = job.runId;
    }
    this.jobs.push(job);
    this.jobCount += 1;
    this.usage.glueDpuSeconds += job.dpuSeconds ?? 0;
    if (this.jobs.length > JOBS_KEPT) this.jobs.splice(0, this.jobs.length - JOBS_KEPT);
  }

  /** An Athena query's scanned bytes, for the cost estimate. */
  addScan(bytes: number | undefined): void {
    if (bytes === undefined) return;
    this.usage.athenaBytesScanned += bytes;
    this.usage.athenaBytesBilled += athenaBilledBytes(bytes);
  }

  /** Athena usage measured elsewhere (a batch's queries). */
  addAthenaUsage(usage: Pick<UsageTotals, 'athenaBytesScanned' | 'athenaBytesBilled'>): void {
    this.usage.athenaBytesScanned += usage.athenaBytesScanned;
    this.usage.athenaBytesBilled += usage.athenaBytesBilled;
  }

  athenaUsage(): Pick<UsageTotals, 'athenaBytesScanned' | 'athenaBytesBilled'> {
    return { athenaBytesScanned: this.usage.athenaBytesScanned, athenaBytesBilled: this.usage.athenaBytesBilled };
  }

  /** The newest job runs (at most {@link JOBS_KEPT}). */
  jobRuns(): JobRunReport[] {
    return [...this.jobs];
  }

  cost(): RunCost | undefined {
    return this.pricing ? costOfUsage(this.usage, this.pricing) : undefined;
  }

  tableReports(): TableReport[] {
    return [...this.tables.values()].map((t) => ({ ...t }));
  }

  get tableCount(): number {
    return this.tables.size;
  }

  failedTables(): TableReport[] {
    return this.tableReports().filter((t) => t.state === 'failed');
  }

  /** The stage the run is at for people: the least advanced running table's, else the furthest reached. */
  currentStage(): Stage {
    return currentStage(this.tableReports(), this.stage);
  }

  /** Tables in the order an operator reads them (failed first), at most `max`. */
  tablesForOperators(max = Number.POSITIVE_INFINITY): TableReport[] {
    return operatorOrder(this.tableReports()).slice(0, max);
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
    const all = this.tableReports();
    const counts: Record<TableState, number> = { failed: 0, 'awaiting-approval': 0, running: 0, pending: 0, succeeded: 0 };
    for (const t of all) counts[t.state] += 1;
    const parked = isParked(this.state);
    return {
      workflowId: this.workflowId,
      runId: this.runId,
      environment: this.environment,
      state: this.state,
      snapshotDt: this.snapshotDt,
      startedAt: this.startedAt,
      stage: currentStage(all, this.stage),
      counts,
      stageProgress: stageProgress(all),
      tables: this.tablesForOperators(STATUS_TABLES_MAX),
      tableCount: this.tables.size,
      stages: this.stageTimings(),
      jobs: [...this.jobs],
      jobCount: this.jobCount,
      rejectedSignals: this.rejections.list(),
      rejectedSignalCount: this.rejections.total,
      reprocessDeadline: parked ? this.reprocessDeadline : undefined,
      nextCommands: parked
        ? nextCommands({
            workflowId: this.workflowId,
            snapshotDt: this.snapshotDt,
            failedTables: all.filter((t) => t.state === 'failed').map((t) => t.name),
            awaitingApproval: all.filter((t) => t.state === 'awaiting-approval').map((t) => t.name),
          })
        : undefined,
      lineage: { ...this.lineage },
      cost: this.cost(),
      error: this.error,
    };
  }

  /** The run report; with `maxTables`, failed tables first and at most that many (the rest are in the manifest). */
  report(maxTables?: number): RunReport {
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
      tables: maxTables === undefined ? this.tableReports() : this.tablesForOperators(maxTables),
      stages: this.stageTimings(),
      jobs: [...this.jobs],
      jobCount: this.jobCount,
      lineage: { ...this.lineage },
      cost: this.cost(),
      error: this.error,
    };
  }

  carry(): CarriedTracker {
    return {
      startedAt: this.startedAt,
      stages: this.stageTimings(),
      jobs: [...this.jobs],
      jobCount: this.jobCount,
      usage: { ...this.usage },
      rejections: { recent: this.rejections.list(), total: this.rejections.total },
      lineage: { ...this.lineage },
    };
  }

  /** Markdown for the Web UI's "current details" (bounded whatever the table count). */
  markdown(): string {
    return markdownDetails(this);
  }
}

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { JobRunner, JobRunStatus, StartJobRunRequest } from '../../ports/jobRunner.js';
import type { DuckEngine } from './duck.js';
import { parseJobArguments, type SplitJobPlan } from './jobArgs.js';
import { isOrphaned, isTerminal, JobRecordStore, type JobRunRecord } from './jobRecords.js';
import type { LakePaths } from './paths.js';
import { splitTable } from './splitTable.js';

interface LiveRun {
  owner: LocalJobRunner;
  record: JobRunRecord;
  controller: AbortController;
  done: Promise<void>;
  /** Saves of this run, chained so the file always ends with the latest state. */
  saving: Promise<void>;
  /** Set once the end state is decided: a late stop request must not overwrite it. */
  finishing: boolean;
}

/**
 * Saves the run (chained, so the file always ends with the latest state). A `patch` is applied to the
 * in-memory record only once it is on disk: pollers never see a final state the file does not have.
 */
function persist(store: JobRecordStore, live: LiveRun, patch?: Partial<JobRunRecord>): Promise<void> {
  const snapshot = structuredClone({ ...live.record, ...patch, heartbeatAt: new Date().toISOString() });
  live.saving = live.saving
    .then(() => store.save(snapshot))
    .catch(() => {})
    .then(() => void Object.assign(live.record, patch, { heartbeatAt: snapshot.heartbeatAt }));
  return live.saving;
}

/** Runs executing in this process, across backend instances (a re-created backend still sees them). */
const liveRuns = new Map<string, LiveRun>();
const liveKey = (jobName: string, runId: string) => `${jobName}/${runId}`;
const HEARTBEAT_MS = 5_000;

/** Glue-style run ids: `jr_` + a sortable timestamp + randomness. */
function newRunId(): string {
  return `jr_${Date.now().toString(36).padStart(9, '0')}_${randomBytes(12).toString('hex')}`;
}

/**
 * Glue's start/poll/stop contract, run in-process: `startJobRun` returns at once and the split work
 * continues asynchronously (DuckDB queries do not block the event loop). Records live on disk so a
 * run can be found by tag and read back after a restart.
 */
export class LocalJobRunner implements JobRunner {
  private readonly store: JobRecordStore;

  constructor(
    private readonly config: FlywheelConfig,
    home: string,
    private readonly paths: LakePaths,
    private readonly engine: DuckEngine,
  ) {
    this.store = new JobRecordStore(home);
  }

  async startJobRun(request: StartJobRunRequest): Promise<{ runId: string }> {
    const plan = parseJobArguments(request.jobKey, request.arguments, this.config);
    const runId = newRunId();
    const now = new Date().toISOString();
    const record: JobRunRecord = {
      runId,
      jobName: request.jobName,
      jobKey: request.jobKey,
      state: 'STARTING',
      arguments: { ...this.config.jobs.arguments, ...request.arguments, '--FLYWHEEL_RUN_TAG': request.runTag },
      runTag: request.runTag,
      host: os.hostname(),
      pid: process.pid,
      startedAt: now,
      heartbeatAt: now,
      logFile: this.store.logPath(request.jobName, runId),
      tables: plan.tables.map(({ table, fileCount }) => ({ table: table.name, state: 'PENDING', fileCount })),
    };
    await this.store.save(record);
    await this.store.log(record.jobName, runId, `STARTING ${record.jobKey} tag=${record.runTag} args=${JSON.stringify(record.arguments)}`);
    const controller = new AbortController();
    const live: LiveRun = { owner: this, record, controller, done: Promise.resolve(), saving: Promise.resolve(), finishing: false };
    liveRuns.set(liveKey(record.jobName, runId), live);
    live.done = this.execute(live, plan).finally(() => liveRuns.delete(liveKey(record.jobName, runId)));
    return { runId };
  }

  async findRunByTag(jobName: string, runTag: string): Promise<string | undefined> {
    return (await this.store.list(jobName)).find((r) => r.runTag === runTag)?.runId;
  }

  async getJobRun(jobName: string, runId: string): Promise<JobRunStatus> {
    const live = liveRuns.get(liveKey(jobName, runId));
    let record = live?.record ?? (await this.store.load(jobName, runId));
    if (!record) throw new InvalidInputError(`job run ${runId} of ${jobName} not found`);
    if (isOrphaned(record, Boolean(live))) record = await this.markOrphaned(record);
    return toStatus(record);
  }

  async stopJobRun(jobName: string, runId: string): Promise<void> {
    const live = liveRuns.get(liveKey(jobName, runId));
    if (!live) {
      const record = await this.store.load(jobName, runId);
      if (!record) throw new InvalidInputError(`job run ${runId} of ${jobName} not found`);
      if (isOrphaned(record, false)) await this.markOrphaned(record);
      return; // terminal already, or owned by another live process (Glue would stop it; we cannot)
    }
    if (live.finishing || isTerminal(live.record.state) || live.record.state === 'STOPPING') return;
    live.record.state = 'STOPPING';
    live.controller.abort(new Error(`job run ${runId} stopped on request`));
    await persist(this.store, live);
    await this.store.log(jobName, runId, 'STOPPING on request');
  }

  /** On close: stops this runner's runs (its engine is going away) and waits until they have ended. */
  async shutdown(): Promise<void> {
    const mine = [...liveRuns.values()].filter((run) => run.owner === this);
    for (const run of mine) run.controller.abort(new Error('local backend closed'));
    await Promise.allSettled(mine.map((run) => run.done));
  }

  private async markOrphaned(record: JobRunRecord): Promise<JobRunRecord> {
    const failed: JobRunRecord = {
      ...record,
      state: 'FAILED',
      completedAt: new Date().toISOString(),
      errorMessage: `worker restarted mid-run: run ${record.runId} was ${record.state} in process ${record.pid} on ${record.host}, which no longer runs it`,
      tables: record.tables.map((t) => (t.state === 'SUCCEEDED' ? t : { ...t, state: 'FAILED', error: t.error ?? 'worker restarted mid-run' })),
    };
    await this.store.save(failed);
    return failed;
  }

  private async execute(live: LiveRun, plan: SplitJobPlan): Promise<void> {
    const { record, controller } = live;
    const heartbeat = setInterval(() => void persist(this.store, live), HEARTBEAT_MS);
    heartbeat.unref();
    let final: Partial<JobRunRecord>;
    try {
      await new Promise((resolve) => setImmediate(resolve)); // hand back the run id before any work
      if (!controller.signal.aborted) {
        record.state = 'RUNNING';
        await persist(this.store, live);
        await this.runTables(live, plan);
      }
      final = finalState(record, controller.signal.aborted);
    } catch (error) {
      final = { state: 'FAILED', errorMessage: `local job crashed: ${(error as Error).message}` };
    } finally {
      clearInterval(heartbeat);
      live.finishing = true;
    }
    const completedAt = new Date().toISOString();
    const executionTimeSeconds = (Date.parse(completedAt) - Date.parse(record.startedAt)) / 1000;
    await persist(this.store, live, { ...final, completedAt, executionTimeSeconds });
    await this.store.log(record.jobName, record.runId, `${record.state}${record.errorMessage ? `: ${record.errorMessage}` : ''}`);
  }

  /** One table after the other (DuckDB already uses every thread); a failed table does not stop the rest. */
  private async runTables(live: LiveRun, plan: SplitJobPlan): Promise<void> {
    const { record, controller } = live;
    const log = (line: string) => this.store.log(record.jobName, record.runId, line);
    for (const [index, { table, fileCount }] of plan.tables.entries()) {
      if (controller.signal.aborted) return;
      const result = record.tables[index]!;
      const began = Date.now();
      result.state = 'RUNNING';
      await persist(this.store, live);
      await log(`table ${table.name}: splitting into ${fileCount} file(s)`);
      try {
        const split = await splitTable(
          this.engine,
          this.paths,
          { table, snapshotDt: plan.snapshotDt, fileCount, keyColumn: this.config.bucketing.column },
          controller.signal,
        );
        Object.assign(result, split, { state: 'SUCCEEDED' });
        await log(`table ${table.name}: ${split.stagedRows} rows into ${split.stagedFiles} file(s)`);
      } catch (error) {
        result.state = controller.signal.aborted ? 'STOPPED' : 'FAILED';
        result.error = (error as Error).message ?? String(error);
        await log(`table ${table.name}: ${result.state}: ${result.error}`);
      }
      result.durationMs = Date.now() - began;
      await persist(this.store, live);
    }
  }
}

/** The run's end state from its tables: STOPPED if aborted, FAILED if any table failed, else SUCCEEDED. */
function finalState(record: JobRunRecord, aborted: boolean): Partial<JobRunRecord> {
  if (aborted) {
    const tables = record.tables.map((t) => (t.state === 'PENDING' || t.state === 'RUNNING' ? { ...t, state: 'STOPPED' as const } : t));
    return { state: 'STOPPED', errorMessage: 'stopped on request', tables };
  }
  const failed = record.tables.filter((t) => t.state === 'FAILED');
  if (failed.length === 0) return { state: 'SUCCEEDED' };
  const reasons = failed.map((t) => t.error).join('; ');
  return { state: 'FAILED', errorMessage: `${failed.length} of ${record.tables.length} table(s) failed: ${reasons}` };
}

function toStatus(record: JobRunRecord): JobRunStatus {
  const end = record.completedAt ? Date.parse(record.completedAt) : Date.now();
  const failedTables = record.tables
    .filter((t) => t.state === 'FAILED')
    .map((t) => ({ table: t.table, error: t.error ?? 'failed' }));
  return {
    runId: record.runId,
    state: record.state,
    errorMessage: record.errorMessage,
    executionTimeSeconds: record.executionTimeSeconds ?? (end - Date.parse(record.startedAt)) / 1000,
    logUrl: record.logFile,
    failedTables: record.state === 'FAILED' ? failedTables : undefined,
  };
}

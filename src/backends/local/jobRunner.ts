import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { JobRunner, JobRunStatus, StartJobRunRequest } from '../../ports/jobRunner.js';
import { parseJobArguments } from './jobArgs.js';
import { jobProcessOwner, launchJobProcess, signalStop } from './jobProcess.js';
import { ended, isTerminal, JobRecordStore, type JobProcessClaim, type JobRunRecord } from './jobRecords.js';

/** Job processes that may die before a run gives up (Glue's MaxRetries, but the same run id). */
export const MAX_JOB_ATTEMPTS = 3;

/** Glue-style run ids: `jr_` + a sortable timestamp + randomness. */
function newRunId(): string {
  return `jr_${Date.now().toString(36).padStart(9, '0')}_${randomBytes(12).toString('hex')}`;
}

/**
 * Glue's start/poll/stop contract over local job processes. `startJobRun` records the run on disk and
 * spawns a detached job process that owns it (jobProcess.ts), so a run outlives the worker that
 * started it, exactly as a Glue run does: a restarted worker finds it by tag or id and polls on.
 * Whoever polls also supervises: a run whose job process died is taken over by a new job process
 * under the same run id (up to MAX_JOB_ATTEMPTS), which finishes the tables not yet done.
 */
export class LocalJobRunner implements JobRunner {
  private readonly store: JobRecordStore;

  constructor(
    private readonly config: FlywheelConfig,
    home: string,
  ) {
    this.store = new JobRecordStore(home);
  }

  async startJobRun(request: StartJobRunRequest): Promise<{ runId: string }> {
    const plan = parseJobArguments(request.jobKey, request.arguments, this.config); // refuse bad arguments up front
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
      attempt: 1,
      startedAt: now,
      heartbeatAt: now,
      logFile: this.store.logPath(request.jobName, runId),
      tables: plan.tables.map(({ table, fileCount }) => ({ table: table.name, state: 'PENDING', fileCount })),
    };
    await this.store.saveConfig(record.jobName, runId, this.config);
    await this.store.save(record);
    await this.store.log(record.jobName, runId, `STARTING ${record.jobKey} tag=${record.runTag} args=${JSON.stringify(record.arguments)}`);
    await launchJobProcess(this.store, record, 1);
    return { runId };
  }

  async findRunByTag(jobName: string, runTag: string): Promise<string | undefined> {
    return (await this.store.list(jobName)).find((r) => r.runTag === runTag)?.runId;
  }

  async getJobRun(jobName: string, runId: string): Promise<JobRunStatus> {
    let record = await this.load(jobName, runId);
    if (isTerminal(record.state)) return toStatus(record);
    const owner = await jobProcessOwner(this.store, record);
    if (owner.alive) return toStatus(record, await this.store.stopRequested(jobName, runId));
    // Read again after the verdict: the process may have written its end state just before exiting.
    record = await this.load(jobName, runId);
    if (isTerminal(record.state)) return toStatus(record);
    return toStatus(await this.takeOver(record, owner.claim));
  }

  async stopJobRun(jobName: string, runId: string): Promise<void> {
    const record = await this.load(jobName, runId);
    if (isTerminal(record.state)) return;
    await this.store.requestStop(jobName, runId);
    await this.store.log(jobName, runId, 'STOPPING on request');
    const owner = await jobProcessOwner(this.store, record);
    if (owner.alive) signalStop(owner.claim);
    else await this.getJobRun(jobName, runId); // nobody runs it: settles it as STOPPED now
  }

  private async load(jobName: string, runId: string): Promise<JobRunRecord> {
    const record = await this.store.load(jobName, runId);
    if (!record) throw new InvalidInputError(`job run ${runId} of ${jobName} not found`);
    return record;
  }

  /** The run's job process died: stop it for good if asked to, give up after too many deaths, else replace it. */
  private async takeOver(record: JobRunRecord, dead: JobProcessClaim): Promise<JobRunRecord> {
    const { jobName, runId } = record;
    const who = `job process ${dead.pid ?? '(never started)'} of attempt ${dead.attempt}`;
    if (await this.store.stopRequested(jobName, runId)) {
      const stopped = ended(record, {
        state: 'STOPPED',
        errorMessage: 'stopped on request',
        tables: record.tables.map((t) => (t.state === 'PENDING' || t.state === 'RUNNING' ? { ...t, state: 'STOPPED' } : t)),
      });
      await this.store.finish(stopped);
      return stopped;
    }
    if (dead.attempt >= MAX_JOB_ATTEMPTS) {
      const failed = ended(record, {
        state: 'FAILED',
        errorMessage: `${who} died, the ${MAX_JOB_ATTEMPTS}th to die without finishing the run; see ${record.logFile}`,
        tables: record.tables.map((t) => (t.state === 'SUCCEEDED' || t.state === 'FAILED' ? t : { ...t, state: 'FAILED', error: `job process died ${MAX_JOB_ATTEMPTS} times` })),
      });
      await this.store.finish(failed);
      await this.store.log(jobName, runId, `FAILED: ${failed.errorMessage}`);
      return failed;
    }
    // A run recorded before job processes existed has no config of its own: it is this environment's.
    await this.store.loadConfig(jobName, runId).catch(() => this.store.saveConfig(jobName, runId, this.config));
    if (await launchJobProcess(this.store, record, dead.attempt + 1)) {
      await this.store.log(jobName, runId, `${who} died; attempt ${dead.attempt + 1} takes the run over`);
    }
    return record;
  }
}

function toStatus(record: JobRunRecord, stopping = false): JobRunStatus {
  const end = record.completedAt ? Date.parse(record.completedAt) : Date.now();
  const failedTables = record.tables
    .filter((t) => t.state === 'FAILED')
    .map((t) => ({ table: t.table, error: t.error ?? 'failed' }));
  return {
    runId: record.runId,
    state: stopping && !isTerminal(record.state) ? 'STOPPING' : record.state,
    errorMessage: record.errorMessage,
    executionTimeSeconds: record.executionTimeSeconds ?? (end - Date.parse(record.startedAt)) / 1000,
    logUrl: record.logFile,
    failedTables: record.state === 'FAILED' ? failedTables : undefined,
  };
}

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../../domain/errors.js';
import type { JobRunner, JobRunStatus, StartJobRunRequest } from '../../ports/jobRunner.js';
import { isMissing, writeJsonAtomic } from './files.js';

/** One run of a job script, persisted under `<home>/jobs/<jobName>/<runId>.json` (log: `.log` beside it). */
interface ProcessRunRecord {
  runId: string;
  jobName: string;
  runTag: string;
  arguments: Record<string, string>;
  host: string;
  pid: number;
  state: 'RUNNING' | 'STOPPING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';
  stopRequested?: boolean;
  startedAt: string;
  completedAt?: string;
  errorMessage?: string;
  logFile: string;
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const RUN_ID = /^jr_[A-Za-z0-9_]+$/;
const STOP_GRACE_MS = 10_000;
const isTerminal = (state: ProcessRunRecord['state']) => state === 'SUCCEEDED' || state === 'FAILED' || state === 'STOPPED';

/** Whether process `pid` still runs run `runId` (its command line names the run: a reused pid does not count). */
async function runsRun(pid: number, runId: string): Promise<boolean> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(runId);
  } catch (error) {
    if (isMissing(error)) return false;
    try {
      process.kill(pid, 0); // no /proc (macOS): the pid alone must do
      return true;
    } catch {
      return false;
    }
  }
}

/** `{"status": "SUCCEEDED" | "FAILED", "error"?}` the script wrote to `--RESULT_URI`, if any. */
async function readOutcome(resultUri: string | undefined): Promise<{ status?: string; error?: string } | undefined> {
  if (!resultUri) return undefined;
  try {
    return JSON.parse(await fs.readFile(resultUri.replace(/^file:\/\//, ''), 'utf8')) as { status?: string; error?: string };
  } catch (error) {
    if (isMissing(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * Glue's start/poll/stop contract for a job *script* run as its own process (jobs/delta_maintenance.py),
 * with the script's Glue arguments. The process is detached, like a Glue run from the worker: a worker that
 * crashes leaves it running, and the retried activity finds it again by run tag (`findRunByTag`) and polls
 * it to the end. The run's end state is what the script wrote to `--RESULT_URI` (so it is known even when
 * the worker that started it is gone); a process that ended without a result FAILED, or STOPPED if a stop
 * was asked. Stop = SIGTERM (+ SIGCONT) to the process group, SIGKILL after a grace period. Records are per host: a run
 * started on another host is reported from its result file only.
 */
export class ProcessJobRunner implements JobRunner {
  constructor(
    private readonly home: string,
    private readonly script: string,
    private readonly interpreter: () => Promise<string>,
  ) {}

  private recordPath(jobName: string, runId: string): string {
    if (!JOB_NAME.test(jobName)) throw new InvalidInputError(`invalid job name ${JSON.stringify(jobName)}`);
    if (!RUN_ID.test(runId)) throw new InvalidInputError(`invalid job run id ${JSON.stringify(runId)}`);
    return path.join(this.home, 'jobs', jobName, `${runId}.json`);
  }

  private async load(jobName: string, runId: string): Promise<ProcessRunRecord | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.recordPath(jobName, runId), 'utf8')) as ProcessRunRecord;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private save(record: ProcessRunRecord): Promise<void> {
    return writeJsonAtomic(this.recordPath(record.jobName, record.runId), record);
  }

  async startJobRun(request: StartJobRunRequest): Promise<{ runId: string }> {
    const python = await this.interpreter();
    const runId = `jr_${Date.now().toString(36).padStart(9, '0')}_${randomBytes(12).toString('hex')}`;
    const file = this.recordPath(request.jobName, runId);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const logFile = file.replace(/\.json$/, '.log');
    const args = { ...request.arguments, '--FLYWHEEL_RUN_TAG': request.runTag, '--FLYWHEEL_LOCAL_RUN_ID': runId };
    const log = openSync(logFile, 'a');
    let pid: number | undefined;
    try {
      const child = spawn(python, [this.script, ...Object.entries(args).flat()], { detached: true, stdio: ['ignore', log, log], cwd: this.home });
      pid = child.pid;
      if (pid === undefined) throw new Error(`could not start ${python} ${this.script}`);
      child.once('exit', () => void this.refresh(request.jobName, runId).catch(() => {}));
      child.unref(); // the run outlives this process if it must, as a Glue run outlives its worker
    } finally {
      closeSync(log);
    }
    const now = new Date().toISOString();
    await this.save({ runId, jobName: request.jobName, runTag: request.runTag, arguments: args, host: os.hostname(), pid, state: 'RUNNING', startedAt: now, logFile });
    return { runId };
  }

  async findRunByTag(jobName: string, runTag: string): Promise<string | undefined> {
    const dir = path.dirname(this.recordPath(jobName, 'jr_x'));
    const names = await fs.readdir(dir).catch((error: unknown) => (isMissing(error) ? [] : Promise.reject(error)));
    const records = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.load(jobName, n.slice(0, -5)).catch(() => undefined)));
    const mine = records.filter((r): r is ProcessRunRecord => r?.runTag === runTag).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return mine[0]?.runId;
  }

  async getJobRun(jobName: string, runId: string): Promise<JobRunStatus> {
    const record = await this.refresh(jobName, runId);
    const end = record.completedAt ? Date.parse(record.completedAt) : Date.now();
    return {
      runId,
      state: record.state,
      errorMessage: record.errorMessage,
      executionTimeSeconds: (end - Date.parse(record.startedAt)) / 1000,
      logUrl: record.logFile,
    };
  }

  async stopJobRun(jobName: string, runId: string): Promise<void> {
    const record = await this.refresh(jobName, runId);
    if (isTerminal(record.state) || record.host !== os.hostname()) return;
    await this.save({ ...record, state: 'STOPPING', stopRequested: true });
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-record.pid, name); // the whole process group: the script and anything it started
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    signal('SIGCONT'); // a suspended process (Ctrl-Z, SIGSTOP) must run to act on the TERM
    setTimeout(() => void runsRun(record.pid, runId).then((alive) => alive && signal('SIGKILL')), STOP_GRACE_MS).unref();
  }

  /** The record with its end state settled once the process is gone (idempotent; a terminal state is final). */
  private async refresh(jobName: string, runId: string): Promise<ProcessRunRecord> {
    const record = await this.load(jobName, runId);
    if (!record) throw new InvalidInputError(`job run ${runId} of ${jobName} not found`);
    if (isTerminal(record.state)) return record;
    const sameHost = record.host === os.hostname();
    if (sameHost && (await runsRun(record.pid, runId))) return record;
    const outcome = await readOutcome(record.arguments['--RESULT_URI']);
    if (!outcome && !sameHost) return record; // cannot see that host's processes: wait for its result
    const settled: ProcessRunRecord = { ...record, completedAt: new Date().toISOString() };
    if (outcome?.status === 'SUCCEEDED') settled.state = 'SUCCEEDED';
    else if (outcome?.status === 'FAILED') Object.assign(settled, { state: 'FAILED', errorMessage: outcome.error ?? 'the job failed' });
    else if (record.stopRequested) Object.assign(settled, { state: 'STOPPED', errorMessage: 'stopped on request' });
    else Object.assign(settled, { state: 'FAILED', errorMessage: `process ${record.pid} ended without writing a result (killed?); see ${record.logFile}` });
    const latest = await this.load(jobName, runId);
    if (latest && isTerminal(latest.state)) return latest;
    await this.save(settled);
    return settled;
  }
}

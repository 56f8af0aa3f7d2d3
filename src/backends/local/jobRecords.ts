import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../../domain/errors.js';
import type { JobKey } from '../../domain/jobRuns.js';
import { isMissing, writeJsonAtomic } from './files.js';

export type TableRunState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';

export interface TableRunResult {
  table: string;
  state: TableRunState;
  fileCount: number;
  stagedFiles?: number;
  stagedRows?: number;
  sourceRows?: number;
  sourceFiles?: number;
  error?: string;
  durationMs?: number;
}

/** Everything about one local job run; persisted so another process (or a restarted worker) can read it. */
export interface JobRunRecord {
  runId: string;
  jobName: string;
  jobKey: JobKey;
  state: string;
  arguments: Record<string, string>;
  runTag: string;
  /** Who runs it: lets a reader tell a live run from one whose worker died. */
  host: string;
  pid: number;
  startedAt: string;
  /** Refreshed periodically by the owning process while the run is active. */
  heartbeatAt: string;
  completedAt?: string;
  executionTimeSeconds?: number;
  errorMessage?: string;
  logFile: string;
  tables: TableRunResult[];
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', 'ERROR', 'EXPIRED']);
export const isTerminal = (state: string) => TERMINAL.has(state);

/** A run whose owner has not refreshed it for this long is considered dead (other hosts only). */
export const STALE_AFTER_MS = 60_000;
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const RUN_ID = /^jr_[A-Za-z0-9_]+$/;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a non-terminal record has lost its worker. `live` says whether this process is running it.
 * Same host: the pid tells (our own pid without a live run means we restarted). Other hosts: staleness.
 */
export function isOrphaned(record: JobRunRecord, live: boolean, now = Date.now()): boolean {
  if (live || isTerminal(record.state)) return false;
  if (record.host === os.hostname()) {
    if (record.pid === process.pid || !pidAlive(record.pid)) return true;
  }
  return now - Date.parse(record.heartbeatAt) > STALE_AFTER_MS;
}

/** JSON run records under `<home>/jobs/<jobName>/<runId>.json`, plus one log file per run. */
export class JobRecordStore {
  constructor(private readonly home: string) {}

  jobDir(jobName: string): string {
    if (!JOB_NAME.test(jobName)) throw new InvalidInputError(`invalid job name ${JSON.stringify(jobName)}`);
    return path.join(this.home, 'jobs', jobName);
  }

  recordPath(jobName: string, runId: string): string {
    if (!RUN_ID.test(runId)) throw new InvalidInputError(`invalid job run id ${JSON.stringify(runId)}`);
    return path.join(this.jobDir(jobName), `${runId}.json`);
  }

  logPath(jobName: string, runId: string): string {
    return this.recordPath(jobName, runId).replace(/\.json$/, '.log');
  }

  async save(record: JobRunRecord): Promise<void> {
    await writeJsonAtomic(this.recordPath(record.jobName, record.runId), record);
  }

  async load(jobName: string, runId: string): Promise<JobRunRecord | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.recordPath(jobName, runId), 'utf8')) as JobRunRecord;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Every record of a job, newest first. */
  async list(jobName: string): Promise<JobRunRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.jobDir(jobName));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const records: JobRunRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const record = await this.load(jobName, name.slice(0, -'.json'.length)).catch(() => undefined);
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async log(jobName: string, runId: string, line: string): Promise<void> {
    await fs.appendFile(this.logPath(jobName, runId), `${new Date().toISOString()} ${line}\n`).catch(() => {});
  }
}

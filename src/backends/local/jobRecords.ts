import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FlywheelConfig } from '../../config/schema.js';
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

/** Everything about one local job run; persisted so any process (a restarted worker) can read it. */
export interface JobRunRecord {
  runId: string;
  jobName: string;
  jobKey: JobKey;
  state: string;
  arguments: Record<string, string>;
  runTag: string;
  /** The job process running the current attempt (it writes its own pid when it starts). */
  host: string;
  pid?: number;
  /** 1 for the first job process; +1 each time a dead one is replaced (same run, same id). */
  attempt?: number;
  startedAt: string;
  /** Refreshed every few seconds by the job process while the run is active. */
  heartbeatAt: string;
  completedAt?: string;
  executionTimeSeconds?: number;
  errorMessage?: string;
  logFile: string;
  tables: TableRunResult[];
}

/**
 * Who was asked to run attempt `attempt` of a run: created exclusively (one winner per attempt), before
 * the job process is spawned, then completed with its pid.
 */
export interface JobProcessClaim {
  attempt: number;
  host: string;
  pid?: number;
  claimedAt: string;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', 'ERROR', 'EXPIRED']);
export const isTerminal = (state: string) => TERMINAL.has(state);

/** `record` with its end state and timing, as whoever ends the run writes it. */
export function ended(record: JobRunRecord, patch: Partial<JobRunRecord>): JobRunRecord {
  const completedAt = new Date().toISOString();
  const executionTimeSeconds = (Date.parse(completedAt) - Date.parse(record.startedAt)) / 1000;
  return { ...record, ...patch, completedAt, heartbeatAt: completedAt, executionTimeSeconds };
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
const RUN_ID = /^jr_[A-Za-z0-9_]+$/;
const RECORD_FILE = /^jr_[A-Za-z0-9_]+\.json$/;

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * Job runs on disk, under `<home>/jobs/<jobName>/`: `<runId>.json` (the record), `.log`, `.config.json`
 * (the environment's config the run was started with, so a replacement job process runs the very
 * same job), `.attempt-<n>.json` (claims) and `.stop` (a stop request) while the run is active.
 */
export class JobRecordStore {
  constructor(readonly home: string) {}

  jobDir(jobName: string): string {
    if (!JOB_NAME.test(jobName)) throw new InvalidInputError(`invalid job name ${JSON.stringify(jobName)}`);
    return path.join(this.home, 'jobs', jobName);
  }

  private runFile(jobName: string, runId: string, suffix: string): string {
    if (!RUN_ID.test(runId)) throw new InvalidInputError(`invalid job run id ${JSON.stringify(runId)}`);
    return path.join(this.jobDir(jobName), `${runId}${suffix}`);
  }

  recordPath = (jobName: string, runId: string) => this.runFile(jobName, runId, '.json');
  logPath = (jobName: string, runId: string) => this.runFile(jobName, runId, '.log');
  private configPath = (jobName: string, runId: string) => this.runFile(jobName, runId, '.config.json');
  private claimPath = (jobName: string, runId: string, attempt: number) => this.runFile(jobName, runId, `.attempt-${attempt}.json`);
  private stopPath = (jobName: string, runId: string) => this.runFile(jobName, runId, '.stop');

  async save(record: JobRunRecord): Promise<void> {
    await writeJsonAtomic(this.recordPath(record.jobName, record.runId), record);
  }

  load(jobName: string, runId: string): Promise<JobRunRecord | undefined> {
    return readJson<JobRunRecord>(this.recordPath(jobName, runId));
  }

  async saveConfig(jobName: string, runId: string, config: FlywheelConfig): Promise<void> {
    await writeJsonAtomic(this.configPath(jobName, runId), config);
  }

  async loadConfig(jobName: string, runId: string): Promise<FlywheelConfig> {
    const config = await readJson<FlywheelConfig>(this.configPath(jobName, runId));
    if (!config) throw new Error(`job run ${runId} of ${jobName} has no ${path.basename(this.configPath(jobName, runId))}`);
    return config;
  }

  /** Claims attempt `claim.attempt`; false when another process already has. */
  async claim(jobName: string, runId: string, claim: JobProcessClaim): Promise<boolean> {
    await fs.mkdir(this.jobDir(jobName), { recursive: true });
    try {
      await fs.writeFile(this.claimPath(jobName, runId, claim.attempt), JSON.stringify(claim), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  async updateClaim(jobName: string, runId: string, claim: JobProcessClaim): Promise<void> {
    await writeJsonAtomic(this.claimPath(jobName, runId, claim.attempt), claim);
  }

  /** The highest claimed attempt, looking upwards from `from` (the attempt the record names). */
  async latestClaim(jobName: string, runId: string, from: number): Promise<JobProcessClaim | undefined> {
    let latest: JobProcessClaim | undefined;
    for (let attempt = Math.max(1, from); ; attempt++) {
      const file = this.claimPath(jobName, runId, attempt);
      const claim = await readJson<JobProcessClaim>(file).catch(() => undefined);
      if (claim) {
        latest = claim;
        continue;
      }
      // A claim still being written (empty file) counts as taken, from when it was created.
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat) return latest;
      latest = { attempt, host: '', claimedAt: stat.mtime.toISOString() };
    }
  }

  async requestStop(jobName: string, runId: string): Promise<void> {
    await fs.writeFile(this.stopPath(jobName, runId), new Date().toISOString(), { flag: 'a' });
  }

  async stopRequested(jobName: string, runId: string): Promise<boolean> {
    return fs.stat(this.stopPath(jobName, runId)).then(() => true, () => false);
  }

  /** Saves a terminal record and removes the run's claims and stop request (only the record, log and config stay). */
  async finish(record: JobRunRecord): Promise<void> {
    await this.save(record);
    const { jobName, runId } = record;
    await fs.rm(this.stopPath(jobName, runId), { force: true });
    for (let attempt = 1; attempt <= (record.attempt ?? 1) + 1; attempt++) {
      await fs.rm(this.claimPath(jobName, runId, attempt), { force: true });
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
      if (!RECORD_FILE.test(name)) continue;
      const record = await this.load(jobName, name.slice(0, -'.json'.length)).catch(() => undefined);
      if (record) records.push(record);
    }
    return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async log(jobName: string, runId: string, line: string): Promise<void> {
    await fs.appendFile(this.logPath(jobName, runId), `${new Date().toISOString()} ${line}\n`).catch(() => {});
  }
}

import type { JobKey } from '../domain/jobRuns.js';

export interface StartJobRunRequest {
  jobKey: JobKey;
  jobName: string;
  /** Job arguments, Glue style (`--SNAPSHOT_DT`, `--TABLES_FILTER`, …). */
  arguments: Record<string, string>;
  /**
   * Idempotency tag, unique per workflow run + activity. Passed to the job as an argument so a
   * worker that crashed after StartJobRun can find its run again instead of starting a second one.
   */
  runTag: string;
}

export interface JobRunStatus {
  runId: string;
  /** A Glue JobRunState (see domain/jobRuns.ts). */
  state: string;
  errorMessage?: string;
  executionTimeSeconds?: number;
  dpuSeconds?: number;
  /** Where an operator reads the run's logs (CloudWatch link, or a local file). */
  logUrl?: string;
  /**
   * Tables the run could not process, when the backend can tell (the local jobs record it per table).
   * Absent on a failed run means every table of the run is failed.
   */
  failedTables?: { table: string; error: string }[];
}

/** The Glue job-run contract: start, look up, stop. Both backends implement exactly this. */
export interface JobRunner {
  startJobRun(request: StartJobRunRequest): Promise<{ runId: string }>;
  /** The run started earlier with this tag, if any (newest first when several). */
  findRunByTag(jobName: string, runTag: string): Promise<string | undefined>;
  getJobRun(jobName: string, runId: string): Promise<JobRunStatus>;
  stopJobRun(jobName: string, runId: string): Promise<void>;
}

import {
  BatchStopJobRunCommand,
  GetJobRunCommand,
  GetJobRunsCommand,
  StartJobRunCommand,
  type GlueClient,
  type JobRun,
} from '@aws-sdk/client-glue';
import { glueDpuSeconds } from '../../domain/glueDpu.js';
import { classifyJobRunState } from '../../domain/jobRuns.js';
import type { JobRunner, JobRunStatus, StartJobRunRequest } from '../../ports/jobRunner.js';
import type { AwsConfig, GlueJobOptions } from './config.js';
import { withAwsRetry, type RetryPolicy } from './retry.js';

/** The argument every Flywheel-started run carries, so a retried activity can find its run again. */
export const RUN_TAG_ARGUMENT = '--FLYWHEEL_RUN_TAG';
const MAX_RUN_PAGES = 50;

/** CloudWatch console link to a run's log stream (`/` is `$252F` in the console's fragment encoding). */
export function glueLogUrl(region: string, run: Pick<JobRun, 'Id' | 'LogGroupName' | 'JobRunState'>): string {
  const failed = classifyJobRunState(run.JobRunState ?? '') === 'failed';
  const group = `${run.LogGroupName ?? '/aws-glue/jobs'}/${failed ? 'error' : 'output'}`;
  const encoded = group.replaceAll('/', '$252F');
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encoded}/log-events/${run.Id}`;
}

export function toJobRunStatus(region: string, run: JobRun): JobRunStatus {
  if (!run.Id || !run.JobRunState) throw new Error(`Glue returned a job run without id or state`);
  return {
    runId: run.Id,
    state: run.JobRunState,
    errorMessage: run.ErrorMessage || undefined,
    executionTimeSeconds: run.ExecutionTime,
    // Reported for FLEX/auto-scaling runs only; otherwise capacity × execution time (domain/glueDpu.ts).
    dpuSeconds: glueDpuSeconds(run).dpuSeconds,
    logUrl: glueLogUrl(region, run),
  };
}

/**
 * JobRunner over the Glue API: one API call per method (polling lives in the activity). Starting is
 * guarded against duplicates: before any retry of StartJobRun we look for a run with our tag, since
 * a lost response or a ConcurrentRunsExceeded may mean our own run is already going.
 */
export class GlueJobRunner implements JobRunner {
  constructor(
    private readonly glue: GlueClient,
    private readonly region: string,
    private readonly aws: AwsConfig,
    private readonly retry: RetryPolicy,
    /** GetJobRuns page size; small only in tests, to exercise paging. */
    private readonly pageSize = 200,
  ) {}

  private optionsFor(jobKey: StartJobRunRequest['jobKey']): GlueJobOptions {
    return { ...this.aws.glue.defaults, ...(this.aws.glue.jobs[jobKey] ?? {}) };
  }

  async startJobRun(request: StartJobRunRequest): Promise<{ runId: string }> {
    if (!request.runTag) throw new Error('startJobRun needs a run tag');
    const options = this.optionsFor(request.jobKey);
    const command = new StartJobRunCommand({
      JobName: request.jobName,
      Arguments: { ...request.arguments, [RUN_TAG_ARGUMENT]: request.runTag },
      WorkerType: options.workerType,
      NumberOfWorkers: options.numberOfWorkers,
      ExecutionClass: options.executionClass,
      Timeout: options.timeoutMinutes,
    });
    return withAwsRetry(
      async () => {
        const result = await this.glue.send(command);
        if (!result.JobRunId) throw new Error(`StartJobRun for ${request.jobName} returned no run id`);
        return { runId: result.JobRunId };
      },
      this.retry,
      {
        beforeRetry: async () => {
          const runId = await this.findRunByTag(request.jobName, request.runTag);
          return runId ? { runId } : undefined;
        },
      },
    );
  }

  async findRunByTag(jobName: string, runTag: string): Promise<string | undefined> {
    const matches: JobRun[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await withAwsRetry(
        () => this.glue.send(new GetJobRunsCommand({ JobName: jobName, NextToken: token, MaxResults: this.pageSize })),
        this.retry,
      );
      matches.push(...(page.JobRuns ?? []).filter((r) => r.Arguments?.[RUN_TAG_ARGUMENT] === runTag));
      token = page.NextToken;
    } while (token && ++pages < MAX_RUN_PAGES);
    matches.sort((a, b) => (b.StartedOn?.getTime() ?? 0) - (a.StartedOn?.getTime() ?? 0));
    return matches[0]?.Id;
  }

  async getJobRun(jobName: string, runId: string): Promise<JobRunStatus> {
    const result = await withAwsRetry(
      () => this.glue.send(new GetJobRunCommand({ JobName: jobName, RunId: runId, PredecessorsIncluded: false })),
      this.retry,
    );
    if (!result.JobRun) throw new Error(`Glue has no run ${runId} of ${jobName}`);
    return toJobRunStatus(this.region, result.JobRun);
  }

  /**
   * BatchStopJobRun reports per-run failures in the response body, not as an exception. A run that
   * is already finished cannot be stopped: that is fine; any other per-run error is thrown.
   */
  async stopJobRun(jobName: string, runId: string): Promise<void> {
    const result = await withAwsRetry(
      () => this.glue.send(new BatchStopJobRunCommand({ JobName: jobName, JobRunIds: [runId] })),
      this.retry,
    );
    const error = (result.Errors ?? []).find((e) => e.JobRunId === runId || !e.JobRunId);
    if (!error) return;
    const status = await this.getJobRun(jobName, runId);
    if (classifyJobRunState(status.state) !== 'waiting' || status.state === 'STOPPING') return;
    const detail = error.ErrorDetail;
    throw new Error(
      `could not stop ${jobName} run ${runId} (state ${status.state}): ${detail?.ErrorCode ?? 'error'} ${detail?.ErrorMessage ?? ''}`.trim(),
    );
  }
}

import { Context, CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { classifyJobRunState, pollDelayMs } from '../domain/jobRuns.js';
import type { PlannedJob } from '../domain/plan.js';
import type { JobRunReport } from '../domain/report.js';
import { listSome } from '../domain/summarize.js';
import type { JobRunner, JobRunStatus } from '../ports/jobRunner.js';
import { withOperationContext } from './context.js';

export interface RunGlueJobInput {
  job: PlannedJob;
  /** Distinguishes reruns of the same job within one workflow run (reprocessing). */
  attempt: number;
}

export interface JobPolling {
  pollMinMs: number;
  pollMaxMs: number;
  /** How long to wait for a stopped run to reach a terminal state after cancellation. */
  stopWaitMs: number;
}

interface JobHeartbeat {
  runId: string;
  state?: string;
  /** What the run works on, for the UI's pending activity: job name, table count and the first names. */
  job?: string;
  tables?: string;
}

function toReport(input: RunGlueJobInput, status: JobRunStatus): JobRunReport {
  return {
    jobKey: input.job.jobKey,
    jobName: input.job.jobName,
    runId: status.runId,
    state: status.state,
    executionTimeSeconds: status.executionTimeSeconds,
    dpuSeconds: status.dpuSeconds,
    errorMessage: status.errorMessage,
    tables: [...input.job.tables],
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** After cancellation: ask the job to stop and wait (bounded) until it has, so nothing keeps running. */
async function stopAndWait(jobs: JobRunner, jobName: string, runId: string, polling: JobPolling): Promise<void> {
  await jobs.stopJobRun(jobName, runId);
  const deadline = Date.now() + polling.stopWaitMs;
  for (let poll = 0; Date.now() < deadline; poll++) {
    const status = await jobs.getJobRun(jobName, runId);
    if (classifyJobRunState(status.state) !== 'waiting') return;
    await delay(pollDelayMs(poll, polling.pollMinMs, polling.pollMaxMs));
  }
}

/**
 * Stage 2: one split/bucket job run, from start to a terminal state.
 *
 * Never starts a duplicate: the run id is kept in heartbeat details, and a run tag (workflow run +
 * activity + attempt) is passed to the job, so a retry after a crash between StartJobRun and the
 * first heartbeat finds the run it started instead of starting another. Heartbeats go on between
 * polls (however long the poll interval), so a dead worker is noticed within the heartbeat timeout.
 */
export function runGlueJob(jobs: JobRunner, polling: JobPolling, input: RunGlueJobInput): Promise<JobRunReport> {
  return withOperationContext((alive) => followJobRun(jobs, polling, input, alive.heartbeat));
}

async function followJobRun(
  jobs: JobRunner,
  polling: JobPolling,
  input: RunGlueJobInput,
  heartbeat: (details: JobHeartbeat) => void,
): Promise<JobRunReport> {
  const ctx = Context.current();
  // The tag must be the same for every retry of this activity, so it is built from the workflow run
  // and the workflow's own attempt counter, never from the activity attempt.
  const owner = ctx.info.workflowExecution;
  const scope = owner ? `${owner.workflowId}/${owner.runId}` : ctx.info.activityId;
  const runTag = `${scope}/${input.job.jobKey}/${input.attempt}`;

  const previous = ctx.info.heartbeatDetails as JobHeartbeat | undefined;
  let runId = previous?.runId ?? (await jobs.findRunByTag(input.job.jobName, runTag));
  if (runId) {
    ctx.log.info('re-attaching to job run', { jobName: input.job.jobName, runId });
  } else {
    ({ runId } = await jobs.startJobRun({
      jobKey: input.job.jobKey,
      jobName: input.job.jobName,
      arguments: input.job.arguments,
      runTag,
    }));
    ctx.log.info('started job run', { jobName: input.job.jobName, runId });
  }
  const about = { job: input.job.jobName, tables: listSome(input.job.tables, 3, 128) };
  heartbeat({ runId, ...about });

  try {
    for (let poll = 0; ; poll++) {
      const status = await jobs.getJobRun(input.job.jobName, runId);
      heartbeat({ runId, state: status.state, ...about });
      const outcome = classifyJobRunState(status.state);
      if (outcome === 'succeeded') return toReport(input, status);
      if (outcome === 'failed') {
        const where = status.logUrl ? ` (logs: ${status.logUrl})` : '';
        throw ApplicationFailure.create({
          type: 'JobRunFailed',
          nonRetryable: true,
          message: `${input.job.jobName} run ${runId} ended ${status.state}: ${status.errorMessage ?? 'no error message'}${where}`,
          details: [{ report: toReport(input, status), failedTables: status.failedTables ?? null }],
        });
      }
      await ctx.sleep(pollDelayMs(poll, polling.pollMinMs, polling.pollMaxMs));
    }
  } catch (error) {
    if (error instanceof CancelledFailure) {
      ctx.log.warn('cancelled: stopping job run', { jobName: input.job.jobName, runId });
      try {
        await stopAndWait(jobs, input.job.jobName, runId, polling);
      } catch (stopError) {
        // The cancellation stands; the run may still be going, so say loudly which one to stop by hand.
        ctx.log.error('could not stop job run after cancellation; stop it by hand', {
          jobName: input.job.jobName,
          runId,
          error: (stopError as Error).message,
        });
      }
    }
    throw error;
  }
}

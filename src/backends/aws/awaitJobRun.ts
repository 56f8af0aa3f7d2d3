import { JobRunFailedError } from '../../domain/errors.js';
import { classifyJobRunState, pollDelayMs, type JobKey } from '../../domain/jobRuns.js';
import type { OperationContext } from '../../ports/context.js';
import type { JobRunner } from '../../ports/jobRunner.js';
import { abortReason, sleep } from './retry.js';

export interface OwnedJobRun {
  jobKey: JobKey;
  jobName: string;
  runTag: string;
  arguments: Record<string, string>;
  /** The table the run is for (heartbeat details). */
  table: string;
  /** What the run does, in error messages: `registering IBE_01`, `for ibe_01`. */
  purpose: string;
  pollMinMs: number;
  pollMaxMs: number;
}

/**
 * For adapters that run a Glue job inside one port call (register job, Delta maintenance): re-attach
 * to the run with this tag or start it, poll to a terminal state with heartbeats, stop the run when
 * the caller aborts. Resolves with the run id once SUCCEEDED; any failure state is JobRunFailed.
 */
export async function runJobToCompletion(jobs: JobRunner, run: OwnedJobRun, ctx: OperationContext): Promise<string> {
  const { jobName, table } = run;
  let runId = await jobs.findRunByTag(jobName, run.runTag);
  if (!runId) ({ runId } = await jobs.startJobRun({ jobKey: run.jobKey, jobName, arguments: run.arguments, runTag: run.runTag }));
  ctx.heartbeat({ table, runId });
  for (let poll = 0; ; poll++) {
    if (ctx.signal.aborted) {
      await jobs.stopJobRun(jobName, runId);
      throw abortReason(ctx.signal);
    }
    const status = await jobs.getJobRun(jobName, runId);
    ctx.heartbeat({ table, runId, state: status.state });
    const outcome = classifyJobRunState(status.state);
    if (outcome === 'succeeded') return runId;
    if (outcome === 'failed') {
      const logs = status.logUrl ? ` (logs: ${status.logUrl})` : '';
      throw new JobRunFailedError(`${jobName} run ${runId} ${run.purpose} ended ${status.state}: ${status.errorMessage ?? 'no error message'}${logs}`);
    }
    const id = runId;
    await sleep(pollDelayMs(poll, run.pollMinMs, run.pollMaxMs), ctx.signal).catch(async (error: unknown) => {
      await jobs.stopJobRun(jobName, id);
      throw error;
    });
  }
}

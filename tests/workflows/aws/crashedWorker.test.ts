import type { GlueClient } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../src/domain/report.js';
import { ADDRESSABLE_JOB, createAwsHarness, INFOBASE_JOB, runTagOf, type AwsHarness, type AwsWorker } from '../../support/awsHarness.js';
import { startMoto, type Moto } from '../../support/moto.js';

interface Crash {
  runId?: string;
  jobName?: string;
  runTag?: string;
}

/**
 * FAULT INJECTION: the worker dies right after Glue accepted StartJobRun, before the activity could
 * heartbeat the run id. On the first StartJobRun response this layer shuts the worker down (no more
 * polling: the retry must be picked up by another worker) and throws, so nothing of the activity
 * after StartJobRun runs — no heartbeat, no polling. The error is no AWS error, so the SDK and our
 * retry layer pass it straight through and the attempt fails.
 */
function faultInjectionWorkerDiesAfterStartJobRun(glue: GlueClient, crash: Crash, die: () => void): void {
  glue.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'StartJobRunCommand' || crash.runId) return result;
      const input = args.input as { JobName?: string; Arguments?: Record<string, string> };
      Object.assign(crash, {
        runId: (result.output as { JobRunId?: string }).JobRunId,
        jobName: input.JobName,
        runTag: input.Arguments?.['--FLYWHEEL_RUN_TAG'],
      });
      die();
      throw Object.assign(new Error('fault injection: worker died between StartJobRun and the first heartbeat'), {
        name: 'FaultInjectionWorkerDied',
      });
    },
    { step: 'initialize', name: 'faultInjectionWorkerDiesAfterStartJobRun' },
  );
}

describe('a worker dying between StartJobRun and the first heartbeat (fault injection over moto)', () => {
  let moto: Moto;
  let h: AwsHarness;
  beforeAll(async () => {
    moto = await startMoto();
    // Jobs allow concurrent runs here: with MaxConcurrentRuns 1 a duplicate StartJobRun would be refused
    // (ConcurrentRunsExceeded) and the runner's own retry guard would find the run, hiding a missing re-attach.
    h = await createAwsHarness(moto, { maxConcurrentRuns: 10 });
  });
  afterAll(async () => {
    await h?.close();
    await moto?.stop();
  });

  it('the restarted worker re-attaches to the run by its tag: exactly one Glue run per job, run completes', async () => {
    const workflowId = `${h.config.environment}-crash`;
    const handle = await h.client.workflow.start('monthlyRefresh', {
      taskQueue: h.config.temporal.taskQueue!,
      workflowId,
      args: [{ environment: h.config.environment }],
    });

    const crash: Crash = {};
    let first: AwsWorker | undefined;
    first = await h.startWorker({
      // One activity at a time: when it dies, no other job's activity is half-way on this worker.
      tuning: { maxConcurrentActivityTaskExecutions: 1 },
      layers: (clients) => faultInjectionWorkerDiesAfterStartJobRun(clients.glue, crash, () => first!.worker.shutdown()),
    });
    // Should the fault never fire, stop anyway so the assertion below fails instead of the test hanging.
    const deadline = setTimeout(() => first!.worker.shutdown(), 30_000);
    await first.worker.run(); // returns once the fault has shut it down
    clearTimeout(deadline);
    await first.stop();
    expect(crash.runId, 'the fault fired').toBeDefined();
    const runsAfterCrash = await h.jobRuns(crash.jobName!);
    expect(runsAfterCrash.map((r) => r.Id)).toEqual([crash.runId]);
    expect(runsAfterCrash[0]!.JobRunState).not.toBe('SUCCEEDED'); // nobody polled it: still going when the retry comes

    // Restart: new process state (clients, backend, connection); Temporal retries the failed attempt here.
    // Not a fault: records which Glue calls the restarted worker makes, per job.
    const calls: string[] = [];
    const second = await h.startWorker({
      layers: (clients) =>
        clients.glue.middlewareStack.add(
          (next, context) => async (args) => {
            calls.push(`${context.commandName} ${(args.input as { JobName?: string }).JobName}`);
            return next(args);
          },
          { step: 'initialize', name: 'recordGlueCalls' },
        ),
    });
    const report = (await second.worker.runUntil(handle.result())) as RunReport;

    expect(report.status).toBe('succeeded');
    expect(report.tables.every((t) => t.state === 'succeeded')).toBe(true);
    for (const jobName of [INFOBASE_JOB, ADDRESSABLE_JOB]) {
      const runs = await h.jobRuns(jobName);
      const job = report.jobs.find((j) => j.jobName === jobName)!;
      expect(runs.map((r) => r.Id), `${jobName}: one run`).toEqual([job.runId]);
      expect(runs.map(runTagOf), `${jobName}: one run for its tag`).toHaveLength(new Set(runs.map(runTagOf)).size);
    }
    // The crashed attempt's run is the one the workflow finished with, and it carries the same tag.
    const crashed = report.jobs.find((j) => j.jobName === crash.jobName)!;
    expect(crashed.runId).toBe(crash.runId);
    expect(runTagOf((await h.jobRuns(crash.jobName!))[0]!)).toBe(crash.runTag);
    // The job runs in the refresh's batch child: <batch workflow id>/<its run id>/<jobKey>/<attempt>.
    expect(crash.runTag).toMatch(new RegExp(`^${workflowId}-pass1-batch1/[0-9a-f-]+/(infobaseSplitAndBucket|addressableBucket)/[12]$`));
    expect(h.player.played.map((p) => p.runId)).toContain(crash.runId);

    // It really was a retry (the batch child's history keeps the last attempt's start)…
    const { events } = await h.client.workflow.getHandle(`${workflowId}-pass1-batch1`).fetchHistory();
    const retried = (events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes)
      .filter((a): a is NonNullable<typeof a> => !!a && (a.attempt ?? 1) > 1);
    expect(retried).toHaveLength(1);
    expect(retried[0]!.attempt).toBe(2);
    // …on the restarted worker, which looked the run up by its tag and never started one for that job.
    expect(calls).toContain(`GetJobRunsCommand ${crash.jobName}`);
    expect(calls).not.toContain(`StartJobRunCommand ${crash.jobName}`);
    expect(calls).toContain(`GetJobRunCommand ${crash.jobName}`);
  });
});

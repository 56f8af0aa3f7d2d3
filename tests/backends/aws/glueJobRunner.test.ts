import { GetJobRunCommand } from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/backends/aws/clients.js';
import { parseAwsConfig, type AwsConfig } from '../../../src/backends/aws/config.js';
import { glueLogUrl, GlueJobRunner, RUN_TAG_ARGUMENT } from '../../../src/backends/aws/glueJobRunner.js';
import { classifyJobRunState } from '../../../src/domain/jobRuns.js';
import { faultInjectionErrorResponse, faultInjectionPatchOutput, faultInjectionReplaceCommand, recordInputs } from './faultInjection.js';
import { createJobs, INFOBASE_JOB, testConfig, useMoto } from './helpers.js';

const env = useMoto();
let aws: AwsConfig;
let clients: AwsClients;

beforeEach(async () => {
  aws = parseAwsConfig(
    testConfig({ glue: { defaults: { workerType: 'G.1X', numberOfWorkers: 4, timeoutMinutes: 120 }, jobs: { infobaseSplitAndBucket: { executionClass: 'FLEX' } } } }),
  );
  clients = createAwsClients(aws);
});
afterEach(async () => {
  clients.destroy();
  // Transitions survive /moto-api/reset: undo them so the next test starts from moto's defaults.
  await env.moto.unsetTransition('glue::job_run');
});

const runner = (pageSize?: number) => new GlueJobRunner(clients.glue, 'us-east-1', aws, aws.retry, pageSize);
const start = (r: GlueJobRunner, runTag: string) =>
  r.startJobRun({ jobKey: 'infobaseSplitAndBucket', jobName: INFOBASE_JOB, arguments: { '--SNAPSHOT_DT': '2026-10-01' }, runTag });

describe('glueLogUrl', () => {
  it('links the default Glue log group, error stream for failed runs, console-encoded', () => {
    expect(glueLogUrl('eu-west-1', { Id: 'jr_1', JobRunState: 'RUNNING' })).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws-glue$252Fjobs$252Foutput/log-events/jr_1',
    );
    expect(glueLogUrl('eu-west-1', { Id: 'jr_1', JobRunState: 'FAILED' })).toContain('$252Faws-glue$252Fjobs$252Ferror/log-events/jr_1');
  });
});

describe('Glue job runner against moto', () => {
  it('starts a run with the run tag argument and the configured worker options', async () => {
    await createJobs(env.arrange.glue);
    const sent = recordInputs(clients.glue, 'StartJobRunCommand');
    const { runId } = await start(runner(), 'wf-1/run-1/infobaseSplitAndBucket/0');
    const { JobRun } = await env.arrange.glue.send(new GetJobRunCommand({ JobName: INFOBASE_JOB, RunId: runId }));
    expect(JobRun?.Arguments).toMatchObject({ '--SNAPSHOT_DT': '2026-10-01', [RUN_TAG_ARGUMENT]: 'wf-1/run-1/infobaseSplitAndBucket/0' });
    expect(JobRun).toMatchObject({ WorkerType: 'G.1X', NumberOfWorkers: 4, Timeout: 120 });
    // moto does not echo ExecutionClass: check the request (per-job override on top of the defaults).
    expect(sent[0]).toMatchObject({ ExecutionClass: 'FLEX', WorkerType: 'G.1X' });
  });

  it('a standard-capacity run (no DPUSeconds from Glue) costs workers × DPU × ExecutionTime', async () => {
    await createJobs(env.arrange.glue);
    const r = runner();
    const { runId } = await start(r, 'tag-cost');
    const { JobRun } = await env.arrange.glue.send(new GetJobRunCommand({ JobName: INFOBASE_JOB, RunId: runId }));
    expect(JobRun?.DPUSeconds).toBeUndefined(); // as Glue for a STANDARD run without auto scaling
    expect(JobRun?.ExecutionTime).toBeGreaterThan(0); // moto reports 123 s for every run
    const status = await r.getJobRun(INFOBASE_JOB, runId);
    expect(status.dpuSeconds).toBe(4 * 1 * JobRun!.ExecutionTime!); // G.1X × 4 workers (beforeEach config)
  });

  it('reports a run through several polls (moto state manager) until SUCCEEDED', async () => {
    await createJobs(env.arrange.glue);
    await env.moto.setManualTransition('glue::job_run', 2);
    const r = runner();
    const { runId } = await start(r, 'tag-polls');
    const states: string[] = [];
    for (let i = 0; i < 20; i++) {
      const status = await r.getJobRun(INFOBASE_JOB, runId);
      states.push(status.state);
      if (classifyJobRunState(status.state) !== 'waiting') break;
    }
    expect(states.at(-1)).toBe('SUCCEEDED');
    expect(states.filter((s) => classifyJobRunState(s) === 'waiting').length).toBeGreaterThanOrEqual(2);
    // moto reports LogGroupName "test/log"; the link is built from whatever group the run reports.
    const done = await r.getJobRun(INFOBASE_JOB, runId);
    expect(done.logUrl).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/test$252Flog$252Foutput/log-events/${runId}`,
    );
  });

  it('finds a run by tag across GetJobRuns pages, newest first, and nothing for an unknown tag', async () => {
    await createJobs(env.arrange.glue, 10);
    const r = runner(2);
    const first = await start(r, 'tag-a');
    for (const tag of ['tag-b', 'tag-c', 'tag-d', 'tag-e']) await start(r, tag);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // StartedOn has second resolution
    const second = await start(r, 'tag-a');
    expect(second.runId).not.toBe(first.runId);
    expect(await r.findRunByTag(INFOBASE_JOB, 'tag-a')).toBe(second.runId);
    expect(await r.findRunByTag(INFOBASE_JOB, 'tag-c')).toBeDefined();
    expect(await r.findRunByTag(INFOBASE_JOB, 'tag-zzz')).toBeUndefined();
  });

  it('on ConcurrentRunsExceeded (real moto) finds its own run by tag instead of starting a duplicate', async () => {
    await createJobs(env.arrange.glue, 1);
    await env.moto.setManualTransition('glue::job_run', 5);
    const r = runner();
    const { runId } = await start(r, 'tag-lost-response');
    // A retried activity that never saw the first response starts again with the same tag.
    expect(await start(r, 'tag-lost-response')).toEqual({ runId });
    // Another tag while the job is busy: retried with backoff, then the modelled error surfaces.
    await expect(start(r, 'tag-other')).rejects.toMatchObject({ name: 'ConcurrentRunsExceededException' });
  });

  it('fault injection: retries a transient ConcurrentRunsExceeded and then starts the run', async () => {
    await createJobs(env.arrange.glue);
    const fault = faultInjectionErrorResponse(clients.glue, 'StartJobRunCommand', 'ConcurrentRunsExceededException', 2);
    const { runId } = await start(runner(), 'tag-retry');
    expect(fault.calls()).toBe(2);
    expect(await runner().findRunByTag(INFOBASE_JOB, 'tag-retry')).toBe(runId);
  });

  it('fault injection: throttling and OperationTimeout on GetJobRun are retried', async () => {
    await createJobs(env.arrange.glue);
    const { runId } = await start(runner(), 'tag-throttle');
    const throttle = faultInjectionErrorResponse(clients.glue, 'GetJobRunCommand', 'ThrottlingException', 3);
    const timeout = faultInjectionErrorResponse(clients.glue, 'GetJobRunCommand', 'OperationTimeoutException', 1);
    expect((await runner().getJobRun(INFOBASE_JOB, runId)).state).toBe('SUCCEEDED');
    expect(throttle.calls() + timeout.calls()).toBe(4);
  });

  it('fault injection: an invalid-input error is not retried', async () => {
    await createJobs(env.arrange.glue);
    const fault = faultInjectionErrorResponse(clients.glue, 'StartJobRunCommand', 'InvalidInputException', 5);
    await expect(start(runner(), 'tag-bad')).rejects.toMatchObject({ name: 'InvalidInputException' });
    expect(fault.calls()).toBe(1);
  });

  for (const state of ['FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED', 'STOPPED']) {
    it(`fault injection: a ${state} run (moto has no such state) maps to a failed status with the error log`, async () => {
      await createJobs(env.arrange.glue);
      const r = runner();
      const { runId } = await start(r, `tag-${state}`);
      faultInjectionPatchOutput(clients.glue, 'GetJobRunCommand', (output) => {
        Object.assign(output.JobRun as object, {
          JobRunState: state,
          ErrorMessage: `boom ${state}`,
          DPUSeconds: 42.5,
          LogGroupName: '/aws-glue/jobs',
        });
      });
      const status = await r.getJobRun(INFOBASE_JOB, runId);
      expect(status).toMatchObject({ runId, state, errorMessage: `boom ${state}`, dpuSeconds: 42.5 });
      expect(classifyJobRunState(status.state)).toBe('failed');
      expect(status.logUrl).toContain(`log-group/$252Faws-glue$252Fjobs$252Ferror/log-events/${runId}`);
    });
  }

  it('fault injection (moto lacks BatchStopJobRun): stop sends the run id and accepts a clean response', async () => {
    await createJobs(env.arrange.glue);
    const stop = faultInjectionReplaceCommand(clients.glue, 'BatchStopJobRunCommand', (input) => ({
      SuccessfulSubmissions: [{ JobName: input.JobName, JobRunId: (input.JobRunIds as string[])[0] }],
      Errors: [],
    }));
    await runner().stopJobRun(INFOBASE_JOB, 'jr_123');
    expect(stop.inputs).toEqual([{ JobName: INFOBASE_JOB, JobRunIds: ['jr_123'] }]);
  });

  it('fault injection: a per-run stop error is ignored when the run already finished, thrown when it still runs', async () => {
    await createJobs(env.arrange.glue, 5);
    await env.moto.setManualTransition('glue::job_run', 10);
    const r = runner();
    const { runId } = await start(r, 'tag-stop');
    faultInjectionReplaceCommand(clients.glue, 'BatchStopJobRunCommand', (input) => ({
      SuccessfulSubmissions: [],
      Errors: [{ JobName: input.JobName, JobRunId: runId, ErrorDetail: { ErrorCode: 'InvalidInputException', ErrorMessage: 'cannot stop' } }],
    }));
    await expect(r.stopJobRun(INFOBASE_JOB, runId)).rejects.toThrow(/could not stop .* cannot stop/);
    const finished = faultInjectionPatchOutput(clients.glue, 'GetJobRunCommand', (output) => {
      Object.assign(output.JobRun as object, { JobRunState: 'SUCCEEDED' });
    });
    await expect(r.stopJobRun(INFOBASE_JOB, runId)).resolves.toBeUndefined();
    finished();
  });
});

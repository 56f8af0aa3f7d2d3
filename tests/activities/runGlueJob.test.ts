import { DefaultLogger } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Info } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { runGlueJob, type JobPolling, type RunGlueJobInput } from '../../src/activities/runGlueJob.js';
import type { PlannedJob } from '../../src/domain/plan.js';
import type { JobRunReport } from '../../src/domain/report.js';
import type { JobRunner } from '../../src/ports/jobRunner.js';
import { ScriptedJobRunner } from './doubles.js';

const POLLING: JobPolling = { pollMinMs: 1, pollMaxMs: 5, stopWaitMs: 5_000 };
const JOB: PlannedJob = {
  jobKey: 'infobaseSplitAndBucket',
  jobName: 'etl-infobase-split',
  tables: ['IBE_01', 'MIACS_01'],
  arguments: { '--SNAPSHOT_DT': '2026-10-01', '--TABLES_FILTER': 'IBE_01,MIACS_01' },
};
const INPUT: RunGlueJobInput = { job: JOB, attempt: 1 };
const WORKFLOW = { workflowId: 'flywheel-test-refresh-2026-10-01', runId: 'wf-run-1' };

const quiet = { logger: new DefaultLogger('ERROR') };
function environment(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment({ workflowExecution: WORKFLOW, ...info }, quiet);
}

/** Runs the activity in the mock environment (typed: MockActivityEnvironment.run loses the return type). */
function run(env: MockActivityEnvironment, jobs: JobRunner, polling: JobPolling, input: RunGlueJobInput): Promise<JobRunReport> {
  return env.run(runGlueJob, jobs, polling, input) as Promise<JobRunReport>;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the activity to fail');
}

describe('runGlueJob: a run that succeeds', () => {
  it('starts the job once with its arguments and a run tag, polls until SUCCEEDED and reports the run', async () => {
    const jobs = new ScriptedJobRunner({
      states: ['STARTING', 'RUNNING', 'WAITING', 'RUNNING', { state: 'SUCCEEDED', executionTimeSeconds: 321, dpuSeconds: 1284 }],
      newRunId: 'jr_1',
    });
    const report = await run(environment(), jobs, POLLING, INPUT);

    expect(report).toEqual({
      jobKey: 'infobaseSplitAndBucket',
      jobName: 'etl-infobase-split',
      runId: 'jr_1',
      state: 'SUCCEEDED',
      executionTimeSeconds: 321,
      dpuSeconds: 1284,
      errorMessage: undefined,
      tables: ['IBE_01', 'MIACS_01'],
    });
    const starts = jobs.callsTo('startJobRun');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.request).toMatchObject({ jobKey: JOB.jobKey, jobName: JOB.jobName, arguments: JOB.arguments });
    expect(starts[0]!.request.runTag).toEqual(expect.any(String));
    expect(starts[0]!.request.runTag.length).toBeGreaterThan(0);
    // polled exactly until the terminal state, never after it, always the started run
    const polls = jobs.callsTo('getJobRun');
    expect(polls.map((p) => p.returned.state)).toEqual(['STARTING', 'RUNNING', 'WAITING', 'RUNNING', 'SUCCEEDED']);
    expect(new Set(polls.map((p) => `${p.jobName}/${p.runId}`))).toEqual(new Set(['etl-infobase-split/jr_1']));
    expect(jobs.callsTo('stopJobRun')).toHaveLength(0);
  });

  it('keeps polling through STOPPING and unknown states (never counts them as done)', async () => {
    const jobs = new ScriptedJobRunner({ states: ['SOMETHING_NEW', 'STOPPING', '', 'SUCCEEDED'] });
    const report = await run(environment(), jobs, POLLING, INPUT);
    expect(report.state).toBe('SUCCEEDED');
    expect(jobs.callsTo('getJobRun')).toHaveLength(4);
  });

  it('heartbeats carry the run id (and job), then each observed state', async () => {
    const env = environment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const jobs = new ScriptedJobRunner({ states: ['STARTING', 'RUNNING', 'SUCCEEDED'], newRunId: 'jr_hb' });
    await run(env, jobs, POLLING, INPUT);

    // Each heartbeat also names the job and its tables, so the UI's pending activity says what it runs.
    const about = { job: 'etl-infobase-split', tables: 'IBE_01, MIACS_01' };
    expect(beats[0]).toEqual({ runId: 'jr_hb', ...about });
    expect(beats.slice(1)).toEqual([
      { runId: 'jr_hb', state: 'STARTING', ...about },
      { runId: 'jr_hb', state: 'RUNNING', ...about },
      { runId: 'jr_hb', state: 'SUCCEEDED', ...about },
    ]);
  });
});

describe('runGlueJob: runs that fail', () => {
  it.each(['FAILED', 'TIMEOUT', 'ERROR', 'EXPIRED', 'STOPPED'])(
    '%s → non-retryable JobRunFailed with run id, error message, log link and failed tables',
    async (state) => {
      const failedTables = [{ table: 'MIACS_01', error: 'corrupt parquet footer' }];
      const jobs = new ScriptedJobRunner({
        states: ['RUNNING', { state, errorMessage: `boom-${state}`, logUrl: 'https://logs.example/jr_f', failedTables }],
        newRunId: 'jr_f',
      });
      const error = await failureOf(run(environment(), jobs, POLLING, INPUT));

      expect(error).toBeInstanceOf(ApplicationFailure);
      const failure = error as ApplicationFailure;
      expect(failure.type).toBe('JobRunFailed');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('jr_f');
      expect(failure.message).toContain(`boom-${state}`);
      expect(failure.message).toContain('https://logs.example/jr_f');
      expect(failure.message).toContain(state);
      expect(failure.message).toContain(JOB.jobName);
      const details = failure.details?.[0] as { failedTables: unknown; report: { runId: string; state: string } };
      expect(details.failedTables).toEqual(failedTables);
      expect(details.report).toMatchObject({ runId: 'jr_f', state, jobName: JOB.jobName });
      // failed is terminal: no more polling, no stop request
      expect(jobs.callsTo('getJobRun')).toHaveLength(2);
      expect(jobs.callsTo('stopJobRun')).toHaveLength(0);
    },
  );

  it('without a per-table breakdown, failedTables is null (meaning: every table of the run failed)', async () => {
    const jobs = new ScriptedJobRunner({ states: ['FAILED'] });
    const failure = (await failureOf(run(environment(), jobs, POLLING, INPUT))) as ApplicationFailure;
    expect(failure.type).toBe('JobRunFailed');
    expect((failure.details?.[0] as { failedTables: unknown }).failedTables).toBeNull();
  });

  it('a failure without message or log link still says what ended how', async () => {
    const jobs = new ScriptedJobRunner({ states: ['TIMEOUT'], newRunId: 'jr_t' });
    const failure = (await failureOf(run(environment(), jobs, POLLING, INPUT))) as ApplicationFailure;
    expect(failure.message).toContain('jr_t');
    expect(failure.message).toContain('TIMEOUT');
    expect(failure.message).not.toContain('undefined');
  });
});

describe('runGlueJob: never starts a duplicate run', () => {
  it('re-attaches to the run id in the heartbeat details of a previous attempt', async () => {
    const jobs = new ScriptedJobRunner({ states: ['RUNNING', 'SUCCEEDED'] });
    const env = environment({ attempt: 2, heartbeatDetails: { runId: 'jr_old', state: 'RUNNING' } });
    const report = await run(env, jobs, POLLING, INPUT);

    expect(jobs.callsTo('startJobRun')).toHaveLength(0);
    expect(report.runId).toBe('jr_old');
    expect(jobs.callsTo('getJobRun').every((c) => c.runId === 'jr_old')).toBe(true);
  });

  it('re-attaches to a run found by its tag when there are no heartbeat details', async () => {
    // first attempt: learn the tag the activity uses
    const first = new ScriptedJobRunner({ states: ['SUCCEEDED'] });
    await run(environment({ attempt: 1 }), first, POLLING, INPUT);
    const tag = first.callsTo('startJobRun')[0]!.request.runTag;

    // second attempt (crashed before its first heartbeat): the run is found by tag, nothing started
    const jobs = new ScriptedJobRunner({ states: ['RUNNING', 'SUCCEEDED'], tagged: { [tag]: 'jr_tagged' } });
    const report = await run(environment({ attempt: 2 }), jobs, POLLING, INPUT);
    expect(jobs.callsTo('findRunByTag')).toEqual([{ method: 'findRunByTag', jobName: JOB.jobName, runTag: tag }]);
    expect(jobs.callsTo('startJobRun')).toHaveLength(0);
    expect(report.runId).toBe('jr_tagged');
    expect(jobs.callsTo('getJobRun').every((c) => c.runId === 'jr_tagged')).toBe(true);
  });

  async function tagFor(info: Partial<Info>, input: RunGlueJobInput = INPUT): Promise<string> {
    const jobs = new ScriptedJobRunner({ states: ['SUCCEEDED'] });
    await run(environment(info), jobs, POLLING, input);
    return jobs.callsTo('startJobRun')[0]!.request.runTag;
  }

  it('the run tag is the same for every activity attempt of the same workflow run and job attempt', async () => {
    const a = await tagFor({ attempt: 1, activityId: '7' });
    const b = await tagFor({ attempt: 2, activityId: '7' });
    const c = await tagFor({ attempt: 5, activityId: '7' });
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('the run tag differs for another workflow run, another job, or a reprocessing attempt', async () => {
    const base = await tagFor({ attempt: 1 });
    const otherRun = await tagFor({ attempt: 1, workflowExecution: { ...WORKFLOW, runId: 'wf-run-2' } });
    const otherWorkflow = await tagFor({ attempt: 1, workflowExecution: { ...WORKFLOW, workflowId: 'other-wf' } });
    const otherJob = await tagFor({ attempt: 1 }, { job: { ...JOB, jobKey: 'addressableBucket' }, attempt: 1 });
    const reprocess = await tagFor({ attempt: 1 }, { ...INPUT, attempt: 2 });
    expect(new Set([base, otherRun, otherWorkflow, otherJob, reprocess]).size).toBe(5);
  });
});

describe('runGlueJob: cancellation', () => {
  it('stops the run and waits until it reports STOPPED before rejecting with CancelledFailure', async () => {
    const env = environment();
    let cancelled = false;
    env.on('heartbeat', (details: { state?: string }) => {
      if (details.state === 'RUNNING' && !cancelled) {
        cancelled = true;
        env.cancel();
      }
    });
    const jobs = new ScriptedJobRunner({ states: ['STARTING', 'RUNNING'], afterStop: ['STOPPING', 'STOPPING', 'STOPPED'], newRunId: 'jr_c' });

    const error = await failureOf(run(env, jobs, POLLING, INPUT));
    const callsAtRejection = jobs.calls.length;

    expect(error).toBeInstanceOf(CancelledFailure);
    expect(jobs.callsTo('stopJobRun')).toEqual([{ method: 'stopJobRun', jobName: JOB.jobName, runId: 'jr_c' }]);
    const stopIndex = jobs.calls.findIndex((c) => c.method === 'stopJobRun');
    const afterStop = jobs.calls.slice(stopIndex + 1);
    expect(afterStop.map((c) => (c.method === 'getJobRun' ? c.returned.state : c.method))).toEqual(['STOPPING', 'STOPPING', 'STOPPED']);
    // it rejected only after seeing STOPPED, and does not keep polling afterwards
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(jobs.calls.length).toBe(callsAtRejection);
  });

  it('gives up waiting for a run that never stops after stopWaitMs, still rejecting as cancelled', async () => {
    const env = environment();
    env.on('heartbeat', (details: { state?: string }) => {
      if (details.state === 'RUNNING') env.cancel();
    });
    const jobs = new ScriptedJobRunner({ states: ['RUNNING'], afterStop: ['STOPPING'] });
    const started = Date.now();
    const error = await failureOf(run(env, jobs, { ...POLLING, stopWaitMs: 50 }, INPUT));
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(jobs.callsTo('stopJobRun')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

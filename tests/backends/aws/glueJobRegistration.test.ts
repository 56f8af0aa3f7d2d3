/**
 * `aws.glue.registration: glue-job` against moto. moto's Glue job runs do nothing, so
 * `playRegisterJob` (below) PLAYS THE REGISTER JOB'S PART; FAILED runs and BatchStopJobRun, which moto
 * cannot produce, come from fault injection. Everything else is real moto: job runs that take several
 * polls (state manager), GetJobRuns for the run tag, the Glue catalog the result is read back from.
 */
import {
  CreateJobCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  GetJobRunCommand,
  GetJobRunsCommand,
  type GlueClient,
} from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../../src/backends/aws/clients.js';
import { parseAwsConfig } from '../../../src/backends/aws/config.js';
import { RUN_TAG_ARGUMENT } from '../../../src/backends/aws/glueJobRunner.js';
import { createAwsBackend } from '../../../src/backends/aws/index.js';
import { ConfigError } from '../../../src/config/load.js';
import type { FlywheelConfig } from '../../../src/config/schema.js';
import type { Backend } from '../../../src/ports/backend.js';
import type { OperationContext } from '../../../src/ports/context.js';
import { faultInjectionPatchOutput, faultInjectionReplaceCommand, recordInputs } from './faultInjection.js';
import { BUCKET, createDatabase, DATABASE, put, testConfig, useMoto } from './helpers.js';

const env = useMoto();
const REGISTER_JOB = 'etl-omc-flywheel-test-register-staged-tables';
const DT = '2026-10-01';
const ibe01 = { name: 'IBE_01', kind: 'infobase' } as const;
// Spelled out from the production layout rather than taken from src, so a layout bug cannot agree with itself.
const STAGED_ROOT = `s3://${BUCKET}/omc_cleanroom_data/split/IBE_01/`;
const STAGED_PARTITION = `omc_cleanroom_data/split/IBE_01/snapshot_dt=${DT}/`;
const COLUMNS = [
  { Name: 'customer_user_id', Type: 'string' },
  { Name: 'score', Type: 'bigint' },
];

let clients: AwsClients;
let backend: Backend;

function registrationConfig(glue: Record<string, unknown> = { registration: 'glue-job', registerJob: REGISTER_JOB }): FlywheelConfig {
  const config = testConfig({ glue });
  return { ...config, jobs: { ...config.jobs, pollMinSeconds: 0.005, pollMaxSeconds: 0.02 } };
}

/**
 * PLAYS THE REGISTER JOB'S PART: when the backend under test first sees one of its runs SUCCEEDED
 * (a GetJobRun middleware, before the adapter gets the answer), create what the real job would —
 * `<database>.ibe_01_staged` partitioned by snapshot_dt, and the `snapshot_dt=<dt>` partition — through
 * the Glue API with the arranging client. `partition: false` plays a job that forgot the partition.
 */
function playRegisterJob(glue: GlueClient, arrange: GlueClient, options: { partition?: boolean } = {}): { played: string[] } {
  const played: string[] = [];
  type Args = { input: Record<string, unknown> };
  type Next = (args: Args) => Promise<{ output: Record<string, unknown> }>;
  (glue.middlewareStack as unknown as { add(mw: unknown, o: object): void }).add(
    (next: Next, context: { commandName?: string }) => async (args: Args) => {
      const result = await next(args);
      const run = result.output.JobRun as { Id: string; JobName: string; JobRunState: string; Arguments: Record<string, string> } | undefined;
      if (context.commandName !== 'GetJobRunCommand' || run?.JobRunState !== 'SUCCEEDED' || run.JobName !== REGISTER_JOB) return result;
      if (played.includes(run.Id)) return result;
      played.push(run.Id);
      const name = `${run.Arguments['--TABLES_FILTER']!.toLowerCase()}_staged`;
      const database = run.Arguments['--DATABASE']!;
      const storage = (location: string) => ({ Columns: COLUMNS, Location: location });
      await ignoreExisting(
        arrange.send(
        new CreateTableCommand({
          DatabaseName: database,
          TableInput: { Name: name, PartitionKeys: [{ Name: 'snapshot_dt', Type: 'string' }], StorageDescriptor: storage(run.Arguments['--STAGED_LOCATION']!) },
        }),
        ),
      );
      if (options.partition === false) return result;
      const dt = run.Arguments['--SNAPSHOT_DT']!;
      await ignoreExisting(
        arrange.send(
        new CreatePartitionCommand({
          DatabaseName: database,
          TableName: name,
          PartitionInput: { Values: [dt], StorageDescriptor: storage(`${run.Arguments['--STAGED_LOCATION']}snapshot_dt=${dt}`) },
        }),
        ),
      );
      return result;
    },
    { step: 'initialize', priority: 'high', name: `playRegisterJob${played.length}${Math.random()}` },
  );
  return { played };
}

/** The real job re-registers idempotently; the player keeps what an earlier run created. */
async function ignoreExisting(call: Promise<unknown>): Promise<void> {
  await call.catch((error: { name?: string }) => {
    if (error.name !== 'AlreadyExistsException') throw error;
  });
}

function context(onHeartbeat: (details: { runId?: string; state?: string }) => void = () => {}): OperationContext & { abort: AbortController } {
  const abort = new AbortController();
  return { heartbeat: (d) => onHeartbeat((d ?? {}) as { runId?: string; state?: string }), signal: abort.signal, abort };
}

beforeEach(async () => {
  await createDatabase(env.arrange.glue);
  await env.arrange.glue.send(
    new CreateJobCommand({
      Name: REGISTER_JOB,
      Role: 'arn:aws:iam::123456789012:role/flywheel-glue',
      Command: { Name: 'glueetl', ScriptLocation: `s3://${BUCKET}/scripts/${REGISTER_JOB}.py` },
      ExecutionProperty: { MaxConcurrentRuns: 5 },
      GlueVersion: '4.0',
    }),
  );
  // What the split job left: two data files and a marker that is not data.
  for (const key of ['part-00000.snappy.parquet', 'part-00001.snappy.parquet']) await put(env.arrange.s3, `${STAGED_PARTITION}${key}`, 'PAR1…PAR1');
  await put(env.arrange.s3, `${STAGED_PARTITION}_SUCCESS`, '');
  await env.moto.setManualTransition('glue::job_run', 3);
  clients = createAwsClients(parseAwsConfig(registrationConfig()));
  backend = await createAwsBackend(registrationConfig(), { clients });
});
afterEach(async () => {
  await backend.close();
  // Transitions survive /moto-api/reset: undo them so the next test starts from moto's defaults.
  await env.moto.unsetTransition('glue::job_run');
});

describe('glue-job registration against moto', () => {
  it('runs the register job with the table arguments, polls it to SUCCEEDED and reads the table back', async () => {
    const player = playRegisterJob(clients.glue, env.arrange.glue);
    const beats: { runId?: string; state?: string }[] = [];
    const registered = await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: DT, requestToken: 'wf/run/7' }, context((d) => beats.push(d)));

    expect(registered).toEqual({
      database: DATABASE,
      tableName: 'ibe_01_staged',
      location: `s3://${BUCKET}/${STAGED_PARTITION}`,
      columns: [...COLUMNS.map((c) => ({ name: c.Name, type: c.Type })), { name: 'snapshot_dt', type: 'string' }],
      files: 2,
    });
    expect(player.played).toHaveLength(1);
    const runId = player.played[0]!;
    const { JobRun } = await env.arrange.glue.send(new GetJobRunCommand({ JobName: REGISTER_JOB, RunId: runId }));
    expect(JobRun?.Arguments).toEqual({
      '--SNAPSHOT_DT': DT,
      '--TABLES_FILTER': 'IBE_01',
      '--DATABASE': DATABASE,
      '--STAGED_LOCATION': STAGED_ROOT,
      [RUN_TAG_ARGUMENT]: `wf/run/7/register/IBE_01/${DT}`,
    });
    // Several polls (moto state manager), each heartbeating the run id and state.
    const waiting = beats.filter((b) => b.state && b.state !== 'SUCCEEDED');
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((b) => b.runId === runId)).toBe(true);
    expect(beats.at(-1)?.state).toBe('SUCCEEDED');
  });

  it('a retry with the same request re-attaches to its run by tag; another request starts a new run', async () => {
    playRegisterJob(clients.glue, env.arrange.glue);
    const starts = recordInputs(clients.glue, 'StartJobRunCommand');
    const request = { table: ibe01, snapshotDt: DT, requestToken: 'wf/run/7' };
    const first = await backend.catalog.registerStagedTable(request, context());
    const again = await backend.catalog.registerStagedTable(request, context());
    expect(starts).toHaveLength(1);
    expect(again).toEqual(first);
    await backend.catalog.registerStagedTable({ ...request, requestToken: 'wf/run/8' }, context());
    expect(starts).toHaveLength(2);
  });

  it('fault injection: a FAILED run → JobRunFailed with the error message and run id; nothing read back', async () => {
    const player = playRegisterJob(clients.glue, env.arrange.glue);
    faultInjectionPatchOutput(clients.glue, 'GetJobRunCommand', (output) => {
      Object.assign(output.JobRun as object, { JobRunState: 'FAILED', ErrorMessage: 'AnalysisException: table not found' });
    });
    const starts = recordInputs(clients.glue, 'StartJobRunCommand');
    const error = await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: DT, requestToken: 'wf/run/9' }, context()).catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'JobRunFailed' });
    expect((error as Error).message).toContain(`${REGISTER_JOB} run ${await onlyRunId()} registering IBE_01 ended FAILED: AnalysisException: table not found`);
    expect(starts).toHaveLength(1);
    expect(player.played).toEqual([]);
  });

  it('fault injection (moto lacks BatchStopJobRun): an abort while the run is going stops that run and throws', async () => {
    await env.moto.setManualTransition('glue::job_run', 50);
    const stop = faultInjectionReplaceCommand(clients.glue, 'BatchStopJobRunCommand', (input) => ({
      SuccessfulSubmissions: [{ JobName: input.JobName, JobRunId: (input.JobRunIds as string[])[0] }],
      Errors: [],
    }));
    let runId: string | undefined;
    const ctx = context((beat) => {
      runId = beat.runId;
      if (beat.state) ctx.abort.abort(new Error('activity cancelled'));
    });
    await expect(backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: DT, requestToken: 'wf/run/10' }, ctx)).rejects.toThrow(
      'activity cancelled',
    );
    expect(runId).toBeDefined();
    expect(stop.inputs).toEqual([{ JobName: REGISTER_JOB, JobRunIds: [runId] }]);
  });

  it('a SUCCEEDED run that registered no table, or no partition, is an error naming the job and run', async () => {
    const noTable = await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: DT, requestToken: 'wf/run/11' }, context()).catch((e: Error) => e);
    const firstRun = await onlyRunId();
    expect((noTable as Error).message).toBe(`${REGISTER_JOB} run ${firstRun} SUCCEEDED but registered no table ${DATABASE}.ibe_01_staged`);

    playRegisterJob(clients.glue, env.arrange.glue, { partition: false });
    const noPartition = await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: DT, requestToken: 'wf/run/12' }, context()).catch((e: Error) => e);
    expect((noPartition as Error).message).toMatch(
      new RegExp(`^${REGISTER_JOB} run (?!${firstRun})\\S+ SUCCEEDED but registered no partition snapshot_dt=${DT} of ${DATABASE}\\.ibe_01_staged$`),
    );
  });
});

describe('glue-job registration config', () => {
  it('is refused without registerJob, naming the field', async () => {
    const config = { ...testConfig(), aws: { region: 'us-east-1', glue: { registration: 'glue-job' } } };
    await expect(createAwsBackend(config, { clients })).rejects.toThrow(ConfigError);
    await expect(createAwsBackend(config, { clients })).rejects.toThrow(/aws\.glue\.registerJob: required when registration is "glue-job"/);
  });
});

/** The one run of the register job so far (tests that start exactly one). */
async function onlyRunId(): Promise<string> {
  const { JobRuns } = await env.arrange.glue.send(new GetJobRunsCommand({ JobName: REGISTER_JOB }));
  expect(JobRuns).toHaveLength(1);
  return JobRuns![0]!.Id!;
}

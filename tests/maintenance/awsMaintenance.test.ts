/**
 * The Glue-job path of Delta maintenance against moto. Caveat: moto's Glue job runs DO NOTHING — no
 * script, no OPTIMIZE/VACUUM, no result file — and go straight to SUCCEEDED. These tests check the contract
 * around the job (pre-checks that read a real Delta log from S3, arguments, run tag re-attach, polling,
 * failure mapping, reading the result JSON). Where a result is needed, the SAME script
 * (jobs/delta_maintenance.py) is run locally on a copy of the table and its result uploaded where the Glue
 * run would have written it. FAILED runs come from fault injection (moto has no FAILED state).
 */
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateJobCommand, CreateTableCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsBackend } from '../../src/backends/aws/index.js';
import { createAwsClients, type AwsClients } from '../../src/backends/aws/clients.js';
import { parseAwsConfig } from '../../src/backends/aws/config.js';
import { maintenanceResultUri } from '../../src/backends/aws/deltaMaintenance.js';
import { RUN_TAG_ARGUMENT } from '../../src/backends/aws/glueJobRunner.js';
import { DELTA_MAINTENANCE_SCRIPT, locateDeltaPython, runProcess } from '../../src/backends/local/deltaPython.js';
import { seedLake } from '../../src/backends/local/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import type { Backend } from '../../src/ports/backend.js';
import type { OperationContext } from '../../src/ports/context.js';
import type { MaintenanceTarget } from '../../src/ports/deltaMaintenance.js';
import { faultInjectionPatchOutput } from '../backends/aws/faultInjection.js';
import { BUCKET, createDatabase, DATABASE, put, useMoto } from '../backends/aws/helpers.js';

const JOB = 'etl-omc-flywheel-test-delta-maintenance';
const PREFIX = `s3://${BUCKET}/maintenance-results/`;
const LOCATION = `s3://${BUCKET}/delta/ibe_01/`;
const target: MaintenanceTarget = { name: 'IBE_01', location: LOCATION, where: "snapshot_dt >= '2026-10-01'", zorderBy: ['customer_user_id'] };

function config(maintenance: Record<string, unknown> = {}): FlywheelConfig {
  return parseConfig(
    {
      environment: 'test',
      backend: 'aws',
      layout: { sourceBucket: BUCKET, targetBucket: BUCKET },
      tables: { mode: 'discover' },
      catalog: { database: DATABASE },
      jobs: { pollMinSeconds: 0.01, pollMaxSeconds: 0.02 },
      maintenance: { glueJob: JOB, resultPrefix: PREFIX, tables: [{ name: 'IBE_01', location: LOCATION }], targetFileMb: 64, ...maintenance },
      aws: { region: 'us-east-1', maxAttempts: 2, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, glue: { defaults: { workerType: 'G.1X', numberOfWorkers: 2 } } },
    },
    'test config',
    {},
  );
}

const ctx = (): OperationContext => ({ heartbeat: () => {}, signal: new AbortController().signal });
const env = useMoto();
let clients: AwsClients;
let backend: Backend;
let home: string;
let localTable: string;

/** Uploads a local folder under `prefix` (the Delta table, as it would be on S3). */
async function upload(dir: string, prefix: string): Promise<void> {
  for (const file of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const full = path.join(file.parentPath, file.name);
    await put(env.arrange.s3, `${prefix}${path.relative(dir, full)}`, new Uint8Array(await readFile(full)));
  }
}

beforeAll(async () => {
  // A real Delta table (delta-rs), with a checkpoint so the log reader also reads one.
  home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-aws-delta-'));
  const local = parseConfig(
    {
      environment: 'seed',
      backend: 'local',
      layout: { sourceBucket: 'lake-a', targetBucket: 'lake-a' },
      tables: { infobase: ['IBE_01'], addressable: false },
      catalog: { database: 'seed' },
      maintenance: { tables: [{ name: 'IBE_01', location: 's3://lake-a/delta/ibe_01/' }] },
    },
    'seed config',
    {},
  );
  localTable = (await seedLake({ config: local, home, rows: 400, tables: [] })).deltaTables[0]!.location;
  const python = await locateDeltaPython();
  const checkpoint = await runProcess(python, ['-c', `from deltalake import DeltaTable; DeltaTable(${JSON.stringify(localTable)}).create_checkpoint()`]);
  expect(checkpoint.code, checkpoint.stderr).toBe(0);
});
afterAll(async () => rm(home, { recursive: true, force: true }));

beforeEach(async () => {
  await env.arrange.glue.send(
    new CreateJobCommand({ Name: JOB, Role: 'arn:aws:iam::123456789012:role/flywheel-glue', Command: { Name: 'glueetl', ScriptLocation: `s3://${BUCKET}/scripts/delta_maintenance.py` }, GlueVersion: '5.0' }),
  );
  await upload(localTable, 'delta/ibe_01/');
  const c = config();
  clients = createAwsClients(parseAwsConfig(c));
  backend = await createAwsBackend(c, { clients });
});
afterEach(async () => {
  clients.destroy();
  await env.moto.unsetTransition('glue::job_run');
});

const runs = async () => (await env.arrange.glue.send(new GetJobRunsCommand({ JobName: JOB }))).JobRuns ?? [];

/** Runs the job script locally on the table copy and puts its result where the Glue run for `runTag` writes it. */
async function resultOfTheRealScript(runTag: string): Promise<Record<string, unknown>> {
  const file = path.join(home, `${runTag.replace(/\W/g, '_')}.json`);
  const python = await locateDeltaPython();
  const args = ['--TABLE', `delta.\`${localTable}\``, '--OPTIMIZE_WHERE', '', '--ZORDER_BY', 'customer_user_id', '--RETAIN_HOURS', '168', '--RESULT_URI', file, '--FLYWHEEL_RUN_TAG', runTag];
  const run = await runProcess(python, [DELTA_MAINTENANCE_SCRIPT, ...args]);
  expect(run.code, run.stderr).toBe(0);
  const body = await readFile(file, 'utf8');
  await put(env.arrange.s3, maintenanceResultUri(PREFIX, 'test', runTag).replace(`s3://${BUCKET}/`, ''), body);
  return JSON.parse(body) as Record<string, unknown>;
}

describe('Delta maintenance through the Glue job (moto)', () => {
  it('check reads the Delta log on S3 (checkpoint + commits): missing, non-Delta, bad columns are refused', async () => {
    const check = (extra: Partial<MaintenanceTarget>) => backend.maintenance!.check({ ...target, ...extra });
    await expect(check({})).resolves.toBeUndefined();
    await expect(check({ location: `s3://${BUCKET}/delta/nope/` })).rejects.toThrow(/delta\/nope\/ does not exist \(no objects under it\)/);
    await put(env.arrange.s3, 'plain/ibe_01/snapshot_dt=2026-10-01/part-00000.parquet', 'PAR1');
    await expect(check({ location: `s3://${BUCKET}/plain/ibe_01/` })).rejects.toThrow(/is not a Delta table: no _delta_log commits/);
    await expect(check({ zorderBy: ['no_such_column'] })).rejects.toThrow(/zorderBy column no_such_column is not in the table/);
    await expect(check({ where: "ibe_segment = 'A1'" })).rejects.toThrow(/where column ibe_segment is not a partition column/);
  });

  it('check resolves a catalog table to its location through the Glue Data Catalog', async () => {
    await createDatabase(env.arrange.glue);
    await env.arrange.glue.send(new CreateTableCommand({ DatabaseName: DATABASE, TableInput: { Name: 'ibe_01_delta', StorageDescriptor: { Location: LOCATION }, Parameters: { table_type: 'DELTA' } } }));
    await expect(backend.maintenance!.check({ name: 'IBE_01', catalogTable: `${DATABASE}.ibe_01_delta`, zorderBy: ['customer_user_id'] })).resolves.toBeUndefined();
    await expect(backend.maintenance!.check({ name: 'IBE_01', catalogTable: 'ibe_01_nope', zorderBy: [] })).rejects.toThrow(/catalog table omc_flywheel_test\.ibe_01_nope does not exist/);
  });

  it('starts the job with the script contract and the run tag, polls to SUCCEEDED, reads the figures the script wrote', async () => {
    await env.moto.setManualTransition('glue::job_run', 3);
    const runTag = 'wf/run/maintenance/IBE_01';
    const expected = await resultOfTheRealScript(runTag);
    const result = await backend.maintenance!.maintainTable({ target, retainHours: 200, asOf: '2026-11-01T00:00:00Z', runTag }, ctx());
    const [run] = await runs();
    expect(run?.Arguments).toMatchObject({
      '--TABLE': `delta.\`${LOCATION}\``,
      '--OPTIMIZE_WHERE': "snapshot_dt >= '2026-10-01'",
      '--ZORDER_BY': 'customer_user_id',
      '--RETAIN_HOURS': '200',
      '--RESULT_URI': maintenanceResultUri(PREFIX, 'test', runTag),
      '--ALLOW_SHORT_RETENTION': 'false',
      '--TARGET_FILE_MB': '64',
      '--DATABASE': DATABASE,
      [RUN_TAG_ARGUMENT]: runTag,
    });
    expect(result).toMatchObject({ jobRunId: run?.Id, filesBefore: expected.filesBefore, filesAfter: expected.filesAfter, filesRemoved: expected.filesRemoved, versionsCommitted: expected.versionsCommitted });
  });

  it('a run that wrote no result (moto runs do nothing) fails the table, saying where the result was expected', async () => {
    const error = await backend.maintenance!.maintainTable({ target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/maintenance/none' }, ctx()).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'JobRunFailed', message: expect.stringMatching(/SUCCEEDED but wrote no successful result to s3:\/\/.*flywheel jobs deploy/) });
  });

  it('a retried activity (same run tag) re-attaches to its run instead of starting a second one', async () => {
    const request = { target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/maintenance/retry' };
    await resultOfTheRealScript(request.runTag);
    const first = await backend.maintenance!.maintainTable(request, ctx());
    const second = await backend.maintenance!.maintainTable(request, ctx());
    expect(second.jobRunId).toBe(first.jobRunId);
    expect(await runs()).toHaveLength(1);
  });

  it('a FAILED run (fault injection) becomes JobRunFailed with the job error', async () => {
    faultInjectionPatchOutput(clients.glue, 'GetJobRunCommand', (output) => {
      Object.assign(output.JobRun as Record<string, unknown>, { JobRunState: 'FAILED', ErrorMessage: 'RuntimeError: InvalidInput: ZORDER BY column x is not in the table' });
    });
    const error = await backend.maintenance!.maintainTable({ target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/maintenance/fail' }, ctx()).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'JobRunFailed' });
    expect((error as Error).message).toMatch(/ended FAILED: RuntimeError: InvalidInput: ZORDER BY column x/);
  });

  it('without maintenance.glueJob or resultPrefix the check refuses with the setting to add', async () => {
    const noJob = await createAwsBackend(config({ glueJob: undefined }), { clients });
    await expect(noJob.maintenance!.check(target)).rejects.toThrow(/maintenance\.glueJob is not set/);
    const noPrefix = await createAwsBackend(config({ resultPrefix: undefined }), { clients });
    await expect(noPrefix.maintenance!.check(target)).rejects.toThrow(/maintenance\.resultPrefix is not set/);
  });
});

/**
 * The Glue-job path of Delta maintenance against moto. Caveat: moto's Glue job runs DO NOTHING — no
 * Spark, no OPTIMIZE/VACUUM, no result file — and go straight to SUCCEEDED. These tests therefore
 * check the contract around the job (arguments, run tag re-attach, polling, failure mapping, reading
 * the result JSON), not Delta itself. The result JSON is written by the test where the real script
 * would write it, and FAILED runs come from fault injection (moto has no FAILED state).
 */
import { CreateJobCommand, GetJobRunsCommand } from '@aws-sdk/client-glue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAwsBackend } from '../../src/backends/aws/index.js';
import { createAwsClients, type AwsClients } from '../../src/backends/aws/clients.js';
import { parseAwsConfig } from '../../src/backends/aws/config.js';
import { maintenanceResultUri } from '../../src/backends/aws/deltaMaintenance.js';
import { RUN_TAG_ARGUMENT } from '../../src/backends/aws/glueJobRunner.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import type { Backend } from '../../src/ports/backend.js';
import type { OperationContext } from '../../src/ports/context.js';
import type { MaintenanceTarget } from '../../src/ports/deltaMaintenance.js';
import { faultInjectionPatchOutput } from '../backends/aws/faultInjection.js';
import { BUCKET, put, useMoto } from '../backends/aws/helpers.js';

const JOB = 'etl-omc-flywheel-test-delta-maintenance';
const PREFIX = `s3://${BUCKET}/maintenance-results/`;
const target: MaintenanceTarget = { name: 'IBE_01', catalogTable: 'omc_flywheel_test.ibe_01_delta', where: "snapshot_dt >= '2026-09-01'", zorderBy: ['customer_user_id', 'region'] };

function config(maintenance: Record<string, unknown> = {}): FlywheelConfig {
  return parseConfig(
    {
      environment: 'test',
      backend: 'aws',
      layout: { sourceBucket: BUCKET, targetBucket: BUCKET },
      tables: { mode: 'discover' },
      catalog: { database: 'omc_flywheel_test' },
      jobs: { pollMinSeconds: 0.01, pollMaxSeconds: 0.02 },
      maintenance: { glueJob: JOB, resultPrefix: PREFIX, tables: [{ name: 'IBE_01', catalogTable: 'omc_flywheel_test.ibe_01_delta' }], ...maintenance },
      aws: { region: 'us-east-1', maxAttempts: 2, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, glue: { defaults: { workerType: 'G.1X', numberOfWorkers: 2 } } },
    },
    'test config',
    {},
  );
}

function recordingContext(): OperationContext & { beats: unknown[] } {
  const beats: unknown[] = [];
  return { beats, heartbeat: (d) => void beats.push(d), signal: new AbortController().signal };
}

const env = useMoto();
let clients: AwsClients;
let backend: Backend;

beforeEach(async () => {
  await env.arrange.glue.send(
    new CreateJobCommand({ Name: JOB, Role: 'arn:aws:iam::123456789012:role/flywheel-glue', Command: { Name: 'glueetl', ScriptLocation: `s3://${BUCKET}/scripts/delta.py` }, GlueVersion: '4.0' }),
  );
  const c = config();
  clients = createAwsClients(parseAwsConfig(c));
  backend = await createAwsBackend(c, { clients });
});
afterEach(async () => {
  clients.destroy();
  await env.moto.unsetTransition('glue::job_run');
});

const runs = async () => (await env.arrange.glue.send(new GetJobRunsCommand({ JobName: JOB }))).JobRuns ?? [];

describe('Delta maintenance through a Glue job (moto)', () => {
  it('starts the job with --TABLE/--OPTIMIZE_WHERE/--ZORDER_BY/--RETAIN_HOURS and the run tag, polls to SUCCEEDED', async () => {
    await env.moto.setManualTransition('glue::job_run', 3);
    const ctx = recordingContext();
    const result = await backend.maintenance!.maintainTable({ target, retainHours: 200, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/maintenance/IBE_01' }, ctx);
    const [run] = await runs();
    expect(run?.Arguments).toMatchObject({
      '--TABLE': 'omc_flywheel_test.ibe_01_delta',
      '--OPTIMIZE_WHERE': "snapshot_dt >= '2026-09-01'",
      '--ZORDER_BY': 'customer_user_id,region',
      '--RETAIN_HOURS': '200',
      '--RESULT_URI': maintenanceResultUri(PREFIX, 'test', 'wf/run/maintenance/IBE_01'),
      [RUN_TAG_ARGUMENT]: 'wf/run/maintenance/IBE_01',
    });
    expect(result.jobRunId).toBe(run?.Id);
    // moto wrote nothing: counts are reported as unknown, with the reason.
    expect(result).toMatchObject({ filesCompacted: null, filesRemoved: null });
    expect(result.notes.join(' ')).toMatch(/file counts unknown: the job wrote no result/);
    expect(ctx.beats.filter((b) => (b as { state?: string }).state === 'RUNNING').length).toBeGreaterThan(0);
  });

  it('reads the counts the job wrote to --RESULT_URI (written here in place of the Spark script)', async () => {
    const runTag = 'wf/run/maintenance/counts';
    const key = maintenanceResultUri(PREFIX, 'test', runTag).replace(`s3://${BUCKET}/`, '');
    await put(env.arrange.s3, key, JSON.stringify({ filesCompacted: 120, filesWritten: 4, filesRemoved: 310 }));
    const result = await backend.maintenance!.maintainTable({ target: { ...target, where: undefined, zorderBy: [] }, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag }, recordingContext());
    expect(result).toMatchObject({ filesCompacted: 120, filesWritten: 4, filesRemoved: 310, partitionsRemoved: null });
    const [run] = await runs();
    expect(run?.Arguments).toMatchObject({ '--OPTIMIZE_WHERE': '', '--ZORDER_BY': '' });
  });

  it('a retried activity (same run tag) re-attaches to its run instead of starting a second one', async () => {
    const request = { target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/maintenance/retry' };
    const first = await backend.maintenance!.maintainTable(request, recordingContext());
    const second = await backend.maintenance!.maintainTable(request, recordingContext());
    expect(second.jobRunId).toBe(first.jobRunId);
    expect(await runs()).toHaveLength(1);
  });

  it('a FAILED run (fault injection) becomes JobRunFailed with the job error', async () => {
    faultInjectionPatchOutput(clients.glue, 'GetJobRunCommand', (output) => {
      const run = output.JobRun as Record<string, unknown>;
      Object.assign(run, { JobRunState: 'FAILED', ErrorMessage: 'AnalysisException: not a Delta table' });
    });
    const error = await backend
      .maintenance!.maintainTable({ target, retainHours: 168, asOf: '2026-11-01T00:00:00Z', runTag: 'wf/run/maintenance/fail' }, recordingContext())
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'JobRunFailed' });
    expect((error as Error).message).toMatch(/ended FAILED: AnalysisException: not a Delta table/);
  });

  it('without maintenance.glueJob the check refuses with the setting to add', async () => {
    const c = config({ glueJob: undefined });
    const other = await createAwsBackend(c, { clients });
    expect(() => other.maintenance!.check(target)).toThrow(/maintenance\.glueJob is not set/);
  });
});

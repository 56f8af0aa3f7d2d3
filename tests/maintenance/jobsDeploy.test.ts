import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateJobCommand, DeleteJobCommand, GetJobCommand, GlueClient, type CreateJobCommandInput } from '@aws-sdk/client-glue';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pinnedDeltalakeVersion, DELTA_MAINTENANCE_SCRIPT } from '../../src/backends/deltaMaintenanceJob.js';
import { deployMaintenanceJob } from '../../src/backends/aws/glueJobDeploy.js';
import { loadConfig } from '../../src/config/load.js';
import { jobsDeployCommand } from '../../src/cli/commands/jobs.js';
import { EXIT_BAD_INPUT, exitCodeFor } from '../../src/cli/errors.js';
import { BUCKET, DATABASE, put, useMoto } from '../backends/aws/helpers.js';

const JOB = 'etl-omc-flywheel-test-delta-maintenance';
const SCRIPT = `s3://${BUCKET}/flywheel/jobs/delta_maintenance.py`;

/**
 * EMULATION LAYER: moto 5.2 has no Glue UpdateJob (it answers 404). This middleware answers UpdateJobCommand
 * the way Glue does — the job's definition is replaced by the JobUpdate — by deleting and re-creating the job
 * in moto through a plain client. Everything else goes over real HTTP to moto.
 */
function emulateUpdateJobOnMoto(glue: GlueClient, plain: GlueClient): void {
  (glue.middlewareStack as unknown as { add(middleware: unknown, options: object): void }).add(
    (next: (args: { input: object }) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: object }) => {
      if (context.commandName !== 'UpdateJobCommand') return next(args);
      const { JobName, JobUpdate } = args.input as { JobName: string; JobUpdate: Record<string, unknown> };
      await plain.send(new DeleteJobCommand({ JobName }));
      await plain.send(new CreateJobCommand({ Name: JobName, ...(JobUpdate as object) } as CreateJobCommandInput));
      return { output: { JobName, $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'emulateUpdateJobOnMoto' },
  );
}

/** `flywheel jobs deploy` against moto (S3 and Glue CreateJob/GetJob as on AWS; UpdateJob emulated, see above). */
describe('flywheel jobs deploy (moto)', () => {
  const env = useMoto();
  let dir: string;
  let out: string[];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flywheel-deploy-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const configFile = async (definition: Record<string, unknown> = {}, backend = 'aws') => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    const config = {
      environment: 'test',
      backend,
      tables: { mode: 'discover' },
      catalog: { database: DATABASE },
      aws: { region: 'us-east-1' },
      maintenance: {
        glueJob: JOB,
        concurrency: 3,
        glueJobDefinition: { scriptLocation: SCRIPT, roleArn: 'arn:aws:iam::123456789012:role/flywheel-delta-maintenance', ...definition },
      },
    };
    await writeFile(file, JSON.stringify(config)); // JSON is YAML
    return file;
  };
  const deploy = async (file: string) => {
    out = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await jobsDeployCommand({ config: file, json: true })).toBe(0);
    vi.restoreAllMocks();
    return JSON.parse(out.join('')) as { job: string; script: string };
  };
  const job = async () => (await env.arrange.glue.send(new GetJobCommand({ JobName: JOB }))).Job!;

  it('creates the job and uploads the script, then changes nothing when run again (the CLI command)', async () => {
    const file = await configFile();
    expect(await deploy(file)).toMatchObject({ job: 'created', script: 'uploaded' });
    const created = await job();
    expect(created).toMatchObject({
      Role: 'arn:aws:iam::123456789012:role/flywheel-delta-maintenance',
      Command: { Name: 'glueetl', ScriptLocation: SCRIPT, PythonVersion: '3' },
      GlueVersion: '5.0',
      WorkerType: 'G.1X',
      NumberOfWorkers: 2,
      ExecutionProperty: { MaxConcurrentRuns: 3 },
      DefaultArguments: { '--additional-python-modules': `deltalake==${pinnedDeltalakeVersion()}`, '--job-language': 'python' },
    });
    expect(created.DefaultArguments).not.toHaveProperty('--datalake-formats'); // delta-rs, not Delta-Spark
    const uploaded = await env.arrange.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'flywheel/jobs/delta_maintenance.py' }));
    expect(await uploaded.Body!.transformToString()).toBe(await readFile(DELTA_MAINTENANCE_SCRIPT, 'utf8'));

    expect(await deploy(file)).toMatchObject({ job: 'unchanged', script: 'unchanged' });
  });

  it('updates the job when its definition changed, and re-uploads a script that differs (UpdateJob emulated)', async () => {
    const retry = { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 };
    const glue = new GlueClient({ region: 'us-east-1' });
    emulateUpdateJobOnMoto(glue, env.arrange.glue);
    const first = loadConfig(await configFile());
    expect(await deployMaintenanceJob(first, env.arrange.s3, glue, retry)).toMatchObject({ job: 'created', script: 'uploaded' });
    const changed = loadConfig(await configFile({ numberOfWorkers: 4, glueVersion: '4.0', timeoutMinutes: 60 }));
    expect(await deployMaintenanceJob(changed, env.arrange.s3, glue, retry)).toMatchObject({ job: 'updated', script: 'unchanged' });
    expect(await job()).toMatchObject({ NumberOfWorkers: 4, GlueVersion: '4.0', Timeout: 60, Command: { ScriptLocation: SCRIPT } });
    expect(await deployMaintenanceJob(changed, env.arrange.s3, glue, retry)).toMatchObject({ job: 'unchanged' });

    await put(env.arrange.s3, 'flywheel/jobs/delta_maintenance.py', 'print("someone else\'s script")');
    expect(await deployMaintenanceJob(changed, env.arrange.s3, glue, retry)).toMatchObject({ script: 'uploaded', job: 'unchanged' });
    glue.destroy();
  });

  it('refuses a local config, and one without a job definition, with exit code 2', async () => {
    const local = await configFile({}, 'local');
    expect(exitCodeFor(await jobsDeployCommand({ config: local }).catch((e: unknown) => e))).toBe(EXIT_BAD_INPUT);
    const file = path.join(dir, 'no-definition.yaml');
    await writeFile(file, JSON.stringify({ environment: 'test', backend: 'aws', tables: { mode: 'discover' }, catalog: { database: DATABASE }, aws: { region: 'us-east-1' }, maintenance: { glueJob: JOB } }));
    const error = await jobsDeployCommand({ config: file }).catch((e: unknown) => e);
    expect(exitCodeFor(error)).toBe(EXIT_BAD_INPUT);
    expect((error as Error).message).toMatch(/maintenance\.glueJobDefinition/);
  });
});

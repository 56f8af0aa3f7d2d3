import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CreateJobCommand, GetJobCommand, UpdateJobCommand, type GlueClient, type Job, type JobUpdate } from '@aws-sdk/client-glue';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { DELTA_MAINTENANCE_SCRIPT, pinnedDeltalakeVersion } from '../deltaMaintenanceJob.js';
import { awsErrorName, withAwsRetry, type RetryPolicy } from './retry.js';
import { parseS3Uri } from './s3Objects.js';

export interface DeployedJob {
  jobName: string;
  scriptLocation: string;
  script: 'uploaded' | 'unchanged';
  job: 'created' | 'updated' | 'unchanged';
  definition: JobUpdate;
}

/**
 * The maintenance job's Glue definition: a Glue 5.0 Python 3.11 (`glueetl`) job running jobs/delta_maintenance.py
 * with delta-rs installed by `--additional-python-modules`. No `--datalake-formats delta`: the script does not use
 * Delta-Spark (which would ignore `RETAIN n HOURS`); delta-rs applies exactly the retention asked for.
 */
export function maintenanceJobDefinition(config: FlywheelConfig): JobUpdate {
  const definition = config.maintenance.glueJobDefinition;
  if (!config.maintenance.glueJob || !definition) {
    throw new InvalidInputError('maintenance.glueJob and maintenance.glueJobDefinition (scriptLocation, roleArn, …) must be set to deploy the maintenance job');
  }
  return {
    Description: `Flywheel Delta maintenance: jobs/delta_maintenance.py (delta-rs ${pinnedDeltalakeVersion()}); managed by flywheel jobs deploy`,
    Role: definition.roleArn,
    Command: { Name: 'glueetl', ScriptLocation: definition.scriptLocation, PythonVersion: '3' },
    GlueVersion: definition.glueVersion,
    WorkerType: definition.workerType,
    NumberOfWorkers: definition.numberOfWorkers,
    Timeout: definition.timeoutMinutes,
    MaxRetries: definition.maxRetries,
    // One run per table; maintenance.concurrency tables at once.
    ExecutionProperty: { MaxConcurrentRuns: config.maintenance.concurrency },
    DefaultArguments: {
      '--job-language': 'python',
      '--additional-python-modules': `deltalake==${pinnedDeltalakeVersion()}`,
      '--enable-continuous-cloudwatch-log': 'true',
      '--enable-metrics': 'true',
    },
  };
}

/** Whether the existing job already has every field of the definition (Glue adds defaults of its own). */
function matches(job: Job, wanted: JobUpdate): boolean {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return (
    same(job.Description, wanted.Description) &&
    same(job.Role, wanted.Role) &&
    same(job.Command?.Name, wanted.Command?.Name) &&
    same(job.Command?.ScriptLocation, wanted.Command?.ScriptLocation) &&
    same(job.Command?.PythonVersion, wanted.Command?.PythonVersion) &&
    same(job.GlueVersion, wanted.GlueVersion) &&
    same(job.WorkerType, wanted.WorkerType) &&
    same(job.NumberOfWorkers, wanted.NumberOfWorkers) &&
    same(job.Timeout, wanted.Timeout) &&
    same(job.MaxRetries, wanted.MaxRetries) &&
    same(job.ExecutionProperty?.MaxConcurrentRuns, wanted.ExecutionProperty?.MaxConcurrentRuns) &&
    Object.entries(wanted.DefaultArguments ?? {}).every(([k, v]) => job.DefaultArguments?.[k] === v)
  );
}

/**
 * `flywheel jobs deploy`: uploads jobs/delta_maintenance.py to `scriptLocation` (unless the object already has
 * these bytes) and creates or updates the Glue job so it matches `maintenanceJobDefinition` (unless it already
 * does). Idempotent: a second deploy changes nothing.
 */
export async function deployMaintenanceJob(config: FlywheelConfig, s3: S3Client, glue: GlueClient, retry: RetryPolicy): Promise<DeployedJob> {
  const definition = maintenanceJobDefinition(config);
  const jobName = config.maintenance.glueJob!;
  const scriptLocation = definition.Command!.ScriptLocation!;
  const body = await readFile(DELTA_MAINTENANCE_SCRIPT);
  const md5 = createHash('md5').update(body).digest('hex');
  const { bucket, key } = parseS3Uri(scriptLocation);
  const existing = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch((error: unknown) => {
    if (awsErrorName(error) === 'NotFound' || awsErrorName(error) === 'NoSuchKey') return undefined;
    throw error;
  });
  const scriptSame = existing?.ETag?.replace(/"/g, '') === md5;
  if (!scriptSame) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/x-python', Metadata: { 'flywheel-md5': md5 } }));
  }

  const current = await withAwsRetry(() => glue.send(new GetJobCommand({ JobName: jobName })), retry).then(
    (r) => r.Job,
    (error: unknown) => (awsErrorName(error) === 'EntityNotFoundException' ? undefined : Promise.reject(error)),
  );
  let job: DeployedJob['job'] = 'unchanged';
  if (!current) {
    await withAwsRetry(() => glue.send(new CreateJobCommand({ Name: jobName, ...definition, Role: definition.Role!, Command: definition.Command! })), retry);
    job = 'created';
  } else if (!matches(current, definition)) {
    const update: JobUpdate = { ...definition, DefaultArguments: { ...current.DefaultArguments, ...definition.DefaultArguments } };
    await withAwsRetry(() => glue.send(new UpdateJobCommand({ JobName: jobName, JobUpdate: update })), retry);
    job = 'updated';
  }
  return { jobName, scriptLocation, script: scriptSame ? 'unchanged' : 'uploaded', job, definition };
}

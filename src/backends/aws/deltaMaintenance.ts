import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError, JobRunFailedError } from '../../domain/errors.js';
import type { OperationContext } from '../../ports/context.js';
import type { DeltaMaintenance, MaintainTableRequest, MaintainTableResult, MaintenanceTarget } from '../../ports/deltaMaintenance.js';
import type { JobRunner } from '../../ports/jobRunner.js';
import { checkTargetColumns, readDeltaTableMetadata, type DeltaLogFiles } from '../deltaLogMetadata.js';
import { maintenanceJobArguments, maintenanceResultName, parseMaintenanceJobResult, tableResultOf, maintenanceJobRun } from '../deltaMaintenanceJob.js';
import { runJobToCompletion } from './awaitJobRun.js';
import { awsErrorName, withAwsRetry, type RetryPolicy } from './retry.js';
import { listAllObjects, parseS3Uri, readJsonObject } from './s3Objects.js';

/** Where the run for `runTag` writes its result JSON (stable, so a retry reads the same object). */
export function maintenanceResultUri(resultPrefix: string, environment: string, runTag: string): string {
  return `${resultPrefix}${maintenanceResultName(environment, runTag)}`;
}

function s3DeltaLog(s3: S3Client, location: string): DeltaLogFiles {
  const { bucket, key } = parseS3Uri(location);
  const prefix = `${key.replace(/\/?$/, '/')}_delta_log/`;
  return {
    location,
    list: async () => (await listAllObjects(s3, bucket, prefix)).map((o) => o.Key!.slice(prefix.length)).filter((n) => n && !n.includes('/')),
    read: async (name) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${name}` }));
      return object.Body!.transformToByteArray();
    },
  };
}

/**
 * Delta OPTIMIZE/VACUUM through the Glue job that runs jobs/delta_maintenance.py (`flywheel jobs deploy`
 * creates it; Athena cannot maintain Delta tables). Start → poll → heartbeat like the refresh's job runs,
 * with the run tag so a retried activity re-attaches instead of starting a second run; cancellation stops
 * the run. The figures come from the JSON the job writes under `maintenance.resultPrefix`.
 */
export class GlueDeltaMaintenance implements DeltaMaintenance {
  constructor(
    private readonly config: FlywheelConfig,
    private readonly jobs: JobRunner,
    private readonly s3: S3Client,
    private readonly glue: GlueClient,
    private readonly retry: RetryPolicy,
  ) {}

  private settings(): { jobName: string; resultPrefix: string } {
    const { glueJob, resultPrefix } = this.config.maintenance;
    if (!glueJob) throw new InvalidInputError('maintenance.glueJob is not set: name the Glue job that runs jobs/delta_maintenance.py (`flywheel jobs deploy` creates it)');
    if (!resultPrefix) throw new InvalidInputError('maintenance.resultPrefix is not set: the maintenance job writes its figures (files, bytes, versions) there');
    return { jobName: glueJob, resultPrefix };
  }

  /** The table's S3 location: configured, or the catalog table's. */
  private async locationOf(target: MaintenanceTarget): Promise<string> {
    if (target.location) return target.location;
    const [database, name] = target.catalogTable!.includes('.') ? target.catalogTable!.split('.') : [this.config.catalog.database, target.catalogTable!];
    try {
      const { Table } = await withAwsRetry(() => this.glue.send(new GetTableCommand({ DatabaseName: database, Name: name })), this.retry);
      const location = Table?.StorageDescriptor?.Location ?? Table?.Parameters?.location;
      if (!location) throw new InvalidInputError(`maintenance table ${target.name}: catalog table ${database}.${name} has no location`);
      return location.replace(/^s3[an]:\/\//, 's3://');
    } catch (error) {
      if (awsErrorName(error) === 'EntityNotFoundException') {
        throw new InvalidInputError(`maintenance table ${target.name}: catalog table ${database}.${name} does not exist`);
      }
      throw error;
    }
  }

  async check(target: MaintenanceTarget): Promise<void> {
    this.settings();
    const location = await this.locationOf(target);
    const { bucket, key } = parseS3Uri(location);
    if ((await listAllObjects(this.s3, bucket, key.replace(/\/?$/, '/'), 1).then((o) => o.length)) === 0) {
      throw new InvalidInputError(`maintenance table ${target.name}: ${location} does not exist (no objects under it)`);
    }
    const metadata = await readDeltaTableMetadata(s3DeltaLog(this.s3, location)).catch((error: unknown) => {
      throw error instanceof InvalidInputError ? new InvalidInputError(`maintenance table ${target.name}: ${error.message}`) : error;
    });
    checkTargetColumns(target, metadata, location);
  }

  async maintainTable(request: MaintainTableRequest, ctx: OperationContext): Promise<MaintainTableResult> {
    const { jobName, resultPrefix } = this.settings();
    const { target } = request;
    const resultUri = maintenanceResultUri(resultPrefix, this.config.environment, request.runTag);
    const table = target.catalogTable ?? `delta.\`${target.location}\``;
    const args = {
      ...maintenanceJobArguments({ table, where: target.where, zorderBy: target.zorderBy, retainHours: request.retainHours, resultUri }, this.config.maintenance),
      '--DATABASE': this.config.catalog.database,
    };
    const runId = await runJobToCompletion(
      this.jobs,
      maintenanceJobRun(this.config, { jobName: jobName, runTag: request.runTag, table: target.name, arguments: args }),
      ctx,
    );
    const { bucket, key } = parseS3Uri(resultUri);
    const result = parseMaintenanceJobResult(await readJsonObject<unknown>(this.s3, bucket, key));
    if (result?.status !== 'SUCCEEDED') {
      throw new JobRunFailedError(`${jobName} run ${runId} SUCCEEDED but wrote no successful result to ${resultUri}: is the job running jobs/delta_maintenance.py (flywheel jobs deploy)?`);
    }
    return tableResultOf(result, runId);
  }
}

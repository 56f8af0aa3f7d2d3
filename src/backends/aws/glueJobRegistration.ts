import { randomUUID } from 'node:crypto';
import { GetPartitionCommand, GetTableCommand, type GlueClient, type Partition, type Table } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { assertSqlIdentifier } from '../../domain/identifiers.js';
import type { JobKey } from '../../domain/jobRuns.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { stagedTableName } from '../../domain/tables.js';
import type { ColumnSpec, RegisteredTable, RegisterStagedTableRequest, StagedTableCatalog } from '../../ports/catalog.js';
import { NO_CONTEXT, type OperationContext } from '../../ports/context.js';
import type { JobRunner } from '../../ports/jobRunner.js';
import { runJobToCompletion } from './awaitJobRun.js';
import { PARTITION_KEY } from './glueCatalog.js';
import type { AwsLayout } from './layout.js';
import { awsErrorName, withAwsRetry, type RetryPolicy } from './retry.js';
import { isDataObject, listAllObjects, parseS3Uri } from './s3Objects.js';

export const REGISTER_JOB_KEY: JobKey = 'registerStagedTables';

export interface GlueJobRegistrationOptions {
  /** The existing register job (`aws.glue.registerJob`). */
  jobName: string;
  pollMinMs: number;
  pollMaxMs: number;
}

/** What the register job is told: one table (`--TABLES_FILTER`), its snapshot, database and staged root. */
export function registerJobArguments(tableName: string, snapshotDt: string, database: string, stagedLocation: string): Record<string, string> {
  return { '--SNAPSHOT_DT': snapshotDt, '--TABLES_FILTER': tableName, '--DATABASE': database, '--STAGED_LOCATION': stagedLocation };
}

/**
 * Same request → same tag, so a retried activity finds the run it started. Without a request token
 * (a direct call outside an activity) every call gets its own run: nothing to re-attach to by mistake.
 */
export function registerRunTag(request: RegisterStagedTableRequest, snapshotDt: string): string {
  return `${request.requestToken ?? `untokened-${randomUUID()}`}/register/${request.table.name}/${snapshotDt}`;
}

/**
 * `aws.glue.registration: glue-job`: registration by the existing register Glue job instead of the
 * Glue API from the worker. One run per table; the result is read back from the Glue catalog, so the
 * workflow gets the same RegisteredTable as in the API mode (and the job cannot claim success unseen).
 */
export class GlueJobStagedTableCatalog implements StagedTableCatalog {
  constructor(
    private readonly jobs: JobRunner,
    private readonly glue: GlueClient,
    private readonly s3: S3Client,
    private readonly layout: AwsLayout,
    private readonly database: string,
    private readonly retry: RetryPolicy,
    private readonly options: GlueJobRegistrationOptions,
  ) {
    assertSqlIdentifier(database, 'catalog database');
  }

  async registerStagedTable(request: RegisterStagedTableRequest, ctx: OperationContext = NO_CONTEXT): Promise<RegisteredTable> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const tableName = assertSqlIdentifier(stagedTableName(request.table), 'staged table name');
    const { jobName } = this.options;
    const runTag = registerRunTag(request, snapshotDt);
    const stagedRoot = this.layout.uri(this.layout.stagedTableRoot(request.table));

    const runId = await runJobToCompletion(
      this.jobs,
      {
        jobKey: REGISTER_JOB_KEY,
        jobName,
        runTag,
        arguments: registerJobArguments(request.table.name, snapshotDt, this.database, stagedRoot),
        table: request.table.name,
        purpose: `registering ${request.table.name}`,
        pollMinMs: this.options.pollMinMs,
        pollMaxMs: this.options.pollMaxMs,
      },
      ctx,
    );
    return this.readBack(tableName, snapshotDt, runId);
  }

  /** The table and partition the job registered, in the API mode's RegisteredTable shape. */
  private async readBack(tableName: string, snapshotDt: string, runId: string): Promise<RegisteredTable> {
    const where = `${this.options.jobName} run ${runId} SUCCEEDED but`;
    const table = await this.getOrUndefined<Table>(() =>
      this.glue.send(new GetTableCommand({ DatabaseName: this.database, Name: tableName })).then((r) => r.Table),
    );
    if (!table) throw new Error(`${where} registered no table ${this.database}.${tableName}`);
    const partition = await this.getOrUndefined<Partition>(() =>
      this.glue
        .send(new GetPartitionCommand({ DatabaseName: this.database, TableName: tableName, PartitionValues: [snapshotDt] }))
        .then((r) => r.Partition),
    );
    const location = partition?.StorageDescriptor?.Location;
    if (!location) throw new Error(`${where} registered no partition ${PARTITION_KEY}=${snapshotDt} of ${this.database}.${tableName}`);

    const partitionKeys = (table.PartitionKeys ?? []).map((c): ColumnSpec => ({ name: c.Name!, type: c.Type ?? 'string' }));
    const dataColumns = (partition.StorageDescriptor?.Columns ?? table.StorageDescriptor?.Columns ?? [])
      .map((c): ColumnSpec => ({ name: c.Name!, type: c.Type ?? 'string' }))
      .filter((c) => !partitionKeys.some((k) => k.name === c.name));
    if (dataColumns.length === 0) throw new Error(`${where} ${this.database}.${tableName} has no columns`);

    const uri = location.endsWith('/') ? location : `${location}/`;
    const { bucket, key } = parseS3Uri(uri);
    const files = (await listAllObjects(this.s3, bucket, key)).filter(isDataObject).length;
    return { database: this.database, tableName, location: uri, columns: [...dataColumns, ...partitionKeys], files };
  }

  private async getOrUndefined<T>(get: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
      return await withAwsRetry(get, this.retry);
    } catch (error) {
      if (awsErrorName(error) === 'EntityNotFoundException') return undefined;
      throw error;
    }
  }
}

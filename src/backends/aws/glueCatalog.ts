import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  UpdatePartitionCommand,
  UpdateTableCommand,
  type GlueClient,
  type StorageDescriptor,
  type TableInput,
} from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../../domain/errors.js';
import { assertSqlIdentifier } from '../../domain/identifiers.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { stagedTableName } from '../../domain/tables.js';
import type { ColumnSpec, RegisteredTable, RegisterStagedTableRequest, StagedTableCatalog } from '../../ports/catalog.js';
import type { AwsLayout } from './layout.js';
import { glueColumns, readParquetFooter } from './parquetSchema.js';
import { awsErrorName, withAwsRetry, type RetryPolicy } from './retry.js';
import { isDataObject, listAllObjects } from './s3Objects.js';
import { missingStagedDataError } from './stagedOutput.js';

export const PARTITION_KEY = 'snapshot_dt';

/** Storage descriptor of an external Parquet table or partition at `location`. */
export function parquetStorage(columns: ColumnSpec[], location: string): StorageDescriptor {
  return {
    Columns: columns.map((c) => ({ Name: c.name, Type: c.type })),
    Location: location,
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: {
      SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      Parameters: { 'serialization.format': '1' },
    },
    Compressed: false,
    StoredAsSubDirectories: false,
  };
}

/** CreateX, and UpdateX when it already exists: registration can be re-run any number of times. */
export async function createOrUpdate(create: () => Promise<unknown>, update: () => Promise<unknown>): Promise<'created' | 'updated'> {
  try {
    await create();
    return 'created';
  } catch (error) {
    if (awsErrorName(error) !== 'AlreadyExistsException') throw error;
    await update();
    return 'updated';
  }
}

/** CreateTable, or UpdateTable when it already exists, retried per `retry`: safe to re-run. */
export async function upsertGlueTable(glue: GlueClient, database: string, input: TableInput, retry: RetryPolicy): Promise<void> {
  await withAwsRetry(
    () =>
      createOrUpdate(
        () => glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: input })),
        () => glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input })),
      ),
    retry,
  );
}

/**
 * Registers the staged data written by the split jobs as `<database>.<table>_staged`, partitioned by
 * `snapshot_dt`. Columns come from the footer of one staged Parquet file, so the catalog always
 * matches what the job actually wrote.
 */
export class GlueStagedTableCatalog implements StagedTableCatalog {
  constructor(
    private readonly glue: GlueClient,
    private readonly s3: S3Client,
    private readonly layout: AwsLayout,
    private readonly database: string,
    private readonly retry: RetryPolicy,
  ) {
    assertSqlIdentifier(database, 'catalog database');
  }

  async registerStagedTable(request: RegisterStagedTableRequest): Promise<RegisteredTable> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const tableName = assertSqlIdentifier(stagedTableName(request.table), 'staged table name');
    const root = this.layout.stagedTableRoot(request.table);
    const partition = this.layout.stagedPartition(request.table, snapshotDt);
    const partitionUri = this.layout.uri(partition);

    const objects = await listAllObjects(this.s3, partition.bucket, partition.prefix);
    const files = objects.filter(isDataObject);
    if (files.length === 0) throw await missingStagedDataError(this.s3, this.layout, request, objects);
    // Any file will do: the jobs write one schema per table and snapshot. Sorting makes it deterministic.
    const sample = files.map((f) => f.Key!).sort()[0]!;
    const footer = await readParquetFooter(this.s3, partition.bucket, sample);
    // The partition key is not a data column (Glue rejects a name used twice).
    const columns = glueColumns(footer).filter((c) => c.name !== PARTITION_KEY);
    if (columns.length === 0) throw new InvalidInputError(`${partitionUri}${sample.slice(partition.prefix.length)} has no columns`);

    const table: TableInput = {
      Name: tableName,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { EXTERNAL: 'TRUE', classification: 'parquet', 'flywheel.source_table': request.table.name },
      PartitionKeys: [{ Name: PARTITION_KEY, Type: 'string' }],
      StorageDescriptor: parquetStorage(columns, this.layout.uri(root)),
    };
    await upsertGlueTable(this.glue, this.database, table, this.retry);
    await withAwsRetry(() => this.upsertPartition(tableName, snapshotDt, parquetStorage(columns, partitionUri)), this.retry);

    return {
      database: this.database,
      tableName,
      location: partitionUri,
      columns: [...columns, { name: PARTITION_KEY, type: 'string' }],
      files: files.length,
    };
  }

  /** BatchCreatePartition reports "already exists" per partition in its response, not as an exception. */
  private async upsertPartition(tableName: string, snapshotDt: string, storage: StorageDescriptor): Promise<void> {
    const input = { Values: [snapshotDt], StorageDescriptor: storage, Parameters: { EXTERNAL: 'TRUE' } };
    const result = await this.glue.send(
      new BatchCreatePartitionCommand({ DatabaseName: this.database, TableName: tableName, PartitionInputList: [input] }),
    );
    const error = result.Errors?.[0]?.ErrorDetail;
    if (!error) return;
    if (error.ErrorCode !== 'AlreadyExistsException') {
      throw new Error(`cannot add partition ${PARTITION_KEY}=${snapshotDt} to ${this.database}.${tableName}: ${error.ErrorCode} ${error.ErrorMessage ?? ''}`);
    }
    await this.glue.send(
      new UpdatePartitionCommand({
        DatabaseName: this.database,
        TableName: tableName,
        PartitionValueList: [snapshotDt],
        PartitionInput: input,
      }),
    );
  }
}

import type { AthenaClient } from '@aws-sdk/client-athena';
import {
  BatchGetPartitionCommand,
  GetDatabaseCommand,
  GetPartitionsCommand,
  GetTableCommand,
  type GlueClient,
  type StorageDescriptor,
} from '@aws-sdk/client-glue';
import { GetBucketLocationCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listAllObjects, parseS3Uri } from '../../src/backends/aws/s3Objects.js';

/**
 * EMULATION: ATHENA ACTS AS THE CALLER. Athena reads the catalog and the data, and writes its results,
 * with the permissions of whoever started the query; moto's Athena does none of it. For every query
 * this layer does, with the caller's clients (the worker's credentials): GetBucketLocation of the
 * output bucket (and of a CTAS's external_location); for every `FROM "db"."table"`: GetDatabase,
 * GetTable, the partitions (BatchGetPartition for a `snapshot_dt = '…'` predicate, else GetPartitions),
 * a listing of each data location and a GetObject of its files; then it writes the result object
 * `<outputLocation><id>.csv`, which GetQueryResults reads back. A permission the caller lacks makes the
 * query FAILED with the denial as its reason, as on AWS (StartQueryExecution itself succeeds). Layers
 * that play other parts of Athena as the caller (the CTAS writes) report denials with `fail`.
 */
export interface Caller {
  s3: S3Client;
  glue: GlueClient;
}

export const isDenied = (error: unknown) => ['AccessDenied', 'AccessDeniedException'].includes((error as { name?: string })?.name ?? '');

export class AthenaAsCaller {
  private readonly failed = new Map<string, string>();
  constructor(
    readonly caller: Caller,
    private readonly outputLocation: string,
  ) {}

  fail(queryExecutionId: string, reason: string): void {
    if (!this.failed.has(queryExecutionId)) this.failed.set(queryExecutionId, reason);
  }

  /** Runs `fn` as the caller; a denial becomes the returned reason, anything else is thrown. */
  async attempt(what: string, fn: () => Promise<unknown>): Promise<string | undefined> {
    try {
      await fn();
      return undefined;
    } catch (error) {
      if (!isDenied(error)) throw error;
      return `Insufficient permissions to execute the query (${what}): ${(error as Error).message}`;
    }
  }

  installOn(athena: AthenaClient): void {
    type Args = { input: Record<string, any> };
    type Next = (args: Args) => Promise<{ output: Record<string, any> }>;
    (athena.middlewareStack as unknown as { add(mw: unknown, options: object): void }).add(
      (next: Next, context: { commandName?: string }) => async (args: Args) => {
        if (context.commandName === 'GetQueryResultsCommand') {
          const { bucket, key } = parseS3Uri(this.resultUri(String(args.input.QueryExecutionId)));
          await this.caller.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          return next(args);
        }
        const result = await next(args);
        if (context.commandName === 'StartQueryExecutionCommand') {
          const id = String(result.output.QueryExecutionId);
          const denied = await this.attempt('reading', () => this.readAsCaller(String(args.input.QueryString ?? '')));
          const writeDenied = denied ?? (await this.attempt('writing results', () => this.writeResult(id)));
          if (writeDenied) this.fail(id, writeDenied);
        }
        const execution = result.output.QueryExecution as { QueryExecutionId?: string; Status?: object } | undefined;
        const reason = execution && this.failed.get(String(execution.QueryExecutionId));
        if (context.commandName === 'GetQueryExecutionCommand' && execution && reason) {
          execution.Status = { ...execution.Status, State: 'FAILED', StateChangeReason: reason };
        }
        return result;
      },
      { step: 'initialize', name: `athenaAsCaller${Math.random()}` },
    );
  }

  private resultUri(queryExecutionId: string): string {
    return `${this.outputLocation}${queryExecutionId}.csv`;
  }

  private async writeResult(queryExecutionId: string): Promise<void> {
    const { bucket, key } = parseS3Uri(this.resultUri(queryExecutionId));
    await this.caller.s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    await this.caller.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'emulated Athena result\n' }));
  }

  private async readAsCaller(sql: string): Promise<void> {
    const external = /external_location = '([^']+)'/.exec(sql)?.[1];
    if (external) await this.caller.s3.send(new GetBucketLocationCommand({ Bucket: parseS3Uri(external).bucket }));
    const snapshotDt = /WHERE "snapshot_dt" = '([\d-]+)'/.exec(sql)?.[1];
    for (const [, database, table] of sql.matchAll(/FROM "(\w+)"\."(\w+)"/g) as Iterable<string[]>) {
      const { glue } = this.caller;
      await glue.send(new GetDatabaseCommand({ Name: database }));
      const found = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
      const locations: StorageDescriptor[] = [];
      if ((found.Table?.PartitionKeys ?? []).length === 0) locations.push(found.Table!.StorageDescriptor!);
      else if (snapshotDt) {
        const batch = await glue.send(
          new BatchGetPartitionCommand({ DatabaseName: database, TableName: table, PartitionsToGet: [{ Values: [snapshotDt] }] }),
        );
        locations.push(...(batch.Partitions ?? []).map((p) => p.StorageDescriptor!));
      } else {
        const all = await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: table }));
        locations.push(...(all.Partitions ?? []).map((p) => p.StorageDescriptor!));
      }
      for (const location of locations) await this.readData(location.Location!);
    }
  }

  private async readData(location: string): Promise<void> {
    const { bucket, key } = parseS3Uri(location.endsWith('/') ? location : `${location}/`);
    // Athena skips objects whose name starts with `_` or `.` (markers), and there is nothing to read in an empty one.
    const files = (await listAllObjects(this.caller.s3, bucket, key)).filter((o) => (o.Size ?? 0) > 0 && !/(^|\/)[_.][^/]*$/.test(o.Key!));
    for (const object of files) {
      await this.caller.s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key!, Range: 'bytes=0-0' }));
    }
  }
}

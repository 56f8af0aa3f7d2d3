import { randomUUID } from 'node:crypto';
import type { AthenaClient } from '@aws-sdk/client-athena';
import { CreateTableCommand, GetTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import type { S3Client } from '@aws-sdk/client-s3';
import { listAllObjects, parseS3Uri } from '../../../src/backends/aws/s3Objects.js';
import type { AthenaAsCaller } from '../../support/athenaAsCaller.js';
import { put } from './helpers.js';

/** A Trino-shaped query id (`20261002_010203_00042_abcde`) derived from moto's execution id. */
function trinoQueryId(executionId: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  const letters = executionId.replace(/[^a-z0-9]/g, '').padEnd(5, 'x').slice(0, 5);
  return `${stamp}_00001_${letters}`;
}

/**
 * EMULATION of what Athena does for a CTAS, because moto's Athena accepts the query but creates
 * nothing: when a `CREATE TABLE … AS` is started, write `files` bucket files (buckets 0…files-1, named
 * as Trino names them) at its external_location
 * and register the table in Glue with Athena's bucketing metadata. It also records what the world
 * looked like at that moment (was the location empty? where did the stable table point?), and, like
 * Athena, makes the query fail-fast (throws) on a non-empty location. With `asCaller`, the location
 * check, the bucket files and the table are made with the caller's credentials, as Athena makes them,
 * and a denial makes the query FAILED (see tests/support/athenaAsCaller.ts).
 */
export interface CtasObservation {
  table: string;
  location: string;
  sql: string;
  clientToken?: string;
  stableLocationAtStart?: string;
}

export function emulateAthenaCtas(
  athena: AthenaClient,
  deps: { glue: GlueClient; s3: S3Client; database: string; asCaller?: AthenaAsCaller },
  options: { files?: number; stats?: { DataScannedInBytes: number; EngineExecutionTimeInMillis: number } } = {},
): CtasObservation[] {
  const seen: CtasObservation[] = [];
  const ctasIds = new Set<string>();
  type Args = { input: Record<string, unknown> };
  type Next = (args: Args) => Promise<{ output: Record<string, unknown> }>;
  // The SDK's middleware types are per-step generics; this layer only needs input/output records.
  (athena.middlewareStack as unknown as { add(mw: unknown, options: object): void }).add(
    (next: Next, context: { commandName?: string }) => async (args: Args) => {
      const sql = String(args.input.QueryString ?? '');
      const match = /^CREATE TABLE "(\w+)"\."(\w+)"[\s\S]*external_location = '([^']+)'[\s\S]*bucket_count = (\d+)/.exec(sql);
      if (context.commandName === 'StartQueryExecutionCommand' && match) {
        const [, , table, location, buckets] = match as unknown as [string, string, string, string, string];
        const { bucket, key } = parseS3Uri(location);
        const as = deps.asCaller?.caller ?? deps;
        const attempt = (what: string, fn: () => Promise<unknown>) => (deps.asCaller ? deps.asCaller.attempt(what, fn) : fn().then(() => undefined));
        let existing: unknown[] = [];
        let denied = await attempt(`listing ${location}`, async () => (existing = await listAllObjects(as.s3, bucket, key)));
        if (existing.length > 0) throw new Error(`emulated Athena: HIVE_PATH_ALREADY_EXISTS ${location}`);
        const stable = await deps.glue
          .send(new GetTableCommand({ DatabaseName: deps.database, Name: table.replace(/_\d{8}$/, '') }))
          .catch(() => undefined);
        // Only a query Athena accepted runs: a throttled start must not leave output behind.
        const result = await next(args);
        seen.push({
          table,
          location,
          sql,
          clientToken: args.input.ClientRequestToken as string | undefined,
          stableLocationAtStart: stable?.Table?.StorageDescriptor?.Location,
        });
        const id = String(result.output.QueryExecutionId);
        // Trino's bucket file names: <bucket:06>_0_<uuid>_<queryId> (HiveWriterFactory).
        const queryId = trinoQueryId(id);
        denied ??= await attempt(`writing output to ${location}`, async () => {
          for (let i = 0; i < (options.files ?? 3); i++) {
            await put(as.s3, `${key}${String(i).padStart(6, '0')}_0_${randomUUID()}_${queryId}`, `rows of bucket ${i}`, bucket);
          }
        });
        denied ??= await attempt(`creating ${deps.database}.${table}`, () => as.glue.send(
          new CreateTableCommand({
            DatabaseName: deps.database,
            TableInput: {
              Name: table,
              TableType: 'EXTERNAL_TABLE',
              Parameters: { EXTERNAL: 'TRUE', has_encrypted_data: 'false' },
              StorageDescriptor: {
                Columns: [{ Name: 'customer_user_id', Type: 'string' }, { Name: 'snapshot_dt', Type: 'string' }],
                Location: location,
                InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
                OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
                SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
                BucketColumns: ['customer_user_id'],
                NumberOfBuckets: Number(buckets),
              },
            },
          }),
        ));
        if (denied) deps.asCaller!.fail(id, denied);
        else ctasIds.add(id);
        return result;
      }
      const result = await next(args);
      // Statistics are 0 in moto; give CTAS executions realistic ones so recording them is tested.
      const execution = result.output.QueryExecution as { QueryExecutionId?: string; Statistics?: object } | undefined;
      if (context.commandName === 'GetQueryExecutionCommand' && options.stats && execution && ctasIds.has(String(execution.QueryExecutionId))) {
        execution.Statistics = { ...execution.Statistics, ...options.stats };
      }
      return result;
    },
    { step: 'initialize', priority: 'high', name: `emulateAthenaCtas${Math.random()}` },
  );
  return seen;
}

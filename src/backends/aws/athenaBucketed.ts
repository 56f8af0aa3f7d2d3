import type { S3Client } from '@aws-sdk/client-s3';
import { bucketingAlgorithmOf, describeBucketing, flywheelCtasBucketing, type CtasBucketing } from '../../domain/ctasBucketing.js';
import { assertSqlIdentifier, quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { bucketedTableName, stagedTableName, type SourceTable } from '../../domain/tables.js';
import type {
  BucketedTable,
  BucketedTableBuilder,
  CreateBucketedTableRequest,
  TableValidation,
  ValidateTableRequest,
} from '../../ports/bucketedTables.js';
import type { OperationContext } from '../../ports/context.js';
import { athenaClientToken, type AthenaQueryRunner, type QueryOutcome } from './athenaQueries.js';
import { snapshotTableName, type AwsLayout } from './layout.js';
import { deletePrefix, isDataObject, listAllObjects, readJsonObject, writeJsonObject } from './s3Objects.js';
import type { SnapshotTables } from './snapshotTables.js';
import { validateBucketed } from './bucketedValidation.js';

/** Written next to the CTAS location before the query starts, so a retried activity knows what it did. */
interface BuildMarker {
  requestToken: string;
  clientToken: string;
  snapshotTable: string;
  queryExecutionId?: string;
}

export function ctasSql(args: {
  database: string;
  snapshotTable: string;
  stagedTable: string;
  location: string;
  snapshotDt: string;
  bucketColumn: string;
  bucketCount: number;
}): string {
  if (!Number.isInteger(args.bucketCount) || args.bucketCount < 1) throw new Error(`invalid bucket count ${args.bucketCount}`);
  assertSqlIdentifier(args.bucketColumn, 'bucket column');
  const bucketing = flywheelCtasBucketing(args.bucketColumn, args.bucketCount);
  return [
    `CREATE TABLE ${quoteIdent(args.database, 'database')}.${quoteIdent(args.snapshotTable, 'table')}`,
    `WITH (format = 'PARQUET', parquet_compression = 'SNAPPY', external_location = ${quoteLiteral(args.location)},`,
    `      ${bucketingProperties(bucketing)})`,
    `AS SELECT * FROM ${quoteIdent(args.database, 'database')}.${quoteIdent(args.stagedTable, 'table')}`,
    `WHERE "snapshot_dt" = ${quoteLiteral(assertSnapshotDt(args.snapshotDt))}`,
    // Stated, not set: Athena has no property for the v1 hash; no bucketing_format means Hive's (v1).
    `-- bucketing: ${describeBucketing(bucketingAlgorithmOf(bucketing))}`,
  ].join('\n');
}

/** The CTAS WITH entries for the bucketing; `bucketing_format` only when one is set (Athena's default is Hive). */
function bucketingProperties(bucketing: CtasBucketing): string {
  const columns = bucketing.bucketedBy.map((c) => quoteLiteral(assertSqlIdentifier(c, 'bucket column'))).join(', ');
  const format = bucketing.bucketingFormat ? `, bucketing_format = ${quoteLiteral(bucketing.bucketingFormat)}` : '';
  return `bucketed_by = ARRAY[${columns}], bucket_count = ${bucketing.bucketCount}${format}`;
}

/**
 * Athena CTAS into a per-snapshot table and location, then a repoint of the stable name, then
 * retention of older snapshot tables. Retry-safe: the build marker records the request token and
 * the query id, so a retried activity re-attaches to its query instead of wiping its output.
 */
export class AthenaBucketedTableBuilder implements BucketedTableBuilder {
  constructor(
    private readonly s3: S3Client,
    private readonly queries: AthenaQueryRunner,
    private readonly tables: SnapshotTables,
    private readonly layout: AwsLayout,
    private readonly database: string,
    private readonly keepPreviousSnapshots: number,
  ) {}

  async createBucketedTable(request: CreateBucketedTableRequest, ctx: OperationContext): Promise<BucketedTable> {
    const { table } = request;
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const snapshotTable = snapshotTableName(table, snapshotDt);
    const target = this.layout.bucketedSnapshot(table, snapshotDt);
    const location = this.layout.uri(target);
    const sql = ctasSql({
      database: this.database,
      snapshotTable,
      stagedTable: stagedTableName(table),
      location,
      snapshotDt,
      bucketColumn: request.bucketColumn,
      bucketCount: request.bucketCount,
    });
    const clientToken = athenaClientToken(request.requestToken, `ctas|${snapshotTable}`);
    const markerAt = this.layout.buildMarker(table, snapshotDt);
    const marker = await readJsonObject<BuildMarker>(this.s3, markerAt.bucket, markerAt.key);

    let outcome: QueryOutcome;
    if (marker?.requestToken === request.requestToken && marker.queryExecutionId) {
      // Same request, query already started by an earlier attempt: wait for that one (maybe done).
      outcome = await this.queries.wait(marker.queryExecutionId, ctx, `CTAS ${snapshotTable}`);
    } else {
      if (marker?.requestToken !== request.requestToken) await this.prepareFreshBuild(table, snapshotTable, location, target, ctx);
      const fresh: BuildMarker = { requestToken: request.requestToken, clientToken, snapshotTable };
      await writeJsonObject(this.s3, markerAt.bucket, markerAt.key, fresh);
      outcome = await this.queries.run(sql, ctx, `CTAS ${snapshotTable}`, clientToken, (queryExecutionId) =>
        writeJsonObject(this.s3, markerAt.bucket, markerAt.key, { ...fresh, queryExecutionId } satisfies BuildMarker),
      );
    }

    // Only a finished CTAS gets the stable name; a failed one threw above and readers keep the old data.
    await this.tables.repoint(table, snapshotTable, snapshotDt);
    await this.tables.applyRetention(table, snapshotTable, this.keepPreviousSnapshots);
    const files = (await listAllObjects(this.s3, target.bucket, target.prefix)).filter(isDataObject);
    return {
      database: this.database,
      tableName: bucketedTableName(table),
      location,
      bucketFiles: files.length,
      dataScannedBytes: outcome.dataScannedBytes,
      engineExecutionMs: outcome.engineExecutionMs,
      sql,
      bucketing: bucketingAlgorithmOf(flywheelCtasBucketing(request.bucketColumn, request.bucketCount)),
    };
  }

  /**
   * A new build (not a retry of ours): drop any earlier table of this snapshot and empty its location
   * (CTAS refuses a non-empty one). If readers are currently served this very location (rebuilding the
   * live snapshot), first move the stable name to the newest older snapshot so they never see it half-built.
   */
  private async prepareFreshBuild(
    table: SourceTable,
    snapshotTable: string,
    location: string,
    target: { bucket: string; prefix: string },
    ctx: OperationContext,
  ): Promise<void> {
    const stable = await this.tables.get(bucketedTableName(table));
    const existing = await this.tables.get(snapshotTable);
    if (stable?.StorageDescriptor?.Location?.replace(/\/?$/, '/') === location && existing) {
      const older = (await this.tables.list(table)).find((s) => s.name !== snapshotTable);
      // With no older snapshot there is nothing better to serve: the rebuild happens in place.
      if (older) await this.tables.repoint(table, older.name, older.snapshotDt);
    }
    if (existing) await this.tables.drop(table, { name: snapshotTable, location: existing.StorageDescriptor?.Location });
    ctx.heartbeat({ phase: 'emptying', location });
    await deletePrefix(this.s3, target.bucket, target.prefix);
  }

  validateBucketedTable(request: ValidateTableRequest, ctx: OperationContext): Promise<TableValidation> {
    return validateBucketed(request, ctx, {
      s3: this.s3,
      queries: this.queries,
      tables: this.tables,
      layout: this.layout,
      database: this.database,
    });
  }
}

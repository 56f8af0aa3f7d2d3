import { GetTableCommand, UpdateTableCommand, type GlueClient, type Table, type TableInput } from '@aws-sdk/client-glue';
import type { QualityConfig } from '../../config/qualitySchema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import { pickBaseline, profileParameters, QUALITY_PARAMETER_PREFIX } from '../../domain/qualityBaseline.js';
import { parseProfileRow, profileSql, type ProfileColumn, type ProfiledColumn } from '../../domain/qualityProfile.js';
import type { TableQualityResult } from '../../domain/qualityResult.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { bucketedTableName, snapshotTableName, stagedTableName, type SourceTable } from '../../domain/tables.js';
import type { OperationContext } from '../../ports/context.js';
import type { CheckTableQualityRequest, RecordPublishedProfileRequest, TableQualityChecker } from '../../ports/tableQuality.js';
import { checkWithProbe, dataColumns, SNAPSHOT_PARTITION_COLUMN } from '../qualityGate.js';
import type { AthenaQueryRunner } from './athenaQueries.js';
import { awsErrorName, withAwsRetry, type RetryPolicy } from './retry.js';
import type { SnapshotTables } from './snapshotTables.js';

/** The gate's one Athena query per table (exported so tests see exactly what runs). */
export function qualityProfileSql(database: string, table: SourceTable, snapshotDt: string, columns: readonly ProfiledColumn[]): string {
  const from = `${quoteIdent(database, 'database')}.${quoteIdent(stagedTableName(table), 'table')}`;
  return profileSql(from, `${quoteIdent(SNAPSHOT_PARTITION_COLUMN)} = ${quoteLiteral(assertSnapshotDt(snapshotDt))}`, columns);
}

/** The writable part of a Glue table, for an UpdateTable that changes only its Parameters. */
function tableInputOf(table: Table, parameters: Record<string, string>): TableInput {
  return {
    Name: table.Name,
    Description: table.Description,
    Owner: table.Owner,
    Retention: table.Retention,
    StorageDescriptor: table.StorageDescriptor,
    PartitionKeys: table.PartitionKeys,
    ViewOriginalText: table.ViewOriginalText,
    ViewExpandedText: table.ViewExpandedText,
    TableType: table.TableType,
    TargetTable: table.TargetTable,
    Parameters: parameters,
  };
}

/**
 * The quality gate on AWS: the staged schema from Glue GetTable, all counts in one Athena query (its bytes
 * scanned are the check's cost), the baseline from the Glue Parameters (`flywheel.quality.*`) of the
 * published snapshot tables.
 */
export class AthenaTableQuality implements TableQualityChecker {
  constructor(
    private readonly glue: GlueClient,
    private readonly queries: AthenaQueryRunner,
    private readonly tables: SnapshotTables,
    private readonly database: string,
    private readonly quality: QualityConfig,
    private readonly retry: RetryPolicy,
  ) {}

  async checkStagedTable(request: CheckTableQualityRequest, ctx: OperationContext): Promise<TableQualityResult> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const { table } = request;
    return checkWithProbe(
      this.quality,
      { ...request, snapshotDt },
      {
        columns: () => this.stagedColumns(table),
        baseline: async () => {
          const stable = await this.tables.get(bucketedTableName(table));
          const snapshots = await this.tables.list(table);
          return pickBaseline([{ parameters: stable?.Parameters }, ...snapshots], snapshotDt);
        },
        profile: async (columns) => {
          const sql = qualityProfileSql(this.database, table, snapshotDt, columns);
          const { rows, outcome } = await this.queries.query(sql, ctx, `quality check ${table.name}`);
          return { ...parseProfileRow(columns, rows[0] ?? []), dataScannedBytes: outcome.dataScannedBytes ?? 0 };
        },
      },
      ctx,
    );
  }

  async recordPublishedProfile(request: RecordPublishedProfileRequest, ctx: OperationContext): Promise<void> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const columns = dataColumns(await this.stagedColumns(request.table));
    const properties = profileParameters({ snapshotDt, rows: request.rows, columns });
    const snapshotTable = await this.tables.get(snapshotTableName(request.table, snapshotDt));
    if (!snapshotTable) throw new Error(`${this.database}.${snapshotTableName(request.table, snapshotDt)} is not in the catalog; no quality baseline recorded`);
    await this.updateParameters(snapshotTable, properties);
    ctx.heartbeat({ step: 'baseline recorded', table: snapshotTable.Name });
    // The stable table shows what it serves too (its next repoint copies the next snapshot table's Parameters).
    const stable = await this.tables.get(bucketedTableName(request.table));
    if (stable?.Parameters?.['flywheel.snapshot_dt'] === snapshotDt) await this.updateParameters(stable, properties);
  }

  private async updateParameters(table: Table, properties: Record<string, string>): Promise<void> {
    const kept = Object.fromEntries(Object.entries(table.Parameters ?? {}).filter(([key]) => !key.startsWith(QUALITY_PARAMETER_PREFIX)));
    const input = tableInputOf(table, { ...kept, ...properties });
    await withAwsRetry(() => this.glue.send(new UpdateTableCommand({ DatabaseName: this.database, TableInput: input })), this.retry);
  }

  private async stagedColumns(table: SourceTable): Promise<ProfileColumn[]> {
    const name = stagedTableName(table);
    try {
      const result = await withAwsRetry(() => this.glue.send(new GetTableCommand({ DatabaseName: this.database, Name: name })), this.retry);
      return (result.Table?.StorageDescriptor?.Columns ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? '' }));
    } catch (error) {
      if (awsErrorName(error) === 'EntityNotFoundException') {
        throw new InvalidInputError(`cannot check ${table.name}: ${this.database}.${name} is not in the Glue catalog (was it registered?)`);
      }
      throw error;
    }
  }
}

import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { pickBaseline, profileParameters, QUALITY_PARAMETER_PREFIX } from '../../domain/qualityBaseline.js';
import { parseProfileRow, profileSql, type ProfileColumn } from '../../domain/qualityProfile.js';
import type { TableQualityResult } from '../../domain/qualityResult.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { bucketedTableName, snapshotTableName } from '../../domain/tables.js';
import type { OperationContext } from '../../ports/context.js';
import type { CheckTableQualityRequest, RecordPublishedProfileRequest, TableQualityChecker } from '../../ports/tableQuality.js';
import { checkWithProbe, dataColumns, type QualityProbe } from '../qualityGate.js';
import { ensureCatalogSchema, replaceTableProperties, tablePropertiesByPrefix } from './catalogSql.js';
import { queryRows, readParquetSql, type DuckEngine } from './duck.js';
import { listDataFiles } from './files.js';
import type { LakePaths } from './paths.js';

/**
 * The quality gate locally: DuckDB over the staged snapshot's Parquet files (one query for all counts),
 * the baseline from the catalog's `flywheel_table_properties` (the local Glue table Parameters).
 */
export class LocalTableQuality implements TableQualityChecker {
  constructor(
    private readonly config: FlywheelConfig,
    private readonly paths: LakePaths,
    private readonly engine: DuckEngine,
  ) {}

  async checkStagedTable(request: CheckTableQualityRequest, ctx: OperationContext): Promise<TableQualityResult> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const files = await this.stagedFiles(request.table, snapshotDt);
    const database = this.config.catalog.database;
    const probe: QualityProbe = {
      columns: () => this.engine.withConnection((conn) => stagedColumns(conn, files), ctx.signal),
      baseline: async () => {
        const byTable = await this.engine.catalogWrite(async (conn) => {
          await ensureCatalogSchema(conn, database);
          return tablePropertiesByPrefix(conn, database, `${bucketedTableName(request.table)}_`);
        }, ctx.signal);
        return pickBaseline([...byTable.values()].map((parameters) => ({ parameters })), snapshotDt);
      },
      profile: (columns) =>
        this.engine.withConnection(async (conn) => {
          const reader = await conn.runAndReadAll(profileSql(readParquetSql(files), undefined, columns));
          const [row] = reader.getRowsJson() as (string | number | null)[][];
          return parseProfileRow(columns, row ?? []);
        }, ctx.signal),
    };
    return { ...(await checkWithProbe(this.config.quality, { ...request, snapshotDt }, probe, ctx)), dataScannedBytes: 0 };
  }

  async recordPublishedProfile(request: RecordPublishedProfileRequest, ctx: OperationContext): Promise<void> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const files = await this.stagedFiles(request.table, snapshotDt);
    const database = this.config.catalog.database;
    const columns = dataColumns(await this.engine.withConnection((conn) => stagedColumns(conn, files), ctx.signal));
    await this.engine.catalogWrite(async (conn) => {
      await ensureCatalogSchema(conn, database);
      const properties = profileParameters({ snapshotDt, rows: request.rows, columns });
      await replaceTableProperties(conn, database, snapshotTableName(request.table, snapshotDt), QUALITY_PARAMETER_PREFIX, properties);
    }, ctx.signal);
  }

  private async stagedFiles(table: CheckTableQualityRequest['table'], snapshotDt: string): Promise<string[]> {
    const location = this.paths.stagedPartition(table, snapshotDt);
    const files = (await listDataFiles(location)).map((f) => f.path);
    if (files.length === 0) throw new InvalidInputError(`cannot check ${table.name} ${snapshotDt}: no staged Parquet files in ${location}`);
    return files;
  }
}

async function stagedColumns(conn: Parameters<typeof queryRows>[0], files: readonly string[]): Promise<ProfileColumn[]> {
  const rows = await queryRows(conn, `DESCRIBE SELECT * FROM ${readParquetSql(files)}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { stagedTableName } from '../../domain/tables.js';
import type { RegisteredTable, RegisterStagedTableRequest, StagedTableCatalog } from '../../ports/catalog.js';
import { ensureCatalogSchema, recordPartition, replaceLocationView, viewColumns } from './catalogSql.js';
import { parquetRowCount, type DuckEngine } from './duck.js';
import { listDataFiles } from './files.js';
import type { LakePaths } from './paths.js';

/**
 * The Glue Data Catalog's local stand-in: a DuckDB schema in `<home>/catalog/<environment>.duckdb`
 * holding one view per staged table (over the registered partition's files) and a metadata table of
 * registered partitions. Registering twice replaces the same view and row, so it is idempotent.
 */
export class LocalStagedCatalog implements StagedTableCatalog {
  constructor(
    private readonly config: FlywheelConfig,
    private readonly paths: LakePaths,
    private readonly engine: DuckEngine,
  ) {}

  async registerStagedTable(request: RegisterStagedTableRequest): Promise<RegisteredTable> {
    const { table } = request;
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const database = this.config.catalog.database;
    const tableName = stagedTableName(table);
    const location = this.paths.stagedPartition(table, snapshotDt);
    const files = (await listDataFiles(location)).map((f) => f.path);
    if (files.length === 0) {
      throw new InvalidInputError(
        `cannot register ${tableName}: no staged Parquet files for ${table.name} ${snapshotDt} in ${location} ` +
          (request.producedBy ? `(expected from ${request.producedBy.jobName} run ${request.producedBy.runId})` : '(did the split job succeed?)'),
      );
    }
    const sources = (await listDataFiles(this.paths.sourcePartition(table, snapshotDt))).map((f) => f.path);

    // Footer counts are reads: outside the catalog queue, so tables registering at once do not wait for them.
    const { rows, sourceRows } = await this.engine.withConnection(async (conn) => ({
      rows: await parquetRowCount(conn, files),
      sourceRows: sources.length > 0 ? await parquetRowCount(conn, sources) : undefined,
    }));
    return this.engine.catalogWrite(async (conn) => {
      await ensureCatalogSchema(conn, database);
      await replaceLocationView(conn, database, tableName, location, files);
      const columns = await viewColumns(conn, database, tableName);
      await recordPartition(conn, database, { table: tableName, layer: 'staged', snapshotDt, location, files: files.length, rows });
      return { database, tableName, location, columns, rows, files: files.length, sourceRows };
    });
  }
}

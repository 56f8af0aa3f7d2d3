import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FlywheelConfig } from '../../config/schema.js';
import { bucketOfFileName, localBucketFileName } from '../../domain/bucketFiles.js';
import { bucketingAlgorithmOf, flywheelCtasBucketing } from '../../domain/ctasBucketing.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { BucketingAlgorithm, HiveBucketType } from '../../domain/hiveBucketing.js';
import { assertSqlIdentifier } from '../../domain/identifiers.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { bucketedTableName } from '../../domain/tables.js';
import type {
  BucketedTable,
  BucketedTableBuilder,
  CreateBucketedTableRequest,
  TableValidation,
  ValidateTableRequest,
} from '../../ports/bucketedTables.js';
import type { OperationContext } from '../../ports/context.js';
import { ensureCatalogSchema, recordPartition, replaceLocationView } from './catalogSql.js';
import { abortError, readParquetSql, type DuckEngine } from './duck.js';
import { isMissing, listDataFiles, removeQuietly, freshBuildLocation, swapDirectory, sweepBuildLeftovers } from './files.js';
import { writeHashSlices } from './hashSlices.js';
import { bucketColumnHiveType, hiveBucketSql, registerHiveHashFunctions } from './hiveBucketSql.js';
import { bucketFileName, type LakePaths } from './paths.js';
import { holdPoint } from './testHolds.js';
import { validateBucketed } from './validate.js';

/** The build folder's label: `_tmp-ctas-snapshot_dt=<dt>` beside the partition it replaces. */
const CTAS_LABEL = 'ctas';

/** Written next to the bucket files: lets a retried activity with the same token reuse the build. */
const BUILD_MARKER = '_flywheel_build.json';

interface BuildMarker {
  requestToken: string;
  rows: number;
  bucketFiles: number;
  sql: string;
  /** Absent in builds from before Hive bucketing (DuckDB hash()): those are never reused. */
  bucketing?: BucketingAlgorithm;
  bucketColumnType?: HiveBucketType;
}

/** The local stand-in for Trino's query id in bucket file names: stable for a request token. */
function buildIdOf(requestToken: string): string {
  return createHash('sha256').update(requestToken).digest('hex').slice(0, 12);
}

/** Bucket files of a build folder: names that encode a bucket number, as Hive and Trino read them. */
export async function listBucketFiles(location: string): Promise<string[]> {
  return (await listDataFiles(location)).map((f) => f.path).filter((f) => bucketOfFileName(f) !== undefined);
}

export function assertBucketCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > 1024) {
    throw new InvalidInputError(`bucket count must be an integer from 1 to 1024, got ${count}`);
  }
  return count;
}

async function readMarker(location: string): Promise<BuildMarker | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(location, BUILD_MARKER), 'utf8')) as BuildMarker;
  } catch (error) {
    if (isMissing(error) || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/**
 * The local CTAS: staged Parquet → exactly `bucketCount` bucket files, each row in the bucket Athena's
 * CTAS would put it in (Hive bucketing v1, see hiveBucketSql.ts), file `<bucket:06>_0_<buildId>.parquet`
 * like Trino's names. Built in a temp folder, swapped into `snapshot_dt=<dt>/`, and only then is the
 * stable view re-pointed, so readers never see a partial table.
 */
export class LocalBucketedTables implements BucketedTableBuilder {
  constructor(
    private readonly config: FlywheelConfig,
    private readonly paths: LakePaths,
    private readonly engine: DuckEngine,
  ) {}

  async createBucketedTable(request: CreateBucketedTableRequest, ctx: OperationContext): Promise<BucketedTable> {
    const { table, requestToken } = request;
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    const bucketColumn = assertSqlIdentifier(request.bucketColumn, 'bucket column');
    const bucketCount = assertBucketCount(request.bucketCount);
    const database = this.config.catalog.database;
    const tableName = bucketedTableName(table);
    const stagedDir = this.paths.stagedPartition(table, snapshotDt);
    const staged = (await listDataFiles(stagedDir)).map((f) => f.path);
    if (staged.length === 0) {
      throw new InvalidInputError(`cannot bucket ${table.name} ${snapshotDt}: no staged Parquet files in ${stagedDir}`);
    }
    const location = this.paths.bucketedPartition(table, snapshotDt);

    // A retry of the same request after the swap: reuse the finished build instead of running it twice.
    const previous = await readMarker(location);
    let build: BuildMarker;
    let files: string[];
    const reusable = previous?.requestToken === requestToken && previous.bucketing === 'hive-v1';
    const existing = previous && reusable ? await listBucketFiles(location) : [];
    if (previous && reusable && existing.length === bucketCount) {
      build = previous;
      files = existing;
      // The attempt that built it may have died before its own clean-up (the previous build moved aside).
      await sweepBuildLeftovers(location, CTAS_LABEL);
      ctx.heartbeat({ step: 'reused', location });
    } else {
      ({ marker: build, files } = await this.build(request, staged, location, bucketColumn, bucketCount, ctx));
    }

    if (ctx.signal.aborted) throw abortError(ctx.signal);
    await this.engine.catalogWrite(async (conn) => {
      await ensureCatalogSchema(conn, database);
      await replaceLocationView(conn, database, tableName, location, files);
      await recordPartition(conn, database, { table: tableName, layer: 'bucketed', snapshotDt, location, files: files.length, rows: build.rows });
    }, ctx.signal);
    ctx.heartbeat({ step: 'view', tableName });
    return { database, tableName, location, bucketFiles: files.length, rows: build.rows, sql: build.sql, bucketing: build.bucketing };
  }

  async validateBucketedTable(request: ValidateTableRequest, ctx: OperationContext): Promise<TableValidation> {
    const snapshotDt = assertSnapshotDt(request.snapshotDt);
    return validateBucketed(this.engine, {
      stagedFiles: (await listDataFiles(this.paths.stagedPartition(request.table, snapshotDt))).map((f) => f.path),
      sourceFiles: (await listDataFiles(this.paths.sourcePartition(request.table, snapshotDt))).map((f) => f.path),
      bucketFiles: await listBucketFiles(this.paths.bucketedPartition(request.table, snapshotDt)),
      location: this.paths.bucketedPartition(request.table, snapshotDt),
      holdPoint: `validate-${request.table.name}`,
      bucketColumn: assertSqlIdentifier(request.bucketColumn, 'bucket column'),
      bucketCount: assertBucketCount(request.bucketCount),
    }, ctx);
  }

  private async build(
    request: CreateBucketedTableRequest,
    staged: string[],
    location: string,
    bucketColumn: string,
    bucketCount: number,
    ctx: OperationContext,
  ): Promise<{ marker: BuildMarker; files: string[] }> {
    await fs.mkdir(path.dirname(location), { recursive: true });
    const temp = await freshBuildLocation(location, CTAS_LABEL);
    try {
      ctx.heartbeat({ step: 'writing', buckets: bucketCount });
      // The algorithm comes from what the Athena CTAS states (ctasBucketing.ts), never chosen here.
      const bucketing = bucketingAlgorithmOf(flywheelCtasBucketing(bucketColumn, bucketCount));
      const buildId = buildIdOf(request.requestToken);
      const { marker, written } = await this.engine.withConnection(async (conn) => {
        registerHiveHashFunctions(conn);
        const bucketColumnType = await bucketColumnHiveType(conn, staged, bucketColumn);
        // Only the partitioned write takes a write slot; the COPY reports its rows and files itself.
        const write = () =>
          writeHashSlices(conn, {
            selectSql: `SELECT * FROM ${readParquetSql(staged)}`,
            slice: hiveBucketSql(bucketColumn, bucketColumnType, bucketCount),
            count: bucketCount,
            outDir: temp,
            fileName: (bucket) => localBucketFileName(bucket, buildId),
          });
        const { files, rows, sql } = await this.engine.writes.run(write, ctx.signal, () => ctx.heartbeat({ step: 'queued' }));
        const built = { requestToken: request.requestToken, rows, bucketFiles: files.length, sql, bucketing, bucketColumnType } satisfies BuildMarker;
        return { marker: built, written: files };
      }, ctx.signal);
      ctx.heartbeat({ step: 'written', rows: marker.rows });
      await holdPoint(`ctas-${request.table.name}`, ctx.signal);
      await fs.writeFile(path.join(temp, BUILD_MARKER), JSON.stringify(marker, null, 2) + '\n');
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      await swapDirectory(temp, location);
      ctx.heartbeat({ step: 'swapped', location });
      return { marker, files: written.map((f) => path.join(location, path.basename(f))) };
    } finally {
      await removeQuietly(temp);
    }
  }
}

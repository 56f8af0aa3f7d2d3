import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError, ValidationFailedError } from '../../domain/errors.js';
import { quoteIdent, quoteLiteral } from '../../domain/identifiers.js';
import { isValidSnapshotDt, parseSnapshotPartition } from '../../domain/snapshotDate.js';
import type { OperationContext } from '../../ports/context.js';
import type { DeltaMaintenance, MaintainTableRequest, MaintainTableResult, MaintenanceTarget } from '../../ports/deltaMaintenance.js';
import { matchesConditions, parseWhere } from '../../workflows/maintenanceInput.js';
import { parquetRowCount, queryRows, readParquetSql, type DuckEngine } from './duck.js';
import { listDataFiles, listDirectories, removeQuietly, freshBuildLocation, swapDirectory } from './files.js';
import type { LakePaths } from './paths.js';

const MB = 1024 * 1024;
/** The only partition column of the local lake: the one OPTIMIZE WHERE may filter on (as in Delta). */
const PARTITION_COLUMN = 'snapshot_dt';

interface Compaction {
  filesCompacted: number;
  filesWritten: number;
  rowsBefore: number;
  rowsAfter: number;
}

/**
 * The local lake's equivalent of Delta OPTIMIZE + VACUUM (the lake is plain Parquet in
 * `snapshot_dt=` folders, with no transaction log):
 * - OPTIMIZE: in the newest partition (or those matching WHERE), files below `smallFileMb` are
 *   rewritten into ceil(bytes / targetFileMb) files, rows sorted by `zorderBy` (a linear sort, not a
 *   true Z-curve). Row counts are verified before the rewritten partition is swapped in whole, so a
 *   reader sees either the old or the new complete set of files.
 * - VACUUM: removes partitions whose snapshot date lies more than `retainHours` before `asOf` (the
 *   workflow's start). The partition date, not file mtime, decides: compaction rewrites files, so
 *   mtimes say nothing about the data's age. The newest partition is never removed.
 */
export class LocalDeltaMaintenance implements DeltaMaintenance {
  constructor(
    private readonly config: FlywheelConfig,
    private readonly paths: LakePaths,
    private readonly engine: DuckEngine,
  ) {}

  check(target: MaintenanceTarget): void {
    this.tableDir(target);
    if (target.where) {
      for (const c of parseWhere(target.where)) {
        if (c.column !== PARTITION_COLUMN || !isValidSnapshotDt(String(c.value))) {
          throw new InvalidInputError(
            `maintenance table ${target.name}: locally OPTIMIZE WHERE may only compare ${PARTITION_COLUMN} with a 'YYYY-MM-DD' date, got ${JSON.stringify(target.where)}`,
          );
        }
      }
    }
  }

  /** `s3://bucket/a/b/` → `<lakeRoot>/bucket/a/b` (validated segments, inside the lake). */
  private tableDir(target: MaintenanceTarget): string {
    if (!target.location) {
      throw new InvalidInputError(`maintenance table ${target.name}: the local backend needs location: s3://<bucket>/<prefix>/ (mapped into the lake), not catalogTable`);
    }
    const segments = target.location.replace(/^s3:\/\//, '').split('/').filter(Boolean);
    return this.paths.resolve(...segments);
  }

  async maintainTable(request: MaintainTableRequest, ctx: OperationContext): Promise<MaintainTableResult> {
    const { target } = request;
    this.check(target);
    const dir = this.tableDir(target);
    const partitions = (await listDirectories(dir)).map((name) => parseSnapshotPartition(name)).filter((dt): dt is string => !!dt).sort();
    const notes: string[] = [];
    if (partitions.length === 0) {
      notes.push(`no snapshot_dt= partitions under ${dir}`);
      return { filesCompacted: 0, filesWritten: 0, filesRemoved: 0, partitionsRemoved: 0, notes };
    }
    const newest = partitions[partitions.length - 1]!;
    await this.checkColumns(target, path.join(dir, `${PARTITION_COLUMN}=${newest}`), ctx);
    const conditions = target.where ? parseWhere(target.where) : undefined;
    const toCompact = conditions ? partitions.filter((dt) => matchesConditions(conditions, { [PARTITION_COLUMN]: dt })) : [newest];

    let filesCompacted = 0;
    let filesWritten = 0;
    let rowsBefore = 0;
    let rowsAfter = 0;
    for (const dt of toCompact) {
      ctx.heartbeat({ table: target.name, phase: 'optimize', snapshotDt: dt });
      const result = await this.compact(path.join(dir, `${PARTITION_COLUMN}=${dt}`), request, ctx);
      filesCompacted += result.filesCompacted;
      filesWritten += result.filesWritten;
      rowsBefore += result.rowsBefore;
      rowsAfter += result.rowsAfter;
    }
    notes.push(`optimized ${toCompact.length} partition(s): ${toCompact.join(', ') || 'none matched WHERE'}`);

    const cutoff = Date.parse(request.asOf) - request.retainHours * 3600_000;
    const expired = partitions.filter((dt) => dt !== newest && Date.parse(`${dt}T00:00:00Z`) < cutoff);
    let filesRemoved = 0;
    for (const dt of expired) {
      ctx.heartbeat({ table: target.name, phase: 'vacuum', snapshotDt: dt });
      const partition = path.join(dir, `${PARTITION_COLUMN}=${dt}`);
      filesRemoved += (await listDataFiles(partition)).length;
      await fs.rm(partition, { recursive: true, force: true });
    }
    notes.push(`vacuumed ${expired.length} partition(s) older than ${new Date(cutoff).toISOString()}${expired.length ? `: ${expired.join(', ')}` : ''}; kept newest ${newest}`);
    return { filesCompacted, filesWritten, filesRemoved, partitionsRemoved: expired.length, rowsBefore, rowsAfter, notes };
  }

  /** Z-order columns must exist in the data (newest partition's schema), checked even when nothing needs compacting. */
  private async checkColumns(target: MaintenanceTarget, partition: string, ctx: OperationContext): Promise<void> {
    const files = (await listDataFiles(partition)).map((f) => f.path);
    if (target.zorderBy.length === 0 || files.length === 0) return;
    const rows = await this.engine.withConnection((conn) => queryRows(conn, `DESCRIBE SELECT * FROM ${readParquetSql(files)}`), ctx.signal);
    const columns = new Set(rows.map((r) => String(r.column_name)));
    for (const column of target.zorderBy) {
      if (!columns.has(column)) throw new InvalidInputError(`maintenance table ${target.name}: zorderBy column ${column} is not in the data (${[...columns].join(', ')})`);
    }
  }

  /** Rewrites the partition's small files into fewer, verified, then swaps the partition in whole. */
  private async compact(partition: string, request: MaintainTableRequest, ctx: OperationContext): Promise<Compaction> {
    const { smallFileMb, targetFileMb } = this.config.maintenance;
    const files = await listDataFiles(partition);
    const small = files.filter((f) => f.bytes < smallFileMb * MB);
    const outputs = Math.max(1, Math.ceil(small.reduce((sum, f) => sum + f.bytes, 0) / (targetFileMb * MB)));
    if (small.length < 2 || outputs >= small.length) return { filesCompacted: 0, filesWritten: 0, rowsBefore: 0, rowsAfter: 0 };

    const tag = createHash('sha256').update(request.runTag).digest('hex').slice(0, 8);
    const built = await freshBuildLocation(partition, 'compact');
    await fs.mkdir(built, { recursive: true });
    try {
      const written: string[] = [];
      const counts = await this.engine.withConnection(async (conn) => {
        const smallPaths = small.map((f) => f.path);
        const source = readParquetSql(smallPaths, 'filename = true, file_row_number = true');
        const before = await parquetRowCount(conn, smallPaths);
        // Stable order (Z-order columns, then original file and row) so LIMIT/OFFSET slices are exact.
        const order = [...request.target.zorderBy.map((c) => quoteIdent(c)), 'filename', 'file_row_number'].join(', ');
        const perFile = Math.ceil(before / outputs);
        for (let i = 0; i < outputs; i++) {
          ctx.heartbeat({ table: request.target.name, phase: 'optimize', file: i + 1, of: outputs });
          const file = path.join(built, `part-compacted-${tag}-${String(i).padStart(5, '0')}.parquet`);
          await conn.run(
            `COPY (SELECT * EXCLUDE (filename, file_row_number) FROM ${source} ORDER BY ${order} LIMIT ${perFile} OFFSET ${i * perFile}) ` +
              `TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION snappy)`,
          );
          written.push(file);
        }
        return { before, after: await parquetRowCount(conn, written) };
      }, ctx.signal);
      if (counts.after !== counts.before) {
        throw new ValidationFailedError(`compaction of ${partition} wrote ${counts.after} rows instead of ${counts.before}; partition left unchanged`);
      }
      // Everything not compacted (large files, markers) moves over as hard links: no copy, same bytes.
      const smallSet = new Set(small.map((f) => path.basename(f.path)));
      for (const entry of await fs.readdir(partition, { withFileTypes: true })) {
        if (smallSet.has(entry.name)) continue;
        const from = path.join(partition, entry.name);
        const to = path.join(built, entry.name);
        if (entry.isDirectory()) await fs.cp(from, to, { recursive: true });
        else await fs.link(from, to).catch(() => fs.copyFile(from, to));
      }
      await swapDirectory(built, partition);
      return { filesCompacted: small.length, filesWritten: written.length, rowsBefore: counts.before, rowsAfter: counts.after };
    } catch (error) {
      await removeQuietly(built);
      throw error;
    }
  }
}

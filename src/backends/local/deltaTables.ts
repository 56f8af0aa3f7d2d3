import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { quoteLiteral } from '../../domain/identifiers.js';
import { ADDRESSABLE_TABLE_NAME } from '../../domain/tables.js';
import { DELTA_SEED_SCRIPT, locateDeltaPython, runProcess } from './deltaPython.js';
import { freshBuildLocation, removeQuietly, swapDirectory } from './files.js';
import type { LakePaths } from './paths.js';
import { familyOf, infobaseColumns } from './seedColumns.js';

/** The partition column of the sample Delta tables, as on the real ones. */
export const DELTA_PARTITION_COLUMN = 'snapshot_dt';
/** Small appends per snapshot in the sample tables ("deliveries"): what OPTIMIZE is for. */
export const DEFAULT_DELTA_APPENDS = 12;
const DAY_MS = 24 * 3600_000;

/** Whether `dir` is `root` or inside it. */
const within = (dir: string, root: string) => dir === root || dir.startsWith(root + path.sep);

/** `s3://bucket/a/b/` → `<lakeRoot>/bucket/a/b` (validated segments, inside the lake). */
export function deltaTableDir(paths: LakePaths, location: string, what: string): string {
  if (!location.startsWith('s3://')) throw new InvalidInputError(`${what}: location must be s3://<bucket>/<prefix>/, got ${JSON.stringify(location)}`);
  return paths.resolve(...location.slice('s3://'.length).split('/').filter(Boolean));
}

export interface SeededDeltaTable {
  name: string;
  location: string;
  version: number;
  files: number;
  rows: number;
}

export interface DeltaSeedOptions {
  config: FlywheelConfig;
  paths: LakePaths;
  conn: DuckDBConnection;
  snapshots: string[];
  rows: number;
  appends?: number;
  /** "Now" for the dates of the seeded history (tests pass a fixed instant). */
  now?: Date;
}

/**
 * Writes every `maintenance.tables` entry that has a `location` as a real Delta table (delta-rs, through
 * src/backends/local/delta_seed.py), partitioned by `snapshot_dt` like the real ones: per snapshot,
 * `appends` small WRITE commits whose rows are spread over the whole key range (so files overlap, as
 * daily deliveries do), and for every snapshot but the newest an earlier OPTIMIZE of its partition dated
 * 14 days after the snapshot (at least 8 days ago), whose replaced files VACUUM may delete. The rows of a
 * snapshot are those of the same-named source table. Each table is built aside and swapped in whole.
 */
export async function seedDeltaTables(options: DeltaSeedOptions): Promise<SeededDeltaTable[]> {
  const targets = options.config.maintenance.tables.filter((t) => t.location);
  if (targets.length === 0) return [];
  const python = await locateDeltaPython();
  const appends = options.appends ?? DEFAULT_DELTA_APPENDS;
  const now = (options.now ?? new Date()).getTime();
  const seeded: SeededDeltaTable[] = [];
  for (const table of targets) {
    const dir = deltaTableDir(options.paths, table.location!, `maintenance table ${table.name}`);
    const lakeDirs = [options.paths.infobaseRoot(), options.paths.sourceTableDir({ name: ADDRESSABLE_TABLE_NAME, kind: 'addressable' })];
    if (lakeDirs.some((root) => within(dir, root) || within(root, dir))) {
      throw new InvalidInputError(`maintenance table ${table.name}: ${table.location} overlaps the source lake; the sample Delta tables need their own location`);
    }
    const staging = await freshBuildLocation(dir, 'delta-staging');
    const built = await freshBuildLocation(dir, 'delta-seed');
    await fs.mkdir(staging, { recursive: true });
    try {
      const steps: object[] = [];
      const sorted = [...options.snapshots].sort();
      for (const [index, snapshotDt] of sorted.entries()) {
        const select = infobaseColumns(familyOf(table.name), `${table.name}|${snapshotDt}`);
        const files: string[] = [];
        for (let k = 0; k < appends; k++) {
          const file = path.join(staging, `${snapshotDt}-${String(k).padStart(4, '0')}.parquet`);
          await options.conn.run(
            `COPY (SELECT ${select}, ${quoteLiteral(snapshotDt)} AS ${DELTA_PARTITION_COLUMN} FROM range(0, ${options.rows}) AS r(i) ` +
              `WHERE i % ${appends} = ${k} ORDER BY hash(i, 'delivery')) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION snappy)`,
          );
          files.push(file);
          steps.push({ append: [file] });
        }
        if (index < sorted.length - 1) {
          const removedAtMs = Math.min(Date.parse(`${snapshotDt}T00:00:00Z`) + 14 * DAY_MS, now - 8 * DAY_MS);
          steps.push({ compact: { column: DELTA_PARTITION_COLUMN, value: snapshotDt, files, removedAtMs } });
        }
      }
      const plan = JSON.stringify({ table: built, partitionBy: [DELTA_PARTITION_COLUMN], steps });
      const run = await runProcess(python, [DELTA_SEED_SCRIPT], { input: plan });
      if (run.code !== 0) throw new Error(`writing the Delta table ${table.name} failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
      const written = JSON.parse(run.stdout.trim().split('\n').pop()!) as { version: number; files: number };
      await swapDirectory(built, dir);
      seeded.push({ name: table.name, location: dir, ...written, rows: options.rows * sorted.length });
    } finally {
      await removeQuietly(staging);
      await removeQuietly(built);
    }
  }
  return seeded;
}

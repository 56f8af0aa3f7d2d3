import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { quoteLiteral } from '../../domain/identifiers.js';
import { assertSnapshotDt } from '../../domain/snapshotDate.js';
import { ADDRESSABLE_TABLE_NAME, type SourceTable } from '../../domain/tables.js';
import { seedDeltaTables, type SeededDeltaTable } from './deltaTables.js';
import { DuckEngine } from './duck.js';
import { listDataFiles, removeQuietly, freshBuildLocation, swapDirectory } from './files.js';
import { LakePaths, stagedFileName } from './paths.js';
import { addressableColumns, familyOf, infobaseColumns } from './seedColumns.js';

export interface SeedOptions {
  config: FlywheelConfig;
  home: string;
  /** Snapshot dates to write (default: two complete months). */
  snapshots?: string[];
  /** Rows (= customers) per infobase table and snapshot. */
  rows?: number;
  addressableRowsPerCustomer?: number;
  /** Files per source partition; default 1–3, derived from the table name. */
  sourceFilesPerTable?: number;
  /** Tables to write instead of `config.tables.infobase`. */
  tables?: string[];
  /** Small appends per snapshot in the Delta tables of `maintenance.tables` (see deltaTables.ts). */
  deltaAppends?: number;
}

export interface SeededPartition {
  table: string;
  kind: SourceTable['kind'];
  snapshotDt: string;
  location: string;
  files: number;
  rows: number;
  bytes: number;
}

export interface SeedSummary {
  lakeRoot: string;
  snapshots: string[];
  partitions: SeededPartition[];
  /** The `maintenance.tables` written as Delta tables. */
  deltaTables: SeededDeltaTable[];
  totalRows: number;
  totalBytes: number;
  durationMs: number;
}

export const DEFAULT_SEED_SNAPSHOTS = ['2026-09-01', '2026-10-01'];
export const DEFAULT_SEED_ROWS = 20_000;

/** Stable small hash of a name (FNV-1a), to vary file counts per table without randomness. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

function positiveInt(value: number, what: string, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError(`${what} must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

/** Seed data files per table: 1–3, derived from the table name. */
export const seedFileCount = (table: string, total: number, override?: number) => Math.min(total, override ?? 1 + (nameHash(table) % 3));

/**
 * Writes one source partition as `fileCount` Parquet files of contiguous row ranges (`query(from, to)`),
 * built in a temp folder and swapped in whole. Returns its bytes.
 */
export async function writeSeedPartition(
  conn: DuckDBConnection,
  target: string,
  total: number,
  fileCount: number,
  query: (from: number, to: number) => string,
): Promise<number> {
  const temp = await freshBuildLocation(target, 'seed');
  await fs.mkdir(temp, { recursive: true });
  try {
    for (let k = 0; k < fileCount; k++) {
      // Contiguous row ranges per file, in order: stable bytes on every run.
      const from = Math.floor((k * total) / fileCount);
      const to = Math.floor(((k + 1) * total) / fileCount);
      const file = path.join(temp, stagedFileName(k));
      await conn.run(`COPY (${query(from, to)}) TO ${quoteLiteral(file)} (FORMAT parquet, COMPRESSION snappy)`);
    }
    await swapDirectory(temp, target);
  } finally {
    await removeQuietly(temp);
  }
  return (await listDataFiles(target)).reduce((sum, f) => sum + f.bytes, 0);
}

/**
 * Writes deterministic synthetic source data into the local lake, laid out like the S3 source
 * bucket. Each partition is built in a temp folder and swapped in, so re-seeding replaces it whole
 * and the same inputs give the same bytes.
 */
export async function seedLake(options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const { config, home } = options;
  const paths = new LakePaths(config, home);
  const snapshots = (options.snapshots ?? DEFAULT_SEED_SNAPSHOTS).map((dt) => assertSnapshotDt(dt));
  const rows = positiveInt(options.rows ?? DEFAULT_SEED_ROWS, 'rows', 100_000_000);
  const perCustomer = positiveInt(options.addressableRowsPerCustomer ?? 3, 'addressableRowsPerCustomer', 100);
  if (options.sourceFilesPerTable !== undefined) positiveInt(options.sourceFilesPerTable, 'sourceFilesPerTable', 64);

  const tables: SourceTable[] = (options.tables ?? config.tables.infobase).map((name) => ({ name, kind: 'infobase' }));
  if (config.tables.addressable) tables.push({ name: ADDRESSABLE_TABLE_NAME, kind: 'addressable' });

  // Own in-memory engine: seeding never touches (or locks) the catalog database.
  const engine = new DuckEngine({ database: ':memory:', threads: config.local.threads, memoryLimit: config.local.memoryLimit });
  const partitions: SeededPartition[] = [];
  let deltaTables: SeededDeltaTable[] = [];
  try {
    await engine.withConnection(async (conn) => {
      for (const snapshotDt of snapshots) {
        for (const table of tables) {
          const target = paths.sourcePartition(table, snapshotDt);
          const seed = `${table.name}|${snapshotDt}`;
          const total = table.kind === 'addressable' ? rows * perCustomer : rows;
          const select =
            table.kind === 'addressable' ? addressableColumns(seed, perCustomer) : infobaseColumns(familyOf(table.name), seed);
          const fileCount = seedFileCount(table.name, total, options.sourceFilesPerTable);
          const bytes = await writeSeedPartition(conn, target, total, fileCount, (from, to) => `SELECT ${select} FROM range(${from}, ${to}) AS r(i) ORDER BY i`);
          const files = await listDataFiles(target);
          partitions.push({ table: table.name, kind: table.kind, snapshotDt, location: target, files: files.length, rows: total, bytes });
        }
      }
      deltaTables = await seedDeltaTables({ config, paths, conn, snapshots, rows, appends: options.deltaAppends });
    });
  } finally {
    await engine.close();
  }
  return {
    lakeRoot: paths.root,
    snapshots,
    partitions,
    deltaTables,
    totalRows: partitions.reduce((sum, p) => sum + p.rows, 0),
    totalBytes: partitions.reduce((sum, p) => sum + p.bytes, 0),
    durationMs: Date.now() - started,
  };
}

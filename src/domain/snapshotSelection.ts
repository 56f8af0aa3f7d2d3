import { InvalidInputError } from './errors.js';
import { sortSnapshotsDescending } from './snapshotDate.js';
import type { SourceTable } from './tables.js';

/** What a listing found for one table in one snapshot partition. */
export interface SnapshotObjects {
  snapshotDt: string;
  /** Data files (Parquet) in the partition; zero-byte markers are not counted. */
  fileCount: number;
  totalBytes: number;
}

export type SnapshotListings = ReadonlyMap<string, readonly SnapshotObjects[]>;

export interface SnapshotChoice {
  snapshotDt: string;
  /** Bytes per table name in the chosen snapshot. */
  bytesByTable: Record<string, number>;
  filesByTable: Record<string, number>;
}

function partitionOf(listings: SnapshotListings, table: SourceTable, dt: string): SnapshotObjects | undefined {
  return listings.get(table.name)?.find((s) => s.snapshotDt === dt && s.fileCount > 0);
}

function choiceFor(listings: SnapshotListings, tables: readonly SourceTable[], dt: string): SnapshotChoice {
  const bytesByTable: Record<string, number> = {};
  const filesByTable: Record<string, number> = {};
  for (const table of tables) {
    const part = partitionOf(listings, table, dt)!;
    bytesByTable[table.name] = part.totalBytes;
    filesByTable[table.name] = part.fileCount;
  }
  return { snapshotDt: dt, bytesByTable, filesByTable };
}

/**
 * Picks the snapshot to process: the override when given (it must be complete), otherwise the newest
 * date for which every expected table has at least one data file. A date that only some tables have
 * is still landing and is skipped.
 */
export function chooseSnapshot(
  tables: readonly SourceTable[],
  listings: SnapshotListings,
  override?: string,
): SnapshotChoice {
  if (tables.length === 0) throw new InvalidInputError('no tables to process: the table list (after filtering) is empty');
  const missingFor = (dt: string) => tables.filter((t) => !partitionOf(listings, t, dt)).map((t) => t.name);

  if (override) {
    const missing = missingFor(override);
    if (missing.length > 0) {
      const known = sortSnapshotsDescending([...listings.values()].flat().map((s) => s.snapshotDt)).slice(0, 5);
      throw new InvalidInputError(
        `snapshot ${override} is not complete: no data for ${missing.join(', ')}` +
          (known.length ? ` (snapshots seen: ${known.join(', ')})` : ' (no snapshots found at all)'),
      );
    }
    return choiceFor(listings, tables, override);
  }

  const candidates = sortSnapshotsDescending([...listings.values()].flat().map((s) => s.snapshotDt));
  for (const dt of candidates) {
    if (missingFor(dt).length === 0) return choiceFor(listings, tables, dt);
  }
  throw new InvalidInputError(
    candidates.length === 0
      ? `no snapshots found for ${tables.map((t) => t.name).join(', ')}`
      : `no snapshot is complete for all ${tables.length} tables (newest seen ${candidates[0]}: missing ${missingFor(candidates[0]!).join(', ')})`,
  );
}

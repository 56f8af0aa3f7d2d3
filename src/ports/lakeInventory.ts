import type { SnapshotObjects } from '../domain/snapshotSelection.js';
import type { SourceTable } from '../domain/tables.js';

/** Lists what landed in the source lake. S3 ListObjectsV2 with a delimiter, or a local directory walk. */
export interface LakeInventory {
  /** Table names found under the infobase prefix (for discovery rules instead of a fixed list). */
  listInfobaseTables(): Promise<string[]>;
  /** Every `snapshot_dt=` partition of one table with its data files and bytes. */
  listSnapshots(table: SourceTable): Promise<SnapshotObjects[]>;
}

import path from 'node:path';
import { isSourceTableName } from '../../domain/identifiers.js';
import { parseSnapshotPartition } from '../../domain/snapshotDate.js';
import type { SnapshotObjects } from '../../domain/snapshotSelection.js';
import type { SourceTable } from '../../domain/tables.js';
import type { LakeInventory } from '../../ports/lakeInventory.js';
import { containsAnyFile, listDataFiles, listDirectories } from './files.js';
import type { LakePaths } from './paths.js';

/**
 * Lists the local lake the way S3 ListObjectsV2 with a `/` delimiter sees it: a "folder" exists only
 * if some object lies below it, names that are not tables or `snapshot_dt=` dates are ignored, and
 * only non-empty `*.parquet` objects count as data.
 */
export class LocalLakeInventory implements LakeInventory {
  constructor(private readonly paths: LakePaths) {}

  async listInfobaseTables(): Promise<string[]> {
    const root = this.paths.infobaseRoot();
    const tables: string[] = [];
    for (const name of await listDirectories(root)) {
      if (isSourceTableName(name) && (await containsAnyFile(path.join(root, name)))) tables.push(name);
    }
    return tables;
  }

  async listSnapshots(table: SourceTable): Promise<SnapshotObjects[]> {
    const dir = this.paths.sourceTableDir(table);
    const snapshots: SnapshotObjects[] = [];
    for (const name of await listDirectories(dir)) {
      const snapshotDt = parseSnapshotPartition(name);
      if (!snapshotDt) continue;
      const partition = path.join(dir, name);
      // An empty folder is invisible on S3; a folder holding only markers is a partition without data.
      if (!(await containsAnyFile(partition))) continue;
      const files = await listDataFiles(partition);
      snapshots.push({ snapshotDt, fileCount: files.length, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0) });
    }
    return snapshots.sort((a, b) => b.snapshotDt.localeCompare(a.snapshotDt));
  }
}

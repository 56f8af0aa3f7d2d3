import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isSourceTableName } from '../../domain/identifiers.js';
import { parseSnapshotPartition } from '../../domain/snapshotDate.js';
import type { SnapshotObjects } from '../../domain/snapshotSelection.js';
import type { SourceTable } from '../../domain/tables.js';
import type { LakeInventory } from '../../ports/lakeInventory.js';
import type { AwsLayout } from './layout.js';
import { isDataObject, listAllObjects } from './s3Objects.js';

/** Common prefixes (the "directories") directly under a prefix, all pages. */
async function listCommonPrefixes(s3: S3Client, bucket: string, prefix: string, pageSize?: number): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token, MaxKeys: pageSize }),
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

/**
 * LakeInventory over S3 ListObjectsV2. Tables are the common prefixes under the infobase prefix;
 * snapshots are the `snapshot_dt=` common prefixes under a table, each then listed for its data files.
 * `pageSize` is only for tests (forces pagination); AWS's default is 1000 keys per page.
 */
export class S3LakeInventory implements LakeInventory {
  constructor(
    private readonly s3: S3Client,
    private readonly layout: AwsLayout,
    private readonly infobase: { bucket: string; prefix: string },
    private readonly pageSize?: number,
  ) {}

  async listInfobaseTables(): Promise<string[]> {
    const prefixes = await listCommonPrefixes(this.s3, this.infobase.bucket, this.infobase.prefix, this.pageSize);
    const names = prefixes.map((p) => p.slice(this.infobase.prefix.length).replace(/\/$/, ''));
    // Anything that is not a valid table name (e.g. `tmp-copy`, `$folder$` leftovers) is not a table.
    return names.filter(isSourceTableName).sort();
  }

  async listSnapshots(table: SourceTable): Promise<SnapshotObjects[]> {
    const root = this.layout.sourceTableRoot(table);
    const partitions = await listCommonPrefixes(this.s3, root.bucket, root.prefix, this.pageSize);
    const snapshots: SnapshotObjects[] = [];
    for (const partition of partitions) {
      const snapshotDt = parseSnapshotPartition(partition.slice(root.prefix.length));
      if (!snapshotDt) continue;
      const objects = (await listAllObjects(this.s3, root.bucket, partition, this.pageSize)).filter(isDataObject);
      snapshots.push({
        snapshotDt,
        fileCount: objects.length,
        totalBytes: objects.reduce((sum, o) => sum + (o.Size ?? 0), 0),
      });
    }
    return snapshots.sort((a, b) => b.snapshotDt.localeCompare(a.snapshotDt));
  }
}

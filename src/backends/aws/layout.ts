import type { FlywheelConfig } from '../../config/schema.js';
import { assertSourceTableName } from '../../domain/identifiers.js';
import { compactSnapshotDt, snapshotPartition } from '../../domain/snapshotDate.js';
import { renderStagedPath, stagedTableRootPath } from '../../domain/stagedLayout.js';
import { ADDRESSABLE_TABLE_NAME, bucketedTableName, catalogBaseName, type SourceTable } from '../../domain/tables.js';
import { s3Uri } from './s3Objects.js';

/**
 * Where each table's data lives in S3. Every name is validated before it becomes part of a key, so a
 * table name can never point a listing or a delete outside its own prefix.
 */
export interface S3Location {
  bucket: string;
  /** Key prefix ending in `/`. */
  prefix: string;
}

export class AwsLayout {
  constructor(private readonly layout: FlywheelConfig['layout']) {}

  /** `opus/infobase_attributes/<TABLE>/` or `opus/addressable_ids/`. */
  sourceTableRoot(table: SourceTable): S3Location {
    assertSourceTableName(table.name);
    const prefix =
      table.kind === 'addressable' ? this.layout.addressablePrefix : `${this.layout.infobasePrefix}${table.name}/`;
    return { bucket: this.layout.sourceBucket, prefix };
  }

  sourcePartition(table: SourceTable, snapshotDt: string): S3Location {
    const root = this.sourceTableRoot(table);
    return { bucket: root.bucket, prefix: `${root.prefix}${snapshotPartition(snapshotDt)}/` };
  }

  /**
   * Staged data is written by the split/bucket jobs, under the source table's own name, at
   * `<stagedPrefix><stagedPathTemplate>`; the table's root is the template's part before the snapshot.
   */
  stagedTableRoot(table: SourceTable): S3Location {
    const name = stagedName(table);
    return { bucket: this.layout.targetBucket, prefix: `${this.layout.stagedPrefix}${stagedTableRootPath(this.layout.stagedPathTemplate, name)}` };
  }

  /** `<stagedPrefix><stagedPathTemplate>`, as configured (for messages). */
  stagedPattern(): string {
    return `${this.layout.stagedPrefix}${this.layout.stagedPathTemplate}`;
  }

  stagedPartition(table: SourceTable, snapshotDt: string): S3Location {
    const path = renderStagedPath(this.layout.stagedPathTemplate, stagedName(table), snapshotDt);
    return { bucket: this.layout.targetBucket, prefix: `${this.layout.stagedPrefix}${path}` };
  }

  /** Bucketed data is ours: lower-case catalog name, one non-partitioned directory per snapshot. */
  bucketedTableRoot(table: SourceTable): S3Location {
    return { bucket: this.layout.targetBucket, prefix: `${this.layout.bucketedPrefix}${catalogBaseName(table)}/` };
  }

  bucketedSnapshot(table: SourceTable, snapshotDt: string): S3Location {
    const root = this.bucketedTableRoot(table);
    return { bucket: root.bucket, prefix: `${root.prefix}${snapshotPartition(snapshotDt)}/` };
  }

  /** Build bookkeeping, next to (never inside) the CTAS location, which must be empty. */
  buildMarker(table: SourceTable, snapshotDt: string): { bucket: string; key: string } {
    const root = this.bucketedTableRoot(table);
    return { bucket: root.bucket, key: `${root.prefix}_flywheel_builds/${snapshotPartition(snapshotDt)}.json` };
  }

  uri(location: S3Location): string {
    return s3Uri(location.bucket, location.prefix);
  }
}

const stagedName = (table: SourceTable) => (table.kind === 'addressable' ? ADDRESSABLE_TABLE_NAME : assertSourceTableName(table.name));

export { snapshotTableName } from '../../domain/tables.js';

import path from 'node:path';
import type { FlywheelConfig } from '../../config/schema.js';
import { InvalidInputError } from '../../domain/errors.js';
import { assertSourceTableName } from '../../domain/identifiers.js';
import { snapshotPartition } from '../../domain/snapshotDate.js';
import { renderStagedPath } from '../../domain/stagedLayout.js';
import { ADDRESSABLE_TABLE_NAME, catalogBaseName, type SourceTable } from '../../domain/tables.js';

/** A single path segment we are willing to create or read: no separators, no dot-dot, no hidden tricks. */
const SAFE_SEGMENT = /^[A-Za-z0-9_.=-]+$/;

function assertSegment(segment: string): string {
  if (!SAFE_SEGMENT.test(segment) || segment === '.' || segment === '..') {
    throw new InvalidInputError(`unsafe path segment ${JSON.stringify(segment)} in the local lake`);
  }
  return segment;
}

/** Splits a config prefix (`opus/infobase_attributes/`) into validated segments. */
function prefixSegments(prefix: string): string[] {
  return prefix.split('/').filter((s) => s.length > 0).map(assertSegment);
}

export function tableFor(name: string): SourceTable {
  return name === ADDRESSABLE_TABLE_NAME
    ? { name, kind: 'addressable' }
    : { name: assertSourceTableName(name), kind: 'infobase' };
}

/**
 * The only place that turns lake coordinates into file-system paths. Mirrors the S3 layout exactly
 * (`<lakeRoot>/<bucket>/<prefix>…`) and refuses anything that would land outside the lake root.
 */
export class LakePaths {
  readonly root: string;

  constructor(
    private readonly config: FlywheelConfig,
    home: string,
  ) {
    this.root = path.resolve(home, config.local.lakeRoot);
  }

  /** Joins validated segments under the lake root; throws if the result escapes it. */
  resolve(...segments: string[]): string {
    const joined = path.resolve(this.root, ...segments.map(assertSegment));
    if (joined !== this.root && !joined.startsWith(this.root + path.sep)) {
      throw new InvalidInputError(`path ${joined} escapes the lake root ${this.root}`);
    }
    return joined;
  }

  /** Directory holding one folder per infobase table (the S3 "common prefixes" of the infobase prefix). */
  infobaseRoot(): string {
    const { sourceBucket, infobasePrefix } = this.config.layout;
    return this.resolve(sourceBucket, ...prefixSegments(infobasePrefix));
  }

  /** Directory holding the `snapshot_dt=` folders of a source table. */
  sourceTableDir(table: SourceTable): string {
    const { sourceBucket, addressablePrefix } = this.config.layout;
    if (table.kind === 'addressable') return this.resolve(sourceBucket, ...prefixSegments(addressablePrefix));
    return path.join(this.infobaseRoot(), assertSegment(assertSourceTableName(table.name)));
  }

  sourcePartition(table: SourceTable, snapshotDt: string): string {
    return path.join(this.sourceTableDir(table), snapshotPartition(snapshotDt));
  }

  /** Where the split jobs write a snapshot: `<stagedPrefix><stagedPathTemplate>`, as on S3. */
  stagedPartition(table: SourceTable, snapshotDt: string): string {
    const { targetBucket, stagedPrefix, stagedPathTemplate } = this.config.layout;
    const below = renderStagedPath(stagedPathTemplate, assertSourceTableName(table.name), snapshotDt);
    return this.resolve(targetBucket, ...prefixSegments(stagedPrefix), ...prefixSegments(below));
  }

  bucketedTableDir(table: SourceTable): string {
    const { targetBucket, bucketedPrefix } = this.config.layout;
    return this.resolve(targetBucket, ...prefixSegments(bucketedPrefix), catalogBaseName(table));
  }

  bucketedPartition(table: SourceTable, snapshotDt: string): string {
    return path.join(this.bucketedTableDir(table), snapshotPartition(snapshotDt));
  }

  describe(kind: 'source' | 'staged' | 'bucketed', tableName: string, snapshotDt: string): string {
    const table = tableFor(tableName);
    if (kind === 'source') return this.sourcePartition(table, snapshotDt);
    if (kind === 'staged') return this.stagedPartition(table, snapshotDt);
    return this.bucketedPartition(table, snapshotDt);
  }
}

/** Zero-padded data file names, as Spark and Athena write them. */
export const stagedFileName = (index: number) => `part-${String(index).padStart(5, '0')}.parquet`;
export const bucketFileName = (index: number) => `bucket-${String(index).padStart(5, '0')}.parquet`;

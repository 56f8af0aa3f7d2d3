import {
  DeleteTableCommand,
  GetTableCommand,
  GetTablesCommand,
  type GlueClient,
  type Table,
  type TableInput,
} from '@aws-sdk/client-glue';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucketedTableName, type SourceTable } from '../../domain/tables.js';
import { upsertGlueTable } from './glueCatalog.js';
import type { AwsLayout } from './layout.js';
import { awsErrorName, withAwsRetry, type RetryPolicy } from './retry.js';
import { deletePrefix, parseS3Uri } from './s3Objects.js';

export interface SnapshotTable {
  name: string;
  /** `yyyymmdd` from the name. */
  compactDt: string;
  /** The same date as `yyyy-mm-dd`. */
  snapshotDt: string;
  location?: string;
  /** The table's Parameters (e.g. the quality baseline, flywheel.quality.*). */
  parameters?: Record<string, string>;
}

/**
 * The stable bucketed table and its per-snapshot tables in the Glue catalog. CTAS builds
 * `<table>_bucketed_<yyyymmdd>`; the stable `<table>_bucketed` is then pointed at that table's storage
 * in one UpdateTable, so readers switch from one complete snapshot to the next and never see a gap.
 */
export class SnapshotTables {
  constructor(
    private readonly glue: GlueClient,
    private readonly s3: S3Client,
    private readonly layout: AwsLayout,
    private readonly database: string,
    private readonly retry: RetryPolicy,
  ) {}

  async get(name: string): Promise<Table | undefined> {
    try {
      const result = await withAwsRetry(() => this.glue.send(new GetTableCommand({ DatabaseName: this.database, Name: name })), this.retry);
      return result.Table;
    } catch (error) {
      if (awsErrorName(error) === 'EntityNotFoundException') return undefined;
      throw error;
    }
  }

  /** Points the stable name at a finished snapshot table: same columns, SerDe, bucketing and location. */
  async repoint(table: SourceTable, snapshotTable: string, snapshotDt: string): Promise<string> {
    const built = await this.get(snapshotTable);
    if (!built?.StorageDescriptor?.Location) {
      throw new Error(`${this.database}.${snapshotTable} is not in the catalog after CTAS; the stable table was not changed`);
    }
    const input: TableInput = {
      Name: bucketedTableName(table),
      TableType: 'EXTERNAL_TABLE',
      Description: `Flywheel: bucketed ${table.name}, snapshot ${snapshotDt} (${snapshotTable})`,
      StorageDescriptor: built.StorageDescriptor,
      PartitionKeys: [],
      Parameters: {
        ...(built.Parameters ?? {}),
        EXTERNAL: 'TRUE',
        'flywheel.snapshot_dt': snapshotDt,
        'flywheel.snapshot_table': snapshotTable,
      },
    };
    await upsertGlueTable(this.glue, this.database, input, this.retry);
    return built.StorageDescriptor.Location;
  }

  /** Every `<table>_bucketed_<yyyymmdd>` in the database, newest first. */
  async list(table: SourceTable): Promise<SnapshotTable[]> {
    const pattern = new RegExp(`^${bucketedTableName(table)}_(\\d{8})$`);
    const found: SnapshotTable[] = [];
    let token: string | undefined;
    do {
      const page = await withAwsRetry(
        () => this.glue.send(new GetTablesCommand({ DatabaseName: this.database, NextToken: token })),
        this.retry,
      );
      for (const t of page.TableList ?? []) {
        const match = pattern.exec(t.Name ?? '');
        if (!match) continue;
        const d = match[1]!;
        const snapshotDt = `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}`;
        found.push({ name: t.Name!, compactDt: d, snapshotDt, location: t.StorageDescriptor?.Location, parameters: t.Parameters });
      }
      token = page.NextToken;
    } while (token);
    return found.sort((a, b) => b.compactDt.localeCompare(a.compactDt));
  }

  /**
   * Drops a snapshot table and its data. Data goes first: if that fails the table stays listed and the
   * next run's retention tries again, instead of leaving data no table points to. Only locations under
   * the table's own bucketed prefix are ever deleted.
   */
  async drop(table: SourceTable, snapshot: Pick<SnapshotTable, 'name' | 'location'> & { snapshotDt?: string }): Promise<void> {
    if (snapshot.location) {
      const { bucket, key } = parseS3Uri(snapshot.location);
      const root = this.layout.bucketedTableRoot(table);
      const prefix = key.endsWith('/') ? key : `${key}/`;
      if (bucket !== root.bucket || !prefix.startsWith(root.prefix) || prefix === root.prefix) {
        throw new Error(`refusing to delete ${snapshot.location} for ${snapshot.name}: not under ${this.layout.uri(root)}`);
      }
      await deletePrefix(this.s3, bucket, prefix);
    }
    try {
      await withAwsRetry(() => this.glue.send(new DeleteTableCommand({ DatabaseName: this.database, Name: snapshot.name })), this.retry);
    } catch (error) {
      if (awsErrorName(error) !== 'EntityNotFoundException') throw error;
    }
    // The build marker belongs to the dropped build (only retention passes the date; a rebuild rewrites it).
    if (snapshot.snapshotDt) {
      const marker = this.layout.buildMarker(table, snapshot.snapshotDt);
      await this.s3.send(new DeleteObjectCommand({ Bucket: marker.bucket, Key: marker.key }));
    }
  }

  /** Keeps `current` plus the `keep` newest other snapshot tables; drops the rest. Returns the dropped names. */
  async applyRetention(table: SourceTable, current: string, keep: number): Promise<string[]> {
    const others = (await this.list(table)).filter((s) => s.name !== current);
    const expired = others.slice(keep);
    for (const snapshot of expired) await this.drop(table, snapshot);
    return expired.map((s) => s.name);
  }
}

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend, seedLake, type SeedSummary } from '../../../src/backends/local/index.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
import type { Backend } from '../../../src/ports/backend.js';
import { ADDRESSABLE, ibe, tempHome, testConfig } from './helpers.js';

const config = testConfig();

async function digest(summary: SeedSummary): Promise<string> {
  const hash = createHash('sha256');
  for (const p of summary.partitions) {
    hash.update(p.location);
    for (let k = 0; k < p.files; k++) hash.update(await readFile(path.join(p.location, `part-${String(k).padStart(5, '0')}.parquet`)));
  }
  return hash.digest('hex');
}

describe('seedLake + LocalLakeInventory', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let summary: SeedSummary;
  let backend: Backend;

  beforeAll(async () => {
    ({ home, cleanup } = await tempHome());
    summary = await seedLake({ config, home, rows: 500, addressableRowsPerCustomer: 3 });
    backend = await createLocalBackend(config, home);
  });
  afterAll(async () => {
    await backend?.close();
    await cleanup?.();
  });

  it('writes every table for both default snapshots, 1–3 files each, with the right row counts', () => {
    expect(summary.snapshots).toEqual(['2026-09-01', '2026-10-01']);
    expect(summary.partitions).toHaveLength(2 * 4);
    for (const p of summary.partitions) {
      expect(p.files).toBeGreaterThanOrEqual(1);
      expect(p.files).toBeLessThanOrEqual(3);
      expect(p.rows).toBe(p.kind === 'addressable' ? 1500 : 500);
    }
    expect(summary.totalRows).toBe(2 * (3 * 500 + 1500));
  });

  it('is deterministic: re-seeding gives the same bytes', async () => {
    const first = await digest(summary);
    const again = await seedLake({ config, home, rows: 500, addressableRowsPerCustomer: 3 });
    expect(await digest(again)).toBe(first);
  });

  it('generates customer ids and family-specific typed columns', async () => {
    const paths = new LakePaths(config, home);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const describe = async (dir: string) =>
        (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${dir}/*.parquet', hive_partitioning = false)`))
          .getRowObjectsJson()
          .map((r) => `${r.column_name}:${r.column_type}`);
      const ibeCols = await describe(paths.sourcePartition(ibe('IBE_01'), '2026-10-01'));
      const miacsCols = await describe(paths.sourcePartition(ibe('MIACS_01'), '2026-10-01'));
      const otherCols = await describe(paths.sourcePartition(ibe('CLC_01'), '2026-10-01'));
      for (const cols of [ibeCols, miacsCols, otherCols]) {
        expect(cols[0]).toBe('customer_user_id:VARCHAR');
        expect(cols.length - 1).toBeGreaterThanOrEqual(5);
        expect(cols.length - 1).toBeLessThanOrEqual(10);
        const types = new Set(cols.map((c) => c.split(':')[1]));
        for (const t of ['VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'DATE', 'BOOLEAN']) expect(types).toContain(t);
      }
      expect(ibeCols).not.toEqual(miacsCols);
      expect(miacsCols).not.toEqual(otherCols);

      const addr = (
        await conn.runAndReadAll(
          `SELECT count(*) AS n, count(DISTINCT customer_user_id) AS c, min(customer_user_id) AS lo
           FROM read_parquet('${paths.sourcePartition(ADDRESSABLE, '2026-10-01')}/*.parquet', hive_partitioning = false)`,
        )
      ).getRowObjectsJson()[0]!;
      expect(addr).toEqual({ n: '1500', c: '500', lo: 'CU00000000' });
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });

  it('lists tables and snapshots as an S3 delimiter listing would, ignoring junk', async () => {
    const paths = new LakePaths(config, home);
    const root = paths.infobaseRoot();
    // Junk: a non-table folder name, an empty table folder, a bad date, a non-partition folder,
    // an empty partition folder, a partition with only markers, stray files.
    await mkdir(path.join(root, 'not-a-table', 'snapshot_dt=2026-10-01'), { recursive: true });
    await writeFile(path.join(root, 'not-a-table', 'snapshot_dt=2026-10-01', 'x.parquet'), 'x');
    await mkdir(path.join(root, 'EMPTY_01', 'snapshot_dt=2026-10-01'), { recursive: true });
    const ibeDir = paths.sourceTableDir(ibe('IBE_01'));
    await mkdir(path.join(ibeDir, 'snapshot_dt=2026-02-30'), { recursive: true });
    await writeFile(path.join(ibeDir, 'snapshot_dt=2026-02-30', 'part-00000.parquet'), 'x');
    await mkdir(path.join(ibeDir, 'tmp'), { recursive: true });
    await writeFile(path.join(ibeDir, 'tmp', 'a.parquet'), 'x');
    await mkdir(path.join(ibeDir, 'snapshot_dt=2026-11-01'), { recursive: true });
    await mkdir(path.join(ibeDir, 'snapshot_dt=2026-08-01'), { recursive: true });
    await writeFile(path.join(ibeDir, 'snapshot_dt=2026-08-01', '_SUCCESS'), '');
    await writeFile(path.join(ibeDir, 'snapshot_dt=2026-08-01', 'empty.parquet'), '');
    await writeFile(path.join(ibeDir, 'snapshot_dt=2026-10-01', 'notes.txt'), 'not data');

    expect(await backend.inventory.listInfobaseTables()).toEqual(['CLC_01', 'IBE_01', 'MIACS_01']);
    const snapshots = await backend.inventory.listSnapshots(ibe('IBE_01'));
    expect(snapshots.map((s) => s.snapshotDt)).toEqual(['2026-10-01', '2026-09-01', '2026-08-01']);
    const seeded = summary.partitions.find((p) => p.table === 'IBE_01' && p.snapshotDt === '2026-10-01')!;
    expect(snapshots[0]).toEqual({ snapshotDt: '2026-10-01', fileCount: seeded.files, totalBytes: seeded.bytes });
    expect(snapshots[2]).toEqual({ snapshotDt: '2026-08-01', fileCount: 0, totalBytes: 0 });

    const addressable = await backend.inventory.listSnapshots(ADDRESSABLE);
    expect(addressable.map((s) => s.snapshotDt)).toEqual(['2026-10-01', '2026-09-01']);
    expect(await backend.inventory.listSnapshots(ibe('NOPE_01'))).toEqual([]);
  });

  it('keeps every path inside the lake root', () => {
    const paths = new LakePaths(config, home);
    expect(backend.describeLocation('bucketed', 'IBE_01', '2026-10-01')).toBe(
      path.join(home, 'lake', 'tgt-bucket', 'omc_cleanroom_data', 'bucketed', 'ibe_01', 'snapshot_dt=2026-10-01'),
    );
    expect(() => paths.resolve('..', 'etc')).toThrow(/unsafe path segment/);
    expect(() => backend.describeLocation('source', '../x', '2026-10-01')).toThrow(/invalid table name/);
    expect(() => backend.describeLocation('source', 'IBE_01', '2026-13-01')).toThrow(/invalid snapshot date/);
  });
});

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLake } from '../../src/backends/local/index.js';
import type { MaintenanceReport } from '../../src/workflows/maintenanceInput.js';
import { createRefreshHarness, type RefreshHarness } from '../support/refreshHarness.js';

const SNAPSHOTS = ['2026-07-01', '2026-08-01', '2026-09-01'];
const TEN_YEARS_HOURS = 24 * 365 * 10;

async function partitions(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((d) => d.startsWith('snapshot_dt=')).sort();
}

async function parquetFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f));
}

/** Row count and an order-independent content checksum of a partition, read with DuckDB. */
async function contents(files: string[]): Promise<{ rows: number; checksum: string }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const list = files.map((f) => `'${f}'`).join(',');
  const reader = await conn.runAndReadAll(
    `SELECT count(*)::INTEGER AS n, sum(hash(t::VARCHAR))::VARCHAR AS h FROM read_parquet([${list}], hive_partitioning = false) t`,
  );
  conn.closeSync();
  db.closeSync();
  const row = reader.getRowObjects()[0]!;
  return { rows: Number(row.n), checksum: String(row.h) };
}

describe('deltaMaintenance on the local backend (real dev server)', () => {
  let h: RefreshHarness;
  let ibe01: string;
  let miacs01: string;
  const run = (args: Record<string, unknown>, id: string) =>
    h.withWorker(() =>
      h.client.workflow.execute('deltaMaintenance', {
        taskQueue: h.config.temporal.taskQueue!,
        workflowId: `${h.config.environment}-${id}`,
        args: [{ environment: h.config.environment, ...args }],
      }),
    ) as Promise<MaintenanceReport>;

  beforeAll(async () => {
    h = await createRefreshHarness({
      tables: ['IBE_01', 'MIACS_01'],
      snapshots: SNAPSHOTS,
      config: {
        maintenance: {
          tables: [
            { name: 'IBE_01', location: 's3://test-lake/opus/infobase_attributes/IBE_01/', zorderBy: ['customer_user_id'] },
            { name: 'MIACS_01', location: 's3://test-lake/opus/infobase_attributes/MIACS_01/', where: "snapshot_dt >= '2026-08-01'" },
          ],
          concurrency: 2,
        },
      },
    });
    // Many small files per partition: what OPTIMIZE is for.
    await seedLake({ config: h.config, home: h.home, rows: 500, snapshots: SNAPSHOTS, sourceFilesPerTable: 8 });
    const root = path.join(h.home, 'lake', 'test-lake', 'opus', 'infobase_attributes');
    ibe01 = path.join(root, 'IBE_01');
    miacs01 = path.join(root, 'MIACS_01');
  });
  afterAll(() => h?.close());

  it('refuses 24 h retention as InvalidInput with the reason and the way out', async () => {
    const error = await run({ retainHours: 24 }, 'short-retention').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('InvalidInput');
    expect(cause.message).toMatch(/refusing VACUUM RETAIN 24 HOURS: retention below 168 hours/);
    expect(cause.message).toMatch(/maintenance\.allowShortRetention: true/);
    // Nothing was touched.
    expect(await partitions(ibe01)).toEqual(SNAPSHOTS.map((dt) => `snapshot_dt=${dt}`));
  });

  it('refuses an unknown table filter', async () => {
    const error = await run({ tables: ['NOPE_01'] }, 'unknown-table').catch((e: unknown) => e);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).message).toMatch(/unknown maintenance table\(s\): NOPE_01/);
  });

  it('compacts small files (rows and content preserved) and keeps everything within retention', async () => {
    const newest = path.join(ibe01, 'snapshot_dt=2026-09-01');
    const filesBefore = await parquetFiles(newest);
    const before = await contents(filesBefore);
    expect(filesBefore).toHaveLength(8);

    const report = await run({ retainHours: TEN_YEARS_HOURS, tables: ['IBE_01'] }, 'compact');

    const filesAfter = await parquetFiles(newest);
    expect(filesAfter).toHaveLength(1);
    expect(await contents(filesAfter)).toEqual(before);
    const table = report.tables[0]!;
    expect(report.status).toBe('succeeded');
    expect(table).toMatchObject({ table: 'IBE_01', state: 'succeeded', filesCompacted: 8, filesWritten: 1, filesRemoved: 0, partitionsRemoved: 0 });
    expect(table.rowsBefore).toBe(before.rows);
    expect(table.rowsAfter).toBe(before.rows);
    // Only the newest partition is optimized without WHERE; older ones keep their files.
    expect(await parquetFiles(path.join(ibe01, 'snapshot_dt=2026-07-01'))).toHaveLength(8);
    expect(await partitions(ibe01)).toHaveLength(3);
    // Sorted by the Z-order column.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const ids = (await conn.runAndReadAll(`SELECT customer_user_id::VARCHAR AS id FROM read_parquet('${filesAfter[0]}')`)).getRowObjects().map((r) => String(r.id));
    conn.closeSync();
    db.closeSync();
    expect(ids).toEqual([...ids].sort());
    // Running again finds nothing left to compact (idempotent).
    const again = await run({ retainHours: TEN_YEARS_HOURS, tables: ['IBE_01'] }, 'compact-again');
    expect(again.tables[0]).toMatchObject({ filesCompacted: 0, filesWritten: 0 });
  });

  it('with the default 168 h retention vacuums old snapshots but never the newest; WHERE selects partitions', async () => {
    const filesIn = async (dir: string, dt: string) => (await parquetFiles(path.join(dir, `snapshot_dt=${dt}`))).length;
    const expectedRemoved = (await filesIn(miacs01, '2026-07-01')) + (await filesIn(miacs01, '2026-08-01'));

    const report = await run({}, 'vacuum');
    expect(report.retainHours).toBe(168);
    const byName = Object.fromEntries(report.tables.map((t) => [t.table, t]));
    // All seeded snapshots are months old: everything but the newest goes.
    expect(await partitions(ibe01)).toEqual(['snapshot_dt=2026-09-01']);
    expect(await partitions(miacs01)).toEqual(['snapshot_dt=2026-09-01']);
    expect(byName.IBE_01).toMatchObject({ partitionsRemoved: 2, filesRemoved: 16 });
    // MIACS_01: WHERE snapshot_dt >= '2026-08-01' compacted 08-01 and 09-01 (8 files each) before VACUUM.
    expect(byName.MIACS_01).toMatchObject({ filesCompacted: 16, filesWritten: 2, partitionsRemoved: 2 });
    expect(byName.MIACS_01!.filesRemoved).toBe(expectedRemoved - 8 + 1);
    expect(byName.MIACS_01!.notes.join(' ')).toMatch(/optimized 2 partition\(s\): 2026-08-01, 2026-09-01/);
  });
});

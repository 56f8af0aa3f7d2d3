import { copyFile, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMaintenance } from '../../src/activities/maintenance.js';
import { createLocalBackend, seedLake } from '../../src/backends/local/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import type { Backend } from '../../src/ports/backend.js';
import type { OperationContext } from '../../src/ports/context.js';
import type { MaintenanceTarget } from '../../src/ports/deltaMaintenance.js';
import { overlappingPairs, readDeltaTable } from '../support/deltaTable.js';

const SNAPSHOTS = ['2026-08-01', '2026-09-01', '2026-10-01'];
const APPENDS = 12;
const ROWS = 3000;
const DAY_MS = 24 * 3600_000;

/** The local adapter without Temporal, on real Delta tables written by the seed (delta-rs). */
describe('LocalDeltaMaintenance on real Delta tables', () => {
  let home: string;
  let config: FlywheelConfig;
  let backend: Backend;
  let dir: string;
  const ibe01: MaintenanceTarget = { name: 'IBE_01', location: 's3://lake-a/delta/ibe_01/', zorderBy: ['customer_user_id'] };
  const ctx = (controller = new AbortController(), onBeat: (d: unknown) => void = () => {}): OperationContext => ({ heartbeat: onBeat, signal: controller.signal });
  const maintain = (retainHours: number, runTag: string, c = ctx()) => backend.maintenance!.maintainTable({ target: ibe01, retainHours, asOf: new Date().toISOString(), runTag }, c);
  const parquetOnDisk = async () =>
    (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.parquet') && !f.startsWith('_delta_log')).sort();

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-delta-'));
    config = parseConfig(
      {
        environment: 'maint',
        backend: 'local',
        layout: { sourceBucket: 'lake-a', targetBucket: 'lake-a' },
        tables: { mode: 'list', infobase: ['IBE_01'], addressable: false },
        catalog: { database: 'maint' },
        jobs: { pollMinSeconds: 0.05, pollMaxSeconds: 0.2 },
        local: { lakeRoot: 'lake', threads: 1, memoryLimit: '256MB' },
        // Small target files, so Z-order writes several files per partition whose key ranges can be compared.
        maintenance: { tables: [ibe01], targetFileMb: 0.03 },
      },
      'test config',
      {},
    );
    const seeded = await seedLake({ config, home, rows: ROWS, snapshots: SNAPSHOTS, deltaAppends: APPENDS });
    dir = seeded.deltaTables[0]!.location;
    backend = await createLocalBackend(config, home);
  });
  afterAll(async () => {
    await backend?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('the seed writes a partitioned Delta table: many small appends, and an earlier OPTIMIZE of each older snapshot', async () => {
    const table = await readDeltaTable(dir);
    // 12 appends per snapshot + one dated compaction for each but the newest: versions 0…37.
    expect(table.version).toBe(SNAPSHOTS.length * APPENDS + SNAPSHOTS.length - 1 - 1);
    expect(table.rows).toBe(ROWS * SNAPSHOTS.length);
    expect(table.files.filter((f) => f.partition === '2026-10-01')).toHaveLength(APPENDS);
    expect(table.files.filter((f) => f.partition === '2026-08-01')).toHaveLength(1);
  });

  it('check refuses, before any job starts, a missing table, a non-Delta folder, unknown or partition Z-order columns, WHERE on data columns', async () => {
    const check = (extra: Partial<MaintenanceTarget>) => backend.maintenance!.check({ ...ibe01, ...extra });
    await expect(check({ location: 's3://lake-a/delta/nope/' })).rejects.toThrow(/does not exist; `flywheel seed` writes the sample Delta tables/);
    await expect(check({ location: 's3://lake-a/opus/infobase_attributes/IBE_01/' })).rejects.toThrow(/is not a Delta table: no _delta_log commits/);
    await expect(check({ zorderBy: ['no_such_column'] })).rejects.toThrow(/zorderBy column no_such_column is not in the table \(columns: customer_user_id, /);
    await expect(check({ zorderBy: ['snapshot_dt'] })).rejects.toThrow(/zorderBy column snapshot_dt is a partition column/);
    await expect(check({ where: "ibe_segment = 'A1'" })).rejects.toThrow(/where column ibe_segment is not a partition column \(partition columns: snapshot_dt\)/);
    await expect(check({ location: undefined, catalogTable: 'db.ibe_01' })).rejects.toThrow(/local backend needs location/);
    await expect(check({ where: "snapshot_dt >= '2026-10-01'" })).resolves.toBeUndefined();
  });

  it('VACUUM below the table minimum is refused by the engine itself (allowShortRetention off): nothing committed', async () => {
    const before = await readDeltaTable(dir);
    await expect(maintain(24, 'engine-refuses')).rejects.toThrow(/ended FAILED: VACUUM RETAIN 24 HOURS refused by the engine: .*minimum retention for vacuum is configured to be greater than 168 hours/);
    expect((await readDeltaTable(dir)).version).toBe(before.version);
  });

  it('cancellation stops the job process: the run ends STOPPED and nothing is committed', async () => {
    const before = await readDeltaTable(dir);
    const controller = new AbortController();
    const run = maintain(168, 'cancelled', ctx(controller, (d) => (d as { runId?: string }).runId && controller.abort(new Error('cancelled by test'))));
    await expect(run).rejects.toThrow(/cancelled by test/);
    const jobs = (await readdir(path.join(home, 'jobs', 'flywheel-delta-maintenance'))).filter((f) => f.endsWith('.json'));
    const { ProcessJobRunner } = await import('../../src/backends/local/processJobRunner.js');
    const runner = new ProcessJobRunner(home, 'unused', async () => 'unused');
    const runId = await runner.findRunByTag('flywheel-delta-maintenance', 'cancelled');
    expect(jobs.map((f) => f.replace('.json', ''))).toContain(runId);
    await expect.poll(async () => (await runner.getJobRun('flywheel-delta-maintenance', runId!)).state, { timeout: 15_000 }).toBe('STOPPED');
    expect((await readDeltaTable(dir)).version).toBe(before.version);
  });

  it('OPTIMIZE Z-orders N small files into few; VACUUM RETAIN 168 HOURS deletes exactly the unreferenced files old enough', async () => {
    const before = await readDeltaTable(dir);
    expect(overlappingPairs(before.files, '2026-10-01')).toBeGreaterThan(0.9); // deliveries span the whole key range
    // Files the log never referenced: one 10 days old (VACUUM deletes it), one fresh (kept: may be a write in flight).
    const partition = path.join(dir, 'snapshot_dt=2026-10-01');
    const sample = path.join(dir, before.files.find((f) => f.partition === '2026-10-01')!.path);
    await copyFile(sample, path.join(partition, 'part-orphan-old.parquet'));
    await copyFile(sample, path.join(partition, 'part-orphan-new.parquet'));
    const tenDaysAgo = new Date(Date.now() - 10 * DAY_MS);
    await utimes(path.join(partition, 'part-orphan-old.parquet'), tenDaysAgo, tenDaysAgo);
    const onDiskBefore = await parquetOnDisk();

    const result = await maintain(168, 'optimize-vacuum');

    const after = await readDeltaTable(dir);
    expect(after.rows).toBe(before.rows);
    expect(after.checksum).toBe(before.checksum); // every row identical, read through the log
    expect(result).toMatchObject({ versionBefore: before.version, versionAfter: after.version, filesBefore: before.files.length, filesAfter: after.files.length });
    expect(result.versionsCommitted.map((v) => v.operation)).toEqual(['OPTIMIZE', 'VACUUM START', 'VACUUM END']);
    expect(result.filesCompacted).toBe(before.files.length);
    expect(result.filesWritten).toBe(after.files.length);
    const newest = after.files.filter((f) => f.partition === '2026-10-01');
    expect(newest.length).toBeGreaterThan(1);
    expect(newest.length).toBeLessThan(APPENDS);
    expect(overlappingPairs(after.files, '2026-10-01')).toBeLessThan(0.1); // clustered by customer_user_id

    // Deleted: the files the seeded OPTIMIZE replaced weeks ago (2 snapshots × 12) and the old orphan. Kept: every
    // referenced file, the files this OPTIMIZE just replaced (their tombstones are fresh) and the fresh orphan.
    const oldTombstones = onDiskBefore.filter((f) => !before.files.some((b) => b.path === f) && !f.includes('orphan'));
    expect(oldTombstones).toHaveLength(2 * APPENDS);
    expect(result.filesRemoved).toBe(oldTombstones.length + 1);
    expect(result.bytesRemoved).toBeGreaterThan(0);
    const expected = [...new Set([...before.files.map((f) => f.path), ...after.files.map((f) => f.path), 'snapshot_dt=2026-10-01/part-orphan-new.parquet'])].sort();
    expect(await parquetOnDisk()).toEqual(expected);

    // Time travel inside the retention still works: the version before OPTIMIZE reads the same rows.
    expect((await readDeltaTable(dir, { version: before.version })).checksum).toBe(before.checksum);
    // Outside it, the files of versions before the seeded OPTIMIZE are gone.
    await expect(readDeltaTable(dir, { version: APPENDS - 1 })).rejects.toThrow(/reading .* through its Delta log failed/);
  });

  it('a retried run with the same tag re-attaches to its run: one OPTIMIZE commit per run tag', async () => {
    const first = await maintain(168, 'retried');
    const second = await maintain(168, 'retried');
    expect(second.jobRunId).toBe(first.jobRunId);
    const table = await readDeltaTable(dir);
    expect(table.history.filter((c) => c.operation === 'OPTIMIZE' && c.runTag === 'retried')).toHaveLength(1);
  });

  it('planMaintenance: retention floor unless allowed; failed checks refuse that table only', async () => {
    const strict = { ...config, maintenance: { ...config.maintenance, tables: [ibe01, { ...ibe01, name: 'MISSING_01', location: 's3://lake-a/delta/missing/' }] } };
    await expect(planMaintenance(strict, backend, { environment: 'maint', retainHours: 167 })).rejects.toThrow(/below 168 hours/);
    const plan = await planMaintenance(strict, backend, { environment: 'maint' });
    expect(plan.targets.map((t) => t.name)).toEqual(['IBE_01']);
    expect(plan.refused).toEqual([{ table: 'MISSING_01', error: expect.stringMatching(/maintenance table MISSING_01: .* does not exist/) }]);
    const withWhere = { ...config, maintenance: { ...config.maintenance, tables: [{ ...ibe01, where: "snapshot_dt>='2026-10-01'" }] } };
    expect((await planMaintenance(withWhere, backend, { environment: 'maint' })).targets[0]!.where).toBe("snapshot_dt >= '2026-10-01'");
    await expect(planMaintenance(config, backend, { environment: 'prod' })).rejects.toThrow(/serves environment "maint"/);
  });
});

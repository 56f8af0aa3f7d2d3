import { readdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planMaintenance } from '../../src/activities/maintenance.js';
import { createLocalBackend, seedLake } from '../../src/backends/local/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { NO_CONTEXT } from '../../src/ports/context.js';
import type { Backend } from '../../src/ports/backend.js';

/** The adapter without Temporal: retention boundaries with a fixed `asOf`, and the refusals of `check`. */
describe('LocalDeltaMaintenance', () => {
  let home: string;
  let config: FlywheelConfig;
  let backend: Backend;
  const table = (extra: Record<string, unknown> = {}) => ({ name: 'IBE_01', location: 's3://lake-a/opus/infobase_attributes/IBE_01/', zorderBy: [], ...extra });

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-maint-'));
    config = parseConfig(
      {
        environment: 'maint',
        backend: 'local',
        layout: { sourceBucket: 'lake-a', targetBucket: 'lake-a' },
        tables: { mode: 'list', infobase: ['IBE_01'], addressable: false },
        catalog: { database: 'maint' },
        local: { lakeRoot: 'lake', threads: 1, memoryLimit: '256MB' },
        maintenance: { tables: [table()], allowShortRetention: true },
      },
      'test config',
      {},
    );
    await seedLake({ config, home, rows: 100, snapshots: ['2026-10-01', '2026-10-05', '2026-10-06'], sourceFilesPerTable: 2 });
    backend = await createLocalBackend(config, home);
  });
  afterAll(async () => {
    await backend?.close();
    await rm(home, { recursive: true, force: true });
  });

  const partitions = async () => (await readdir(path.join(home, 'lake', 'lake-a', 'opus', 'infobase_attributes', 'IBE_01'))).sort();
  const maintain = (retainHours: number, asOf: string) =>
    backend.maintenance!.maintainTable({ target: table(), retainHours, asOf, runTag: `test/${retainHours}` }, NO_CONTEXT);

  it('removes partitions dated more than retainHours before asOf, by partition date', async () => {
    // Cutoff 2026-10-04T12:00Z: only 2026-10-01 is older.
    const first = await maintain(48, '2026-10-06T12:00:00Z');
    expect(first).toMatchObject({ partitionsRemoved: 1, filesRemoved: 2 });
    expect(await partitions()).toEqual(['snapshot_dt=2026-10-05', 'snapshot_dt=2026-10-06']);
    // Cutoff 2026-10-05T12:00Z: 2026-10-05 (midnight) is now older; the newest stays even far past retention.
    const second = await maintain(24, '2027-01-01T00:00:00Z');
    expect(second.partitionsRemoved).toBe(1);
    expect(await partitions()).toEqual(['snapshot_dt=2026-10-06']);
  });

  it('refuses what the local lake cannot do, as InvalidInput', () => {
    const check = (extra: Record<string, unknown>) => () => backend.maintenance!.check({ ...table(), ...extra } as never);
    expect(check({ location: undefined, catalogTable: 'db.ibe_01' })).toThrow(/local backend needs location/);
    expect(check({ where: "region = 'eu'" })).toThrow(/may only compare snapshot_dt with a 'YYYY-MM-DD' date/);
    expect(check({ where: "snapshot_dt = '2026-02-30'" })).toThrow(/may only compare snapshot_dt/);
    expect(check({ location: 's3://lake-a/x/', where: "snapshot_dt >= '2026-10-01'" })).not.toThrow();
  });

  it('refuses an unknown Z-order column before writing anything', async () => {
    await expect(
      backend.maintenance!.maintainTable(
        { target: table({ zorderBy: ['no_such_column'] }), retainHours: 100_000, asOf: '2026-10-06T00:00:00Z', runTag: 'z' },
        NO_CONTEXT,
      ),
    ).rejects.toThrow(/zorderBy column no_such_column is not in the data/);
    expect((await readdir(path.join(home, 'lake', 'lake-a', 'opus', 'infobase_attributes', 'IBE_01'))).some((d) => d.startsWith('_tmp'))).toBe(false);
  });

  it('planMaintenance: retention floor unless allowed, canonical WHERE, environment check', () => {
    expect(planMaintenance(config, backend, { environment: 'maint', retainHours: 24 }).retainHours).toBe(24);
    const strict = { ...config, maintenance: { ...config.maintenance, allowShortRetention: false } };
    expect(() => planMaintenance(strict, backend, { environment: 'maint', retainHours: 167 })).toThrow(/below 168 hours/);
    expect(planMaintenance(strict, backend, { environment: 'maint', retainHours: 168 }).targets).toHaveLength(1);
    const withWhere = { ...config, maintenance: { ...config.maintenance, tables: [table({ where: "snapshot_dt>='2026-10-01'" })] } };
    expect(planMaintenance(withWhere, backend, { environment: 'maint' }).targets[0]!.where).toBe("snapshot_dt >= '2026-10-01'");
    expect(() => planMaintenance(config, backend, { environment: 'prod' })).toThrow(/serves environment "maint"/);
  });
});

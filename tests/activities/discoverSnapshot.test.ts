import { describe, expect, it } from 'vitest';
import { discoverSnapshot, type DiscoverSnapshotInput } from '../../src/activities/discoverSnapshot.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import type { RefreshPlan } from '../../src/domain/plan.js';
import type { SnapshotObjects } from '../../src/domain/snapshotSelection.js';
import { FakeLakeInventory } from './doubles.js';

const GiB = 1024 ** 3;
const snap = (snapshotDt: string, totalBytes: number, fileCount = 1): SnapshotObjects => ({ snapshotDt, fileCount, totalBytes });

function config(tables: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): FlywheelConfig {
  return parseConfig(
    {
      environment: 'test',
      backend: 'local',
      tables: { mode: 'list', infobase: ['IBE_01', 'MIACS_01'], addressable: true, ...tables },
      catalog: { database: 'flywheel_test' },
      jobs: { infobaseSplitAndBucket: 'split-job', addressableBucket: 'addr-job' },
      ...extra,
    },
    'test config',
    {},
  );
}

const backendWith = (inventory: FakeLakeInventory) => ({
  inventory,
  describeLocation: (kind: 'source' | 'staged' | 'bucketed', table: string, dt: string) => `mem://${kind}/${table}/snapshot_dt=${dt}/`,
});

/** Every table complete on 2026-10-01 and 2026-09-01. */
const COMPLETE = {
  IBE_01: [snap('2026-09-01', GiB), snap('2026-10-01', 3 * GiB, 12)],
  MIACS_01: [snap('2026-09-01', GiB), snap('2026-10-01', GiB / 2 + 1, 3)],
  addressable_ids: [snap('2026-09-01', GiB), snap('2026-10-01', 200 * GiB, 800)],
};

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected discoverSnapshot to fail');
}

function discover(cfg: FlywheelConfig, inventory: FakeLakeInventory, input: Partial<DiscoverSnapshotInput> = {}): Promise<RefreshPlan> {
  return discoverSnapshot(cfg, backendWith(inventory), { environment: 'test', ...input });
}

describe('discoverSnapshot: input checks', () => {
  it('rejects a run for another environment, naming both', async () => {
    const inventory = new FakeLakeInventory(COMPLETE);
    const error = await errorOf(discover(config(), inventory, { environment: 'prod' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('"test"');
    expect(error.message).toContain('"prod"');
    expect(inventory.listed).toEqual([]);
  });

  it('rejects an impossible override date before listing anything', async () => {
    const inventory = new FakeLakeInventory(COMPLETE);
    const error = await errorOf(discover(config(), inventory, { snapshotDt: '2026-02-30' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('2026-02-30');
    expect(inventory.listed).toEqual([]);
  });

  it('rejects unknown tables in the filter, listing them and the known tables', async () => {
    const error = await errorOf(discover(config(), new FakeLakeInventory(COMPLETE), { tables: ['IBE_01', 'IBE_99', 'nope'] }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/unknown table\(s\) in filter: IBE_99, nope/);
    for (const known of ['IBE_01', 'MIACS_01', 'addressable_ids']) expect(error.message).toContain(known);
  });

  it('rejects an incomplete override date with the tables it misses', async () => {
    const inventory = new FakeLakeInventory({ ...COMPLETE, MIACS_01: [snap('2026-09-01', GiB)] });
    const error = await errorOf(discover(config(), inventory, { snapshotDt: '2026-10-01' }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('2026-10-01');
    expect(error.message).toContain('not complete');
    expect(error.message).toMatch(/no data for MIACS_01\b/);
  });
});

describe('discoverSnapshot: the plan', () => {
  it('picks the newest complete snapshot and sizes each table from its bytes', async () => {
    const plan = await discover(config(), new FakeLakeInventory(COMPLETE));
    expect(plan.environment).toBe('test');
    expect(plan.snapshotDt).toBe('2026-10-01');
    const byName = Object.fromEntries(plan.tables.map((t) => [t.name, t]));
    expect(Object.keys(byName)).toEqual(['IBE_01', 'MIACS_01', 'addressable_ids']);
    // 2 files per GiB, rounded up, clamped to [1, 256]
    expect(byName.IBE_01).toMatchObject({ kind: 'infobase', sourceBytes: 3 * GiB, sourceFiles: 12, stagedFileCount: 6 });
    expect(byName.MIACS_01).toMatchObject({ kind: 'infobase', sourceBytes: GiB / 2 + 1, sourceFiles: 3, stagedFileCount: 2 });
    expect(byName.addressable_ids).toMatchObject({ kind: 'addressable', sourceBytes: 200 * GiB, stagedFileCount: 256 });
    expect(byName.IBE_01!.sourceLocation).toBe('mem://source/IBE_01/snapshot_dt=2026-10-01/');
  });

  it('uses the configured file sizing rule', async () => {
    const cfg = config({}, { fileSizing: { filesPerGb: 4, minFiles: 5, maxFiles: 10 } });
    const plan = await discover(cfg, new FakeLakeInventory(COMPLETE));
    const files = Object.fromEntries(plan.tables.map((t) => [t.name, t.stagedFileCount]));
    expect(files).toEqual({ IBE_01: 10, MIACS_01: 5, addressable_ids: 10 }); // 12 → 10, 2.000… → 3 → 5, 800 → 10
  });

  it('skips a newest date that is still landing', async () => {
    const inventory = new FakeLakeInventory({ ...COMPLETE, IBE_01: [...COMPLETE.IBE_01, snap('2026-11-01', GiB)] });
    expect((await discover(config(), inventory)).snapshotDt).toBe('2026-10-01');
  });

  it('honours a complete override that is not the newest', async () => {
    const plan = await discover(config(), new FakeLakeInventory(COMPLETE), { snapshotDt: '2026-09-01' });
    expect(plan.snapshotDt).toBe('2026-09-01');
    expect(plan.tables.every((t) => t.sourceBytes === GiB && t.stagedFileCount === 2)).toBe(true);
    expect(plan.jobs.every((j) => j.arguments['--SNAPSHOT_DT'] === '2026-09-01')).toBe(true);
  });

  it('copies bucketing and concurrency from config', async () => {
    const cfg = config({}, { bucketing: { column: 'hh_id', count: 64 }, tableConcurrency: 7 });
    const plan = await discover(cfg, new FakeLakeInventory(COMPLETE));
    expect(plan).toMatchObject({ bucketColumn: 'hh_id', bucketCount: 64, tableConcurrency: 7 });
  });
});

describe('discoverSnapshot: table selection', () => {
  it('list mode uses exactly the configured tables, whatever else the lake holds', async () => {
    const inventory = new FakeLakeInventory({ ...COMPLETE, EXTRA_01: [snap('2026-10-01', GiB)] });
    const plan = await discover(config(), inventory);
    expect(plan.tables.map((t) => t.name)).toEqual(['IBE_01', 'MIACS_01', 'addressable_ids']);
  });

  it('discover mode uses the tables found in the lake minus exclude (case-insensitive)', async () => {
    const inventory = new FakeLakeInventory(
      { ...COMPLETE, CLC_01: [snap('2026-10-01', GiB)], OLD_01: [] },
      ['IBE_01', 'MIACS_01', 'CLC_01', 'OLD_01'],
    );
    const plan = await discover(config({ mode: 'discover', infobase: [], exclude: ['old_01'] }), inventory);
    expect(inventory.listInfobaseTablesCalls).toBe(1);
    expect(plan.tables.map((t) => t.name)).toEqual(['IBE_01', 'MIACS_01', 'CLC_01', 'addressable_ids']);
    expect(inventory.listed).not.toContain('OLD_01');
  });

  it('exclude applies in list mode too', async () => {
    const plan = await discover(config({ exclude: ['MIACS_01'] }), new FakeLakeInventory(COMPLETE));
    expect(plan.tables.map((t) => t.name)).toEqual(['IBE_01', 'addressable_ids']);
  });

  it('a filter (case-insensitive) limits the run, and only the selected tables are listed', async () => {
    // MIACS_01 has not landed at all: it must not block a run filtered to IBE_01
    const inventory = new FakeLakeInventory({ ...COMPLETE, MIACS_01: [] });
    const plan = await discover(config(), inventory, { tables: ['ibe_01'] });
    expect(plan.tables.map((t) => t.name)).toEqual(['IBE_01']);
    expect(inventory.listed).toEqual(['IBE_01']);
    expect(plan.jobs.map((j) => j.jobKey)).toEqual(['infobaseSplitAndBucket']);
  });
});

describe('discoverSnapshot: jobs', () => {
  it('one job per family with snapshot, table filter and file counts as arguments', async () => {
    const plan = await discover(config(), new FakeLakeInventory(COMPLETE));
    expect(plan.jobs).toHaveLength(2);
    const [infobase, addressable] = plan.jobs;
    expect(infobase).toMatchObject({ jobKey: 'infobaseSplitAndBucket', jobName: 'split-job', tables: ['IBE_01', 'MIACS_01'] });
    expect(infobase!.arguments['--SNAPSHOT_DT']).toBe('2026-10-01');
    expect(infobase!.arguments['--TABLES_FILTER']).toBe('IBE_01,MIACS_01');
    expect(JSON.parse(infobase!.arguments['--FILE_COUNTS']!)).toEqual({ IBE_01: 6, MIACS_01: 2 });
    expect(addressable).toMatchObject({ jobKey: 'addressableBucket', jobName: 'addr-job', tables: ['addressable_ids'] });
    expect(addressable!.arguments['--TABLES_FILTER']).toBe('addressable_ids');
    expect(JSON.parse(addressable!.arguments['--FILE_COUNTS']!)).toEqual({ addressable_ids: 256 });
  });

  it('no addressable job when addressable ids are not configured', async () => {
    const plan = await discover(config({ addressable: false }), new FakeLakeInventory(COMPLETE));
    expect(plan.jobs.map((j) => j.jobKey)).toEqual(['infobaseSplitAndBucket']);
    expect(plan.tables.map((t) => t.name)).not.toContain('addressable_ids');
  });

  it('only the addressable job when the filter selects only addressable ids', async () => {
    const plan = await discover(config(), new FakeLakeInventory(COMPLETE), { tables: ['addressable_ids'] });
    expect(plan.jobs.map((j) => j.jobKey)).toEqual(['addressableBucket']);
  });

  it('passes configured extra arguments, but the run’s own arguments win', async () => {
    const cfg = config({}, { jobs: { arguments: { '--enable-metrics': 'true', '--SNAPSHOT_DT': '1999-01-01' } } });
    const plan = await discover(cfg, new FakeLakeInventory(COMPLETE));
    for (const job of plan.jobs) {
      expect(job.arguments['--enable-metrics']).toBe('true');
      expect(job.arguments['--SNAPSHOT_DT']).toBe('2026-10-01');
    }
  });
});

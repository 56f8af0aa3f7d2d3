import { cp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend, seedLake } from '../../../src/backends/local/index.js';
import { LakePaths } from '../../../src/backends/local/paths.js';
import { seedDriftedSnapshot, type DriftSeedSummary } from '../../../src/backends/local/seedDrift.js';
import { parseConfig } from '../../../src/config/load.js';
import type { TableQualityResult } from '../../../src/domain/qualityResult.js';
import type { Backend } from '../../../src/ports/backend.js';
import { NO_CONTEXT } from '../../../src/ports/context.js';
import { ibe, tempHome, testConfig } from './helpers.js';

const TABLES = ['IBE_01', 'IBE_02', 'IBE_03', 'IBE_04', 'IBE_05', 'IBE_06'];
const config = testConfig(TABLES);
const BASE = '2026-10-01';
const DRIFT = '2026-11-01';
const ROWS = 2000;

/**
 * The gate on the local backend over a seeded drifted lake. The staged data is the source partition
 * copied where the split job writes it (the split job keeps the schema and rows; tested in jobs.test.ts).
 */
describe('LocalTableQuality on a seeded drifted lake', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let backend: Backend;
  let drift: DriftSeedSummary;
  const results = new Map<string, TableQualityResult>();

  const stage = async (snapshotDt: string) => {
    const paths = new LakePaths(config, home);
    for (const t of TABLES) await cp(paths.sourcePartition(ibe(t), snapshotDt), paths.stagedPartition(ibe(t), snapshotDt), { recursive: true });
  };
  const check = (b: Backend, table: string, snapshotDt = DRIFT) =>
    b.quality.checkStagedTable({ table: ibe(table), snapshotDt, bucketColumn: 'customer_user_id' }, NO_CONTEXT);

  beforeAll(async () => {
    ({ home, cleanup } = await tempHome());
    await seedLake({ config, home, rows: ROWS, snapshots: [BASE] });
    await stage(BASE);
    backend = await createLocalBackend(config, home);
    drift = await seedDriftedSnapshot({ config, home, snapshotDt: DRIFT, rows: ROWS });
    await stage(DRIFT);
  });
  afterAll(async () => {
    await backend?.close();
    await cleanup?.();
  });

  it('a first run has no baseline: it passes with a note', async () => {
    const first = await check(backend, 'IBE_04', BASE);
    expect(first).toMatchObject({ verdict: 'pass', note: expect.stringMatching(/^first run of IBE_04: no published snapshot/), dataScannedBytes: 0 });
    expect(first.checks.map((c) => `${c.check}:${c.status}`)).toEqual(['schema.bucketColumn:pass', 'nullRate:pass']);
  });

  it('the seed names its drifts: the control table and five cases', () => {
    expect(drift.tables.map((t) => `${t.table}:${t.drift}`)).toEqual([
      'IBE_01:none',
      'IBE_02:dropped-column',
      'IBE_03:retyped-column',
      'IBE_04:fewer-rows',
      'IBE_05:empty-bucket-keys',
      'IBE_06:added-column',
      'addressable_ids:none',
    ]);
    expect(drift.tables.find((t) => t.table === 'IBE_04')!.detail).toBe('rows 840 instead of 2,000 (−58 %)');
  });

  it('each drifted table stops or passes against the published baseline, with the violation in words', async () => {
    for (const t of TABLES) await backend.quality.recordPublishedProfile({ table: ibe(t), snapshotDt: BASE, rows: ROWS }, NO_CONTEXT);
    for (const t of TABLES) results.set(t, await check(backend, t));
    const fails = (t: string) => results.get(t)!.checks.filter((c) => c.status === 'fail').map((c) => c.message);

    expect(results.get('IBE_01')).toMatchObject({ verdict: 'pass', baselineSnapshotDt: BASE });
    expect(fails('IBE_02')).toEqual(['IBE_02: column is_homeowner (boolean) removed since 2026-10-01 — stops the table']);
    expect(fails('IBE_03')).toEqual(['IBE_03: column household_size retyped int → string since 2026-10-01 — stops the table']);
    expect(fails('IBE_04')).toEqual(['IBE_04: rows 840 vs 2,000 last month (\u221258 %), band \u221220 %\u2026+50 %']);
    expect(fails('IBE_05')).toEqual(['IBE_05: customer_user_id null or empty in 35 % of rows (700 of 2,000), max 5 %']);
    expect(results.get('IBE_06')!.verdict).toBe('pass');
    expect(results.get('IBE_06')!.checks.find((c) => c.check === 'schema.added')).toMatchObject({
      column: 'loyalty_tier',
      status: 'pass',
      message: 'IBE_06: column loyalty_tier (string) added since 2026-10-01 — allowed',
    });
    for (const t of ['IBE_02', 'IBE_03', 'IBE_04', 'IBE_05']) expect(results.get(t)!.verdict).toBe('fail');
  });

  it('the baseline is in the catalog: a new backend (another worker) gets the same answer; a rerun never compares with itself', async () => {
    await backend.quality.recordPublishedProfile({ table: ibe('IBE_04'), snapshotDt: DRIFT, rows: 840 }, NO_CONTEXT);
    await backend.close();
    backend = await createLocalBackend(config, home);
    expect(await check(backend, 'IBE_04')).toEqual(results.get('IBE_04'));
    const next = await check(backend, 'IBE_04', BASE);
    expect(next.baselineSnapshotDt).toBeUndefined();
  });

  it('configured as warn, the same drift is reported and never stops the table', async () => {
    const lenient = parseConfig({ ...rawConfig(), quality: { tables: { IBE_04: { onFailure: 'warn' } }, rowChange: { minPercent: -60 } } }, 'test', {});
    const other = await createLocalBackend(lenient, home);
    try {
      const ibe04 = await check(other, 'IBE_04');
      expect(ibe04.verdict).toBe('pass');
      expect(ibe04.checks.find((c) => c.check === 'rows.change')!.message).toContain('band \u221260 %\u2026+50 %');
      const ibe02 = await check(other, 'IBE_02');
      expect(ibe02.verdict).toBe('fail');
    } finally {
      await other.close();
    }
  });
});

/** testConfig's input again, to vary the quality section. */
function rawConfig() {
  return {
    environment: 'test',
    backend: 'local',
    layout: { sourceBucket: 'src-bucket', targetBucket: 'tgt-bucket' },
    tables: { mode: 'list', infobase: TABLES, addressable: true },
    catalog: { database: 'flywheel_test' },
    jobs: { infobaseSplitAndBucket: 'infobase-split', addressableBucket: 'addressable-bucket' },
    local: { lakeRoot: 'lake', threads: 2, memoryLimit: '256MB' },
  };
}

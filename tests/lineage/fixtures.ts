import type { FlywheelConfig } from '../../src/config/schema.js';
import { FlywheelConfigSchema } from '../../src/config/schema.js';
import type { LineageRun } from '../../src/ports/lineage.js';
import { QualitySchema } from '../../src/config/qualitySchema.js';
import { judgeTableQuality } from '../../src/domain/qualityChecks.js';
import { tableQualityPolicy } from '../../src/domain/qualityPolicy.js';

const cols = (...names: string[]) => names.map((name) => ({ name, type: name === 'customer_user_id' ? 'string' : 'bigint' }));

/** A finished AWS run: one infobase table through split + CTAS, the addressable ids, and one failed split. */
export function sampleRun(overrides: Partial<LineageRun> = {}): LineageRun {
  return {
    environment: 'prod',
    workflowId: 'flywheel-prod-2026-10-01',
    runId: '0b9a6d1e-2f3c-4d5e-8f70-112233445566',
    snapshotDt: '2026-10-01',
    status: 'failed',
    startedAt: '2026-10-02T01:00:00.000Z',
    endedAt: '2026-10-02T02:30:00.000Z',
    stages: [
      { stage: 'discover', startedAt: '2026-10-02T01:00:00.000Z', endedAt: '2026-10-02T01:01:00.000Z', state: 'succeeded' },
      { stage: 'split', startedAt: '2026-10-02T01:01:00.000Z', endedAt: '2026-10-02T01:40:00.000Z', state: 'failed' },
      { stage: 'register', startedAt: '2026-10-02T01:40:00.000Z', endedAt: '2026-10-02T01:45:00.000Z', state: 'succeeded' },
      { stage: 'bucket', startedAt: '2026-10-02T01:45:00.000Z', endedAt: '2026-10-02T02:20:00.000Z', state: 'succeeded' },
      { stage: 'validate', startedAt: '2026-10-02T02:20:00.000Z', endedAt: '2026-10-02T02:29:00.000Z', state: 'succeeded' },
    ],
    tables: [
      {
        name: 'IBE_01',
        kind: 'infobase',
        state: 'succeeded',
        source: { name: 'IBE_01', location: 's3://omc-src/opus/infobase_attributes/IBE_01/snapshot_dt=2026-10-01/', columns: cols('customer_user_id', 'age', 'income') },
        staged: { database: 'omc_flywheel_prod', name: 'ibe_01_staged', location: 's3://omc-out/omc_cleanroom_data/split/ibe_01/snapshot_dt=2026-10-01/', columns: cols('customer_user_id', 'age', 'income') },
        bucketed: {
          database: 'omc_flywheel_prod',
          name: 'ibe_01_bucketed',
          location: 's3://omc-out/omc_cleanroom_data/bucketed/ibe_01/',
          columns: cols('customer_user_id', 'age', 'income'),
          sql: 'CREATE TABLE "omc_flywheel_prod"."ibe_01_bucketed" WITH (bucketed_by = ARRAY[\'customer_user_id\'], bucket_count = 256) AS SELECT * FROM "omc_flywheel_prod"."ibe_01_staged"',
          bucketColumn: 'customer_user_id',
          bucketCount: 256,
          bucketing: 'hive-v1',
        },
        job: { name: 'infobase-split-and-bucket', runId: 'jr_abc' },
        rowsStaged: 1000,
        rowsBucketed: 1000,
        bucketSkew: { bucketCount: 256, minRows: 1, medianRows: 4, maxRows: 9, maxOverMedian: 2.25, emptyBuckets: 0, largestBucket: 17, maxAllowed: 1.5, verdict: 'too-few-rows' },
      },
      {
        name: 'addressable_ids',
        kind: 'addressable',
        state: 'succeeded',
        source: { name: 'addressable_ids', location: 's3://omc-src/opus/addressable_ids/snapshot_dt=2026-10-01/', columns: cols('customer_user_id', 'maid') },
        bucketed: {
          database: 'omc_flywheel_prod',
          name: 'addressable_ids_bucketed',
          location: 's3://omc-out/omc_cleanroom_data/bucketed/addressable_ids/',
          columns: cols('customer_user_id', 'maid'),
          bucketColumn: 'customer_user_id',
          bucketCount: 256,
        },
      },
      {
        name: 'IBE_02',
        kind: 'infobase',
        state: 'failed',
        error: 'Glue job run jr_def FAILED: OutOfMemory',
        source: { name: 'IBE_02', location: 's3://omc-src/opus/infobase_attributes/IBE_02/snapshot_dt=2026-10-01/', columns: cols('customer_user_id', 'score') },
        job: { name: 'infobase-split-and-bucket', runId: 'jr_def' },
      },
    ],
    ...overrides,
  };
}

export function sampleConfig(lineage: Record<string, unknown> = {}, backend: 'aws' | 'local' = 'aws'): FlywheelConfig {
  return FlywheelConfigSchema.parse({
    environment: 'prod',
    backend,
    tables: { mode: 'list', infobase: ['IBE_01', 'IBE_02'] },
    catalog: { database: 'omc_flywheel_prod' },
    lineage: { namespace: 'flywheel-prod', ...lineage },
  });
}

/**
 * sampleRun with the quality gate's results: IBE_01 failed it (−58 % rows, a dropped column) and was approved by an
 * operator, IBE_04 failed it and was abandoned at the gate (staged, never bucketed). Judged by the real domain rules.
 */
export function sampleQualityRun(): LineageRun {
  const run = sampleRun();
  const policy = tableQualityPolicy(QualitySchema.parse({}), 'IBE_01');
  const baseline = { snapshotDt: '2026-09-01', rows: 981_442, columns: cols('customer_user_id', 'age', 'income', 'gone') };
  const stats = { customer_user_id: { nullOrEmpty: 14_000, nulls: 4_000, empty: 10_000 } };
  const quality = judgeTableQuality({
    table: 'IBE_01',
    snapshotDt: '2026-10-01',
    bucketColumn: 'customer_user_id',
    policy,
    observed: { rows: 412_118, columns: cols('customer_user_id', 'age', 'income'), stats },
    baseline,
  });
  const approval = { reason: 'vendor confirmed the smaller delivery (ticket DATA-123)', approvedAt: '2026-10-02T02:00:00.000Z' };
  const ibe04 = {
    name: 'IBE_04',
    kind: 'infobase' as const,
    state: 'failed' as const,
    error: 'IBE_04: abandoned at the quality gate',
    source: { name: 'IBE_04', location: 's3://omc-src/opus/infobase_attributes/IBE_04/snapshot_dt=2026-10-01/', columns: cols('customer_user_id', 'age') },
    staged: { database: 'omc_flywheel_prod', name: 'ibe_04_staged', location: 's3://omc-out/omc_cleanroom_data/split/IBE_04/snapshot_dt=2026-10-01/', columns: cols('customer_user_id', 'age') },
    quality: { ...quality, table: 'IBE_04', checks: quality.checks.map((c) => ({ ...c, message: c.message.replace('IBE_01', 'IBE_04') })) },
  };
  return { ...run, tables: [{ ...run.tables[0]!, quality, approval }, ...run.tables.slice(1), ibe04] };
}

import type { FlywheelConfig } from '../../src/config/schema.js';
import { FlywheelConfigSchema } from '../../src/config/schema.js';
import type { LineageRun } from '../../src/ports/lineage.js';

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

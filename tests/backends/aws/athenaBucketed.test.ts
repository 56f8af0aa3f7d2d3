import { GetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetTableCommand, GetTablesCommand } from '@aws-sdk/client-glue';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { athenaClientToken } from '../../../src/backends/aws/athenaQueries.js';
import { createAwsBackend, createAwsClients, parseAwsConfig, type AwsClients } from '../../../src/backends/aws/index.js';
import { listAllObjects } from '../../../src/backends/aws/s3Objects.js';
import type { Backend } from '../../../src/ports/backend.js';
import type { CreateBucketedTableRequest } from '../../../src/ports/bucketedTables.js';
import { NO_CONTEXT, type OperationContext } from '../../../src/ports/context.js';
import { emulateAthenaCtas, type CtasObservation } from './athenaCtasEmulation.js';
import { faultInjectionErrorResponse, faultInjectionPatchOutput, recordInputs } from './faultInjection.js';
import { BUCKET, createDatabase, DATABASE, parquetBytes, put, testConfig, useMoto } from './helpers.js';

const env = useMoto();
let clients: AwsClients;
let backend: Backend;
let ctas: CtasObservation[];
let stagedFile: Uint8Array;

const ibe01 = { name: 'IBE_01', kind: 'infobase' } as const;
const location = (dt: string) => `s3://${BUCKET}/omc_cleanroom_data/bucketed/ibe_01/snapshot_dt=${dt}/`;
const request = (snapshotDt: string, requestToken = `wf-1/run-1/ctas/IBE_01/${snapshotDt}`): CreateBucketedTableRequest => ({
  table: ibe01,
  snapshotDt,
  bucketColumn: 'customer_user_id',
  bucketCount: 256,
  requestToken,
});
const stable = async () =>
  (await env.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: 'ibe_01_bucketed' }))).Table;
const snapshotTables = async () =>
  ((await env.arrange.glue.send(new GetTablesCommand({ DatabaseName: DATABASE }))).TableList ?? [])
    .map((t) => t.Name!)
    .filter((n) => /^ibe_01_bucketed_\d{8}$/.test(n))
    .sort();
const filesAt = async (dt: string) =>
  (await listAllObjects(env.arrange.s3, BUCKET, `omc_cleanroom_data/bucketed/ibe_01/snapshot_dt=${dt}/`)).length;

async function makeBackend(aws: Record<string, unknown> = {}) {
  const config = testConfig(aws);
  clients = createAwsClients(parseAwsConfig(config));
  ctas = emulateAthenaCtas(clients.athena, { glue: env.arrange.glue, s3: env.arrange.s3, database: DATABASE }, {
    files: 3,
    stats: { DataScannedInBytes: 123_456, EngineExecutionTimeInMillis: 789 },
  });
  backend = await createAwsBackend(config, { clients });
}

beforeAll(async () => {
  stagedFile = await parquetBytes(`SELECT 'c' || i AS customer_user_id FROM range(10) t(i)`);
});
beforeEach(async () => {
  await createDatabase(env.arrange.glue);
  await makeBackend();
  for (const dt of ['2026-07-01', '2026-08-01', '2026-09-01', '2026-10-01']) {
    await put(env.arrange.s3, `omc_cleanroom_data/split/IBE_01/snapshot_dt=${dt}/part-0.parquet`, stagedFile);
    await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: dt });
  }
});
afterEach(async () => {
  await backend.close();
  await env.moto.unsetTransition('athena::execution');
});

describe('Athena CTAS into a snapshot table, then repoint (moto + CTAS emulation)', () => {
  it('empties the snapshot location, runs one CTAS with a deterministic token, repoints the stable table', async () => {
    await put(env.arrange.s3, 'omc_cleanroom_data/bucketed/ibe_01/snapshot_dt=2026-10-01/leftover-from-a-failed-run', 'x');
    const built = await backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT);

    expect(ctas).toHaveLength(1);
    expect(ctas[0]!.table).toBe('ibe_01_bucketed_20261001');
    expect(ctas[0]!.clientToken).toBe(athenaClientToken('wf-1/run-1/ctas/IBE_01/2026-10-01', 'ctas|ibe_01_bucketed_20261001'));
    expect(ctas[0]!.clientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(built.sql).toBe(ctas[0]!.sql);
    expect(built.sql).toContain(`external_location = '${location('2026-10-01')}'`);
    expect(built.sql).toContain(`bucketed_by = ARRAY['customer_user_id'], bucket_count = 256`);
    expect(built.sql).toContain(`format = 'PARQUET', parquet_compression = 'SNAPPY'`);
    expect(built.sql).toContain(`FROM "${DATABASE}"."ibe_01_staged"\nWHERE "snapshot_dt" = '2026-10-01'`);
    expect(built.sql.split('\nAS SELECT')[0]).not.toMatch(/partitioned_by|bucketing_format/); // WITH: Athena's default bucketing
    expect(built.bucketing).toBe('hive-v1');
    expect(built).toMatchObject({
      database: DATABASE,
      tableName: 'ibe_01_bucketed',
      location: location('2026-10-01'),
      bucketFiles: 3,
      dataScannedBytes: 123_456,
      engineExecutionMs: 789,
    });
    const table = await stable();
    expect(table?.StorageDescriptor).toMatchObject({ Location: location('2026-10-01'), BucketColumns: ['customer_user_id'], NumberOfBuckets: 256 });
    expect(table?.PartitionKeys ?? []).toEqual([]);
    expect(table?.Parameters).toMatchObject({ 'flywheel.snapshot_dt': '2026-10-01', 'flywheel.snapshot_table': 'ibe_01_bucketed_20261001' });
  });

  it('a retried activity (same request token) re-attaches to its query: no second CTAS, data kept', async () => {
    const starts = recordInputs(clients.athena, 'StartQueryExecutionCommand');
    const first = await backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT);
    const again = await backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT);
    expect(starts).toHaveLength(1);
    expect(again).toMatchObject({ location: first.location, bucketFiles: 3 });
    // A reprocess (new request token) rebuilds from scratch.
    await backend.bucketed.createBucketedTable(request('2026-10-01', 'wf-1/run-1/ctas/IBE_01/2026-10-01/reprocess-1'), NO_CONTEXT);
    expect(starts).toHaveLength(2);
    expect(await filesAt('2026-10-01')).toBe(3);
  });

  it('keeps the current snapshot plus keepPreviousSnapshots older ones, dropping older tables and their data', async () => {
    for (const dt of ['2026-07-01', '2026-08-01', '2026-09-01']) await backend.bucketed.createBucketedTable(request(dt), NO_CONTEXT);
    expect(await snapshotTables()).toEqual(['ibe_01_bucketed_20260701', 'ibe_01_bucketed_20260801', 'ibe_01_bucketed_20260901']);
    await backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT);
    expect(await snapshotTables()).toEqual(['ibe_01_bucketed_20260801', 'ibe_01_bucketed_20260901', 'ibe_01_bucketed_20261001']);
    expect(await filesAt('2026-07-01')).toBe(0);
    const markers = await listAllObjects(env.arrange.s3, BUCKET, 'omc_cleanroom_data/bucketed/ibe_01/_flywheel_builds/');
    expect(markers.map((m) => m.Key!.split('/').pop()).sort()).toEqual([
      'snapshot_dt=2026-08-01.json',
      'snapshot_dt=2026-09-01.json',
      'snapshot_dt=2026-10-01.json',
    ]);
    expect(await filesAt('2026-08-01')).toBe(3);
    expect((await stable())?.StorageDescriptor?.Location).toBe(location('2026-10-01'));
  });

  it('rebuilding the snapshot being served first moves readers to the previous snapshot', async () => {
    await backend.bucketed.createBucketedTable(request('2026-09-01'), NO_CONTEXT);
    await backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT);
    await backend.bucketed.createBucketedTable(request('2026-10-01', 'reprocess-token-0000000000000000'), NO_CONTEXT);
    expect(ctas.at(-1)!.stableLocationAtStart).toBe(location('2026-09-01'));
    expect((await stable())?.StorageDescriptor?.Location).toBe(location('2026-10-01'));
  });

  it('polls a query through several states (moto state manager), heartbeating each poll', async () => {
    await env.moto.setManualTransition('athena::execution', 3);
    const beats: unknown[] = [];
    await backend.bucketed.createBucketedTable(request('2026-10-01'), { heartbeat: (d) => beats.push(d), signal: new AbortController().signal });
    const states = beats.map((b) => (b as { state?: string }).state).filter(Boolean);
    expect(states.filter((s) => s !== 'SUCCEEDED').length).toBeGreaterThanOrEqual(2);
    expect(states.at(-1)).toBe('SUCCEEDED');
  });

  it('on abort stops the query (moto → CANCELLED) and leaves the stable table untouched', async () => {
    await backend.bucketed.createBucketedTable(request('2026-09-01'), NO_CONTEXT);
    await env.moto.setManualTransition('athena::execution', 1000);
    const controller = new AbortController();
    let queryId: string | undefined;
    const ctx: OperationContext = {
      signal: controller.signal,
      heartbeat: (d) => {
        queryId ??= (d as { queryExecutionId?: string }).queryExecutionId;
        if (queryId) controller.abort(new Error('activity cancelled'));
      },
    };
    await expect(backend.bucketed.createBucketedTable(request('2026-10-01'), ctx)).rejects.toThrow('activity cancelled');
    const { QueryExecution } = await clients.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId! }));
    expect(QueryExecution?.Status?.State).toBe('CANCELLED');
    expect((await stable())?.StorageDescriptor?.Location).toBe(location('2026-09-01'));
  });

  it('fault injection (moto has no FAILED queries): a failed CTAS is JobRunFailed with the reason; readers keep the old snapshot', async () => {
    await backend.bucketed.createBucketedTable(request('2026-09-01'), NO_CONTEXT);
    faultInjectionPatchOutput(clients.athena, 'GetQueryExecutionCommand', (output) => {
      const status = (output.QueryExecution as { Status: Record<string, unknown> }).Status;
      Object.assign(status, { State: 'FAILED', StateChangeReason: 'HIVE_BAD_DATA: malformed Parquet' });
    });
    await expect(backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT)).rejects.toMatchObject({
      name: 'JobRunFailed',
      message: expect.stringContaining('HIVE_BAD_DATA: malformed Parquet'),
    });
    expect((await stable())?.StorageDescriptor?.Location).toBe(location('2026-09-01'));
  });

  it('fault injection: TooManyRequests on StartQueryExecution is retried', async () => {
    const fault = faultInjectionErrorResponse(clients.athena, 'StartQueryExecutionCommand', 'TooManyRequestsException', 3);
    await backend.bucketed.createBucketedTable(request('2026-10-01'), NO_CONTEXT);
    expect(fault.calls()).toBe(3);
    expect(ctas).toHaveLength(1);
    expect((await stable())?.StorageDescriptor?.Location).toBe(location('2026-10-01'));
  });

  it('rejects an unsafe bucket column before any query', async () => {
    const bad = { ...request('2026-10-01'), bucketColumn: "x'] ; DROP TABLE y; --" };
    await expect(backend.bucketed.createBucketedTable(bad, NO_CONTEXT)).rejects.toMatchObject({ name: 'InvalidInput' });
    expect(ctas).toHaveLength(0);
  });
});

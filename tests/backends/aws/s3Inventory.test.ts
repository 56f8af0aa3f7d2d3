import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsBackend } from '../../../src/backends/aws/index.js';
import type { Backend } from '../../../src/ports/backend.js';
import { objectExists, readJsonObject } from '../../../src/backends/aws/s3Objects.js';
import { recordInputs } from './faultInjection.js';
import { BUCKET, put, testConfig, useMoto } from './helpers.js';

const env = useMoto();
let backend: Backend;

beforeAll(async () => {
  // Page size 2 forces several ListObjectsV2 pages (continuation tokens) for every listing below.
  backend = await createAwsBackend(testConfig(), { listPageSize: 2 });
});
// After useMoto's hooks: the backend is built once moto runs and closed before it stops.
afterAll(async () => backend?.close());

const infobase = 'opus/infobase_attributes/';

describe('S3 lake inventory (real HTTP to moto)', () => {
  it('lists infobase tables from common prefixes across pages, skipping invalid names', async () => {
    for (const table of ['IBE_01', 'IBE_02', 'MIACS_01', 'CLC_01', 'NBR_01']) {
      await put(env.arrange.s3, `${infobase}${table}/snapshot_dt=2026-10-01/part-0.parquet`, 'x');
    }
    await put(env.arrange.s3, `${infobase}tmp-copy/snapshot_dt=2026-10-01/part-0.parquet`, 'x');
    await put(env.arrange.s3, `${infobase}README.txt`, 'not a table');
    expect(await backend.inventory.listInfobaseTables()).toEqual(['CLC_01', 'IBE_01', 'IBE_02', 'MIACS_01', 'NBR_01']);
  });

  it('counts data files and bytes per snapshot, skipping markers, across pages', async () => {
    const p = `${infobase}IBE_01/`;
    await put(env.arrange.s3, `${p}snapshot_dt=2026-10-01/part-0.parquet`, '12345');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-10-01/part-1.parquet`, '123');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-10-01/part-2.parquet`, '1');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-10-01/_SUCCESS`, '');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-10-01/empty.parquet`, '');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-09-01/part-0.parquet`, '1234567890');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-09-01_$folder$`, 'x');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-08-01/_SUCCESS`, '');
    await put(env.arrange.s3, `${p}snapshot_dt=2026-13-01/part-0.parquet`, 'bad date');
    await put(env.arrange.s3, `${p}other/part-0.parquet`, 'x');
    const snapshots = await backend.inventory.listSnapshots({ name: 'IBE_01', kind: 'infobase' });
    expect(snapshots).toEqual([
      { snapshotDt: '2026-10-01', fileCount: 3, totalBytes: 9 },
      { snapshotDt: '2026-09-01', fileCount: 1, totalBytes: 10 },
      { snapshotDt: '2026-08-01', fileCount: 0, totalBytes: 0 },
    ]);
  });

  it('lists the addressable ids under their own prefix', async () => {
    await put(env.arrange.s3, 'opus/addressable_ids/snapshot_dt=2026-10-01/part-0.parquet', 'abcd');
    const snapshots = await backend.inventory.listSnapshots({ name: 'addressable_ids', kind: 'addressable' });
    expect(snapshots).toEqual([{ snapshotDt: '2026-10-01', fileCount: 1, totalBytes: 4 }]);
  });

  it('rejects a table name that could escape its prefix before touching S3', async () => {
    await expect(backend.inventory.listSnapshots({ name: '../secret', kind: 'infobase' })).rejects.toThrow(/invalid table name/);
  });

  it('describes locations as s3 URIs', () => {
    expect(backend.describeLocation('source', 'IBE_01', '2026-10-01')).toBe(
      's3://omc-flywheel-data-us-east-1-test/opus/infobase_attributes/IBE_01/snapshot_dt=2026-10-01/',
    );
    expect(backend.describeLocation('bucketed', 'IBE_01', '2026-10-01')).toBe(
      's3://omc-flywheel-data-us-east-1-test/omc_cleanroom_data/bucketed/ibe_01/snapshot_dt=2026-10-01/',
    );
  });
});

describe('objectExists / readJsonObject (ListObjectsV2 of the key, never a GetObject that relies on 404)', () => {
  it('finds exactly the key: not a longer key it prefixes, not a missing one', async () => {
    const { s3 } = env.arrange;
    const key = 'omc_cleanroom_data/bucketed/ibe_01/_flywheel_builds/snapshot_dt=2026-10-01.json';
    await put(s3, `${key}.bak`, '{"old":true}');
    await put(s3, `${key.replace('2026-10-01', '2026-10-01-x')}`, '{}');
    const gets = recordInputs(s3, 'GetObjectCommand');
    expect(await objectExists(s3, BUCKET, key)).toBe(false);
    expect(await readJsonObject(s3, BUCKET, key)).toBeUndefined();
    expect(gets).toHaveLength(0); // absent is known from the listing alone
    await put(s3, key, '{"requestToken":"t"}');
    expect(await objectExists(s3, BUCKET, key)).toBe(true);
    expect(await readJsonObject(s3, BUCKET, key)).toEqual({ requestToken: 't' });
  });
});

import { GetPartitionCommand, GetPartitionsCommand, GetTableCommand } from '@aws-sdk/client-glue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/backends/aws/clients.js';
import { parseAwsConfig } from '../../../src/backends/aws/config.js';
import { readParquetFooter, glueColumns } from '../../../src/backends/aws/parquetSchema.js';
import { createAwsBackend } from '../../../src/backends/aws/index.js';
import type { Backend } from '../../../src/ports/backend.js';
import { recordInputs } from './faultInjection.js';
import { BUCKET, createDatabase, DATABASE, parquetBytes, put, testConfig, useMoto } from './helpers.js';

const env = useMoto();
let backend: Backend;
let typedFile: Uint8Array;

const TYPED_SELECT = `SELECT
  'c1'::VARCHAR AS customer_user_id, 42::BIGINT AS big, 7::INTEGER AS "Mixed_Case", 3::SMALLINT AS small,
  1::TINYINT AS tiny, 1.5::DOUBLE AS dbl, 2.5::FLOAT AS flt, true AS flag, DATE '2026-10-01' AS day,
  TIMESTAMP '2026-10-01 12:00:00' AS ts, 12.34::DECIMAL(10,2) AS amount, 'ab'::BLOB AS raw,
  [1, 2]::INTEGER[] AS ints, {'a': 1, 'b': 'x'} AS rec, MAP {'k': 1.0::DOUBLE} AS scores,
  '2026-10-01' AS snapshot_dt`;

const staged = (table: string, dt: string) => `omc_cleanroom_data/split/${table}/snapshot_dt=${dt}/`;
const ibe01 = { name: 'IBE_01', kind: 'infobase' } as const;

beforeAll(async () => {
  backend = await createAwsBackend(testConfig());
  typedFile = await parquetBytes(TYPED_SELECT);
});
// After useMoto's hooks: the backend is built once moto runs and closed before it stops.
afterAll(async () => backend?.close());
beforeEach(async () => {
  await createDatabase(env.arrange.glue);
});

describe('Parquet footer → Glue columns', () => {
  it('maps DuckDB-written Parquet types to Hive types, lower-cases names', async () => {
    await put(env.arrange.s3, 'x/typed.parquet', typedFile);
    const columns = glueColumns(await readParquetFooter(env.arrange.s3, BUCKET, 'x/typed.parquet'));
    expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).toEqual({
      customer_user_id: 'string',
      big: 'bigint',
      mixed_case: 'int',
      small: 'smallint',
      tiny: 'tinyint',
      dbl: 'double',
      flt: 'float',
      flag: 'boolean',
      day: 'date',
      ts: 'timestamp',
      amount: 'decimal(10,2)',
      raw: 'binary',
      ints: 'array<int>',
      rec: 'struct<a:int,b:string>',
      scores: 'map<string,double>',
      snapshot_dt: 'string',
    });
  });

  it('reads a footer larger than the first range request with a second suffix range, never the whole file', async () => {
    const columns = Array.from({ length: 1200 }, (_, i) => `${i}::BIGINT AS a_rather_long_column_name_number_${i}`).join(', ');
    const wide = await parquetBytes(`SELECT ${columns} FROM range(3)`);
    await put(env.arrange.s3, 'x/wide.parquet', wide);
    const client = createAwsClients(parseAwsConfig(testConfig())).s3;
    const gets = recordInputs(client, 'GetObjectCommand');
    const metadata = await readParquetFooter(client, BUCKET, 'x/wide.parquet');
    expect(metadata.metadata_length).toBeGreaterThan(64 * 1024);
    expect(glueColumns(metadata)).toHaveLength(1200);
    expect(gets.map((g) => g.Range)).toEqual(['bytes=-65536', `bytes=-${metadata.metadata_length + 8}`]);
  });

  it('rejects a non-Parquet object and a column name that is not a safe identifier', async () => {
    await put(env.arrange.s3, 'x/not.parquet', 'this is not parquet at all');
    await expect(readParquetFooter(env.arrange.s3, BUCKET, 'x/not.parquet')).rejects.toThrow(/not Parquet/);
    await put(env.arrange.s3, 'x/bad.parquet', await parquetBytes(`SELECT 1 AS "bad name; drop"`));
    const metadata = await readParquetFooter(env.arrange.s3, BUCKET, 'x/bad.parquet');
    expect(() => glueColumns(metadata)).toThrow(/invalid Parquet column name/);
  });
});

describe('Glue catalog registration against moto', () => {
  it('creates the external Parquet table and its snapshot_dt partition from the staged footer', async () => {
    await put(env.arrange.s3, `${staged('IBE_01', '2026-10-01')}part-00000.snappy.parquet`, typedFile);
    await put(env.arrange.s3, `${staged('IBE_01', '2026-10-01')}_SUCCESS`, new Uint8Array());
    const registered = await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-10-01' });
    expect(registered).toMatchObject({
      database: DATABASE,
      tableName: 'ibe_01_staged',
      location: `s3://${BUCKET}/${staged('IBE_01', '2026-10-01')}`,
      files: 1,
    });
    expect(registered.columns.filter((c) => c.name === 'snapshot_dt')).toEqual([{ name: 'snapshot_dt', type: 'string' }]);

    const { Table } = await env.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: 'ibe_01_staged' }));
    expect(Table?.PartitionKeys).toEqual([{ Name: 'snapshot_dt', Type: 'string' }]);
    expect(Table?.TableType).toBe('EXTERNAL_TABLE');
    expect(Table?.StorageDescriptor?.Location).toBe(`s3://${BUCKET}/omc_cleanroom_data/split/IBE_01/`);
    expect(Table?.StorageDescriptor?.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    // The partition key is not repeated as a data column (Glue/Athena reject that).
    expect(Table?.StorageDescriptor?.Columns?.map((c) => c.Name)).not.toContain('snapshot_dt');
    const { Partition } = await env.arrange.glue.send(
      new GetPartitionCommand({ DatabaseName: DATABASE, TableName: 'ibe_01_staged', PartitionValues: ['2026-10-01'] }),
    );
    expect(Partition?.StorageDescriptor?.Location).toBe(`s3://${BUCKET}/${staged('IBE_01', '2026-10-01')}`);
  });

  it('is idempotent: re-registering updates the table (new schema) and the existing partition', async () => {
    const key = `${staged('IBE_01', '2026-10-01')}part-00000.snappy.parquet`;
    await put(env.arrange.s3, key, await parquetBytes(`SELECT 'c1' AS customer_user_id`));
    await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-10-01' });
    await put(env.arrange.s3, key, await parquetBytes(`SELECT 'c1' AS customer_user_id, 5::BIGINT AS score`));
    await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-10-01' });
    await put(env.arrange.s3, `${staged('IBE_01', '2026-11-01')}part-0.parquet`, await parquetBytes(`SELECT 'c2' AS customer_user_id, 6::BIGINT AS score`));
    await backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-11-01' });

    const { Table } = await env.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: 'ibe_01_staged' }));
    expect(Table?.StorageDescriptor?.Columns).toEqual([
      { Name: 'customer_user_id', Type: 'string' },
      { Name: 'score', Type: 'bigint' },
    ]);
    const { Partition } = await env.arrange.glue.send(
      new GetPartitionCommand({ DatabaseName: DATABASE, TableName: 'ibe_01_staged', PartitionValues: ['2026-10-01'] }),
    );
    expect(Partition?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual(['customer_user_id', 'score']);
    const { Partitions } = await env.arrange.glue.send(new GetPartitionsCommand({ DatabaseName: DATABASE, TableName: 'ibe_01_staged' }));
    expect(Partitions?.map((p) => p.Values?.[0]).sort()).toEqual(['2026-10-01', '2026-11-01']);
  });

  it('registers the addressable ids under their staged name', async () => {
    await put(env.arrange.s3, `${staged('addressable_ids', '2026-10-01')}part-0.parquet`, await parquetBytes(`SELECT 'c1' AS customer_user_id`));
    const registered = await backend.catalog.registerStagedTable({ table: { name: 'addressable_ids', kind: 'addressable' }, snapshotDt: '2026-10-01' });
    expect(registered.tableName).toBe('addressable_ids_staged');
  });

  it('fails clearly when the split job wrote no data files: where it listed, what it found, which run should have written it', async () => {
    await put(env.arrange.s3, `${staged('IBE_01', '2026-10-01')}_SUCCESS`, new Uint8Array());
    await put(env.arrange.s3, `${staged('IBE_01', '2026-09-01')}part-0.parquet`, typedFile);
    const error = await backend.catalog
      .registerStagedTable({ table: ibe01, snapshotDt: '2026-10-01', producedBy: { jobName: 'etl-split', runId: 'jr_42' } })
      .then(() => new Error('registered'), (e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'InvalidInput' });
    expect(error.message).toBe(
      `no staged data files for IBE_01 2026-10-01: listed s3://${BUCKET}/${staged('IBE_01', '2026-10-01')} and found 1 object(s), ` +
        `none a data file (empty, or a marker starting with "_"/"."): _SUCCESS (0 B); ` +
        `under s3://${BUCKET}/omc_cleanroom_data/split/IBE_01/ there is: snapshot_dt=2026-09-01/, snapshot_dt=2026-10-01/. ` +
        `It should have been written by etl-split run jr_42 (--SNAPSHOT_DT 2026-10-01, --TABLES_FILTER with IBE_01). ` +
        `Flywheel reads layout.stagedPrefix + layout.stagedPathTemplate ("omc_cleanroom_data/split/{table}/snapshot_dt={snapshotDt}/"); ` +
        `if the job writes elsewhere, set them to match (README: "Staged layout").`,
    );
    const nothing = await backend.catalog.registerStagedTable({ table: { name: 'CLC_01', kind: 'infobase' }, snapshotDt: '2026-10-01' }).then(() => new Error('registered'), (e: unknown) => e as Error);
    expect(nothing.message).toContain(`and found nothing there; nothing under s3://${BUCKET}/omc_cleanroom_data/split/CLC_01/ either. It should have been written by the split/bucket job run for CLC_01 2026-10-01.`);
  });

  it('finds the staged data where layout.stagedPathTemplate says the jobs write', async () => {
    const templated = await createAwsBackend(testConfig({}, { stagedPathTemplate: 'v2/{tableLower}/{snapshotDtCompact}/' }));
    try {
      await put(env.arrange.s3, 'omc_cleanroom_data/split/v2/ibe_01/20261001/part-0.parquet', typedFile);
      const registered = await templated.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-10-01' });
      expect(registered.location).toBe(`s3://${BUCKET}/omc_cleanroom_data/split/v2/ibe_01/20261001/`);
      const { Table } = await env.arrange.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: 'ibe_01_staged' }));
      expect(Table?.StorageDescriptor?.Location).toBe(`s3://${BUCKET}/omc_cleanroom_data/split/v2/ibe_01/`);
      expect(templated.describeLocation('staged', 'IBE_01', '2026-10-01')).toBe(registered.location);
    } finally {
      await templated.close();
    }
  });

  it('rejects bad snapshot dates and table names before any S3 or Glue call', async () => {
    await expect(backend.catalog.registerStagedTable({ table: ibe01, snapshotDt: '2026-02-30' })).rejects.toThrow(/snapshot date/);
    await expect(backend.catalog.registerStagedTable({ table: { name: 'x; drop', kind: 'infobase' }, snapshotDt: '2026-10-01' })).rejects.toThrow(
      /invalid table name/,
    );
  });
});

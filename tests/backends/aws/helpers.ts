import { CreateDatabaseCommand, CreateJobCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import type { FlywheelConfig } from '../../../src/config/schema.js';
import { startMoto, type Moto } from '../../support/moto.js';

export const BUCKET = 'omc-flywheel-data-us-east-1-test';
export const DATABASE = 'omc_flywheel_test';
export const INFOBASE_JOB = 'etl-omc-flywheel-test-infobase-split-and-bucket';
export const ADDRESSABLE_JOB = 'etl-omc-flywheel-test-addressable-bucket';

/** A config for the AWS backend against moto: tiny poll and backoff delays so tests stay fast. */
export function testConfig(aws: Record<string, unknown> = {}, layout: Record<string, unknown> = {}): FlywheelConfig {
  return parseConfig(
    {
      environment: 'test',
      backend: 'aws',
      layout: { sourceBucket: BUCKET, targetBucket: BUCKET, ...layout },
      tables: { mode: 'discover' },
      catalog: { database: DATABASE },
      jobs: { infobaseSplitAndBucket: INFOBASE_JOB, addressableBucket: ADDRESSABLE_JOB },
      aws: {
        region: 'us-east-1',
        maxAttempts: 2,
        retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
        athena: { workgroup: 'primary', outputLocation: `s3://${BUCKET}/athena-results/`, pollMinMs: 5, pollMaxMs: 20 },
        ...aws,
      },
    },
    'test config',
    {},
  );
}

/** Plain SDK clients for arranging state in moto (the backend under test builds its own). */
export function arrangeClients() {
  const options = { region: 'us-east-1' };
  return { s3: new S3Client({ ...options, forcePathStyle: true }), glue: new GlueClient(options) };
}

/**
 * moto for the calling test file, with plain clients to arrange state in it: started before all tests,
 * stopped after them, reset (and the test bucket created again) before each test. Call it at the top
 * of the file before the file's own hooks: its before-hooks then run first and its after-hook last.
 * The fields are set once the file's tests start.
 */
export function useMoto(): { readonly moto: Moto; readonly arrange: ReturnType<typeof arrangeClients> } {
  const env = {} as { moto: Moto; arrange: ReturnType<typeof arrangeClients> };
  beforeAll(async () => {
    env.moto = await startMoto();
    env.arrange = arrangeClients();
  });
  afterAll(async () => env.moto?.stop());
  beforeEach(async () => {
    await env.moto.reset();
    await createBucket(env.arrange.s3);
  });
  return env;
}

export async function createBucket(s3: S3Client, bucket = BUCKET): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

export async function put(s3: S3Client, key: string, body: string | Uint8Array, bucket = BUCKET): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === 'string' ? Buffer.from(body) : body }));
}

export async function createDatabase(glue: GlueClient, name = DATABASE): Promise<void> {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: name } }));
}

/** moto starts empty; in the account these jobs already exist and Flywheel never creates them. */
export async function createJobs(glue: GlueClient, maxConcurrentRuns = 1): Promise<void> {
  for (const name of [INFOBASE_JOB, ADDRESSABLE_JOB]) {
    await glue.send(
      new CreateJobCommand({
        Name: name,
        Role: 'arn:aws:iam::123456789012:role/flywheel-glue',
        Command: { Name: 'glueetl', ScriptLocation: `s3://${BUCKET}/scripts/${name}.py` },
        ExecutionProperty: { MaxConcurrentRuns: maxConcurrentRuns },
        GlueVersion: '4.0',
      }),
    );
  }
}

/** A small Parquet file written by DuckDB, as the split jobs would write staged data. */
export async function parquetBytes(selectSql: string): Promise<Uint8Array> {
  const dir = mkdtempSync(path.join(tmpdir(), 'flywheel-parquet-'));
  const file = path.join(dir, 'part-00000.snappy.parquet');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${selectSql}) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    return new Uint8Array(readFileSync(file));
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

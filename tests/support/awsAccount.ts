import { readFileSync } from 'node:fs';
import { CreateDatabaseCommand, CreateJobCommand, type GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { parquetBytes } from '../backends/aws/helpers.js';

/**
 * The account the AWS workflow tests run against: the config the worker runs with, and the lake,
 * database and Glue jobs as they exist in the account before Flywheel runs (seeded into moto).
 */
export const BUCKET = 'omc-flywheel-data-us-east-1-e2e';
export const DATABASE = 'omc_flywheel_e2e';
export const INFOBASE_JOB = 'etl-omc-flywheel-e2e-infobase-split-and-bucket';
export const ADDRESSABLE_JOB = 'etl-omc-flywheel-e2e-addressable-bucket';

/** Source rows per table in the snapshot the run must choose; other snapshots hold different counts. */
export const SOURCE_ROWS: Record<string, number> = { IBE_01: 120, MIACS_01: 80, CLC_01: 50, addressable_ids: 200 };
export const COMPLETE_SNAPSHOTS = ['2026-09-01', '2026-10-01'];
/** Still landing: only IBE_01 and addressable_ids have it, so discovery must skip it. */
export const INCOMPLETE_SNAPSHOT = '2026-11-01';

const E2E_DOCUMENT = {
  layout: { sourceBucket: BUCKET, targetBucket: BUCKET },
  tables: { mode: 'discover', addressable: true },
  catalog: { database: DATABASE },
  jobs: { infobaseSplitAndBucket: INFOBASE_JOB, addressableBucket: ADDRESSABLE_JOB },
  aws: { region: 'us-east-1', athena: { workgroup: 'primary', outputLocation: `s3://${BUCKET}/athena-results/` } },
};

export interface AccountConfigOptions {
  /** Start from this file (e.g. config/prod.yaml): its layout, catalog, job names and Athena settings. */
  configFile?: string;
  /** Merged over `aws.glue` (e.g. worker capacity, so moto's runs report it). */
  glue?: Record<string, unknown>;
  /** Merged over `layout` (e.g. `stagedPathTemplate`). */
  layout?: Record<string, unknown>;
}

type Doc = Record<string, any>;

/**
 * The e2e config, or `configFile` with only what a test must change: Temporal, environment, the seeded
 * tables, tiny sizes and poll intervals, moto's endpoint, file lineage, no metrics port.
 */
export function accountConfig(endpoint: string, temporal: { address: string; namespace: string }, environment: string, options: AccountConfigOptions = {}): FlywheelConfig {
  const base: Doc = options.configFile ? (parseYaml(readFileSync(options.configFile, 'utf8')) as Doc) : E2E_DOCUMENT;
  const infobase = Object.keys(SOURCE_ROWS).filter((t) => t !== 'addressable_ids');
  return parseConfig(
    {
      ...base,
      environment,
      backend: 'aws',
      layout: { ...base.layout, ...options.layout },
      temporal: { ...temporal, taskQueue: `flywheel-${environment}` },
      tables: options.configFile ? { ...base.tables, infobase, addressable: true } : base.tables,
      tableConcurrency: 2,
      // Tiny sources still get several staged files, so --FILE_COUNTS is visibly honoured.
      fileSizing: { filesPerGb: 3_000_000, minFiles: 1, maxFiles: 4 },
      jobs: { ...base.jobs, pollMinSeconds: 0.05, pollMaxSeconds: 0.2 },
      reprocess: { waitHours: 0 },
      lineage: { sink: 'file', file: 'lineage/openlineage.jsonl', namespace: 'flywheel-e2e' },
      observability: { logFormat: 'pretty', logLevel: 'INFO' },
      aws: {
        ...base.aws,
        endpoint, // as an operator points a dev run at moto
        maxAttempts: 2,
        retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
        glue: { ...base.aws?.glue, ...options.glue },
        athena: { ...base.aws?.athena, pollMinMs: 5, pollMaxMs: 20 },
      },
    },
    options.configFile ?? 'aws e2e config',
    {},
  );
}

/** The bucket Athena writes query results to (`aws.athena.outputLocation`). */
export function resultsBucket(config: FlywheelConfig): string {
  const location = (config.aws?.athena as { outputLocation?: string } | undefined)?.outputLocation;
  const bucket = location && /^s3:\/\/([^/]+)\//.exec(location)?.[1];
  if (!bucket) throw new Error('the test account needs aws.athena.outputLocation');
  return bucket;
}

function sourceSql(table: string, rows: number): string {
  const id = `'c' || lpad(i::VARCHAR, 6, '0') AS customer_user_id`;
  return table === 'addressable_ids'
    ? `SELECT ${id}, CASE WHEN i % 2 = 0 THEN 'maid' ELSE 'email' END AS id_type FROM range(${rows}) t(i)`
    : `SELECT ${id}, (i % 7)::INTEGER AS attr_score, 'v' || (i % 3) AS attr_code FROM range(${rows}) t(i)`;
}

/** The lake as production lays it out: `<infobasePrefix><TABLE>/snapshot_dt=<dt>/part-*.parquet`, `<addressablePrefix>…`. */
async function seedLake(s3: S3Client, layout: FlywheelConfig['layout']): Promise<void> {
  const bucket = layout.sourceBucket;
  const put = async (key: string, body: Uint8Array) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const prefixOf = (table: string) => (table === 'addressable_ids' ? layout.addressablePrefix : `${layout.infobasePrefix}${table}/`);
  for (const [table, rows] of Object.entries(SOURCE_ROWS)) {
    for (const dt of [...COMPLETE_SNAPSHOTS, INCOMPLETE_SNAPSHOT]) {
      if (dt === INCOMPLETE_SNAPSHOT && !['IBE_01', 'addressable_ids'].includes(table)) continue;
      // Other snapshots get other row counts, so a report counting the wrong snapshot shows it.
      const n = dt === '2026-10-01' ? rows : rows + 7;
      // Two part files for IBE_01, as Spark writes: the player and the counts must read all of them.
      const parts = table === 'IBE_01' ? [sourceSql(table, n) + ` WHERE i % 2 = 0`, sourceSql(table, n) + ` WHERE i % 2 = 1`] : [sourceSql(table, n)];
      for (const [i, sql] of parts.entries()) {
        await put(`${prefixOf(table)}snapshot_dt=${dt}/part-${String(i).padStart(5, '0')}-seed.snappy.parquet`, await parquetBytes(sql));
      }
    }
  }
  // Spark's marker next to the data: not a data file for discovery, the player or the counts.
  await put(`${layout.infobasePrefix}IBE_01/snapshot_dt=2026-10-01/_SUCCESS`, new Uint8Array());
}

/** Buckets, lake, Glue database and the two existing split jobs, as in the account before a run. */
export async function seedAccount(arrange: { s3: S3Client; glue: GlueClient }, config: FlywheelConfig, maxConcurrentRuns = 1): Promise<void> {
  const buckets = new Set([config.layout.sourceBucket, config.layout.targetBucket, resultsBucket(config)]);
  for (const bucket of buckets) await arrange.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await seedLake(arrange.s3, config.layout);
  await arrange.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: config.catalog.database } }));
  for (const name of [config.jobs.infobaseSplitAndBucket, config.jobs.addressableBucket]) {
    await arrange.glue.send(
      new CreateJobCommand({
        Name: name,
        Role: 'arn:aws:iam::123456789012:role/flywheel-glue',
        Command: { Name: 'glueetl', ScriptLocation: `s3://${config.layout.sourceBucket}/scripts/${name}.py` },
        ExecutionProperty: { MaxConcurrentRuns: maxConcurrentRuns },
        GlueVersion: '4.0',
      }),
    );
  }
}

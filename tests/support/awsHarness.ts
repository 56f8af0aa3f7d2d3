/**
 * `monthlyRefresh` with `backend: aws` against moto, through a real worker on the shared dev server.
 * The lake is seeded like production (real Parquet written by DuckDB); the two Glue jobs and the
 * database exist in moto as they do in the account. Layers on the worker's SDK clients, each named
 * for what it is: the Glue job player (moto's runs write nothing), the Athena CTAS emulation (moto's
 * CTAS creates nothing) and the Athena count answers (moto static results). Tests may add fault
 * injection through `startWorker({ layers })`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateDatabaseCommand, CreateJobCommand, GetJobRunsCommand, GlueClient, type JobRun } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { createAwsBackend, createAwsClients, parseAwsConfig, type AwsClients } from '../../src/backends/aws/index.js';
import { RUN_TAG_ARGUMENT } from '../../src/backends/aws/glueJobRunner.js';
import { parseConfig } from '../../src/config/load.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { createFlywheelWorker, type FlywheelWorker, type FlywheelWorkerOptions } from '../../src/workers/createWorker.js';
import { emulateAthenaCtas } from '../backends/aws/athenaCtasEmulation.js';
import { parquetBytes } from '../backends/aws/helpers.js';
import { answerAthenaCounts, type CountAnswers } from './athenaCountAnswers.js';
import { GlueJobPlayer } from './glueJobPlayer.js';
import type { Moto } from './moto.js';

export const BUCKET = 'omc-flywheel-data-us-east-1-e2e';
export const DATABASE = 'omc_flywheel_e2e';
export const INFOBASE_JOB = 'etl-omc-flywheel-e2e-infobase-split-and-bucket';
export const ADDRESSABLE_JOB = 'etl-omc-flywheel-e2e-addressable-bucket';

/** Source rows per table in the snapshot the run must choose; other snapshots hold different counts. */
export const SOURCE_ROWS: Record<string, number> = { IBE_01: 120, MIACS_01: 80, CLC_01: 50, addressable_ids: 200 };
export const COMPLETE_SNAPSHOTS = ['2026-09-01', '2026-10-01'];
/** Still landing: only IBE_01 and addressable_ids have it, so discovery must skip it. */
export const INCOMPLETE_SNAPSHOT = '2026-11-01';

export interface AwsHarness {
  config: FlywheelConfig;
  client: Client;
  /** Plain clients for arranging and inspecting moto (no layers). */
  arrange: { s3: S3Client; glue: GlueClient };
  player: GlueJobPlayer;
  /** Builds a fresh worker: new SDK clients with the layers, new backend, new native connection. */
  startWorker(options?: StartWorkerOptions): Promise<AwsWorker>;
  /** Every run of a job, as GetJobRuns lists them (with their merged arguments). */
  jobRuns(jobName: string): Promise<JobRun[]>;
  close(): Promise<void>;
}

export interface StartWorkerOptions {
  /** Extra (fault-injection) layers, added after the harness's own. */
  layers?: (clients: AwsClients) => void;
  tuning?: FlywheelWorkerOptions['tuning'];
}

export interface AwsWorker extends FlywheelWorker {
  counts: CountAnswers;
  /** Closes the worker and its connection (idempotent). */
  stop(): Promise<void>;
}

export const runTagOf = (run: JobRun) => run.Arguments?.[RUN_TAG_ARGUMENT];

function sourceSql(table: string, rows: number): string {
  const id = `'c' || lpad(i::VARCHAR, 6, '0') AS customer_user_id`;
  return table === 'addressable_ids'
    ? `SELECT ${id}, CASE WHEN i % 2 = 0 THEN 'maid' ELSE 'email' END AS id_type FROM range(${rows}) t(i)`
    : `SELECT ${id}, (i % 7)::INTEGER AS attr_score, 'v' || (i % 3) AS attr_code FROM range(${rows}) t(i)`;
}

/** Production layout: `opus/infobase_attributes/<TABLE>/snapshot_dt=<dt>/part-*.parquet`, `opus/addressable_ids/…`. */
async function seedLake(s3: S3Client): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const put = async (key: string, body: Uint8Array) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const prefixOf = (table: string) => (table === 'addressable_ids' ? 'opus/addressable_ids/' : `opus/infobase_attributes/${table}/`);
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
  await put('opus/infobase_attributes/IBE_01/snapshot_dt=2026-10-01/_SUCCESS', new Uint8Array());
}

export async function createAwsHarness(moto: Moto, options: { maxConcurrentRuns?: number } = {}): Promise<AwsHarness> {
  const address = inject('temporalAddress');
  const bundlePath = inject('workflowBundlePath');
  if (!bundlePath) throw new Error('globalSetup provided no workflow bundle');
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-aws-e2e-'));
  const environment = `aws-${randomBytes(4).toString('hex')}`;
  const config = parseConfig(
    {
      environment,
      backend: 'aws',
      temporal: { address, namespace: inject('temporalNamespace'), taskQueue: `flywheel-${environment}` },
      layout: { sourceBucket: BUCKET, targetBucket: BUCKET },
      tables: { mode: 'discover', addressable: true },
      catalog: { database: DATABASE },
      tableConcurrency: 2,
      // Tiny sources still get several staged files, so --FILE_COUNTS is visibly honoured.
      fileSizing: { filesPerGb: 3_000_000, minFiles: 1, maxFiles: 4 },
      jobs: { infobaseSplitAndBucket: INFOBASE_JOB, addressableBucket: ADDRESSABLE_JOB, pollMinSeconds: 0.05, pollMaxSeconds: 0.2 },
      reprocess: { waitHours: 0 },
      lineage: { sink: 'file', file: 'lineage/openlineage.jsonl', namespace: 'flywheel-e2e' },
      aws: {
        region: 'us-east-1',
        endpoint: moto.endpoint, // as an operator points a dev run at moto; credentials are moto.ts's dummies
        maxAttempts: 2,
        retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
        athena: { workgroup: 'primary', outputLocation: `s3://${BUCKET}/athena-results/`, pollMinMs: 5, pollMaxMs: 20 },
      },
    },
    'aws e2e config',
    {},
  );
  const arrange = {
    s3: new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true }),
    glue: new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint }),
  };
  await seedLake(arrange.s3);
  await arrange.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE } }));
  for (const name of [INFOBASE_JOB, ADDRESSABLE_JOB]) {
    await arrange.glue.send(
      new CreateJobCommand({
        Name: name,
        Role: 'arn:aws:iam::123456789012:role/flywheel-glue',
        Command: { Name: 'glueetl', ScriptLocation: `s3://${BUCKET}/scripts/${name}.py` },
        ExecutionProperty: { MaxConcurrentRuns: options.maxConcurrentRuns ?? 1 },
        GlueVersion: '4.0',
      }),
    );
  }
  // Runs go STARTING → RUNNING → SUCCEEDED over several GetJobRun polls instead of at once.
  await moto.setManualTransition('glue::job_run', 3);

  const player = new GlueJobPlayer(arrange.s3, config.layout, [INFOBASE_JOB, ADDRESSABLE_JOB]);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const workers: AwsWorker[] = [];

  return {
    config,
    client,
    arrange,
    player,
    async startWorker(start = {}) {
      const clients = createAwsClients(parseAwsConfig(config), process.env);
      player.installOn(clients.glue);
      const counts = answerAthenaCounts(clients.athena, { glue: arrange.glue, s3: arrange.s3, moto });
      emulateAthenaCtas(clients.athena, { glue: arrange.glue, s3: arrange.s3, database: DATABASE }, { files: 3 });
      start.layers?.(clients);
      const backend = await createAwsBackend(config, { clients });
      const nativeConnection = await NativeConnection.connect({ address });
      const flywheel = await createFlywheelWorker({
        config,
        home,
        connection: nativeConnection,
        workflowBundle: { codePath: bundlePath },
        backend,
        tuning: start.tuning,
      });
      let stopped: Promise<void> | undefined;
      const worker: AwsWorker = {
        ...flywheel,
        counts,
        stop: () => (stopped ??= flywheel.close().finally(() => nativeConnection.close())),
      };
      workers.push(worker);
      return worker;
    },
    async jobRuns(jobName) {
      const runs: JobRun[] = [];
      let token: string | undefined;
      do {
        const page = await arrange.glue.send(new GetJobRunsCommand({ JobName: jobName, NextToken: token }));
        runs.push(...(page.JobRuns ?? []));
        token = page.NextToken;
      } while (token);
      return runs;
    },
    async close() {
      for (const worker of workers) await worker.stop().catch(() => undefined);
      await moto.unsetTransition('glue::job_run').catch(() => undefined);
      arrange.s3.destroy();
      arrange.glue.destroy();
      await connection.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

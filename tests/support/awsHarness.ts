/**
 * `monthlyRefresh` with `backend: aws` against moto, through a real worker on the shared dev server.
 * The lake is seeded like production (real Parquet written by DuckDB); the two Glue jobs and the
 * database exist in moto as they do in the account. Layers on the worker's SDK clients, each named
 * for what it is: the Glue job player (moto's runs write nothing), the Athena CTAS emulation (moto's
 * CTAS creates nothing), the Athena count answers (moto static results) and Athena acting as the
 * caller (reads and result writes with the worker's credentials). Tests may add fault injection
 * through `startWorker({ layers })`.
 *
 * With `iamPolicy`, the worker runs as an IAM user holding only that policy, with IAM enforced by moto
 * and by the enforcement layer (tests/support/iamEnforcement.ts says which does what); the arranging
 * clients and the layers playing AWS's own parts (the Glue jobs' role) use an administrator. Enforcement
 * is server-wide: such a harness needs a moto server of its own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { GetJobRunsCommand, GlueClient, type JobRun } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { inject } from 'vitest';
import { createAwsBackend, createAwsClients, parseAwsConfig, type AwsClients } from '../../src/backends/aws/index.js';
import { RUN_TAG_ARGUMENT } from '../../src/backends/aws/glueJobRunner.js';
import type { FlywheelConfig } from '../../src/config/schema.js';
import { createFlywheelWorker, type FlywheelWorker, type FlywheelWorkerOptions } from '../../src/workers/createWorker.js';
import { emulateAthenaCtas } from '../backends/aws/athenaCtasEmulation.js';
import { AthenaAsCaller } from './athenaAsCaller.js';
import { answerAthenaCounts, type CountAnswers } from './athenaCountAnswers.js';
import { accountConfig, seedAccount, type AccountConfigOptions } from './awsAccount.js';
import { GlueJobPlayer } from './glueJobPlayer.js';
import { clientsAs, createMotoPrincipals, enforceIamOnMoto, keysOf, type EnforcedRequest, type Principal } from './iamEnforcement.js';
import type { PolicyDocument } from './iamPolicy.js';
import type { Moto } from './moto.js';

export { ADDRESSABLE_JOB, BUCKET, COMPLETE_SNAPSHOTS, DATABASE, INCOMPLETE_SNAPSHOT, INFOBASE_JOB, SOURCE_ROWS } from './awsAccount.js';

export interface AwsHarnessOptions extends AccountConfigOptions {
  maxConcurrentRuns?: number;
  /** Run the worker as an IAM user holding only this policy, IAM enforced (a moto of its own). */
  iamPolicy?: PolicyDocument;
}

export interface AwsHarness {
  config: FlywheelConfig;
  client: Client;
  /** Plain clients for arranging and inspecting moto (no layers; an administrator under IAM). */
  arrange: { s3: S3Client; glue: GlueClient };
  player: GlueJobPlayer;
  /** The worker's IAM user when `iamPolicy` was given. */
  principal?: Principal;
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
  /** Every request the IAM enforcement layer decided on (worker and Athena-as-caller), under `iamPolicy`. */
  iamDecisions: EnforcedRequest[];
  /** Closes the worker and its connection (idempotent). */
  stop(): Promise<void>;
}

export const runTagOf = (run: JobRun) => run.Arguments?.[RUN_TAG_ARGUMENT];

export async function createAwsHarness(moto: Moto, options: AwsHarnessOptions = {}): Promise<AwsHarness> {
  const address = inject('temporalAddress');
  const bundlePath = inject('workflowBundlePath');
  if (!bundlePath) throw new Error('globalSetup provided no workflow bundle');
  const home = await mkdtemp(path.join(os.tmpdir(), 'flywheel-aws-e2e-'));
  const environment = `aws-${randomBytes(4).toString('hex')}`;
  const config = accountConfig(moto.endpoint, { address, namespace: inject('temporalNamespace') }, environment, options);
  const policy = options.iamPolicy;

  // Principals first: once moto enforces IAM, only their keys are accepted.
  const principals = policy ? await createMotoPrincipals(moto.endpoint, environment, policy) : undefined;
  const principal = principals?.worker;
  const adminKeys = principals ? { credentials: keysOf(principals.admin) } : {};
  const arrange = {
    s3: new S3Client({ region: 'us-east-1', endpoint: moto.endpoint, forcePathStyle: true, ...adminKeys }),
    glue: new GlueClient({ region: 'us-east-1', endpoint: moto.endpoint, ...adminKeys }),
  };
  await seedAccount(arrange, config, options.maxConcurrentRuns);
  // Runs go STARTING → RUNNING → SUCCEEDED over several GetJobRun polls instead of at once.
  await moto.setManualTransition('glue::job_run', 3);
  if (policy) await enforceIamOnMoto(moto.endpoint);

  const player = new GlueJobPlayer(arrange.s3, config.layout, [config.jobs.infobaseSplitAndBucket, config.jobs.addressableBucket]);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const workers: AwsWorker[] = [];
  const aws = parseAwsConfig(config);
  const outputLocation = (aws.athena.outputLocation ?? '') as string;

  /** The worker's SDK clients: as the IAM user under `iamPolicy`, else with moto.ts's dummy keys. */
  const principalClients = (decisions: EnforcedRequest[]): AwsClients =>
    policy && principal ? clientsAs(aws, principal, policy, decisions) : createAwsClients(aws, process.env);

  return {
    config,
    client,
    arrange,
    player,
    principal,
    async startWorker(start = {}) {
      const iamDecisions: EnforcedRequest[] = [];
      const clients = principalClients(iamDecisions);
      const callerClients = principalClients(iamDecisions);
      const asCaller = new AthenaAsCaller(callerClients, outputLocation);
      player.installOn(clients.glue);
      const counts = answerAthenaCounts(clients.athena, { glue: arrange.glue, s3: arrange.s3, moto });
      emulateAthenaCtas(clients.athena, { glue: arrange.glue, s3: arrange.s3, database: config.catalog.database, asCaller }, { files: 3 });
      asCaller.installOn(clients.athena);
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
        iamDecisions,
        stop: () => (stopped ??= flywheel.close().finally(() => (callerClients.destroy(), nativeConnection.close()))),
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
